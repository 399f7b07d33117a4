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
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from chalicelib import media
from chalicelib.errors import (
    ObjectExists,
    ObjectMissing,
    PublishConflict,
    Redacted,
    ReleaseNotFound,
)
from chalicelib.model.kinds import KINDS
from chalicelib.release.build import compile_data
from chalicelib.release.compiled import Compiled, PreviousRelease
from chalicelib.release.cores import gc_paused
from chalicelib.release.dataset import Dataset
from chalicelib.release.downloads import CHANGES_FILE, summary_line
from chalicelib.release.layout import (
    CURRENT_KEY,
    MANIFEST,
    REDACTIONS_KEY,
    RELEASES_KEY,
    canonical_json,
    chunk_path,
    download_path,
    release_prefix,
    sha256_hex,
)
from chalicelib.release.progress import Progress, no_progress
from chalicelib.release.reader import Release, verified
from chalicelib.release.redactions import redact_past
from chalicelib.release.signing import Signer, signature_path
from chalicelib.release.writer import write_release
from chalicelib.store import Store

DEFAULT_WORKERS = 16


@dataclass
class PublishResult:
    version: str
    created: bool  # False when this exact release was already in the store
    current_changed: bool  # False when current.json already named it
    written: int  # objects newly written
    changes: dict[str, int]
    purged: int = 0  # objects of older releases removed, every version, for a redaction

    def describe(self) -> str:
        redacted = (
            f"; {self.purged} objects of older releases withdrawn for redactions"
            if self.purged
            else ""
        )
        if not self.created and not self.current_changed:
            return f"{self.version} is already published and current; nothing to do{redacted}"
        if not self.created:
            return f"{self.version} was already published; current.json now names it{redacted}"
        return f"published {self.version} ({self.written} objects written){redacted}"


def content_type(path: str) -> str:
    """The Content-Type an object is stored with, so presigned downloads arrive labelled."""
    return media.of_file(path)


@gc_paused()
def publish(
    store: Store,
    data_dir: Path,
    *,
    epoch: int | None = None,
    workers: int = DEFAULT_WORKERS,
    progress: Progress | None = None,
    signer: Signer | None = None,
    replicas: Sequence[Store] = (),
) -> PublishResult:
    """Build ``data_dir`` and publish it to ``store``; return what was done.

    With ``signer``, the manifest and the store's releases.json, current.json and
    redactions.json get a signature beside them (chalicelib.release.signing).

    ``replicas`` are the copies the store replicates to (another region): S3 replication
    copies every new object version but never a version's deletion, so a redaction purges
    each withdrawn file from them as well, every version of it.

    Raises InvalidDataset if a record is invalid, and ObjectExists if the store holds
    different content under the same version; in both cases nothing is published.
    """
    progress = progress or no_progress
    with compile_data(data_dir, epoch=epoch) as compiled:
        return _publish(store, compiled, workers, progress, signer, replicas)


def _publish(
    store: Store,
    compiled: Compiled,
    workers: int,
    progress: Progress,
    signer: Signer | None,
    replicas: Sequence[Store],
) -> PublishResult:
    dataset = Dataset(store, ttl=0)
    # The pointer as this publish found it: the flip at the end is conditional on it, so a
    # release built against one current release never silently replaces another.
    found_current = store.get_tagged(CURRENT_KEY)
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
    if previous is not None:
        previous = with_history(dataset, previous, compiled)
    with tempfile.TemporaryDirectory(prefix="release-") as temp:
        folder = Path(temp) / compiled.version
        manifest = write_release(compiled, folder, previous, progress)
        manifest_bytes = (folder / MANIFEST).read_bytes()
        written = 0
        # A published release whose previous one was redacted since cannot be rebuilt byte for
        # byte (its history named fields read from records now withdrawn); it need not be,
        # since its version is its content's digest: the published one stands.
        rebuilt_whole = previous is None or not previous.partial
        if existing is not None and existing != manifest_bytes and rebuilt_whole:
            raise ObjectExists(prefix + MANIFEST)
        if existing is not None and not rebuilt_whole:
            manifest, manifest_bytes = json.loads(existing), existing
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
    if signer is not None:
        # Beside a manifest published unsigned, or signed by a key since retired, too: a
        # signature adds a proof and takes nothing away, so the one already there stays.
        store.put_if_absent(
            signature_path(prefix + MANIFEST), signer.sign(manifest_bytes), SIGNATURE_TYPE
        )
    releases = _list_release(store, manifest, manifest_sha256, changes)
    register, purge = _register(store, compiled, manifest, releases)
    if signer is not None:
        _sign_as_stored(store, signer, RELEASES_KEY)
        if register is not None:
            _sign_as_stored(store, signer, REDACTIONS_KEY)
    pointer = {
        "version": compiled.version,
        "manifest_sha256": manifest_sha256,
        "published": manifest["published"],
    }
    if register is not None:
        pointer["redactions_sha256"] = sha256_hex(register)
    current_changed = current is None or current.version != compiled.version
    body = canonical_json(pointer)
    # The flip is conditional on the pointer this publish found: a release built against one
    # current release never silently replaces another made current meanwhile.
    moved = current_changed or _get(store, CURRENT_KEY) != body
    if moved and not store.put_if_tag(
        CURRENT_KEY, body, found_current[1] if found_current else None
    ):
        now = _get(store, CURRENT_KEY)
        named = json.loads(now)["version"] if now else "none"
        raise PublishConflict(
            f"another publish made {named} current while this one ran; {compiled.version} "
            f"is published and listed, but its changes were computed against "
            f"{previous_version or 'no release'}, so it was not made current. Run publish "
            "again to build on the new current release."
        )
    if signer is not None:
        _sign_as_stored(store, signer, CURRENT_KEY)
    # Readers learn of the redaction from current.json, and answer the withdrawn files 410
    # from then on; only now do the files, and every earlier version of them, go.
    for key in purge:
        for copy in (store, *replicas):
            copy.purge(key)
    return PublishResult(
        compiled.version, existing is None, current_changed, written, changes, len(purge)
    )


SIGNATURE_TYPE = "text/plain; charset=us-ascii"


def _sign_as_stored(store: Store, signer: Signer, key: str) -> None:
    """Sign ``key`` as the store now holds it. Another publish may rewrite it meanwhile;
    it signs its own bytes after, so the last writer's signature is the one that stands."""
    body = _get(store, key)
    if body is not None:
        store.put(signature_path(key), signer.sign(body), SIGNATURE_TYPE)


def _register(
    store: Store, compiled: Compiled, manifest: dict[str, Any], releases: list[str]
) -> tuple[bytes | None, list[str]]:
    """The register of redactions as it now stands (None if there is none), and the objects
    of older releases to purge because they hold a value the data withholds."""
    existing = _get(store, REDACTIONS_KEY)
    if not compiled.withheld:
        return existing, []
    updated, purge = redact_past(
        store, compiled.withheld, compiled.version, manifest["published"], releases
    )
    if updated is None:
        return existing, []
    store.put(REDACTIONS_KEY, updated)
    return updated, purge


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
    if version is None:
        if current is None:
            return None
        release = current
    else:
        release = current if current and current.version == version else dataset.pinned(version)
    return PreviousRelease(
        release.version, {k.collection: release.directory(k.collection) for k in KINDS}
    )


def with_history(
    dataset: Dataset, previous: PreviousRelease, compiled: Compiled
) -> PreviousRelease:
    """``previous`` with what history/ needs of it: its history files (none before the
    index existed) and its records that ``compiled`` changes."""
    from chalicelib.release.history import CHAIN, changes_path, records_path

    release = dataset.pinned(previous.version)
    files = release.manifest["files"]
    history: dict[str, bytes] = {}
    if CHAIN in files:
        chain = json.loads(release.read_file(CHAIN))
        wanted = [changes_path(step["version"]) for step in chain["releases"]] + [
            records_path(c, n) for c, shards in chain["shards"].items() for n in range(shards)
        ]
        history = {CHAIN: release.read_file(CHAIN)} | {p: release.read_file(p) for p in wanted}
    records: dict[tuple[str, str], dict] = {}
    partial = False
    for name, entries in compiled.entries.items():
        before = previous.entries.get(name, {})
        changed = [
            record_id
            for record_id, entry in entries.items()
            if (old := before.get(record_id)) is not None
            and "tombstone" not in old
            and "tombstone" not in entry
            and old["sha256"] != entry["sha256"]
        ]
        if changed:
            # Through the index: each chunk is read once, however many of its records changed.
            try:
                index = release.collection_index(name)
            except Redacted:
                # The previous release's index held a value withheld since, and is withdrawn:
                # its changes are recorded without the fields they touched, never from it.
                partial = True
                continue
            for record_id in changed:
                ordinal = index.ordinal_of(record_id)
                if ordinal is not None:
                    records[(name, record_id)] = json.loads(index.record_bytes(ordinal))
    return replace(previous, history=history, records=records, partial=partial)


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
) -> list[str]:
    """Add the release to releases.json (newest first) unless it is listed already; return
    the versions listed.

    Read, add, and write back only if nobody wrote in between (a conditional write); else
    read again and retry, so that of two publishes at once both end up listed.
    """
    for attempt in range(LISTING_ATTEMPTS):
        found = store.get_tagged(RELEASES_KEY)
        listing, versions = _listing_with(
            found[0] if found else None, manifest, manifest_sha256, changes
        )
        if listing is None or store.put_if_tag(RELEASES_KEY, listing, found[1] if found else None):
            return versions
        time.sleep(random.uniform(0, LISTING_BACKOFF * 2**attempt))  # let the other one finish
    raise PublishConflict(
        f"releases.json kept changing: {LISTING_ATTEMPTS} attempts to list "
        f"{manifest['version']} lost to other publishes; run publish again to list it"
    )


LISTING_ATTEMPTS = 8
LISTING_BACKOFF = 0.05  # seconds, doubled on each attempt


def _listing_with(
    raw: bytes | None, manifest: dict[str, Any], manifest_sha256: str, changes: dict[str, int]
) -> tuple[bytes | None, list[str]]:
    """releases.json with the release added (None if it is listed already), and the versions
    it lists."""
    releases = json.loads(raw)["releases"] if raw else []
    if any(r["version"] == manifest["version"] for r in releases):
        return None, [r["version"] for r in releases]
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
    return canonical_json({"releases": releases}), [r["version"] for r in releases]
