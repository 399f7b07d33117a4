"""Writing a compiled release into a fresh folder.

Three independent parts write it: the record objects with their directory shards,
the query indexes, and the downloads. Each returns the digests of the files it
wrote, and the manifest, which lists them, is written last. The file writes run on
a few threads, so a slow disk does not hold up the work that produces the files.
"""
from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Mapping

from .build import BuildError, Compiled, CompiledCollection, PreviousRelease, Progress, no_progress
from .catalog import claim_key
from .layout import (MANIFEST, canonical_json, claim_key_path, directory_path, download_path,
                     index_path, record_path, schema_path, sha256_hex, shard_count, shard_of)
from .manifest import manifest_document

def write_release(compiled: Compiled, out_dir: Path, previous: PreviousRelease | None = None,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Write the release folder (layout in chalicelib.layout) and return its manifest."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise BuildError(f"{out_dir} is not empty; build into a new folder")
    with _Writer(out_dir) as writer:
        shards = _write_records(writer, compiled, progress or no_progress)
        _write_indexes(writer, compiled)
        _write_downloads(writer, compiled, previous)
    manifest = manifest_document(
        version=compiled.version, epoch=compiled.epoch,
        previous=previous.version if previous else None, content_sha256=compiled.content_sha256,
        counts={name: {"records": len(c.live), "tombstones": len(c.tombstones)}
                for name, c in compiled.collections.items()},
        shards=shards, files=writer.files)
    (out_dir / MANIFEST).write_bytes(canonical_json(manifest))
    return manifest


def _write_records(writer: "_Writer", compiled: Compiled, progress: Progress) -> dict[str, Any]:
    """Schemas, record objects, directory shards and claim-key shards; returns the shard counts."""
    for name, body in compiled.schema_bytes.items():
        writer.write(schema_path(name), body)
    with progress("Writing records", compiled.record_count()) as bar:
        for name, collection in compiled.collections.items():
            for record in collection.live + collection.tombstones:
                writer.write(record_path(name, record.id), record.body, listed=False)
            bar.update(len(collection.live) + len(collection.tombstones))
    shards: dict[str, Any] = {"directory": {
        name: _write_shards(writer, entries, lambda n, c=name: directory_path(c, n))
        for name, entries in compiled.entries.items()}}
    shards["claim-keys"] = _write_shards(
        writer, _claim_keys(compiled.collections["claims"]), claim_key_path)
    return shards


def _write_indexes(writer: "_Writer", compiled: Compiled) -> None:
    """``index/<collection>/…`` for every collection (chalicelib.index)."""
    from .index import build_index

    for name, collection in compiled.collections.items():
        records = [r.record for r in collection.live]
        for file_name, body in build_index(collection.kind, records).items():
            writer.write(index_path(name, file_name), body)


def _write_downloads(writer: "_Writer", compiled: Compiled, previous: PreviousRelease | None) -> None:
    """``files/…``: JSON Lines, CSV, claims-sources, tombstones, changes, data package."""
    from .downloads import changes_document, release_downloads

    changes = changes_document(compiled.version, previous.version if previous else None,
                               compiled.entries, previous.entries if previous else None)
    files = release_downloads(compiled.schemas, compiled.collections, version=compiled.version,
                              epoch=compiled.epoch, changes=changes)
    for name, body in files.items():
        writer.write(download_path(name), body)


def _write_shards(writer: "_Writer", entries: Mapping[str, Any], path: Callable[[int], str]) -> int:
    """Spread ``entries`` (sorted by key) over hash shards; write every shard, even empty ones."""
    count = shard_count(len(entries))
    buckets: list[dict[str, Any]] = [{} for _ in range(count)]
    for key, value in entries.items():
        buckets[shard_of(key, count)][key] = value
    for number, bucket in enumerate(buckets):
        writer.write(path(number), canonical_json(bucket))
    return count


def _claim_keys(claims: CompiledCollection) -> dict[str, list[str]]:
    """sha256 of each claim key -> the ids of the live claims with it, for duplicate checks."""
    found: dict[str, list[str]] = {}
    for claim in claims.live:
        key = claim_key(claim.record)
        if key is not None:
            found.setdefault(sha256_hex(key.encode("utf-8")), []).append(claim.id)
    return dict(sorted(found.items()))


class _Writer:
    """Writes files into a fresh release folder and remembers the listed ones' digests.

    The writes run on a few threads, in batches: file system calls release the GIL,
    so they overlap with the work that produces the next files.
    """

    BATCH = 256

    def __init__(self, root: Path, threads: int = 4):
        self.root = root
        self.files: dict[str, dict[str, Any]] = {}  # listed path -> {"bytes", "sha256"}
        self._folders: set[str] = set()
        self._batch: list[tuple[str, bytes]] = []
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="release-writer")
        self._pending: list[Future] = []

    def write(self, path: str, body: bytes, *, listed: bool = True) -> None:
        folder, _, _ = path.rpartition("/")
        if folder not in self._folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        if listed:
            self.files[path] = {"bytes": len(body), "sha256": sha256_hex(body)}
        self._batch.append((os.path.join(self.root, path), body))
        if len(self._batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._pending.append(self._pool.submit(_write_files, self._batch))
            self._batch = []

    def __enter__(self) -> "_Writer":
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


def _write_files(batch: list[tuple[str, bytes]]) -> None:
    # A fresh private folder: plain writes suffice (no temp file and rename), and
    # os-level calls keep the time each write holds the GIL short.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for path, body in batch:
        fd = os.open(path, flags, 0o644)
        try:
            view = memoryview(body)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
