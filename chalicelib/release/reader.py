"""Reading one published release: what the API serves from, whatever the store.

A ``Release`` is a self-contained view of one immutable release (``dataset.Dataset`` finds
the current one, or a pinned one), so a request that began on it finishes on it. Every object
is checked before it is trusted: the manifest against the digest
in ``current.json`` or ``releases.json``, each file against the manifest, and each
record against its directory shard. A mismatch raises IntegrityError and nothing is
cached, so a repaired object is served on the next request. Because releases never
change, whatever passed the check is cached for the life of the process.

Serving one record reads its directory shard (a few hundred ids), which says where the
record's bytes sit in its collection's index chunks, and then exactly those bytes with
one ranged read: two small reads cold, none warm, at any dataset size.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from chalicelib.checks.catalog import Catalog, source_facts
from chalicelib.errors import (
    IntegrityError,
    ObjectMissing,
    ObjectTruncated,
    Redacted,
    StoreError,
)
from chalicelib.model.kinds import ID_MAX_LENGTH, ID_PATTERN, kind_of_collection
from chalicelib.release.cache import Memo as _LRU
from chalicelib.release.layout import (
    MANIFEST,
    chunk_path,
    claim_key_path,
    directory_path,
    download_path,
    index_path,
    release_prefix,
    schema_path,
    sha256_hex,
    shard_of,
)
from chalicelib.release.redactions import Withdrawal
from chalicelib.release.signing import SUFFIX as SIGNATURE_SUFFIX
from chalicelib.store import Store

DEFAULT_TTL = 30.0
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class RecordBytes:
    """A live record: its exact canonical JSON, to be served as-is, and its sha256."""

    collection: str
    id: str
    body: bytes
    sha256: str


@dataclass(frozen=True)
class Tombstone:
    """A withdrawn id (answer 410) or one merged into ``merged_into`` (answer 308)."""

    collection: str
    id: str
    action: str  # 'withdrawn' or 'merged'
    reason: str
    date: str
    merged_into: str | None  # '<collection>/<id>' when merged


def valid_id(record_id: str) -> bool:
    """True if ``record_id`` could name a record; anything else is answered without a read."""
    return (
        isinstance(record_id, str)
        and len(record_id) <= ID_MAX_LENGTH
        and _ID.match(record_id) is not None
    )


Body = TypeVar("Body", bytes, memoryview)


def verified(key: str, body: Body, expected: str) -> Body:
    """``body`` if its sha256 is ``expected``; else IntegrityError naming ``key``."""
    actual = sha256_hex(body)
    if actual != expected:
        raise IntegrityError(key, expected, actual)
    return body


class Release:
    """One published release, read lazily and verified object by object.

    ``withdrawn`` names the files withdrawn from it for a redaction since it was published
    (chalicelib.release.redactions): reading one raises Redacted, and a record whose chunk is
    withdrawn is read from the release that replaced it, through ``replacement``.
    """

    def __init__(
        self,
        store: Store,
        version: str,
        manifest_bytes: bytes,
        cache: _LRU,
        withdrawn: dict[str, Withdrawal] | None = None,
        replacement: Callable[[str], Release] | None = None,
        stamp: str | None = None,
    ):
        self.version = version
        self.withdrawn: dict[str, Withdrawal] = withdrawn or {}
        self.stamp = stamp  # the register's digest: answers kept for this release depend on it
        self._replacement = replacement
        self.manifest: dict[str, Any] = json.loads(manifest_bytes)
        self.manifest_bytes = manifest_bytes  # as signed: served for `verify --url`
        self.manifest_sha256 = sha256_hex(manifest_bytes)
        self._store = store
        self._prefix = release_prefix(version)
        self._cache = cache
        self._files: dict[str, dict[str, Any]] = self.manifest["files"]
        self._downloads: dict[str, dict[str, Any]] | None = None
        self._shards: dict[str, int] = self.manifest["shards"]["directory"]
        self._indexes: dict[str, Any] = {}
        self._index_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Release({self.version!r})"

    @property
    def published(self) -> str:
        return self.manifest["published"]

    def redact(self, withdrawn: dict[str, Withdrawal], stamp: str | None) -> None:
        """Take the register's newest word on this release (the caller clears the caches)."""
        with self._index_lock:
            self.withdrawn, self.stamp, self._indexes = withdrawn, stamp, {}

    # -- verified reads ---------------------------------------------------------------

    def _check_withdrawn(self, path: str) -> None:
        withdrawal = self.withdrawn.get(path)
        if withdrawal is not None:
            raise Redacted(self.version, path, withdrawal.replaced_by, withdrawal.reason)

    def _read(self, path: str, expected: str) -> bytes:
        self._check_withdrawn(path)
        try:
            body = self._store.get(self._prefix + path)
        except ObjectMissing:
            # The release promised this object: its absence is damage, not a 404.
            raise IntegrityError(path, expected, "absent") from None
        return verified(path, body, expected)

    def _read_range(self, path: str, start: int, length: int, expected: str) -> bytes:
        self._check_withdrawn(path)
        try:
            body = self._store.get_range(self._prefix + path, start, length)
        except ObjectMissing:
            raise IntegrityError(path, expected, "absent") from None
        except ObjectTruncated:
            raise IntegrityError(path, expected, "truncated") from None
        return verified(f"{path} bytes {start}+{length}", body, expected)

    def read_file(self, path: str) -> bytes:
        """The verified bytes of a file the manifest lists (``schemas/…``, ``index/…``, …)."""
        info = self._files.get(path)
        if info is None:
            raise ObjectMissing(path)
        return self._read(path, info["sha256"])

    def _cached_json(self, path: str) -> Any:
        """A small listed JSON file (a shard), parsed, verified and cached."""
        key = (self.version, path)
        found = self._cache.get(key)
        if found is None:
            body = self.read_file(path)
            found = self._cache.put(key, json.loads(body), 2 * len(body) + 256)
        return found

    # -- records ----------------------------------------------------------------------

    def entry(self, collection: str, record_id: str) -> dict[str, Any] | None:
        """The directory entry of an id, or None if it has none: {sha256, chunk, start, bytes}
        for a live record, {sha256, tombstone} for a tombstone."""
        path = self._shard_path(collection, record_id)
        return None if path is None else self._cached_json(path).get(record_id)

    def record(self, collection: str, record_id: str) -> RecordBytes | Tombstone | None:
        """A record's exact bytes, its tombstone, or None when the release has no such id.

        Warm, this reads nothing; cold, one directory shard and (for a live record) a
        ranged read of the record's bytes in its index chunk. An id that is not shaped like
        one is answered with no read at all.
        """
        key = (self.version, collection, record_id)
        found = self._cache.get(key)
        if found is not None:
            return found
        entry = self.entry(collection, record_id)
        if entry is None:
            return None
        tombstone = entry.get("tombstone")
        if tombstone is not None:
            found = Tombstone(
                collection,
                record_id,
                tombstone["action"],
                tombstone["reason"],
                tombstone["date"],
                tombstone.get("merged_into"),
            )
            return self._cache.put(key, found, 256)
        if "chunk" in entry and chunk_path(collection, entry["chunk"]) in self.withdrawn:
            found = self._replaced(collection, record_id, entry)
            return self._cache.put(key, found, 256 + len(getattr(found, "body", b"")))
        if "chunk" in entry:
            body = self._read_range(
                chunk_path(collection, entry["chunk"]),
                entry["start"],
                entry["bytes"],
                entry["sha256"],
            )
        else:
            # A format-1 release kept one object per record. Releases are cited and pinned
            # for years, so the ones published before format 2 stay servable.
            body = self._read(f"records/{collection}/{record_id}.json", entry["sha256"])
        return self._cache.put(
            key, RecordBytes(collection, record_id, body, entry["sha256"]), len(body) + 128
        )

    def _replaced(self, collection: str, record_id: str, entry: dict) -> RecordBytes | Tombstone:
        """A record whose chunk was withdrawn, from the release that replaced the chunk: its
        same bytes if the record did not change, or its redacted form if the redaction was of
        this record. Any other record of the chunk answers Redacted."""
        path = chunk_path(collection, entry["chunk"])
        withdrawal = self.withdrawn[path]
        if self._replacement is not None:
            found = self._replacement(withdrawal.replaced_by).record(collection, record_id)
            if isinstance(found, RecordBytes) and found.sha256 == entry["sha256"]:
                return found
            if found is not None and f"{collection}/{record_id}" in withdrawal.records:
                return found
        raise Redacted(self.version, path, withdrawal.replaced_by, withdrawal.reason)

    def directory(self, collection: str) -> dict[str, dict[str, Any]]:
        """Every id of ``collection`` with its entry: reads every shard (publishing only)."""
        entries: dict[str, dict[str, Any]] = {}
        for shard in range(self._shards.get(collection, 0)):
            entries.update(json.loads(self.read_file(directory_path(collection, shard))))
        return dict(sorted(entries.items()))

    # -- indexes, schemas, downloads ---------------------------------------------------

    def collection_index(self, collection: str):
        """The loaded query index of ``collection`` (chalicelib.release.index.CollectionIndex)."""
        index = self._indexes.get(collection)
        if index is not None:
            return index
        kind = kind_of_collection(collection)
        if kind is None:
            raise KeyError(f"no collection named {collection!r}")
        from chalicelib.release.index import CollectionIndex

        with self._index_lock:
            index = self._indexes.get(collection)
            if index is None:
                # The index reads its files lazily, each verified against the manifest.
                index = CollectionIndex.load(
                    kind, lambda name: self.read_file(index_path(collection, name))
                )
                self._indexes[collection] = index
        return index

    def schema_bytes(self, file_name: str) -> bytes:
        """The verified bytes of one of the release's schemas ('person.schema.json')."""
        path = schema_path(file_name)
        key = (self.version, path)
        found = self._cache.get(key)
        if found is None:
            body = self.read_file(path)
            found = self._cache.put(key, body, len(body))
        return found

    def files(self) -> dict[str, dict[str, Any]]:
        """The downloads by name ('people.csv'), each with its bytes and sha256: found once
        among the manifest's files (every index object is one), since a release never changes."""
        if self._downloads is None:
            prefix = download_path("")
            self._downloads = {
                path[len(prefix) :]: info
                for path, info in self._files.items()
                if path.startswith(prefix)
            }
        return self._downloads

    def file_key(self, name: str) -> str:
        """The store key of the download ``name``, to serve or presign; ObjectMissing if none,
        Redacted if it was withdrawn."""
        path = download_path(name)
        if path not in self._files:
            raise ObjectMissing(path)
        self._check_withdrawn(path)
        return self._prefix + path

    def manifest_signature(self) -> bytes:
        """The signature beside the manifest (ObjectMissing if the release is unsigned). Not
        checked here: it is checked by whoever holds the keys, which the API does not serve."""
        return self._store.get(self._prefix + MANIFEST + SIGNATURE_SUFFIX)

    def file_bytes(self, name: str) -> bytes:
        """The verified bytes of the download ``name`` (not cached: downloads can be large)."""
        return self.read_file(download_path(name))

    def history_json(self, path: str) -> Any | None:
        """A file of ``history/`` (chalicelib.release.history), parsed, verified and cached;
        None when this release has no such file (it was built before the history index)."""
        return self._cached_json(path) if path in self._files else None

    def changes(self) -> dict[str, Any]:
        """This release's ``changes.json``: what it added, changed, removed and tombstoned."""
        return json.loads(self.file_bytes("changes.json"))

    def catalog(self) -> ReleaseCatalog:
        """What POST /validate checks a batch against: this release, looked up lazily."""
        return ReleaseCatalog(self)

    def prefetch(self, references: set[tuple[str, str]], claim_keys: set[str]) -> None:
        """Read, concurrently, what looking up ``references`` and ``claim_keys`` will read:
        their directory and claim-key shards, then the cited sources' records.

        The lookups themselves then find everything cached. Checking a batch one id at a time
        made hundreds of reads one after another in a cold process; these run side by side.
        A read that fails here is left for the lookup to make again and report.
        """
        shards = {self._shard_path(c, i) for c, i in references} - {None}
        digests = {sha256_hex(key.encode("utf-8")) for key in claim_keys}
        count = self.manifest["shards"]["claim-keys"]
        shards |= {claim_key_path(shard_of(d, count)) for d in digests}
        # A warm process holds most of them already: no thread is started for those.
        _side_by_side(
            self._cached_json,
            sorted(p for p in shards if self._cache.get((self.version, p)) is None),
        )
        sources = sorted(
            i
            for c, i in references
            if c == "sources" and self._cache.get((self.version, "sources", i)) is None
        )
        _side_by_side(lambda source_id: self.record("sources", source_id), sources)

    def _shard_path(self, collection: str, record_id: str) -> str | None:
        shards = self._shards.get(collection)
        if shards is None or not valid_id(record_id):
            return None
        return directory_path(collection, shard_of(record_id, shards))

    def claim_key_ids(self, key: str) -> list[str]:
        """The ids of the claims whose claim key (chalicelib.checks.catalog.claim_key) is ``key``."""
        digest = sha256_hex(key.encode("utf-8"))
        shards = self.manifest["shards"]["claim-keys"]
        return list(self._cached_json(claim_key_path(shard_of(digest, shards))).get(digest, ()))


PREFETCH_THREADS = 16


def _side_by_side(read: Callable[[Any], Any], keys: list) -> None:
    """``read(key)`` for every key on a few threads (reads wait on the network, not the CPU)."""
    if len(keys) < 2:
        for key in keys:
            _quietly(read, key)
        return
    with ThreadPoolExecutor(
        min(PREFETCH_THREADS, len(keys)), thread_name_prefix="prefetch"
    ) as pool:
        list(pool.map(lambda key: _quietly(read, key), keys))


def _quietly(read: Callable[[Any], Any], key: Any) -> None:
    try:
        read(key)
    except (StoreError, IntegrityError, Redacted):
        pass  # the lookup proper reads it again, and answers the failure


class ReleaseCatalog(Catalog):
    """A Catalog over a published release, reading only the shards a lookup needs."""

    def __init__(self, release: Release):
        super().__init__()
        self.release = release

    def has_entry(self, collection: str, record_id: str) -> bool:
        return self.release.entry(collection, record_id) is not None

    def exists(self, collection: str, record_id: str) -> bool:
        entry = self.release.entry(collection, record_id)
        return entry is not None and "tombstone" not in entry

    def tombstone(self, collection: str, record_id: str) -> dict | None:
        entry = self.release.entry(collection, record_id)
        return entry.get("tombstone") if entry else None

    def source_facts(self, source_id: str) -> tuple[str | None, str | None] | None:
        found = self.release.record("sources", source_id)
        return source_facts(json.loads(found.body)) if isinstance(found, RecordBytes) else None

    def claims_with_key(self, key: str) -> list[str]:
        return self.release.claim_key_ids(key)

    def prefetch(self, wanted) -> None:
        self.release.prefetch(*wanted())
