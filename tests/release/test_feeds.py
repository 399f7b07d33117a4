"""Atom feeds of changes (chalicelib.release.feeds), made from a release's history after two
publishes and read back with feedparser, as a feed reader reads them."""

from __future__ import annotations

import feedparser
import pytest

from chalicelib.release.dataset import Dataset
from chalicelib.release.feeds import atom, entries, release_time
from chalicelib.release.history import CHAIN, changes_path
from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.minidata import RELEASE_EPOCH, mini, write

BASE = "https://example.org"
ABOUT = "people/mostafa-pour-mohammadi"


def later() -> dict[str, list[dict]]:
    """The mini dataset a day later: a claim about Pour-Mohammadi reworded, a place described."""
    data = mini()
    (claim,) = [c for c in data["claims"] if c["subject"] == ABOUT]
    claim["qualifiers"]["role"] = "another role"
    data["places"][0]["description"] = "The capital."
    return data


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("feeds")
    store = open_store(str(root / "store"))
    first = publish(store, write(mini(), root / "d1"), epoch=RELEASE_EPOCH).version
    second = publish(store, write(later(), root / "d2"), epoch=RELEASE_EPOCH + 86400).version
    return Dataset(store).current(), first, second


def feed(release, keep=lambda event: True, limit=100):
    chain = release.history_json(CHAIN)
    found = entries(chain, lambda v: release.history_json(changes_path(v)), keep, limit)
    body = atom(
        BASE,
        "/dataset/changes.atom",
        "/dataset/changes",
        "Changes",
        release_time(release.version),
        found,
    )
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_dataset_feed_lists_the_changes_of_the_second_publish_first(published):
    release, first, second = published
    parsed = feed(release)
    assert parsed.feed.id == BASE + "/dataset/changes.atom"
    assert parsed.feed.links[0].rel == "self"
    newest = [e for e in parsed.entries if e.link.endswith(f"release={second}")]
    assert {e.title for e in newest} == {
        "claims/pour-mohammadi-member changed",
        f"places/{mini()['places'][0]['id']} changed",
    }
    assert parsed.entries[: len(newest)] == newest  # newest release first
    assert all(e.updated == release_time(second) for e in newest)
    (claim,) = [e for e in newest if "claims/" in e.title]
    assert "qualifiers" in claim.summary and claim.id == claim.link
    # The first publish added every record: each is an entry too, under its own release.
    assert {e.link.rsplit("=", 1)[1] for e in parsed.entries} == {first, second}


def test_a_collection_feed_and_a_record_claims_feed_keep_only_theirs(published):
    release, _, second = published
    places = feed(release, lambda e: e["collection"] == "places")
    assert places.entries and all("/places/" in e.link for e in places.entries)
    about = {"pour-mohammadi-member"}  # the claims whose subject is the record
    claims = feed(release, lambda e: e["collection"] == "claims" and e["id"] in about)
    assert [e.title for e in claims.entries] == [
        "claims/pour-mohammadi-member changed",
        "claims/pour-mohammadi-member added",
    ]
    assert claims.entries[0].link == f"{BASE}/claims/pour-mohammadi-member?release={second}"


def test_a_feed_holds_at_most_its_limit_and_escapes_what_it_says(published):
    release, *_ = published
    assert len(feed(release, limit=2).entries) == 2
    body = atom(BASE + "/<&>", "/x", "/y", "A & <B>", "2026-01-01T00:00:00Z", [])
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.feed.title == "A & <B>"
