"""Writing a compiled release into a fresh folder.

The release is made of independent parts: the downloads, each collection's query index,
and the directory (the shards that locate each record in its index's chunks). Each part
writes its own files and gives back their digests. For a large dataset the parts are
shared out over every core, each process taking the next part nobody has taken, the
costliest first, so that the processes finish together. The manifest, which lists every
file's digest, is written last. File writes run on a few threads, so a slow disk does
not hold up the work that produces the files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from chalicelib.errors import BuildError
from chalicelib.release.compiled import Compiled, CompiledCollection, PreviousRelease
from chalicelib.release.cores import map_shared, processes_for
from chalicelib.release.layout import (
    MANIFEST,
    canonical_json,
    claim_key_path,
    directory_path,
    download_path,
    index_path,
    schema_path,
    sha256_hex,
    shard_count,
    shard_of,
)
from chalicelib.release.manifest import manifest_document
from chalicelib.release.progress import Progress, no_progress

Digests = dict[str, dict[str, Any]]  # release path -> {"bytes", "sha256"}


def write_release(
    compiled: Compiled,
    out_dir: Path,
    previous: PreviousRelease | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the release folder (layout in chalicelib.release.layout) and return its manifest."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise BuildError(f"{out_dir} is not empty; build into a new folder")
    parts = _parts(compiled, previous)
    here = os.getpid()
    with (progress or no_progress)("Writing the release", len(parts)) as bar:

        def write(taken: Sequence[Callable[[], dict[str, bytes]]]) -> list[Digests]:
            written = [_write_part(out_dir, make()) for make in taken]
            if os.getpid() == here:  # a forked child's copy of the bar would draw over it
                bar.update(len(taken))
            return written

        written = map_shared(write, parts, processes_for(compiled.record_count()), chunk=1)
    manifest = manifest_document(
        version=compiled.version,
        epoch=compiled.epoch,
        previous=previous.version if previous else None,
        content_sha256=compiled.content_sha256,
        counts={
            name: {"records": len(c.live), "tombstones": len(c.tombstones)}
            for name, c in compiled.collections.items()
        },
        shards=_shard_counts(compiled),
        files={k: v for part in written for k, v in part.items()},
    )
    (out_dir / MANIFEST).write_bytes(canonical_json(manifest))
    return manifest


def _parts(
    compiled: Compiled, previous: PreviousRelease | None
) -> list[Callable[[], dict[str, bytes]]]:
    """Functions making the files of each part of the release, by path; the costliest first.

    The downloads cost about as much as all the indexes; an index costs about as much as
    its collection is large, and the directory about as much as a mid-sized index.
    """
    by_size = sorted(compiled.collections.values(), key=lambda c: len(c.live), reverse=True)
    parts = [lambda c=collection: _index_files(c) for collection in by_size]
    parts.insert(1, lambda: _directory_files(compiled))
    parts.append(lambda: _history_files(compiled, previous))
    return [lambda: _download_files(compiled, previous)] + parts


def _history_files(compiled: Compiled, previous: PreviousRelease | None) -> dict[str, bytes]:
    """``history/…`` (chalicelib.release.history): per-record history and each release's
    changes, carried forward from the previous release."""
    from chalicelib.release.history import history_files, release_events

    live = {
        (name, entry.id): entry.record
        for name, collection in compiled.collections.items()
        for entry in collection.live
    }
    events = release_events(
        compiled.entries,
        lambda collection, record_id: live[(collection, record_id)],
        previous.entries if previous else None,
        (lambda c, i: previous.records.get((c, i))) if previous else None,
    )
    return history_files(
        compiled.version,
        previous.version if previous else None,
        events,
        previous.history.get if previous else None,
    )


def _write_part(out_dir: Path, files: dict[str, bytes]) -> Digests:
    with _Writer(out_dir) as writer:
        for path, body in files.items():
            writer.write(path, body)
    return writer.files


def _index_files(collection: CompiledCollection) -> dict[str, bytes]:
    """``index/<collection>/…`` (chalicelib.release.index), the records' chunks included."""
    from chalicelib.release.index import build_index

    live = collection.live
    files = build_index(collection.kind, [r.record for r in live], [r.body for r in live])
    return {index_path(collection.kind.collection, name): body for name, body in files.items()}


def _directory_files(compiled: Compiled) -> dict[str, bytes]:
    """Schemas, directory shards and claim-key shards, by release path."""
    files = {schema_path(name): body for name, body in compiled.schema_bytes.items()}
    for name, entries in compiled.entries.items():
        files.update(_shards(entries, lambda n, c=name: directory_path(c, n)))
    files.update(_shards(compiled.claim_keys, claim_key_path))
    return files


def _shard_counts(compiled: Compiled) -> dict[str, Any]:
    """How many shards the directory of each collection, and the claim keys, are spread over."""
    return {
        "directory": {
            name: shard_count(len(c.live) + len(c.tombstones))
            for name, c in compiled.collections.items()
        },
        "claim-keys": shard_count(len(compiled.claim_keys)),
    }


def _shards(entries: Mapping[str, Any], path: Callable[[int], str]) -> dict[str, bytes]:
    """``entries`` (sorted by key) spread over hash shards; every shard, even an empty one."""
    count = shard_count(len(entries))
    buckets: list[dict[str, Any]] = [{} for _ in range(count)]
    for key, value in entries.items():
        buckets[shard_of(key, count)][key] = value
    return {path(number): canonical_json(bucket) for number, bucket in enumerate(buckets)}


def _download_files(compiled: Compiled, previous: PreviousRelease | None) -> dict[str, bytes]:
    """``files/…``: JSON Lines, CSV, claims-sources, tombstones, changes, data package."""
    from chalicelib.release.downloads import changes_document, release_downloads

    changes = changes_document(
        compiled.version,
        previous.version if previous else None,
        compiled.entries,
        previous.entries if previous else None,
    )
    files = release_downloads(
        compiled.schemas,
        compiled.collections,
        version=compiled.version,
        epoch=compiled.epoch,
        changes=changes,
    )
    return {download_path(name): body for name, body in files.items()}


class _Writer:
    """Writes files into a fresh release folder and remembers their digests for the manifest.

    The digests and writes run on a few threads, in batches: hashing and file system calls
    release the GIL, so they overlap with the work that produces the next files.
    """

    BATCH_FILES = 256
    BATCH_BYTES = 4 * 1024 * 1024

    def __init__(self, root: Path, threads: int = 4):
        self.root = root
        self.files: Digests = {}  # complete once the writer is closed
        self._folders: set[str] = set()
        self._batch: list[tuple[str, bytes, dict[str, Any]]] = []
        self._batch_bytes = 0
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="release-writer")
        self._pending: list[Future] = []

    def write(self, path: str, body: bytes) -> None:
        folder, _, _ = path.rpartition("/")
        if folder not in self._folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        digest = self.files[path] = {"bytes": len(body)}
        self._batch.append((os.path.join(self.root, path), body, digest))
        self._batch_bytes += len(body)
        if len(self._batch) >= self.BATCH_FILES or self._batch_bytes >= self.BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._pending.append(self._pool.submit(_write_files, self._batch))
            self._batch, self._batch_bytes = [], 0

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """Wait for every write, and raise the first that failed."""
        try:
            if exc_type is None:
                self._flush()
                for future in self._pending:
                    future.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _write_files(batch: list[tuple[str, bytes, dict[str, Any]]]) -> None:
    # A fresh private folder: plain writes suffice (no temp file and rename), and
    # os-level calls keep the time each write holds the GIL short.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for path, body, digest in batch:
        digest["sha256"] = sha256_hex(body)
        fd = os.open(path, flags, 0o644)
        try:
            view = memoryview(body)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
