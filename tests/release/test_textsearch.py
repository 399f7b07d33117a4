"""Tests for chalicelib.release.textsearch: the trigram substring index."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.model.folding import finds
from chalicelib.release.textsearch import TrigramIndex
from support.examples import examples

POUR_MOHAMMADI = [
    "Mostafa Pour Mohammadi",
    "Pourmohammadi",
    "Pour-Mohammadi",
    "Purmohammadi",
    "Mustafa Pour-Mohammadi",
    "مصطفی پورمحمدی",
]


# --- TrigramIndex ---------------------------------------------------------------------------------


def build(docs):
    return TrigramIndex(enumerate(docs))


def scanning(index):
    """The same index, made to answer every short query by scanning the texts."""
    index._SHORT_UNION_MAX = -1
    return index


@pytest.mark.parametrize(
    "query",
    [
        "pourmohammadi",
        "Pour-Mohammadi",
        "purmohammadi",
        "PURMOHAMMADI",
        "پورمحمدی",
        "Pour Mohammadi",
        "mostafa",
        "مصطفى",
        "پور",
        "مد",
    ],
)
def test_pour_mohammadi_spellings(query):
    index = build([["Ebrahim Raisi", "ابراهیم رئیسی"], POUR_MOHAMMADI, ["Hossein-Ali Nayyeri"]])
    assert index.search(query) == [1]


def test_arabic_and_persian_letter_forms_find_each_other():
    index = build([["علی کریمی"], ["علي كريمي"], ["فاطمة"], ["بهرام"]])
    assert index.search("علی کریمی") == [0, 1]
    assert index.search("علي كريمي") == [0, 1]
    assert index.search("كريم") == [0, 1]
    assert index.search("فاطمه") == [2]


def test_zwnj_and_diacritics():
    index = build([["می\u200cرود"], ["Agnès Callamard"], ["مُحَمَّد"]])
    assert index.search("میرود") == [0]
    assert index.search("می\u200cرود") == [0]
    assert index.search("agnes") == [1]
    assert index.search("AGNÈS") == [1]
    assert index.search("محمد") == [2]


def test_no_false_positives_from_trigrams():
    index = build([["abcxbcd"], ["abcd"]])
    assert index.search("abcd") == [1]  # doc 0 has every trigram of "abcd" but not the substring


@pytest.mark.parametrize("prepare", [build, lambda docs: scanning(build(docs))])
def test_match_must_be_inside_one_text(prepare):
    index = prepare([["Pour", "Mohammadi"], ["xyzab", "cdxyz"]])
    assert index.search("pourmohammadi") == []
    assert index.search("rmo") == []
    assert index.search("bc") == []  # short queries must not match across texts
    assert index.search("abcd") == []


@pytest.mark.parametrize("prepare", [build, lambda docs: scanning(build(docs))])
def test_match_must_be_inside_one_document(prepare):
    index = prepare([["xa"], ["bx"]])
    assert index.search("ab") == []  # short queries must not match across documents
    assert index.search("xab") == []


@pytest.mark.parametrize("prepare", [build, lambda docs: scanning(build(docs))])
def test_short_queries(prepare):
    index = prepare([["Ali"], ["Alireza"], ["Bahram"], [], ["a"], ["۱۳۶۷"], ["ab"], ["q-z"]])
    assert index.search("a") == [0, 1, 2, 4, 6]
    assert index.search("al") == [0, 1]
    assert index.search("AL") == [0, 1]
    assert index.search("z") == [1, 7]
    assert index.search("w") == []
    assert index.search("ab") == [6]  # a text shorter than three characters
    assert index.search("QZ") == [7]
    assert index.search("a", limit=2) == [0, 1]
    assert index.search("۶۷") == [5]
    assert index.search("67") == [5]


def test_empty_queries_match_nothing():
    index = build([["anything"], ["---"]])
    for query in ["", "---", " ", "\u200c", "'"]:
        assert index.search(query) == []


@pytest.mark.parametrize("prepare", [build, lambda docs: scanning(build(docs))])
def test_limit(prepare):
    index = prepare([["ab", "abc"]] * 10)
    assert index.search("ab", limit=3) == [0, 1, 2]
    assert index.search("abc", limit=3) == [0, 1, 2]
    assert index.search("abc", limit=0) == []
    assert index.search("abc", limit=100) == list(range(10))


def test_texts_are_folded_and_deduplicated():
    index = build([POUR_MOHAMMADI, [], ["---"]])
    assert index.texts(0) == [
        "mostafapourmohammadi",
        "mostafapurmohamadi",
        "pourmohammadi",
        "purmohamadi",
        "purmohammadi",
        "mustafapourmohammadi",
        "mustafapurmohamadi",
        "مصطفیپورمحمدی",
    ]
    assert index.texts(1) == [] and index.texts(2) == []
    assert len(index) == 3


def test_ordinals_must_be_dense_and_ascending():
    with pytest.raises(ValueError, match="ordinal"):
        TrigramIndex([(0, ["a"]), (2, ["b"])])
    with pytest.raises(ValueError, match="ordinal"):
        TrigramIndex([(1, ["a"])])


def test_round_trip_and_determinism():
    docs = [
        POUR_MOHAMMADI,
        ["Evin Prison", "زندان اوین"],
        [],
        ["Gohardasht", "گوهردشت", "Rajaei Shahr"],
    ]
    data = build(docs).to_bytes()
    assert build(docs).to_bytes() == data  # same input, identical bytes
    loaded = TrigramIndex.from_bytes(data)
    assert loaded.to_bytes() == data
    assert len(loaded) == 4
    for query in ["pourmohammadi", "اوین", "evin", "ev", "shahr", "prisonx", "a", "زندان"]:
        assert loaded.search(query) == build(docs).search(query), query
    assert [loaded.texts(i) for i in range(4)] == [build(docs).texts(i) for i in range(4)]
    assert TrigramIndex.from_bytes(bytearray(data)).search("evin") == [1]


def test_empty_index_round_trip():
    empty = TrigramIndex()
    loaded = TrigramIndex.from_bytes(empty.to_bytes())
    assert len(loaded) == 0
    assert loaded.search("abc") == loaded.search("a") == []


def test_from_bytes_rejects_garbage():
    data = build([["abc"]]).to_bytes()
    with pytest.raises(ValueError, match="magic"):
        TrigramIndex.from_bytes(b"X" + data[1:])
    with pytest.raises(ValueError):
        TrigramIndex.from_bytes(data[:-1])
    with pytest.raises(ValueError):
        TrigramIndex.from_bytes(data[:5])
    with pytest.raises(ValueError):
        TrigramIndex.from_bytes(data + b"\0")


def test_larger_index_intersects_correctly():
    names = ["Ali", "Reza", "Hossein", "Mohammad", "Mahmoud", "Karimi", "Rahimi", "Mousavi"]
    docs = [[f"{names[i % 8]} {names[(i // 8) % 8]}{names[(i // 64) % 8]}"] for i in range(3000)]
    index = build(docs)
    loaded = TrigramIndex.from_bytes(index.to_bytes())
    for query in [
        "hosseinkarimi",
        "alireza",
        "mousavi",
        "mahmoudmohammad",
        "zzz",
        "ossei",
        "ri",
        "rezamousavirahimi",
    ]:
        expected = [i for i, texts in enumerate(docs) if finds(query, texts[0])]
        assert index.search(query) == expected, query
        assert loaded.search(query) == expected, query
        for limit in (1, 7, 50, 300, 1000):  # limits walk the postings in growing chunks
            assert loaded.search(query, limit=limit) == expected[:limit], (query, limit)


_LETTERS = st.sampled_from(list("abcAB -'é") + ["e\u0301", "ي", "ی", "ك", "ک", "\u200c", "ه", "ة"])
_TEXT = st.lists(_LETTERS, max_size=8).map("".join)


def _brute_force(docs, query):
    return [i for i, texts in enumerate(docs) if any(finds(query, t) for t in texts)]


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.lists(_TEXT, max_size=4), max_size=25),
    st.lists(_TEXT, min_size=1, max_size=8),
    st.integers(min_value=1, max_value=5),
)
def test_search_equals_brute_force(docs, queries, limit):
    index = build(docs)
    loaded = TrigramIndex.from_bytes(index.to_bytes())
    scanner = scanning(TrigramIndex.from_bytes(index.to_bytes()))
    for query in queries + [t for texts in docs[:3] for t in texts]:
        expected = _brute_force(docs, query)
        assert index.search(query) == expected
        assert loaded.search(query) == expected
        assert scanner.search(query) == expected
        assert index.search(query, limit=limit) == expected[:limit]
        assert scanner.search(query, limit=limit) == expected[:limit]
