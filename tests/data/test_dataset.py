"""The dataset in data/ against the rules a record about real people must keep: contested
facts stand side by side, accusations are alleged, and a party to the events is marked as one.
"""

from __future__ import annotations

import json

from support.dataset import RECORDS, of


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
            assert any(c["source"].split("/")[1] in judgments for c in claim["sources"]), claim[
                "id"
            ]


def test_accusations_against_people_are_alleged():
    accusing = {"member_of", "accused_of", "ordered", "present_at", "represented"}
    for claim in of("claims"):
        if (
            claim["subject"].startswith("people/")
            and claim["property"] in accusing
            and claim["value"] != "organizations/amnesty-international"
        ):
            assert claim["status"] in ("alleged", "contested"), claim["id"]


def test_pour_mohammadi_has_every_spelling_and_the_persian_script():
    names = {n["name"] for n in RECORDS[("people", "mostafa-pour-mohammadi")]["names"]}
    for spelling in ("Pourmohammadi", "Pour-Mohammadi", "Purmohammadi", "مصطفی پورمحمدی"):
        assert any(spelling in name for name in names), spelling


def test_montazeri_audio_is_dated_once_per_source():
    dated = [
        c
        for c in of("claims")
        if c["property"] == "occurred_on"
        and c["subject"] == "events/montazeri-audio-publication-2016"
    ]
    assert sorted(c["value"] for c in dated) == ["2016-08-09", "2016-08-10"]
    assert len({c["claimed_by"] for c in dated}) == 2
