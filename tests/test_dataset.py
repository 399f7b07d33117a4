"""The dataset against its sources: what FACTS.md and the seed article support, and nothing else.

These read ../shared (FACTS.md and the seed), which sits beside the project; they are
skipped where it does not.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from chalicelib.checks.intake import DATA_DIR, load_paths
from chalicelib.model.kinds import values_at

SHARED = Path(__file__).resolve().parents[2] / "shared"
needs_shared = pytest.mark.skipif(not (SHARED / "FACTS.md").exists(), reason="../shared is not beside the project")
RECORDS = {(i.collection, i.record["id"]): i.record for i in load_paths([DATA_DIR]) if isinstance(i.record, dict)}


def of(collection):
    return [r for (c, _), r in RECORDS.items() if c == collection and "tombstone" not in r]


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@pytest.fixture(scope="module")
def source_texts() -> str:
    facts = (SHARED / "FACTS.md").read_text(encoding="utf-8")
    seed = (SHARED / "seed" / "press-conference-article.txt").read_text(encoding="utf-8")
    # FACTS.md wraps long lines and indents the continuation.
    return normalised(facts) + "\n" + normalised(seed)


@needs_shared
def test_every_quote_is_verbatim_from_facts_or_the_seed(source_texts):
    quotes = [(c, i, q) for (c, i), r in RECORDS.items()
              for _, q in values_at(r, ("sources", "*", "quote"))]
    assert quotes, "the dataset quotes nothing"
    not_found = [(c, i, q) for c, i, q in quotes if normalised(q) not in source_texts]
    assert not_found == []


@needs_shared
def test_every_source_in_facts_is_a_source_record_with_its_url():
    table = (SHARED / "FACTS.md").read_text(encoding="utf-8").split("## Facts")[0]
    urls = re.findall(r"\| (https?://\S+) \|", table)
    assert len(urls) == 24
    recorded = Counter(r["url"] for r in of("sources"))
    assert {url: recorded[url] for url in urls} == {url: 1 for url in urls}


def test_six_victim_counts_stand_side_by_side_each_attributed():
    counts = [c for c in of("claims") if c["property"] == "victim_count"]
    assert len(counts) == 6
    assert len({c["subject"] for c in counts}) == 1
    assert len({json.dumps(c["value"], sort_keys=True) for c in counts}) >= 5
    assert all(c["status"] == "contested" and c["sources"] for c in counts)


def test_the_seed_outlet_is_marked_as_a_party_to_the_events():
    seed = [s for s in of("sources") if "mek-iran.com" in s["url"]]
    assert len(seed) == 1 and "PMOI" in seed[0]["affiliation_note"]


def test_no_claim_about_a_person_is_adjudicated_without_a_court_judgment():
    judgments = {s["id"] for s in of("sources") if s["type"] == "court-judgment"}
    for claim in of("claims"):
        if claim["subject"].startswith("people/") and claim["status"] == "adjudicated":
            assert any(c["source"].split("/")[1] in judgments for c in claim["sources"]), claim["id"]


def test_accusations_against_people_are_alleged():
    accusing = {"member_of", "accused_of", "ordered", "present_at", "represented"}
    for claim in of("claims"):
        if claim["subject"].startswith("people/") and claim["property"] in accusing \
                and claim["value"] != "organizations/amnesty-international":
            assert claim["status"] in ("alleged", "contested"), claim["id"]


def test_pour_mohammadi_has_every_spelling_and_the_persian_script():
    names = {n["name"] for n in RECORDS[("people", "mostafa-pour-mohammadi")]["names"]}
    for spelling in ("Pourmohammadi", "Pour-Mohammadi", "Purmohammadi", "مصطفی پورمحمدی"):
        assert any(spelling in name for name in names), spelling


def test_montazeri_audio_is_dated_once_per_source():
    dated = [c for c in of("claims") if c["property"] == "occurred_on"
             and c["subject"] == "events/montazeri-audio-publication-2016"]
    assert sorted(c["value"] for c in dated) == ["2016-08-09", "2016-08-10"]
    assert len({c["claimed_by"] for c in dated}) == 2
