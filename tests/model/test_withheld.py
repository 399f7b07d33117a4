"""Withheld values in the model: pointers, redaction, and what counts as living."""

from __future__ import annotations

import copy

import pytest

from chalicelib.model import redaction

RECORD = {
    "id": "someone",
    "name": "Someone Example",
    "names": [
        {"name": "Someone Example", "lang": "en"},
        {"name": "S. Example", "lang": "en"},
        {"name": "a/b~c", "lang": "en"},
    ],
    "categories": ["victim"],
    "born": "1960",
    "sources": [{"source": "sources/x", "quote": "words"}],
}


def withholding(*pointers: str) -> dict:
    record = copy.deepcopy(RECORD)
    record["withheld"] = [{"pointer": p, "reason": "family-request"} for p in pointers]
    return record


def test_pointers_are_unescaped_as_rfc_6901_says():
    assert redaction.pointer_tokens("/a~1b/c~0d/0") == ["a/b", "c~d", "0"]
    with pytest.raises(redaction.PointerError):
        redaction.pointer_tokens("names/0")
    with pytest.raises(redaction.PointerError):
        redaction.pointer_tokens("/names/~2")


@pytest.mark.parametrize(
    ("pointer", "message"),
    [
        ("/names/3", "names item 3, but there are 3"),
        ("/died", "no /died"),
        ("/names/01", "names nothing"),
    ],
)
def test_a_pointer_that_names_nothing_says_so(pointer, message):
    with pytest.raises(redaction.PointerError, match=message):
        redaction.resolve(RECORD, pointer)


def test_redaction_removes_elements_from_the_last_and_members_deepest_first():
    record = withholding("/names/0", "/names/2", "/born", "/sources/0/quote", "/names/2/name")
    public = redaction.redact(record, "name")
    assert public["names"] == [{"name": "S. Example", "lang": "en"}]
    assert "born" not in public
    assert public["sources"] == [{"source": "sources/x"}]
    assert public["withheld"] == [
        {"pointer": p, "reason": "family-request"}
        for p in ("/names/0", "/names/2", "/born", "/sources/0/quote", "/names/2/name")
    ]
    assert record["names"][0]["name"] == "Someone Example"  # data/'s copy is untouched


def test_a_withheld_title_reads_as_the_placeholder():
    public = redaction.redact(withholding("/name"), "name")
    assert public["name"] == redaction.PLACEHOLDER


def test_a_record_withholding_nothing_is_handed_through_as_it_is():
    assert redaction.redact(RECORD, "name") is RECORD


def test_withheld_texts_leave_out_codes_notes_references_and_short_texts():
    record = withholding("/names/1", "/born", "/sources/0")
    record["names"][1]["note"] = "alias"
    record["sources"][0]["quote"] = "words she said"
    assert redaction.withheld_texts(record) == ["S. Example", "1960", "words she said"]
    record["withheld"].append({"pointer": "/categories/0", "reason": "safety"})
    assert "victim" in redaction.withheld_texts(record)
    record["withheld"] = [{"pointer": "/names/1/lang", "reason": "safety"}]
    assert redaction.withheld_texts(record) == []


@pytest.mark.parametrize(
    ("categories", "died", "living"),
    [
        (["witness"], None, True),
        (["survivor", "official"], None, True),
        (["family-member"], None, True),
        (["witness"], "2001", False),
        (["victim"], None, False),
        (["official"], None, False),
    ],
)
def test_who_counts_as_living(categories, died, living):
    record = {"categories": categories, **({"died": died} if died else {})}
    assert redaction.is_living(record) is living


def test_names_compare_across_case_accents_and_letter_variants():
    assert redaction.comparable("ZAHRA  Kāzemi") == redaction.comparable("zahra kazemi")
    assert redaction.comparable("كاظمي") == redaction.comparable("کاظمی")
    assert redaction.slug("Zahra Kāzemi-Yeganeh") == "zahra-kazemi-yeganeh"
