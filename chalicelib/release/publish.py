"""Publishing a release to a store: write every object, verify it, and only then flip current.

Readers find releases only through ``current.json`` and ``releases.json``, and both
are written last, after every object of the release has been written once (never
overwritten) and read back against its digest, every record checked against its
directory entry in the chunk read back, and after the manifest, which makes the
release complete, has been written and checked too. A publish that fails before
that leaves the previous release serving; the objects it had written are removed
again, as far as the store allows, and are invisible to readers either way.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.errors import ObjectExists, ObjectMissing, ReleaseNotFound
from chalicelib.model.kinds import KINDS
from chalicelib.release.build import compile_data
from chalicelib.release.compiled import Compiled, PreviousRelease
from chalicelib.release.cores import gc_paused
from chalicelib.release.downloads import CHANGES_FILE, summary_line
from chalicelib.release.layout import (
    CURRENT_KEY,
    MANIFEST,
    RELEASES_KEY,
    canonical_json,
    chunk_path,
    download_path,
    release_prefix,
    sha256_hex,
)
from chalicelib.release.progress import Progress, no_progress
from chalicelib.release.reader import Dataset, Release, verified
from chalicelib.release.writer import write_release
from chalicelib.store import Store

DEFAULT_WORKERS = 16
_CONTENT_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".gz": "application/gzip",
    ".jsonl": "application/jsonl",
}


@dataclass
class PublishResult:
    version: str
    created: bool  # False when this exact release was already in the store
    current_changed: bool  # False when current.json already named it
    written: int  # objects newly written
    changes: dict[str, int]

    def describe(self) -> str:
        if not self.created and not self.current_changed:
            return f"{self.version} is already published and current; nothing to do"
        if not self.created:
            return f"{self.version} was already published; current.json now names it"
        return f"published {self.version} ({self.written} objects written)"


def content_type(path: str) -> str:
    """The Content-Type an object is stored with, so presigned downloads arrive labelled."""
    if path.endswith(".schema.json"):
        return "application/schema+json"
    return _CONTENT_TYPES.get(os.path.splitext(path)[1], "application/octet-stream")


@gc_paused()
def publish(
    store: Store,
    data_dir: Path,
    *,
    epoch: int | None = None,
    workers: int = DEFAULT_WORKERS,
    progress: Progress | None = None,
) -> PublishResult:
    """Build ``data_dir`` and publish it to ``store``; return what was done.

    Raises InvalidDataset if a record is invalid, and ObjectExists if the store holds
    different content under the same version; in both cases nothing is published.
    """
    progress = progress or no_progress
    with compile_data(data_dir, epoch=epoch) as compiled:
        return _publish(store, compiled, workers, progress)


def _publish(store: Store, compiled: Compiled, workers: int, progress: Progress) -> PublishResult:
    dataset = Dataset(store, ttl=0)
    current = _current(dataset)
    prefix = release_prefix(compiled.version)
    existing = _get(store, prefix + MANIFEST)
    # Rebuilding a published release must give its bytes again, so it is compared
    # with the release it was first compared with, not with today's current.
    previous_version = (
        json.loads(existing).get("previous")
        if existing is not None
        else current.version
        if current
        else None
    )
    previous = previous_release(dataset, previous_version) if previous_version else None
    with tempfile.TemporaryDirectory(prefix="release-") as temp:
        folder = Path(temp) / compiled.version
        manifest = write_release(compiled, folder, previous, progress)
        manifest_bytes = (folder / MANIFEST).read_bytes()
        written = 0
        if existing is not None and existing != manifest_bytes:
            raise ObjectExists(prefix + MANIFEST)
        if existing is None:
            written = _write_release(
                store,
                folder,
                prefix,
                _digests(manifest, compiled),
                manifest_bytes,
                workers,
                progress,
            )
        changes = json.loads((folder / download_path(CHANGES_FILE)).read_bytes())["summary"]
    manifest_sha256 = sha256_hex(manifest_bytes)
    _list_release(store, manifest, manifest_sha256, changes)
    current_changed = current is None or current.version != compiled.version
    if current_changed:
        store.put(
            CURRENT_KEY,
            canonical_json(
                {
                    "version": compiled.version,
                    "manifest_sha256": manifest_sha256,
                    "published": manifest["published"],
                }
            ),
        )
    return PublishResult(compiled.version, existing is None, current_changed, written, changes)


def _current(dataset: Dataset) -> Release | None:
    try:
        return dataset.current()
    except ReleaseNotFound:
        return None


def _get(store: Store, key: str) -> bytes | None:
    try:
        return store.get(key)
    except ObjectMissing:
        return None


def previous_release(dataset: Dataset, version: str | None = None) -> PreviousRelease | None:
    """Release ``version`` (default: the current one) as changes.json compares with it."""
    current = _current(dataset)
    if version is None and current is None:
        return None
    release = (
        current
        if version is None or (current and current.version == version)
        else dataset.pinned(version)
    )
    return PreviousRelease(
        release.version, {k.collection: release.directory(k.collection) for k in KINDS}
    )


@dataclass
class _Digests:
    """What the objects of a release must hold: each file's sha256 (by release path) and,
    for each index chunk, the (start, bytes, sha256) of every record the directory puts in it."""

    files: dict[str, str]
    ranges: dict[str, list[tuple[int, int, str]]]

    def check(self, path: str, body: bytes) -> None:
        """Raise IntegrityError unless ``body`` is the file at ``path``, records included."""
        verified(path, body, self.files[path])
        view = memoryview(body)
        for start, length, sha256 in self.ranges.get(path, ()):
            verified(f"{path} bytes {start}+{length}", view[start : start + length], sha256)


def _digests(manifest: dict[str, Any], compiled: Compiled) -> _Digests:
    ranges: dict[str, list[tuple[int, int, str]]] = {}
    for name, collection in compiled.collections.items():
        for _, entry in collection.live_entries():
            if "chunk" in entry:
                ranges.setdefault(chunk_path(name, entry["chunk"]), []).append(
                    (entry["start"], entry["bytes"], entry["sha256"])
                )
    return _Digests({path: info["sha256"] for path, info in manifest["files"].items()}, ranges)


def _write_release(
    store: Store,
    folder: Path,
    prefix: str,
    expected: _Digests,
    manifest_bytes: bytes,
    workers: int,
    progress: Progress,
) -> int:
    """Write and verify every object, then the manifest; undo what was written on failure."""
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    if on_disk != set(expected.files) | {MANIFEST} or not set(expected.ranges) <= on_disk:
        raise RuntimeError(
            "the built release and its manifest disagree; this is a bug in the build"
        )
    written: list[str] = []
    try:

        def upload(path: str) -> None:
            body = (folder / path).read_bytes()
            if store.put_if_absent(prefix + path, body, content_type(path)):
                written.append(prefix + path)

        def verify(path: str) -> None:
            expected.check(path, store.get(prefix + path))

        paths = sorted(expected.files)
        _in_parallel("Uploading", upload, paths, workers, progress)
        _in_parallel("Verifying", verify, paths, workers, progress)
        if store.put_if_absent(prefix + MANIFEST, manifest_bytes):
            written.append(prefix + MANIFEST)
        verified(MANIFEST, store.get(prefix + MANIFEST), sha256_hex(manifest_bytes))
    except BaseException:
        # Nothing names these objects yet, so no reader can be using them.
        for key in written:
            try:
                store.delete(key)
            except Exception:
                break
        raise
    return len(written)


def _in_parallel(
    label: str, task: Callable[[str], None], paths: list[str], workers: int, progress: Progress
) -> None:
    """Run ``task`` on every path on a bounded pool; stop at, and raise, the first failure."""
    with (
        progress(label, len(paths)) as bar,
        ThreadPoolExecutor(max(1, workers), thread_name_prefix="publish") as pool,
    ):
        futures = [pool.submit(task, path) for path in paths]
        try:
            for future in as_completed(futures):
                future.result()
                bar.update(1)
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _list_release(
    store: Store, manifest: dict[str, Any], manifest_sha256: str, changes: dict[str, int]
) -> None:
    """Add the release to releases.json (newest first) unless it is listed already."""
    raw = _get(store, RELEASES_KEY)
    releases = json.loads(raw)["releases"] if raw else []
    if any(r["version"] == manifest["version"] for r in releases):
        return
    releases.append(
        {
            "version": manifest["version"],
            "published": manifest["published"],
            "previous": manifest["previous"],
            "manifest_sha256": manifest_sha256,
            "counts": {c: n["records"] for c, n in manifest["counts"].items()},
            "changes": changes,
            "summary": summary_line({"summary": changes}),
        }
    )
    releases.sort(key=lambda r: (r["published"], r["version"]), reverse=True)
    store.put(RELEASES_KEY, canonical_json({"releases": releases}))
