"""support.snapshot: a release copied into a fresh store is the release publish writes there,
so that the tests reading a copy read what publish gives."""

from __future__ import annotations

from chalicelib.release.publish import publish
from chalicelib.store import DirStore, S3Store, open_store


def objects(store) -> dict[str, tuple[bytes, str | None]]:
    """Each object's bytes and, in a bucket, its content type."""
    found = {}
    for key in store.list():
        content_type = None
        if isinstance(store, S3Store):
            head = store.client.head_object(Bucket=store.bucket, Key=store.prefix + key)
            content_type = head["ContentType"]
        found[key] = (store.get(key), content_type)
    return found


def files(store: DirStore) -> dict[str, bytes]:
    """Every file under the folder, hidden ones included."""
    return {
        str(path.relative_to(store.root)): path.read_bytes()
        for path in sorted(store.root.rglob("*"))
        if path.is_file()
    }


def test_a_restored_mini_release_holds_what_publishing_it_writes(
    store, data_dir, mini_release, tmp_path
):
    version = publish(store, data_dir).version
    other = (
        open_store(str(tmp_path / "copy"))
        if isinstance(store, DirStore)
        else open_store(f"s3://{store.bucket}/copy")
    )
    copy = mini_release().restore(other)
    assert mini_release().version == version
    assert objects(copy) == objects(store)
    assert len(objects(store)) > 100
    if isinstance(store, DirStore):
        assert files(copy) == files(store)


def test_a_restored_release_without_tombstones_is_the_one_published_without(
    dir_store, write_data, mini_release, release_time
):
    from support.minidata import mini

    publish(dir_store, write_data(mini()))
    copy = mini_release(tombstones=False).restore(open_store(str(dir_store.root) + "-copy"))
    assert files(copy) == files(dir_store)
    assert mini_release(tombstones=False).version != mini_release().version
