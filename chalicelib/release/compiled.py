"""A release compiled for writing: what the build hands the writer, the downloads and publish.

Kept small enough for a million records: the build holds, per record, only its id, digest
and sizes, and where its spooled bytes are. Everything the files need of a live record (its
canonical JSON, its CSV lines, what its index keeps) was worked out where it was read and
spooled to a temporary file (``Spool``); the writer streams it back, in id order, one record
at a time. Tombstones, which are few, stay whole.
"""

from __future__ import annotations

import bisect
import os
import pickle
import shutil
import tempfile
import time
import weakref
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from chalicelib.checks.validate import Report
from chalicelib.model.kinds import Kind
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.derived import DerivedValues
from chalicelib.release.index import CHUNK_RECORDS
from chalicelib.release.redact import Withheld


class Spooled(NamedTuple):
    """What the writer needs of one live record, as the read stage worked it out."""

    body: bytes  # canonical JSON: the exact bytes the API serves
    csv_row: bytes  # its line of <collection>.csv
    source_rows: bytes  # a claim's lines of claims-sources.csv (empty for other kinds)
    features: tuple  # what its index keeps (chalicelib.release.index.index_features)
    sql: tuple  # its rows of all.sqlite, references unresolved (chalicelib.release.sqlite)


class Spool:
    """A temporary folder of records spooled by the processes that read them.

    Each process appends to a file of its own, named by its pid, so that forked readers
    never share one; a record is then found by (pid, offset) and its four sizes. The folder
    is removed by ``close`` or, failing that, when the spool is collected.
    """

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="release-spool-")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.folder, True)
        self._out: dict[int, Any] = {}
        self._in: dict[int, int] = {}

    def put(
        self, body: bytes, csv_row: bytes, source_rows: bytes, features: tuple, sql: tuple
    ) -> tuple:
        """Spool one record; return where it is: (pid, offset, sizes of its four parts: the
        index features and the SQL rows are pickled together)."""
        pid = os.getpid()
        out = self._out.get(pid)
        if out is None:
            out = self._out[pid] = open(os.path.join(self.folder, str(pid)), "ab")  # noqa: SIM115
        offset = out.tell()
        pickled = pickle.dumps((features, sql), pickle.HIGHEST_PROTOCOL)
        out.write(body)
        out.write(csv_row)
        out.write(source_rows)
        out.write(pickled)
        return pid, offset, len(body), len(csv_row), len(source_rows), len(pickled)

    def flush(self) -> None:
        """Make what this process spooled readable by the others."""
        out = self._out.get(os.getpid())
        if out is not None:
            out.flush()

    def get(self, pid: int, offset: int, sizes: Sequence[int], features: bool = True) -> Spooled:
        fd = self._in.get(pid)
        if fd is None:
            fd = self._in[pid] = os.open(os.path.join(self.folder, str(pid)), os.O_RDONLY)
        body, row, rows, pickled = sizes
        if not features:
            pickled = 0
        raw = os.pread(fd, body + row + rows + pickled, offset)
        view = memoryview(raw)
        a, b, c = body, body + row, body + row + rows
        features_of, sql = pickle.loads(view[c:]) if pickled else ((), ())
        return Spooled(raw[:a], raw[a:b], raw[b:c], features_of, sql)

    def close(self) -> None:
        for out in self._out.values():
            out.close()
        for fd in self._in.values():
            os.close(fd)
        self._out, self._in = {}, {}
        self._finalizer()


@dataclass
class CompiledTombstone:
    id: str
    record: dict
    sha256: str

    @property
    def entry(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "tombstone": self.record["tombstone"]}


@dataclass
class CompiledCollection:
    """One collection's records: the live ones as parallel arrays in id order, where the i-th
    live record has id ``ids[i]``, the sha256 ``digests[32 i : 32 i + 32]``, and its spooled
    bytes at ``where`` (pid, offset) with ``sizes``; and its tombstones, whole."""

    kind: Kind
    ids: list[str] = field(default_factory=list)
    digests: bytearray = field(default_factory=bytearray)
    pids: array = field(default_factory=lambda: array("I"))
    offsets: array = field(default_factory=lambda: array("Q"))
    sizes: array = field(default_factory=lambda: array("I"))  # four per record: see Spool.put
    tombstones: list[CompiledTombstone] = field(default_factory=list)  # sorted by id

    @property
    def live_count(self) -> int:
        return len(self.ids)

    def sha256(self, ordinal: int) -> str:
        return self.digests[32 * ordinal : 32 * ordinal + 32].hex()

    def spooled(self, spool: Spool, ordinal: int, features: bool = True) -> Spooled:
        """The spooled parts of the live record at ``ordinal``."""
        sizes = self.sizes[4 * ordinal : 4 * ordinal + 4]
        return spool.get(self.pids[ordinal], self.offsets[ordinal], sizes, features)

    def body_of(self, spool: Spool, record_id: str) -> bytes:
        """The canonical JSON of the live record ``record_id`` (KeyError if there is none)."""
        o = bisect.bisect_left(self.ids, record_id)
        if o == len(self.ids) or self.ids[o] != record_id:
            raise KeyError(record_id)
        return self.spooled(spool, o, features=False).body

    def live(self, spool: Spool, features: bool = True) -> Iterator[Spooled]:
        """Every live record's spooled parts, in id order (``features`` False skips those)."""
        sizes, pids, offsets, get = self.sizes, self.pids, self.offsets, spool.get
        for o in range(len(self.ids)):
            yield get(pids[o], offsets[o], sizes[4 * o : 4 * o + 4], features)

    def live_entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, directory entry) of each live record, in id order: its digest and where its
        bytes sit in index/<collection>/ (chunk number, offset and length)."""
        start = 0
        for o, record_id in enumerate(self.ids):
            if o % CHUNK_RECORDS == 0:
                start = 0
            size = self.sizes[4 * o]
            yield (
                record_id,
                {
                    "sha256": self.sha256(o),
                    "chunk": o // CHUNK_RECORDS,
                    "start": start,
                    "bytes": size,
                },
            )
            start += size + 1

    def entries(self) -> Entries:
        """Directory entries of every id, live and tombstone, by id, in id order."""
        return Entries(self)


class Entries(Mapping):
    """A collection's directory entries, made when asked for rather than held: at a million
    records, the dicts alone would take hundreds of megabytes."""

    def __init__(self, collection: CompiledCollection):
        self._collection = collection
        self._tombstones = {t.id: t for t in collection.tombstones}

    def __len__(self) -> int:
        return len(self._collection.ids) + len(self._tombstones)

    def __iter__(self) -> Iterator[str]:
        return (record_id for record_id, _ in self.items())

    def __getitem__(self, record_id: str) -> dict[str, Any]:
        tombstone = self._tombstones.get(record_id)
        if tombstone is not None:
            return tombstone.entry
        ids = self._collection.ids
        o = bisect.bisect_left(ids, record_id)
        if o == len(ids) or ids[o] != record_id:
            raise KeyError(record_id)
        sizes, start = self._collection.sizes, 0
        for before in range(o - o % CHUNK_RECORDS, o):
            start += sizes[4 * before] + 1
        return {
            "sha256": self._collection.sha256(o),
            "chunk": o // CHUNK_RECORDS,
            "start": start,
            "bytes": sizes[4 * o],
        }

    def __contains__(self, record_id: object) -> bool:
        if not isinstance(record_id, str):
            return False
        if record_id in self._tombstones:
            return True
        ids = self._collection.ids
        o = bisect.bisect_left(ids, record_id)
        return o < len(ids) and ids[o] == record_id

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:  # type: ignore[override]
        """(id, entry) in id order: live records and tombstones merged."""
        tombstones = self._collection.tombstones
        t = 0
        for record_id, entry in self._collection.live_entries():
            while t < len(tombstones) and tombstones[t].id < record_id:
                yield tombstones[t].id, tombstones[t].entry
                t += 1
            yield record_id, entry
        for tombstone in tombstones[t:]:
            yield tombstone.id, tombstone.entry


class ClaimKeys:
    """The live claims by the sha256 of their claim key, in digest order: what
    ``catalog/claim-keys/`` holds. One blob of digests and a list of ids (shared with the
    claims collection), rather than a dict of lists of a million small objects."""

    def __init__(self, digests: bytes, ids: list[str]):
        order = sorted(range(len(ids)), key=lambda i: digests[32 * i : 32 * i + 32])
        self._digests = b"".join(digests[32 * i : 32 * i + 32] for i in order)
        self._ids = [ids[i] for i in order]
        self._count = len({self._digests[n : n + 32] for n in range(0, len(self._digests), 32)})

    def __len__(self) -> int:
        """How many distinct claim keys."""
        return self._count

    def ids_of(self, digest: bytes) -> list[str]:
        """The ids of the claims whose key has this sha256, in the order they were read."""
        digests, ids = self._digests, self._ids
        lo, hi = 0, len(ids)
        while lo < hi:  # bisect over the blob's 32-byte digests
            mid = (lo + hi) // 2
            if digests[32 * mid : 32 * mid + 32] < digest:
                lo = mid + 1
            else:
                hi = mid
        end = lo
        while end < len(ids) and digests[32 * end : 32 * end + 32] == digest:
            end += 1
        return ids[lo:end]

    def items(self) -> Iterator[tuple[str, list[str]]]:
        """(hex digest, the sorted ids of its claims), in digest order."""
        digests, ids, n = self._digests, self._ids, 0
        while n < len(ids):
            digest, end = digests[32 * n : 32 * n + 32], n + 1
            while end < len(ids) and digests[32 * end : 32 * end + 32] == digest:
                end += 1
            yield digest.hex(), sorted(ids[n:end])
            n = end


@dataclass
class PreviousRelease:
    """What changes.json and history/ compare against: a version and its directory entries;
    and, read beforehand by the publisher (the build may run in forked processes), its
    ``history/`` files by path and the records that changed, by (collection, id)."""

    version: str
    entries: Mapping[str, Mapping[str, dict]]
    history: Mapping[str, bytes] = field(default_factory=dict)
    records: Mapping[tuple[str, str], dict] = field(default_factory=dict)
    # True when some of its records could not be read (withheld since): a change of theirs
    # is recorded without the fields it touched.
    partial: bool = False


@dataclass
class Compiled:
    """``data/`` read, validated and canonicalized: everything but the writing.

    Its live records' bytes are in ``spool``; ``close`` removes them (as does collecting it).
    """

    schemas: SchemaSet
    schema_bytes: dict[str, bytes]
    collections: dict[str, CompiledCollection]
    report: Report  # the items with warnings (a valid dataset has no errors)
    epoch: int
    content_sha256: str
    claim_keys: ClaimKeys
    spool: Spool | None = None
    # What the records withhold, with the withheld texts: only the publisher reads it, to find
    # the older releases that still hold them. No file of the release is made from it.
    withheld: list[Withheld] = field(default_factory=list)
    # The claim facts that derived filters are made of (chalicelib.release.derived).
    derived: DerivedValues = field(default_factory=DerivedValues)

    @property
    def version(self) -> str:
        return time.strftime("%Y%m%d", time.gmtime(self.epoch)) + "-" + self.content_sha256[:8]

    @property
    def entries(self) -> dict[str, Entries]:
        return {c: coll.entries() for c, coll in self.collections.items()}

    def record_count(self) -> int:
        return sum(c.live_count + len(c.tombstones) for c in self.collections.values())

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()

    def __enter__(self) -> Compiled:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
