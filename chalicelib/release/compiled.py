"""A release compiled in memory: what the build hands the writer, the downloads and publish.

Plain data, with no I/O: every record as canonical bytes with its digest and its place in the
index chunks, by collection, plus the release's time and content digest.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from chalicelib.checks.validate import Report
from chalicelib.model.kinds import Kind
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.redact import Withheld


@dataclass(slots=True)
class CompiledRecord:
    """One record (or tombstone) as the release holds it."""

    id: str
    record: dict
    body: bytes  # canonical JSON: the exact bytes the API serves
    sha256: str
    chunk: int = -1  # a live record's place in index/<collection>/: chunk number and offset
    start: int = 0

    @property
    def entry(self) -> dict[str, Any]:
        """Its directory-shard entry: the digest, plus the tombstone for a tombstone, or
        where its bytes are for a live record."""
        if "tombstone" in self.record:
            return {"sha256": self.sha256, "tombstone": self.record["tombstone"]}
        return {
            "sha256": self.sha256,
            "chunk": self.chunk,
            "start": self.start,
            "bytes": len(self.body),
        }


@dataclass
class CompiledCollection:
    kind: Kind
    live: list[CompiledRecord] = field(default_factory=list)  # sorted by id
    tombstones: list[CompiledRecord] = field(default_factory=list)  # sorted by id

    def entries(self) -> dict[str, dict[str, Any]]:
        """Directory entries of every id, live and tombstone, sorted by id."""
        merged = sorted(self.live + self.tombstones, key=lambda r: r.id)
        return {r.id: r.entry for r in merged}


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
    """``data/`` read, validated and canonicalized: everything but the writing."""

    schemas: SchemaSet
    schema_bytes: dict[str, bytes]
    collections: dict[str, CompiledCollection]
    report: Report
    epoch: int
    content_sha256: str
    claim_keys: dict[str, list[str]]  # sha256 of a claim key -> its live claims' ids, by digest
    # What the records withhold, with the withheld texts: only the publisher reads it, to find
    # the older releases that still hold them. No file of the release is made from it.
    withheld: list[Withheld] = field(default_factory=list)

    @property
    def version(self) -> str:
        return time.strftime("%Y%m%d", time.gmtime(self.epoch)) + "-" + self.content_sha256[:8]

    @cached_property
    def entries(self) -> dict[str, dict[str, dict]]:
        return {c: coll.entries() for c, coll in self.collections.items()}

    def record_count(self) -> int:
        return sum(len(c.live) + len(c.tombstones) for c in self.collections.values())
