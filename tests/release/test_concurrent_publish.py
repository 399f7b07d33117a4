"""Two publishes at once, on a folder and on S3 (moto, which enforces If-Match and
If-None-Match on PutObject): both releases end up in releases.json, and the one that loses
current.json fails with a message saying what happened and what to do."""

from __future__ import annotations

import json
import threading

import pytest

from chalicelib.errors import PublishConflict
from chalicelib.release.layout import CURRENT_KEY, RELEASES_KEY
from chalicelib.release.publish import publish
from support.minidata import RELEASE_EPOCH

DAY = 86_400


def test_put_if_tag_writes_only_over_the_tag_it_read(store):
    assert store.put_if_tag("pointer.json", b"1", None) is True
    assert store.put_if_tag("pointer.json", b"2", None) is False  # it exists now
    body, tag = store.get_tagged("pointer.json")
    assert body == b"1"
    assert store.put_if_tag("pointer.json", b"2", tag) is True
    assert store.put_if_tag("pointer.json", b"3", tag) is False  # the tag is stale
    assert store.get("pointer.json") == b"2"
    assert store.get_tagged("absent.json") is None
    assert store.put_if_tag("absent.json", b"x", tag) is False  # nothing to match
    assert list(store.list("")) == ["pointer.json"]  # the folder's lock file is not listed


def variant(dataset: dict, text: str) -> dict:
    copy = {c: [dict(r) for r in records] for c, records in dataset.items()}
    next(r for r in copy["places"] if r["id"] == "tehran")["description"] = text
    return copy


def test_two_publishes_racing_for_the_listing_are_both_listed(
    store, dataset, write_data, monkeypatch
):
    base = publish(store, write_data(dataset), epoch=RELEASE_EPOCH).version
    # Both publishes read releases.json before either writes it back: the race a plain
    # read-modify-write loses a release in.
    barrier = threading.Barrier(2, timeout=60)
    reads = iter(range(1 << 30))
    lock = threading.Lock()
    tagged = store.get_tagged

    def racing_get_tagged(key):
        found = tagged(key)
        if key == RELEASES_KEY:
            with lock:
                first_two = next(reads) < 2
            if first_two:
                barrier.wait()
        return found

    monkeypatch.setattr(store, "get_tagged", racing_get_tagged)
    data = [write_data(variant(dataset, text)) for text in ("One.", "Two.")]
    results: dict[int, object] = {}

    def run(n: int) -> None:
        try:
            results[n] = publish(store, data[n], epoch=RELEASE_EPOCH + (n + 1) * DAY).version
        except PublishConflict as error:
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    listed = [r["version"] for r in json.loads(store.get(RELEASES_KEY))["releases"]]
    conflicts = [r for r in results.values() if isinstance(r, PublishConflict)]
    published = [r for r in results.values() if isinstance(r, str)]
    # Both started from the same current release: exactly one may replace it.
    assert len(conflicts) == 1 and len(published) == 1
    current = json.loads(store.get(CURRENT_KEY))["version"]
    assert current == published[0]
    assert "Run publish again" in str(conflicts[0]) and current in str(conflicts[0])
    loser = next(v for v in listed if v not in (base, current))
    assert sorted(listed) == sorted([base, current, loser])
    assert loser in str(conflicts[0])


def test_a_publish_fails_clearly_after_the_listing_kept_changing(
    store, dataset, write_data, monkeypatch
):
    publish(store, write_data(dataset), epoch=RELEASE_EPOCH)
    monkeypatch.setattr(store, "put_if_tag", lambda *args, **kwargs: False)
    monkeypatch.setattr("chalicelib.release.publish.LISTING_BACKOFF", 0.0)
    with pytest.raises(PublishConflict, match=r"releases\.json kept changing"):
        publish(store, write_data(variant(dataset, "Three.")), epoch=RELEASE_EPOCH + DAY)
