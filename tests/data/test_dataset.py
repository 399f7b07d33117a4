"""The dataset in data/ against the rules a record about real people must keep: contested
facts stand side by side, accusations are alleged, and a party to the events is marked as one.
"""

from __future__ import annotations

import json

from support.dataset import RECORDS, assert_each, of


def test_victim_counts_stand_side_by_side_each_attributed_and_cited():
    counts = [c for c in of("claims") if c["property"] == "victim_count"]
    live_sources = {s["id"] for s in of("sources")}
    assert len(counts) >= 10
    assert len({c["claimed_by"] for c in counts}) >= 7
    assert len({c["subject"] for c in counts}) == 1
    assert len({json.dumps(c["value"], sort_keys=True) for c in counts}) >= 8
    for claim in counts:
        assert claim["status"] == "contested", claim["id"]
        assert claim["sources"], claim["id"]
        assert all(s["source"].split("/")[1] in live_sources for s in claim["sources"]), claim["id"]


def quotes_in(value, path=()):
    """Every (path, quote) in a record: a quote is any value under a 'quote' key."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "quote":
                yield path + (key,), item
            else:
                yield from quotes_in(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from quotes_in(item, path + (i,))


LIVE = [(c, r) for (c, _), r in RECORDS.items() if "tombstone" not in r]


def _every_quote_is_short_and_sits_in_a_citation_of_its_record(collection, record):
    for path, quote in quotes_in(record):
        where = f"{collection}/{record['id']} at {path}"
        assert len(path) == 3 and path[0] == "sources" and isinstance(path[1], int), where
        assert isinstance(quote, str) and 1 <= len(quote.split()) <= 40, where


def test_every_quote_is_short_and_sits_in_a_citation_of_its_record():
    assert_each(
        LIVE,
        lambda item: _every_quote_is_short_and_sits_in_a_citation_of_its_record(*item),
        lambda item: "/".join((item[0], item[1]["id"])),
    )


def _every_quote_cites_a_live_source_with_an_address(collection, record):
    """The pages themselves cannot live in the repository: what can be held to account is that
    each quote names a source record that exists and says where the page is."""
    sources = {s["id"]: s for s in of("sources")}
    for citation in record.get("sources", []):
        if "quote" not in citation:
            continue
        kind, _, sid = citation["source"].partition("/")
        assert kind == "sources" and sid in sources, f"{record['id']}: {citation['source']}"
        assert sources[sid].get("url", "").startswith(("http://", "https://")), sid


def test_every_quote_cites_a_live_source_with_an_address():
    assert_each(
        LIVE,
        lambda item: _every_quote_cites_a_live_source_with_an_address(*item),
        lambda item: "/".join((item[0], item[1]["id"])),
    )


def test_the_seed_outlet_is_marked_as_a_party_to_the_events():
    """Every page of the seed's outlet, the seed and any later one, says whose outlet it is."""
    pages = [s for s in of("sources") if "mek-iran.com" in s["url"]]
    assert any(s["id"] == "seed-mek-iran-2018-press-conference" for s in pages)
    for page in pages:
        assert "PMOI" in page.get("affiliation_note", ""), page["id"]


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


def test_pour_mohammadi_has_the_spellings_his_cited_pages_use_each_with_its_source():
    person = RECORDS[("people", "mostafa-pour-mohammadi")]
    names = {n["name"] for n in person["names"]}
    for spelling in ("Mostafa Pour-Mohammadi", "Mustafa Pour-Mohammadi", "مصطفی پورمحمدی"):
        assert spelling in names, spelling
    assert all(n.get("note") for n in person["names"])


def test_montazeri_audio_is_dated_once_per_source():
    dated = [
        c
        for c in of("claims")
        if c["property"] == "occurred_on"
        and c["subject"] == "events/montazeri-audio-publication-2016"
    ]
    assert sorted(c["value"] for c in dated) == ["2016-08-09", "2016-08-10"]
    assert len({c["claimed_by"] for c in dated}) == 2


def test_a_figure_given_for_an_organization_is_the_organizations_with_its_speaker():
    """One row per claimant: a spokesperson's figure is their organization's claim, and the
    speaker is a qualifier, never a claimant beside the organization."""
    counts = [c for c in of("claims") if c["property"] == "victim_count"]
    employers = {c["subject"]: c["value"] for c in of("claims") if c["property"] == "employed_by"}
    claimants = {c["claimed_by"] for c in counts}
    for claim in counts:
        speaker = claim.get("qualifiers", {}).get("speaker")
        if speaker:
            assert claim["claimed_by"].startswith("organizations/"), claim["id"]
        assert employers.get(claim["claimed_by"]) not in claimants, (
            f"{claim['id']}: {claim['claimed_by']} speaks for {employers[claim['claimed_by']]}"
        )


def test_every_place_has_coordinates_and_none_is_placed_finer_than_its_source_allows():
    """A site takes its own position only from a page that gives it ('site'); otherwise it is
    drawn at its city, or at its region's capital, with a precision of kilometres."""
    for place in (p for p in of("places") if "tombstone" not in p):
        point = place.get("coordinates")
        assert point, f"places/{place['id']} has no coordinates"
        assert point["source"]["source"].startswith("sources/"), place["id"]
        if place["type"] in ("city", "district", "country", "province"):
            assert point["basis"] in ("city", "capital"), place["id"]
        if point["basis"] != "site":
            assert point["precision"] >= 5_000, place["id"]
