"""One rule of confidence for every side: it says how well the cited page supports that the
claimant said it, and the claimant's side never lowers it (data/README.md, 'confidence')."""

from __future__ import annotations

import re

from support.dataset import RECORDS, assert_each, of

SOURCES = {s["id"]: s for s in of("sources")}
CLAIMS = of("claims")

# A sentence that gives a reason for a confidence names it; a reason of side names a camp.
SIDE = re.compile(
    r"partisan|party to the events|\bcamp\b|\bside\b|close to|affiliat|opposition|government|"
    r"state media|pro-",
    re.IGNORECASE,
)


def quoted(claim: dict) -> list[dict]:
    return [c for c in claim["sources"] if "quote" in c]


def own_page(claim: dict, citation: dict) -> bool:
    """The claimant published the cited page: its own words, unmediated. (A page by the
    claimant that someone else publishes may be a republisher's copy: medium is then right.)"""
    source = SOURCES.get(citation["source"].removeprefix("sources/"), {})
    return claim["claimed_by"] == source.get("publisher")


def confidence_reasons(note: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+", note) if "confidence" in s.lower()]


def _a_claim_quoting_its_claimants_own_page_is_high_unless_an_inference(claim):
    if any(own_page(claim, c) for c in quoted(claim)) and claim["confidence"] != "high":
        assert claim["confidence"] == "medium", claim["id"]
        assert "inference" in claim.get("note", ""), f"{claim['id']}: say what is inferred"


def test_a_claim_quoting_its_claimants_own_page_is_high_unless_an_inference():
    assert_each(
        CLAIMS,
        _a_claim_quoting_its_claimants_own_page_is_high_unless_an_inference,
        lambda c: c["id"],
    )


def _a_quoted_claim_is_never_low_and_a_high_one_is_quoted(claim):
    if quoted(claim):
        assert claim["confidence"] != "low", f"{claim['id']}: its words were seen"
    else:
        assert claim["confidence"] != "high", f"{claim['id']}: no words of the page are quoted"


def test_a_quoted_claim_is_never_low_and_a_high_one_is_quoted():
    assert_each(CLAIMS, _a_quoted_claim_is_never_low_and_a_high_one_is_quoted, lambda c: c["id"])


def _no_note_gives_a_side_as_the_reason_for_a_confidence(claim):
    for sentence in confidence_reasons(claim.get("note", "")):
        assert not SIDE.search(sentence), f"{claim['id']}: {sentence!r}"


def test_no_note_gives_a_side_as_the_reason_for_a_confidence():
    assert_each(CLAIMS, _no_note_gives_a_side_as_the_reason_for_a_confidence, lambda c: c["id"])


def test_the_side_check_catches_the_old_reasons_and_passes_the_new_ones():
    bad = [
        "The NCRI is a party to the events (close to the PMOI), hence medium confidence.",
        "The article takes the Iranian government's side, hence medium confidence.",
        "A partisan page: low confidence.",
    ]
    good = ["Read in an archive website's copy (a republisher: medium confidence)."]
    assert all(any(SIDE.search(s) for s in confidence_reasons(t)) for t in bad)
    assert not any(SIDE.search(s) for t in good for s in confidence_reasons(t))


def test_every_organization_and_every_claimant_shows_its_relation_to_the_events():
    agents = {c["claimed_by"] for c in CLAIMS}
    for organization in of("organizations"):
        assert organization.get("relation"), f"organizations/{organization['id']}"
    for agent in agents:
        collection, _, rid = agent.partition("/")
        assert RECORDS[(collection, rid)].get("relation"), agent


def test_each_side_has_claims_of_its_own():
    """The record carries the state's words, and the accused's, beside the others'."""
    relation = {
        f"{c}/{rid}": r.get("relation") for (c, rid), r in RECORDS.items() if "tombstone" not in r
    }
    sides = {relation.get(c["claimed_by"]) for c in CLAIMS}
    assert {"iranian-state", "iranian-opposition", "human-rights-ngo", "court"} <= sides
