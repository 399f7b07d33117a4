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

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from chalicelib.errors import BuildError
from chalicelib.release.compiled import Compiled, CompiledCollection, PreviousRelease, Spool
from chalicelib.release.cores import map_shared, processes_for
from chalicelib.release.derived import DerivedValues
from chalicelib.release.downloads import (
    DATAPACKAGE_FILE,
    changes_document,
    datapackage_bytes,
    write_database,
    write_downloads,
)
from chalicelib.release.history import collection_events, write_history
from chalicelib.release.layout import (
    MANIFEST,
    canonical_json,
    claim_key_path,
    directory_path,
    download_path,
    index_path,
    schema_path,
    sha256_hex,
    shard_bodies,
    shard_count,
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

        def write(taken: Sequence[Callable[[_Writer], None]]) -> list[Digests]:
            written = [_write_part(out_dir, part) for part in taken]
            if os.getpid() == here:  # a forked child's copy of the bar would draw over it
                bar.update(len(taken))
            return written

        written = map_shared(write, parts, processes_for(compiled.record_count()), chunk=1)
    files = {k: v for part in written for k, v in part.items()}
    files.update(_write_datapackage(out_dir, compiled, files))
    manifest = manifest_document(
        version=compiled.version,
        epoch=compiled.epoch,
        previous=previous.version if previous else None,
        content_sha256=compiled.content_sha256,
        counts={
            name: {"records": c.live_count, "tombstones": len(c.tombstones)}
            for name, c in compiled.collections.items()
        },
        shards=_shard_counts(compiled),
        files=files,
    )
    (out_dir / MANIFEST).write_bytes(canonical_json(manifest))
    return manifest


def write_indexes(compiled: Compiled, out_dir: Path) -> Digests:
    """Only the list indexes (records' chunks included) and the directory of ``compiled``,
    written into ``out_dir`` over every core as ``write_release`` writes them: the part of a
    release the build throughput target counts with compiling (benchmarks.throughput)."""
    parts = _index_parts(compiled)
    written = map_shared(
        lambda taken: [_write_part(Path(out_dir), part) for part in taken],
        parts,
        processes_for(compiled.record_count()),
        chunk=1,
    )
    return {k: v for part in written for k, v in part.items()}


def _index_parts(compiled: Compiled) -> list[Callable[[_Writer], None]]:
    """The index of each collection, largest first, and the directory second."""
    by_size = sorted(compiled.collections.values(), key=lambda c: c.live_count, reverse=True)
    spool = _spool_of(compiled)
    parts: list[Callable[[_Writer], None]] = [
        partial(_write_index, collection=c, spool=spool, derived=compiled.derived) for c in by_size
    ]
    parts.insert(1, partial(_write_directory, compiled=compiled))
    return parts


def _parts(compiled: Compiled, previous: PreviousRelease | None) -> list[Callable[[_Writer], None]]:
    """Functions writing each part of the release; the costliest first.

    The downloads cost about as much as all the indexes; an index costs about as much as
    its collection is large, and the directory about as much as a mid-sized index.
    """
    parts = _index_parts(compiled)
    parts.append(partial(_write_history, compiled=compiled, previous=previous))
    return [
        lambda writer: _write_downloads(writer, compiled, previous),
        lambda writer: _write_database(writer, compiled),
        *parts,
    ]


def _write_part(out_dir: Path, part: Callable[[_Writer], None]) -> Digests:
    with _Writer(out_dir) as writer:
        part(writer)
    return writer.files


def _spool_of(compiled: Compiled) -> Spool:
    if compiled.spool is None:
        raise ValueError("the compiled release is closed: its records' spool is gone")
    return compiled.spool


def _write_index(
    writer: _Writer, collection: CompiledCollection, spool: Spool, derived: DerivedValues
) -> None:
    """``index/<collection>/…`` (chalicelib.release.index), the records' chunks included,
    built from the spooled records one at a time; the values of the filters derived from
    claims are added here, once every claim is read."""
    from chalicelib.release.index import IndexBuilder

    kind = collection.kind
    name = kind.collection
    builder = IndexBuilder(kind)
    for record in collection.live(spool):
        features = derived.features(kind, record.features)
        for file_name, body in builder.add(features, record.body):
            writer.write(index_path(name, file_name), body)
    for file_name, body in builder.finish():
        writer.write(index_path(name, file_name), body)


def _write_directory(writer: _Writer, compiled: Compiled) -> None:
    """Schemas, directory shards and claim-key shards."""
    for name, body in compiled.schema_bytes.items():
        writer.write(schema_path(name), body)
    for name, collection in compiled.collections.items():
        entries = collection.entries()
        _write_shards(writer, len(entries), entries.items(), partial(directory_path, name))
    keys = compiled.claim_keys
    _write_shards(writer, len(keys), keys.items(), claim_key_path)


def _shard_counts(compiled: Compiled) -> dict[str, Any]:
    """How many shards the directory of each collection, and the claim keys, are spread over."""
    return {
        "directory": {
            name: shard_count(c.live_count + len(c.tombstones))
            for name, c in compiled.collections.items()
        },
        "claim-keys": shard_count(len(compiled.claim_keys)),
    }


def _write_shards(
    writer: _Writer,
    count: int,
    entries: Iterator[tuple[str, Any]],
    path: Callable[[int], str],
) -> None:
    """``entries`` (in key order) spread over hash shards (``layout.shard_bodies``)."""
    for number, body in shard_bodies(count, entries):
        writer.write(path(number), body)


def _write_history(writer: _Writer, compiled: Compiled, previous: PreviousRelease | None) -> None:
    """``history/…`` (chalicelib.release.history): per-record history and each release's
    changes, carried forward from the previous release."""
    entries = compiled.entries
    before = previous.entries if previous else {}

    def record(collection: str, record_id: str) -> dict:
        return json.loads(compiled.collections[collection].body_of(_spool_of(compiled), record_id))

    def events_of(collection: str):
        return collection_events(
            collection,
            entries[collection],
            record,
            before.get(collection, {}),
            (lambda c, i: previous.records.get((c, i))) if previous else None,
        )

    write_history(
        writer,
        compiled.version,
        previous.version if previous else None,
        events_of,
        previous.history.get if previous else None,
    )


def _write_downloads(writer: _Writer, compiled: Compiled, previous: PreviousRelease | None) -> None:
    """``files/…`` but the SQLite file: JSON Lines, CSV, claims-sources, tombstones, digests,
    changes."""
    changes = changes_document(
        compiled.version,
        previous.version if previous else None,
        compiled.entries,
        previous.entries if previous else None,
    )
    write_downloads(
        _Downloads(writer),
        compiled.schemas,
        compiled.collections,
        _spool_of(compiled),
        changes=changes,
    )


def _write_database(writer: _Writer, compiled: Compiled) -> None:
    """``files/all.sqlite`` and its Datasette metadata."""
    write_database(
        _Downloads(writer),
        compiled.schemas,
        compiled.collections,
        _spool_of(compiled),
        version=compiled.version,
    )


def _write_datapackage(out_dir: Path, compiled: Compiled, files: Digests) -> Digests:
    """``files/datapackage.json``, from the digests of the downloads written by the parts."""
    prefix = download_path("")
    digests = {
        path[len(prefix) :]: (info["bytes"], info["sha256"])
        for path, info in files.items()
        if path.startswith(prefix)
    }
    body = datapackage_bytes(compiled.schemas, compiled.version, compiled.epoch, digests)
    with _Writer(out_dir) as writer:
        writer.write(download_path(DATAPACKAGE_FILE), body)
    return writer.files


class _Downloads:
    """The downloads' sink: a name in ``files/`` opened as a stream of the writer."""

    def __init__(self, writer: _Writer):
        self._writer = writer

    def open(self, name: str) -> _Stream:
        return self._writer.open(download_path(name))


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

    def _folder(self, path: str) -> None:
        folder, _, _ = path.rpartition("/")
        if folder not in self._folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def open(self, path: str) -> _Stream:
        """A file written as it is streamed, here; for the files too large to hold whole."""
        self._folder(path)
        return _Stream(os.path.join(self.root, path), self.files.setdefault(path, {}))

    def write(self, path: str, body: bytes | list) -> None:
        """Write ``path`` (bytes, or a list of byte strings written one after the other)."""
        if not isinstance(body, bytes):
            out = self.open(path)
            for part in body:
                out.write(part)
            out.close()
            return
        self._folder(path)
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


class _Stream:
    """One file written a piece at a time, its size and sha256 taken as it goes."""

    def __init__(self, path: str, digest: dict[str, Any]):
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._sha256 = hashlib.sha256()
        self._size = 0
        self._digest = digest

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._sha256.update(data)
        self._size += len(data)

    def close(self) -> tuple[int, str]:
        self._file.close()
        self._digest.update(bytes=self._size, sha256=self._sha256.hexdigest())
        return self._size, self._digest["sha256"]
