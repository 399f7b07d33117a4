"""The reading side the API serves from: chalicelib.release.dataset.Dataset, and
chalicelib.release.reader.Release."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.checks.validate import validate
from chalicelib.errors import (
    IntegrityError,
    ObjectMissing,
    ReleaseNotFound,
    StoreError,
    StoreUnavailable,
)
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.dataset import Dataset
from chalicelib.release.publish import publish
from chalicelib.release.reader import RecordBytes, ReleaseCatalog, Tombstone
from support.minidata import RELEASE_EPOCH, items, record


@pytest.fixture
def published(store, mini_release, release_time):
    """The store, with the tombstoned mini dataset published to it (a copy of one publish)."""
    return mini_release().restore(store)


def republished(store, dataset, write_data, monkeypatch, description: str) -> str:
    """Publish ``dataset`` with places/tehran described as ``description``, a day later."""
    next(r for r in dataset["places"] if r["id"] == "tehran")["description"] = description
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH + 86_400))
    return publish(store, write_data(dataset)).version


# -- what one record costs ------------------------------------------------------------------


def test_one_record_reads_its_shard_and_one_range_of_its_chunk_cold_and_nothing_warm(published):
    release = Dataset(published).current()
    before = published.reads
    assert isinstance(release.record("events", "1988-prison-massacres"), RecordBytes)
    assert published.reads - before == 2
    before = published.reads
    release.record("events", "1988-prison-massacres")
    assert published.reads == before


def test_a_tombstone_is_answered_from_its_shard_alone(published):
    release = Dataset(published).current()
    before = published.reads
    assert isinstance(release.record("people", "pour-mohammadi-duplicate"), Tombstone)
    assert published.reads - before == 1


def test_an_id_that_is_not_shaped_like_one_costs_no_read(published):
    release = Dataset(published).current()
    before = published.reads
    for bad in ("Evin", "../manifest", "a" * 81, "evin--prison", ""):
        assert release.record("places", bad) is None
    assert release.record("castles", "evin-prison") is None
    assert published.reads == before


def test_record_bytes_carry_their_sha256_for_etags(published):
    found = Dataset(published).current().record("places", "tehran")
    import hashlib

    assert found.sha256 == hashlib.sha256(found.body).hexdigest()


def test_a_release_of_format_1_still_serves_its_records_from_one_object_each(published):
    # Format 1 stored records/<collection>/<id>.json, and directory entries of {sha256} alone.
    import hashlib

    release = Dataset(published).current()
    body = release.record("places", "tehran").body
    legacy = {"sha256": hashlib.sha256(body).hexdigest()}
    key = f"releases/{release.version}/records/places/tehran.json"
    published.put(key, body)
    old = _with_entry(published, legacy)
    before = published.reads
    assert old.record("places", "tehran").body == body
    assert published.reads - before == 1
    published.put(key, body + b" ")
    with pytest.raises(IntegrityError):
        _with_entry(published, legacy).record("places", "tehran")


def _with_entry(store, entry):
    """The current release as a fresh process sees it, with every directory entry ``entry``."""
    release = Dataset(store).current()
    release.entry = lambda collection, record_id: entry
    return release


# -- current, pinned, TTL ---------------------------------------------------------------


def test_nothing_published_means_no_current_release(store):
    with pytest.raises(ReleaseNotFound):
        Dataset(store).current()


def test_current_is_rechecked_only_after_the_ttl(published, dataset, write_data, monkeypatch):
    reader = Dataset(published, ttl=30)
    first = reader.current(now=0).version
    second = republished(published, dataset, write_data, monkeypatch, "Capital.")
    assert reader.current(now=29).version == first
    assert reader.current(now=30).version == second


def test_a_release_in_hand_keeps_serving_after_a_newer_one_becomes_current(
    published, dataset, write_data, monkeypatch
):
    release = Dataset(published, ttl=0).current()
    old = release.record("places", "tehran").body
    republished(published, dataset, write_data, monkeypatch, "Capital.")
    assert release.record("places", "tehran").body == old
    assert b"Capital." in Dataset(published).current().record("places", "tehran").body


def test_pinned_serves_an_older_release(published, dataset, write_data, monkeypatch):
    reader = Dataset(published)
    first = reader.current().version
    republished(published, dataset, write_data, monkeypatch, "Capital.")
    pinned = Dataset(published).pinned(first)
    assert pinned.version == first
    assert b"Capital." not in pinned.record("places", "tehran").body


def test_pinning_an_unpublished_version_raises_release_not_found(published):
    reader = Dataset(published)
    for version in ("20000101-00000000", "latest", "../x"):
        with pytest.raises(ReleaseNotFound):
            reader.pinned(version)


def test_releases_lists_each_with_manifest_digest_and_counts(published):
    (entry,) = Dataset(published).releases()
    assert entry["manifest_sha256"] == Dataset(published).current().manifest_sha256
    assert entry["counts"]["people"] == 1
    assert entry["summary"] == "+11 ~0 -0, 1 withdrawn, 1 merged"


# -- schemas, downloads, indexes ------------------------------------------------------


def test_schema_bytes_are_the_schemas_the_release_was_built_with(published):
    body = Dataset(published).current().schema_bytes("claim.schema.json")
    assert json.loads(body)["title"] == "Claim"
    with pytest.raises(ObjectMissing):
        Dataset(published).current().schema_bytes("castle.schema.json")


def test_downloads_are_listed_with_their_keys_and_verified_bytes(published):
    release = Dataset(published).current()
    files = release.files()
    assert files["people.csv"]["bytes"] == len(release.file_bytes("people.csv"))
    assert release.file_key("people.csv") == f"releases/{release.version}/files/people.csv"
    with pytest.raises(ObjectMissing):
        release.file_key("../manifest.json")


def test_collection_index_loads_through_verified_reads(published):
    index = Dataset(published).current().collection_index("claims")
    assert index.count == 3
    assert [index.id_at(n) for n in range(index.count)] == [
        "amnesty-period",
        "amnesty-victim-count",
        "pour-mohammadi-member",
    ]


# -- POST /validate against the release ----------------------------------------------------


def validate_against(release, dataset_items):
    return validate(dataset_items, SchemaSet.from_dir(), release.catalog())


def test_catalog_resolves_references_into_the_release(published):
    catalog = Dataset(published).current().catalog()
    assert isinstance(catalog, ReleaseCatalog)
    assert catalog.exists("places", "evin-prison")
    assert not catalog.exists("places", "shiraz")
    assert catalog.tombstone("places", "unverified-grave-site")["action"] == "withdrawn"
    assert catalog.source_facts("verdict-2022") == ("2022-07-14", "court-judgment")


def test_a_batch_is_checked_against_the_release_plus_itself(published):
    release = Dataset(published).current()
    claim = record("claims", "pour-mohammadi-member")
    claim.update(id="new-claim", subject="people/pour-mohammadi-duplicate")
    duplicate = record("claims", "amnesty-period")
    duplicate["id"] = "amnesty-period-again"
    report = validate_against(release, items({"claims": [claim, duplicate]}))
    first, second = report.items
    assert [p.message for p in first.errors] == [
        "people/pour-mohammadi-duplicate was merged into people/mostafa-pour-mohammadi; "
        "refer to that instead"
    ]
    assert [p.keyword for p in second.warnings] == ["duplicateClaim"]


def test_a_batch_reads_what_it_needs_side_by_side_before_it_is_checked(
    published, dataset, monkeypatch
):
    import threading

    # Claims alone: what they refer to is in the release, not in the batch.
    batch = items({"claims": dataset["claims"]})
    expected = validate_against(
        Dataset(published).current(), items({"claims": dataset["claims"]})
    ).to_dict()
    release = Dataset(published).current()
    readers: list[str] = []
    # A folder store answers so fast that one thread can drain the queue before a second one
    # starts, so "side by side" is made observable: each prefetch read waits (a bounded time)
    # until a second prefetch thread has read too. Serial reads never see one, and fail below.
    lock, second_reader, waited_out = threading.Lock(), threading.Event(), threading.Event()
    for name in ("get", "get_range"):
        original = getattr(published, name)

        def spy(*args, _original=original, **kwargs):
            thread = threading.current_thread().name
            with lock:
                readers.append(thread)
                if len({n for n in readers if n.startswith("prefetch")}) > 1:
                    second_reader.set()
            waits = thread.startswith("prefetch") and not waited_out.is_set()
            if waits and not second_reader.wait(timeout=5):
                waited_out.set()
            return _original(*args, **kwargs)

        monkeypatch.setattr(published, name, spy)
    checks_started = []
    original_prefetch = release.prefetch

    def prefetch(references, claim_keys):
        original_prefetch(references, claim_keys)
        checks_started.append(len(readers))

    monkeypatch.setattr(release, "prefetch", prefetch)
    assert validate_against(release, batch).to_dict() == expected
    # Every read came before the checks, and they ran side by side on the prefetch's threads.
    assert checks_started == [len(readers)] and readers
    assert len({n for n in readers if n.startswith("prefetch")}) > 1


def test_a_warm_prefetch_reads_nothing_and_what_the_batch_holds_is_not_fetched(
    published, dataset, monkeypatch
):
    release = Dataset(published).current()
    validate_against(release, items(dataset))
    before = published.reads
    validate_against(release, items(dataset))
    assert published.reads == before  # warm: everything it needs is cached
    asked = []
    monkeypatch.setattr(release, "prefetch", lambda references, keys: asked.append(references))
    claim = record("claims", "pour-mohammadi-member")
    place = dict(record("places", "evin-prison"), id="new-prison")
    claim.update(id="new-claim", subject="places/new-prison")
    validate_against(release, items({"places": [place], "claims": [claim]}))
    assert ("places", "new-prison") not in asked[0]
    assert ("sources", "amnesty-2018-report") in asked[0]


def test_a_failed_prefetch_leaves_the_lookup_to_report_the_failure(published, dataset, monkeypatch):
    release = Dataset(published).current()

    def down(*args, **kwargs):
        raise StoreUnavailable("the store is down")

    monkeypatch.setattr(published, "get", down)
    monkeypatch.setattr(published, "get_range", down)
    release.prefetch(
        {("places", "evin-prison"), ("sources", "verdict-2022")}, {"a key"}
    )  # no raise
    with pytest.raises(StoreUnavailable):
        validate_against(release, items(dataset))


def test_concurrent_readers_get_the_same_bytes(published, dataset):
    reader = Dataset(published)
    wanted = [(c, r["id"]) for c, records in dataset.items() for r in records] * 8

    def read(key):
        found = reader.current().record(*key)
        return found.body if isinstance(found, RecordBytes) else found

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(read, wanted))
    assert results == [read(key) for key in wanted]


def test_a_corrupted_index_file_is_detected_and_not_cached(published):
    release = Dataset(published).current()
    key = f"releases/{release.version}/index/claims/meta.json"
    good = published.get(key)
    published.put(key, good.replace(b'"count":3', b'"count":4'))
    with pytest.raises(IntegrityError):
        release.collection_index("claims")
    published.put(key, good)
    assert release.collection_index("claims").count == 3


def test_a_garbled_current_json_is_a_store_error(published):
    published.put("current.json", b'{"version": ')
    with pytest.raises(StoreError):
        Dataset(published).current()


def test_while_the_store_is_down_the_release_in_hand_keeps_serving(published, monkeypatch):
    reader = Dataset(published, ttl=30)
    release = reader.current(now=0)

    def down(key):
        raise StoreUnavailable()

    monkeypatch.setattr(published, "get", down)
    assert reader.current(now=60) is release
