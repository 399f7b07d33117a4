"""Notes and descriptions speak to the reader about the record and its sources, never about how
the dataset was made: the trail of what was checked lives in docs/verification.md."""

from __future__ import annotations

import re

import pytest

from support.dataset import RECORDS, assert_each

PROCESS = re.compile(
    r"\bseed\b|stored (?:cop|page)|dataset (?:held|recorded)|recorded before|cited before|"
    r"\bsearched\b|\bwe (?:read|found|searched|checked)\b|(?:is|was) dropped|confidence lowered|"
    r"\b20\d\d-\d\d-\d\d\b.{0,20}\b(?:read|seen|searched)|\b(?:read|seen|searched) on 20\d\d",
    re.IGNORECASE,
)
# A reference names a record by its id, and an id may keep an old word ("seed-…"): ids never change.
REFERENCE = re.compile(r"\b(?:claims|sources|people|organizations|places|events)/[a-z0-9-]+")


def texts(record: dict):
    for key in ("note", "description", "affiliation_note"):
        if isinstance(record.get(key), str):
            yield key, record[key]
    for i, name in enumerate(record.get("names", [])):
        if isinstance(name.get("note"), str):
            yield f"names/{i}/note", name["note"]


def process_words(text: str) -> list[str]:
    return [m.group(0) for m in PROCESS.finditer(REFERENCE.sub(" ", text))]


def _no_note_or_description_speaks_of_our_process(key):
    found = {k: process_words(t) for k, t in texts(RECORDS[key])}
    assert not {k: w for k, w in found.items() if w}, "/".join(key)


def test_no_note_or_description_speaks_of_our_process():
    assert_each(sorted(RECORDS), _no_note_or_description_speaks_of_our_process, "/".join)


@pytest.mark.parametrize(
    "text",
    [
        "The seed says so.",
        "The stored copy of the page read on 2026-12-02 ends before this passage.",
        "the quote the dataset held is dropped",
        "The page was not found among the stored pages searched on 2026-12-02.",
        "Recorded before as Radio Farda's report.",
    ],
)
def test_process_words_are_caught(text):
    assert process_words(text), text


def test_references_and_reader_facing_words_pass():
    assert not process_words("mek-iran.com agrees (claims/seed-avaei-minister-for-justice).")
    assert not process_words("The page could not be read; the words are not quoted (low).")
