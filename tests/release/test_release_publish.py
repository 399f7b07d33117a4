"""`python -m chalicelib publish` and `releases`: the same contract on a folder and on S3."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner

from chalicelib.cli import main
from chalicelib.errors import IntegrityError, ObjectExists, StoreError
from chalicelib.release import index as index_module
from chalicelib.release.dataset import Dataset
from chalicelib.release.layout import canonical_json
from chalicelib.release.publish import publish
from chalicelib.release.reader import RecordBytes, Tombstone
from support.minidata import RELEASE_EPOCH

DAY = 86_400


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def changed_copy(dataset: dict, description: str = "The capital of Iran.") -> dict:
    """``dataset`` with one record (places/tehran) changed."""
    copy = {c: [dict(r) for r in records] for c, records in dataset.items()}
    next(r for r in copy["places"] if r["id"] == "tehran")["description"] = description
    return copy


def keys(store, prefix: str = "") -> dict[str, bytes]:
    return {key: store.get(key) for key in store.list(prefix)}


@pytest.fixture
def first(store, mini_release, release_time) -> str:
    """The tombstoned mini dataset already published to ``store`` (a copy of one publish, as
    support.snapshot makes it): the version the tests below start from."""
    mini_release().restore(store)
    return mini_release().version


@pytest.fixture
def fail_nth_put(store, monkeypatch):
    """Arm a failure of the store's Nth object write from now on: a botocore hook on S3
    PutObject (a dropped connection), a wrapped write on a folder."""

    def arm(n: int) -> None:
        calls = iter(range(1, 1 << 30))
        lock = threading.Lock()

        def due() -> bool:
            with lock:
                return next(calls) == n

        if hasattr(store, "client"):
            from botocore.exceptions import EndpointConnectionError

            def hook(**_kwargs):
                if due():
                    raise EndpointConnectionError(endpoint_url="https://s3.example")

            store.client.meta.events.register("before-call.s3.PutObject", hook)
        else:
            write_once = store.put_if_absent

            def failing(key, body, content_type="application/json"):
                if due():
                    raise StoreError("the disk is full")
                return write_once(key, body, content_type)

            monkeypatch.setattr(store, "put_if_absent", failing)

    return arm


# -- publish and read back ---------------------------------------------------------------


def test_published_release_is_served_record_by_record(store, data_dir, dataset):
    result = publish(store, data_dir)
    release = Dataset(store).current()
    assert release.version == result.version
    for collection, records in dataset.items():
        for record in records:
            found = release.record(collection, record["id"])
            if "tombstone" in record:
                assert isinstance(found, Tombstone)
                assert (found.action, found.reason) == (
                    record["tombstone"]["action"],
                    record["tombstone"]["reason"],
                )
            else:
                assert isinstance(found, RecordBytes)
                assert found.body == canonical_json(record)
    assert release.record("people", "nobody") is None


def test_tombstones_reach_the_store_with_what_a_308_or_410_needs(store, data_dir):
    publish(store, data_dir)
    release = Dataset(store).current()
    merged = release.record("people", "pour-mohammadi-duplicate")
    assert (merged.action, merged.merged_into) == ("merged", "people/mostafa-pour-mohammadi")
    withdrawn = release.record("places", "unverified-grave-site")
    assert (withdrawn.action, withdrawn.merged_into) == ("withdrawn", None)
    assert withdrawn.reason == "The only source could not be verified."
    assert release.changes()["summary"]["merged"] == 1


def test_current_json_names_the_version_and_its_manifest_digest(store, data_dir):
    result = publish(store, data_dir)
    pointer = json.loads(store.get("current.json"))
    manifest = store.get(f"releases/{result.version}/manifest.json")
    assert pointer == {
        "version": result.version,
        "published": "2026-11-27T10:00:00Z",
        "manifest_sha256": Dataset(store).current().manifest_sha256,
    }
    assert Dataset(store).current().manifest == json.loads(manifest)


def test_publish_command_prints_the_version(store, data_dir):
    result = cli("publish", "--to", store.url, "--data", str(data_dir))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [Dataset(store).current().version]


def test_republishing_identical_content_is_a_no_op(store, data_dir):
    first = publish(store, data_dir)
    before = keys(store)
    again = cli("publish", "--to", store.url, "--data", str(data_dir))
    assert again.exit_code == 0
    assert again.stdout.splitlines() == [first.version]
    assert "nothing to do" in again.stderr
    assert keys(store) == before


def test_different_content_under_a_published_version_is_refused(store, data_dir, monkeypatch):
    first = publish(store, data_dir)
    before = keys(store)
    # Same records and schemas, so the same version; but the build now writes other bytes.
    monkeypatch.setattr("chalicelib.release.manifest.TITLE", "Another title")
    with pytest.raises(ObjectExists):
        publish(store, data_dir)
    result = cli("publish", "--to", store.url, "--data", str(data_dir))
    assert result.exit_code == 1
    assert "refused" in result.stderr
    assert keys(store) == before
    assert Dataset(store).current().version == first.version


def test_invalid_data_publishes_nothing(store, write_data, dataset, release_time):
    dataset["places"][0]["type"] = "castle"
    result = cli("publish", "--to", store.url, "--data", str(write_data(dataset)))
    assert result.exit_code == 1
    assert "[enum]" in result.stdout
    assert list(store.list()) == []


# -- changes and the listing -----------------------------------------------------------


def test_changes_are_computed_against_the_release_current_in_the_store(
    store, first, dataset, write_data
):
    second = publish(store, write_data(changed_copy(dataset)))
    release = Dataset(store).current()
    assert release.version == second.version != first
    assert release.manifest["previous"] == first
    changes = release.changes()
    assert changes["previous"] == first
    assert changes["summary"] == {
        "added": 0,
        "changed": 1,
        "removed": 0,
        "withdrawn": 0,
        "merged": 0,
    }
    assert changes["changed"]["places"] == ["tehran"]


def test_releases_lists_newest_first_with_change_summaries(
    store, first, dataset, write_data, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH + DAY))
    second = publish(store, write_data(changed_copy(dataset)))
    listing = Dataset(store).releases()
    assert [r["version"] for r in listing] == [second.version, first]
    assert listing[0]["changes"]["changed"] == 1 and listing[1]["changes"]["added"] == 11
    result = cli("releases", "--store", store.url)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(second.version) and lines[0].endswith("(current)")
    assert lines[1].startswith(first) and "+11 ~0 -0" in lines[1]


def test_releases_on_an_empty_store_lists_nothing(store):
    result = cli("releases", "--store", store.url)
    assert result.exit_code == 0
    assert result.stdout == ""


# -- failures leave the previous release serving -------------------------------------------


def test_a_failed_upload_leaves_the_previous_release_serving(
    store, first, dataset, write_data, fail_nth_put
):
    newer = write_data(changed_copy(dataset))
    fail_nth_put(40)
    with pytest.raises(StoreError):
        publish(store, newer, workers=4)
    release = Dataset(store).current()
    assert release.version == first
    assert release.record("places", "tehran").body == canonical_json(
        next(r for r in dataset["places"] if r["id"] == "tehran")
    )
    assert [r["version"] for r in Dataset(store).releases()] == [first]
    # Nothing of the failed release is left behind, and publishing again completes it.
    assert [k for k in store.list("releases/") if not k.startswith(f"releases/{first}/")] == []
    fail_nth_put(0)
    assert publish(store, newer).version != first


def test_an_object_that_reads_back_wrong_fails_the_publish_before_current_moves(
    store, first, dataset, write_data, monkeypatch
):
    get = store.get

    def corrupting(key):
        body = get(key)
        return body + b" " if key.endswith("index/places/records-00000.jsonl") else body

    monkeypatch.setattr(store, "get", corrupting)
    with pytest.raises(IntegrityError):
        publish(store, write_data(changed_copy(dataset)))
    monkeypatch.undo()
    assert json.loads(store.get("current.json"))["version"] == first


def test_a_chunk_whose_bytes_do_not_match_a_directory_entry_fails_the_publish(
    store, first, dataset, write_data, monkeypatch
):
    chunk = index_module.IndexBuilder._flush

    def misbuilt(builder):
        # A build bug: the chunk (and so the manifest) says TehraN where the entry says Tehran.
        name, body = chunk(builder)
        if builder.kind.collection == "places":
            body = body.replace(b"Tehran", b"TehraN")
        return name, body

    monkeypatch.setattr(index_module.IndexBuilder, "_flush", misbuilt)
    with pytest.raises(IntegrityError, match=r"records-00000\.jsonl bytes"):
        publish(store, write_data(changed_copy(dataset)))
    monkeypatch.undo()
    assert json.loads(store.get("current.json"))["version"] == first
    assert [k for k in store.list("releases/") if not k.startswith(f"releases/{first}/")] == []


# -- corrupted objects ------------------------------------------------------------------


def test_a_corrupted_record_is_detected_never_served_and_served_once_repaired(
    store, first, dataset
):
    key = f"releases/{first}/index/people/records-00000.jsonl"
    good = store.get(key)
    store.put(key, good.replace(b"Mostafa", b"Mustafa"))
    release = Dataset(store).current()
    for _ in range(2):  # a failed check is not cached
        with pytest.raises(IntegrityError):
            release.record("people", "mostafa-pour-mohammadi")
    store.put(key, good)
    person = next(r for r in dataset["people"] if r["id"] == "mostafa-pour-mohammadi")
    assert release.record("people", "mostafa-pour-mohammadi").body == canonical_json(person)


def test_a_truncated_chunk_is_an_integrity_failure(store, first):
    key = f"releases/{first}/index/places/records-00000.jsonl"
    store.put(key, store.get(key)[:-40])
    with pytest.raises(IntegrityError, match="truncated"):
        Dataset(store).current().record("places", "tehran")


def test_a_corrupted_directory_shard_is_detected(store, first):
    key = f"releases/{first}/directory/places/0.json"
    store.put(key, store.get(key).replace(b"tehran", b"tabriz"))
    with pytest.raises(IntegrityError):
        Dataset(store).current().record("places", "tehran")


def test_a_corrupted_manifest_is_detected(store, first):
    key = f"releases/{first}/manifest.json"
    store.put(key, store.get(key).replace(b"CC-BY-4.0", b"CC0-1.0"))
    with pytest.raises(IntegrityError):
        Dataset(store).current()


def test_a_missing_record_chunk_is_an_integrity_failure_not_a_404(store, first):
    store.delete(f"releases/{first}/index/places/records-00000.jsonl")
    with pytest.raises(IntegrityError):
        Dataset(store).current().record("places", "tehran")
