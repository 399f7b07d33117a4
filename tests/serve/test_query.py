"""Contract tests for chalicelib.serve.query: list parameters, filters, search, dates, sorting and
keyset pagination over a loaded index.

Expected answers come from brute force over the records themselves (``kinds.values_at``,
``edtf.bounds``, ``folding.finds``), never from the index under test.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.errors import BadParameter, DatasetError
from chalicelib.model import edtf
from chalicelib.model.folding import finds
from chalicelib.model.kinds import BY_COLLECTION, KINDS, Kind
from chalicelib.model.ordering import sort_key
from chalicelib.release.index import CollectionIndex
from chalicelib.release.layout import canonical_json
from chalicelib.serve import query as query_module
from chalicelib.serve.query import (
    ListQuery,
    Page,
    allowed_params,
    decode_cursor,
    encode_cursor,
    parse_list_params,
    refer_to,
    render_page,
    run_list,
)
from support.examples import examples
from support.indexdata import (
    DATES,
    FILTER_IDS,
    FILTERS,
    KIND_IDS,
    build_index,
    filter_pool,
    loaded,
    span_of,
    strings_at,
)

RELEASE = "20261127-3f9a1c2b"


def walk(index: CollectionIndex, params: dict[str, str], release: str = RELEASE) -> list[bytes]:
    """Every item of a query, following cursors page by page the way a client would.
    ``refers_to`` is not a parameter: it stands for ``refer_to``, as the claims route uses it."""
    kind, items, cursor = index.kind, [], None
    for _ in range(10_000):
        multi = {name: [value] for name, value in params.items() if name != "refers_to"}
        if cursor:
            multi["cursor"] = [cursor]
        query = parse_list_params(kind, multi)
        if "refers_to" in params:
            query = refer_to(query, params["refers_to"])
        page = run_list(index, query, release)
        assert len(page.items) <= query.limit
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items
    raise AssertionError("the walk did not end")


def filter_matches(kind: Kind, record: dict, param: str, value: str) -> bool:
    f = kind.filter(param)
    held = strings_at(record, f.path)
    if f.references and "/" not in value:  # a bare id means any collection the filter refers to
        return value in held or any(f"{c}/{value}" in held for c in f.references)
    return value in held


def searched(kind: Kind, record: dict, q: str) -> bool:
    texts = set().union(
        *(strings_at(record, p) for p in kind.search_fields + ((kind.title_field,),))
    )
    return any(finds(q, t) for t in texts)


def expected_order(kind: Kind, records: list[dict], sort: str, descending: bool) -> list[dict]:
    value_of = sort_key(kind, sort)
    keyed = [(value_of(r) is None, value_of(r) or (), r["id"], r) for r in records]
    ordered = [r for *_, r in sorted(keyed, key=lambda t: t[:3])]
    return ordered[::-1] if descending else ordered


# --- parameters -------------------------------------------------------------------------------


def test_defaults_are_sort_by_id_ascending_limit_50_and_no_filters():
    query = parse_list_params(BY_COLLECTION["people"], {})
    assert (
        query.sort,
        query.descending,
        query.limit,
        query.filters,
        query.q,
        query.span,
        query.cursor,
    ) == ("id", False, 50, (), None, None, None)


@pytest.mark.parametrize("collection", KIND_IDS)
def test_allowed_parameters_come_from_the_registry(collection):
    kind = BY_COLLECTION[collection]
    assert set(allowed_params(kind)) == {
        "q",
        "sort",
        "limit",
        "cursor",
        "date_from",
        "date_to",
        "release",
    } | {f.param for f in kind.filters}


def test_a_single_valued_mapping_is_read_as_one_value_each():
    query = parse_list_params(BY_COLLECTION["people"], {"limit": "12", "sort": "-name"})
    assert (query.limit, query.sort, query.descending) == (12, "name", True)


def test_release_is_accepted_and_left_to_the_http_layer():
    assert parse_list_params(BY_COLLECTION["claims"], {"release": [RELEASE]}).filters == ()


def test_sort_accepts_id_and_each_registered_key_with_optional_minus():
    kind = BY_COLLECTION["claims"]
    for key in ("id",) + kind.sorts:
        assert parse_list_params(kind, {"sort": [key]}).sort == key
        assert parse_list_params(kind, {"sort": ["-" + key]}).descending is True


def test_an_unknown_parameter_is_named_and_the_allowed_ones_listed():
    with pytest.raises(BadParameter) as caught:
        parse_list_params(BY_COLLECTION["people"], {"catgory": ["victim"]})
    assert caught.value.param == "catgory"
    assert "category" in caught.value.message and "limit" in caught.value.message
    assert isinstance(caught.value, DatasetError)


LONG = "x" * 201
BAD = [
    ("people", {"limit": ["1"], "q": ["a"], "sort": ["name", "born"]}, "sort"),  # repeated
    ("people", {"limit": ["1", "2"]}, "limit"),
    ("people", {"limit": ["0"]}, "limit"),
    ("people", {"limit": ["501"]}, "limit"),
    ("people", {"limit": ["ten"]}, "limit"),
    ("people", {"limit": ["+5"]}, "limit"),
    ("people", {"limit": [" 5"]}, "limit"),
    ("people", {"limit": ["٥"]}, "limit"),  # an Arabic-Indic five is a digit, not a limit
    ("people", {"sort": ["height"]}, "sort"),
    ("people", {"sort": ["--name"]}, "sort"),
    ("claims", {"sort": ["name"]}, "sort"),
    ("events", {"date_from": ["1988-13"]}, "date_from"),
    ("events", {"date_to": ["July 1988"]}, "date_to"),
    ("places", {"date_from": ["1988"]}, "date_from"),  # places have no dates
    ("places", {"date_to": ["1988"]}, "date_to"),
    ("people", {"q": [LONG]}, "q"),
    ("people", {"category": [LONG]}, "category"),
    ("people", {"category": [""]}, "category"),
    ("claims", {"subject": ["people/" + LONG]}, "subject"),
    ("places", {"within": ["people/someone"]}, "within"),  # within refers to places only
    ("claims", {"cursor": [""]}, "cursor"),
]


@pytest.mark.parametrize(
    "collection,params,param", BAD, ids=[f"{c}-{p}-{i}" for i, (c, _, p) in enumerate(BAD)]
)
def test_each_bad_parameter_is_named(collection, params, param):
    with pytest.raises(BadParameter) as caught:
        parse_list_params(BY_COLLECTION[collection], params)
    assert caught.value.param == param
    assert caught.value.message and "Traceback" not in caught.value.message


@pytest.mark.parametrize("q", ["", "  ", "\t"])
def test_a_blank_q_is_no_q(q):
    # What an empty search form sends.
    assert parse_list_params(BY_COLLECTION["people"], {"q": [q]}).q is None


@pytest.mark.parametrize(
    "q,problem",
    [
        ("!!", "no letter or digit"),
        (" - ", "no letter or digit"),
        ("--", "no letter or digit"),
        ("\u200c", "no letter or digit"),  # a ZWNJ alone
        ("\ufffd\ufffd", "not UTF-8"),  # %FF%FE, as a server decodes bytes that are not UTF-8
        ("\ufffd\ufffd \ufffd", "not UTF-8"),  # Windows-1256 Persian, decoded as UTF-8
        ("Evin\ufffd", "not UTF-8"),
    ],
)
def test_a_q_that_cannot_be_a_search_is_a_400_naming_q(q, problem):
    # Before, such a q searched for nothing and answered every record.
    with pytest.raises(BadParameter, match=problem) as caught:
        parse_list_params(BY_COLLECTION["people"], {"q": [q]})
    assert caught.value.param == "q"


def test_date_to_before_date_from_is_two_conditions_not_an_error():
    query = parse_list_params(BY_COLLECTION["events"], {"date_from": ["1989"], "date_to": ["1988"]})
    start, end = query.span
    assert start > end  # overlapping() keeps the spans that cover the gap between them


def test_a_repeated_parameter_is_an_error_not_a_silent_choice():
    with pytest.raises(BadParameter, match="more than once") as caught:
        parse_list_params(BY_COLLECTION["people"], {"limit": ["1", "2"]})
    assert caught.value.param == "limit"


def test_reference_filters_accept_a_reference_or_a_bare_id():
    kind = BY_COLLECTION["claims"]
    assert parse_list_params(kind, {"subject": ["people/x"]}).filters == (("subject", "people/x"),)
    assert parse_list_params(kind, {"subject": ["x"]}).filters == (("subject", "x"),)


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,f", FILTERS, ids=FILTER_IDS)
def test_each_filter_returns_exactly_the_matching_records(kind, f):
    records, index = loaded(kind.collection)
    for value in filter_pool(f) + ["r0", "absent"]:
        expected = [canonical_json(r) for r in records if filter_matches(kind, r, f.param, value)]
        assert walk(index, {f.param: value, "limit": "7"}) == expected, value


def test_combined_filters_intersect():
    kind = BY_COLLECTION["claims"]
    records, index = loaded("claims")
    # Values of one record, so the intersection is never empty whatever the synthetic draw.
    sample = next(r for r in records if r.get("status") and r.get("confidence") and r["sources"])
    params = {
        "status": sample["status"],
        "confidence": sample["confidence"],
        "source": sample["sources"][0]["source"],
    }
    expected = [
        canonical_json(r)
        for r in records
        if all(filter_matches(kind, r, p, v) for p, v in params.items())
    ]
    assert expected and walk(index, params) == expected


@pytest.fixture
def claims_with_values():
    kind = BY_COLLECTION["claims"]
    base = {
        "subject": "people/mostafa-pour-mohammadi",
        "claimed_by": "organizations/amnesty-international",
    }
    records = [
        {"id": "count", **base, "property": "victim_count", "value": {"min": 5000}},
        {
            "id": "member",
            **base,
            "property": "member_of",
            "value": "organizations/death-commission",
        },
        {"id": "position", **base, "property": "held_position", "value": "Prosecutor"},
        {"id": "period", **base, "property": "occurred_on", "value": "1988-07/1988-09"},
    ]
    records.sort(key=lambda r: r["id"])
    return CollectionIndex.load(kind, build_index(kind, records).__getitem__)


@pytest.mark.parametrize(
    "value,ids",
    [
        ("organizations/death-commission", ["member"]),
        ("death-commission", ["member"]),
        ("Prosecutor", ["position"]),
        ("prosecutor", []),  # exact text, not search
        ("1988-07/1988-09", ["period"]),
        ("5000", []),  # quantities match nothing
    ],
)
def test_claims_value_filter_matches_references_and_texts_exactly(claims_with_values, value, ids):
    items = walk(claims_with_values, {"value": value})
    assert [json.loads(i)["id"] for i in items] == ids


@pytest.fixture
def claims_about_raisi():
    kind = BY_COLLECTION["claims"]
    base = {
        "property": "stated",
        "value": "text",
        "claimed_by": "organizations/amnesty-international",
        "sources": [{"source": "sources/amnesty-2018-report"}],
    }
    records = [
        {**base, "id": "about-raisi", "subject": "people/ebrahim-raisi"},
        {**base, "id": "by-raisi", "subject": "events/x", "claimed_by": "people/ebrahim-raisi"},
        {
            **base,
            "id": "cites-raisi",
            "subject": "events/x",
            "sources": [
                {"source": "sources/amnesty-2018-report"},
                {"source": "sources/raisi-interview"},
            ],
        },
        {
            **base,
            "id": "member-raisi",
            "subject": "events/x",
            "property": "member_of",
            "value": "people/ebrahim-raisi",
        },
        {**base, "id": "unrelated", "subject": "people/someone-else", "status": "alleged"},
    ]
    return CollectionIndex.load(kind, build_index(kind, records).__getitem__)


def ids_of(index, query) -> list[str]:
    page = run_list(index, query, RELEASE)
    return [json.loads(item)["id"] for item in page.items]


def test_refer_to_finds_claims_by_subject_value_or_claimed_by(claims_about_raisi):
    query = refer_to(parse_list_params(BY_COLLECTION["claims"], {}), "people/ebrahim-raisi")
    assert ids_of(claims_about_raisi, query) == ["about-raisi", "by-raisi", "member-raisi"]


def test_refer_to_a_source_finds_the_claims_citing_it(claims_about_raisi):
    query = refer_to(parse_list_params(BY_COLLECTION["claims"], {}), "sources/raisi-interview")
    assert ids_of(claims_about_raisi, query) == ["cites-raisi"]


def test_refer_to_combines_with_filters_and_binds_the_cursor(claims_about_raisi):
    kind = BY_COLLECTION["claims"]
    query = refer_to(parse_list_params(kind, {"property": ["member_of"]}), "people/ebrahim-raisi")
    assert ids_of(claims_about_raisi, query) == ["member-raisi"]
    first = refer_to(parse_list_params(kind, {"limit": ["1"]}), "people/ebrahim-raisi")
    cursor = run_list(claims_about_raisi, first, RELEASE).next_cursor
    other = refer_to(
        parse_list_params(kind, {"limit": ["1"], "cursor": [cursor]}), "people/someone-else"
    )
    with pytest.raises(BadParameter):
        run_list(claims_about_raisi, other, RELEASE)


# --- search -----------------------------------------------------------------------------------


@pytest.fixture
def people_index():
    kind = BY_COLLECTION["people"]
    records = [
        {
            "id": "ebrahim-raisi",
            "name": "Ebrahim Raisi",
            "names": [{"name": "ابراهیم رئیسی", "lang": "fa"}],
        },
        {
            "id": "mostafa-pour-mohammadi",
            "name": "Mostafa Pour-Mohammadi",
            "names": [
                {"name": "Pourmohammadi", "lang": "en"},
                {"name": "Purmohammadi", "lang": "en"},
                {"name": "مصطفی پورمحمدی", "lang": "fa"},
            ],
        },
        {"id": "someone-else", "name": "Mohammad Ahmadi", "description": "A witness."},
    ]
    return CollectionIndex.load(kind, build_index(kind, records).__getitem__)


@pytest.mark.parametrize(
    "q",
    [
        "pourmohammadi",
        "Pour-Mohammadi",
        "purmohammadi",
        "پورمحمدی",
        "POUR MOHAMMADI",
        "پور\u200cمحمدی",
    ],
)
def test_search_finds_a_person_by_every_spelling(people_index, q):
    assert [json.loads(i)["id"] for i in walk(people_index, {"q": q})] == ["mostafa-pour-mohammadi"]


def test_search_matches_arabic_letter_variants(people_index):
    assert [json.loads(i)["id"] for i in walk(people_index, {"q": "رئيسي"})] == ["ebrahim-raisi"]


def test_search_covers_descriptions_and_combines_with_filters(people_index):
    assert [json.loads(i)["id"] for i in walk(people_index, {"q": "witness"})] == ["someone-else"]
    assert walk(people_index, {"q": "witness", "category": "victim"}) == []


# --- dates ------------------------------------------------------------------------------------


@pytest.fixture
def dated_events():
    kind = BY_COLLECTION["events"]
    dates = {
        "day": "1988-07-28",
        "month": "1988-08",
        "summer": "1988-22",
        "winter": "1988-24",
        "massacres": "1988-07/1988-09",
        "since-1990": "1990/..",
        "until-1987": "../1987-06",
        "unknown-end": "1989-03/",
        "undated": None,
        "year-1979": "1979",
    }
    records = [{"id": k, "name": k, **({"date": d} if d else {})} for k, d in sorted(dates.items())]
    return CollectionIndex.load(kind, build_index(kind, records).__getitem__)


@pytest.mark.parametrize(
    "params,ids",
    [
        ({"date_from": "1988-08-01", "date_to": "1988-08-31"}, ["massacres", "month", "summer"]),
        ({"date_from": "1988-07-28", "date_to": "1988-07-28"}, ["day", "massacres", "summer"]),
        ({"date_from": "1988-09-15"}, ["massacres", "since-1990", "unknown-end", "winter"]),
        ({"date_to": "1987"}, ["until-1987", "year-1979"]),
        ({"date_from": "1989-02", "date_to": "1989-02"}, ["winter"]),  # winter 1988 runs into 1989
        ({"date_from": "1988-23"}, ["massacres", "since-1990", "unknown-end", "winter"]),  # autumn
        (
            {"date_from": "1988-06/1988-07", "date_to": "1988-06/1988-07"},
            ["day", "massacres", "summer"],
        ),  # an interval means its whole extent
        ({"date_from": "2030"}, ["since-1990", "unknown-end"]),  # an unknown end is open too
        ({"date_to": "1970"}, ["until-1987"]),
        (
            {"date_from": "../1979", "date_to": "1979/.."},  # open bounds: every dated record
            [
                "day",
                "massacres",
                "month",
                "since-1990",
                "summer",
                "unknown-end",
                "until-1987",
                "winter",
                "year-1979",
            ],
        ),
    ],
)
def test_dates_overlap_the_window_with_open_ends(dated_events, params, ids):
    assert sorted(json.loads(i)["id"] for i in walk(dated_events, params)) == ids


def test_a_record_without_a_date_matches_no_date_filter(dated_events):
    assert "undated" not in {json.loads(i)["id"] for i in walk(dated_events, {"date_from": "0001"})}


# --- pagination -------------------------------------------------------------------------------


@st.composite
def list_queries(draw):
    kind = draw(st.sampled_from(KINDS))
    params = {
        "sort": draw(st.sampled_from(["", "-"])) + draw(st.sampled_from(("id",) + kind.sorts)),
        "limit": str(draw(st.integers(1, 9))),
    }
    for f in draw(st.lists(st.sampled_from(kind.filters), max_size=2, unique=True)):
        params[f.param] = draw(st.sampled_from(filter_pool(f) + ["r1"]))
    if draw(st.booleans()):
        params["q"] = draw(st.sampled_from(["raisi", "evin", "ای", "gohardasht prison", "in"]))
    references = [v for f in kind.filters for v in filter_pool(f) if f.references and "/" in v]
    if references and draw(st.integers(0, 3)) == 0:
        params["refers_to"] = draw(st.sampled_from(references))
    if kind.span_fields and draw(st.booleans()):
        params["date_from"], params["date_to"] = (
            draw(st.sampled_from(DATES)),
            draw(st.sampled_from(DATES)),
        )
        if (edtf.bounds(params["date_from"])[0] or "") > (edtf.bounds(params["date_to"])[1] or "9"):
            del params["date_to"]
    return kind, params


def brute_force(kind: Kind, records: list[dict], params: dict[str, str]) -> list[bytes]:
    selected = [
        r
        for r in records
        if all(filter_matches(kind, r, p, v) for p, v in params.items() if kind.filter(p))
    ]
    if "refers_to" in params:
        ref = params["refers_to"]
        selected = [
            r
            for r in selected
            if any(
                ref in strings_at(r, f.path)
                for f in kind.filters
                if ref.split("/")[0] in f.references
            )
        ]
    if "q" in params:
        selected = [r for r in selected if searched(kind, r, params["q"])]
    if "date_from" in params or "date_to" in params:
        lo = edtf.bounds(params.get("date_from", "../1000"))[0] or "0000-00-00"
        hi = edtf.bounds(params.get("date_to", "9000/.."))[1] or "9999-99-99"
        selected = [r for r in selected if (s := span_of(kind, r)) and s[0] <= hi and s[1] >= lo]
    sort = params["sort"]
    return [
        canonical_json(r)
        for r in expected_order(kind, selected, sort.lstrip("-"), sort.startswith("-"))
    ]


@settings(max_examples=examples(300), deadline=None)
@given(list_queries())
def test_walking_next_visits_every_match_once_in_sort_order(case):
    kind, params = case
    records, index = loaded(kind.collection)
    assert walk(index, params) == brute_force(kind, records, params)


@pytest.mark.parametrize("collection", KIND_IDS)
@pytest.mark.parametrize("descending", [False, True])
def test_each_sort_walks_the_whole_collection_without_gaps(collection, descending):
    kind = BY_COLLECTION[collection]
    records, index = loaded(collection, n=120, seed=1)
    for key in ("id",) + kind.sorts:
        sort = ("-" if descending else "") + key
        expected = [canonical_json(r) for r in expected_order(kind, records, key, descending)]
        assert walk(index, {"sort": sort, "limit": "11"}) == expected, sort


@pytest.mark.parametrize("sort", ["id", "-id", "subject", "-date", "property"])
@pytest.mark.parametrize("strategy", ["sorted ranks", "bitmap over ranks"])
def test_both_ways_of_ordering_filtered_matches_walk_alike(monkeypatch, sort, strategy):
    # A few matches are ordered by sorting their ranks; many are marked in a bitmap over ranks.
    # Force each way, on match sets both small and large.
    monkeypatch.setattr(query_module, "_DENSE", 0 if strategy == "sorted ranks" else 10**9)
    kind = BY_COLLECTION["claims"]
    records, index = loaded("claims", n=400, seed=2)
    for params in (
        {"status": "alpha"},
        {"subject": "people/r1", "stance": "beta"},
        {"status": "beta", "q": "evin"},
        {"date_from": "1988-22"},
    ):
        params = {**params, "sort": sort, "limit": "13"}
        assert walk(index, params) == brute_force(kind, records, params)


def test_the_last_page_has_no_next_cursor():
    _, index = loaded("places")
    query = parse_list_params(index.kind, {"limit": [str(index.count)]})
    page = run_list(index, query, RELEASE)
    assert len(page.items) == index.count and page.next_cursor is None and page.total == index.count


def test_total_counts_the_matches():
    kind = BY_COLLECTION["claims"]
    records, index = loaded("claims")
    page = run_list(index, parse_list_params(kind, {"status": ["alpha"], "limit": ["1"]}), RELEASE)
    assert page.total == sum(filter_matches(kind, r, "status", "alpha") for r in records)


# --- cursors ----------------------------------------------------------------------------------


@pytest.fixture
def first_page():
    _, index = loaded("claims")
    params = {"status": ["alpha"], "limit": ["2"], "sort": ["-subject"]}
    page = run_list(index, parse_list_params(index.kind, params), RELEASE)
    assert page.next_cursor
    return index, params, page.next_cursor


def second_page(index, params, cursor, release=RELEASE):
    return run_list(index, parse_list_params(index.kind, {**params, "cursor": [cursor]}), release)


def test_a_cursor_is_short_and_url_safe(first_page):
    cursor = first_page[2]
    assert len(cursor) <= 32 and cursor.isascii()
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_cursor_may_be_followed_with_another_limit(first_page):
    index, params, cursor = first_page
    assert len(second_page(index, {**params, "limit": ["3"]}, cursor).items) == 3


def test_a_tampered_cursor_is_rejected(first_page):
    index, params, cursor = first_page
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    for i in range(len(raw)):
        changed = raw.copy()
        changed[i] ^= 1
        forged = base64.urlsafe_b64encode(bytes(changed)).rstrip(b"=").decode()
        with pytest.raises(BadParameter) as caught:
            second_page(index, params, forged)
        assert caught.value.param == "cursor"


@pytest.mark.parametrize("garbage", ["%%%", "abc", "A" * 500, "é", "AQAAAAA369JzgVHrj6WipeY"])
def test_a_cursor_that_is_not_ours_is_rejected(first_page, garbage):
    index, params, _ = first_page
    with pytest.raises(BadParameter) as caught:
        second_page(index, params, garbage)
    assert caught.value.param == "cursor"


@pytest.mark.parametrize(
    "change",
    [
        {"status": ["beta"]},
        {"confidence": ["alpha"]},
        {"sort": ["subject"]},
        {"sort": ["-id"]},
        {"q": ["evin"]},
        {"date_from": ["1988"]},
    ],
)
def test_a_cursor_reused_with_other_parameters_is_rejected(first_page, change):
    index, params, cursor = first_page
    with pytest.raises(BadParameter) as caught:
        second_page(index, {**params, **change}, cursor)
    assert caught.value.param == "cursor"


def test_a_cursor_from_another_release_is_rejected(first_page):
    index, params, cursor = first_page
    with pytest.raises(BadParameter) as caught:
        second_page(index, params, cursor, release="20261128-0000aaaa")
    assert caught.value.param == "cursor"


def test_a_cursor_signed_with_another_secret_is_rejected(first_page, monkeypatch):
    index, params, cursor = first_page
    monkeypatch.setenv("CURSOR_SECRET", "a different secret")
    with pytest.raises(BadParameter):
        second_page(index, params, cursor)


def test_cursor_round_trip_and_a_position_past_the_end_is_rejected():
    _, index = loaded("people")
    query = parse_list_params(index.kind, {})
    assert decode_cursor(encode_cursor(7, query, RELEASE), query, RELEASE) == 7
    beyond = parse_list_params(index.kind, {"cursor": [encode_cursor(index.count, query, RELEASE)]})
    with pytest.raises(BadParameter) as caught:
        run_list(index, beyond, RELEASE)
    assert caught.value.param == "cursor"


# --- rendering --------------------------------------------------------------------------------


def test_render_page_joins_the_stored_record_bytes():
    page = Page([b'{"id":"a"}', b'{"id":"\xd8\xa8"}'], "CURSOR")
    body = render_page(page, "/people?cursor=CURSOR", RELEASE)
    assert body.startswith(b'{"items":[{"id":"a"},{"id":"\xd8\xa8"}]')
    assert json.loads(body) == {
        "items": [{"id": "a"}, {"id": "ب"}],
        "next": "/people?cursor=CURSOR",
        "release": RELEASE,
    }
    assert json.loads(render_page(Page([], None), None, RELEASE)) == {
        "items": [],
        "next": None,
        "release": RELEASE,
    }


def test_a_list_query_built_directly_runs_like_a_parsed_one():
    records, index = loaded("people")
    page = run_list(index, ListQuery(index.kind, limit=3), RELEASE)
    assert page.items == [canonical_json(r) for r in records[:3]]
