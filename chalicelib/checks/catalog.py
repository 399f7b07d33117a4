"""What the cross-record checks look up: which records exist, and the few facts they compare.

A catalog is built from ``data/`` by the CLI and the build, and from the current
release by ``POST /validate``. A batch under validation overlays it, so records
in one batch may refer to each other and may replace records already published.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.errors import EDTFError
from chalicelib.model import edtf
from chalicelib.model.kinds import ALL_COLLECTIONS, BY_NAME


def claim_key(record: Any) -> str | None:
    """What makes two claims the same claim: subject, property, value and claimed_by."""
    if not isinstance(record, dict):
        return None
    parts = [record.get(k) for k in ("subject", "property", "value", "claimed_by")]
    if any(p is None for p in parts):
        return None
    return json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def source_facts(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """(latest day the source may have been published, its type), for the claim-date checks."""
    published = record.get("published")
    latest = None
    if isinstance(published, str):
        try:
            latest = edtf.bounds(published)[1]
        except EDTFError:
            latest = None
    kind = record.get("type")
    return latest, kind if isinstance(kind, str) else None


class Catalog:
    """An in-memory catalog of records, keyed by collection and id."""

    def __init__(self) -> None:
        self._ids: dict[str, set[str]] = {c: set() for c in ALL_COLLECTIONS}
        self._tombstones: dict[tuple[str, str], dict[str, Any]] = {}
        self._sources: dict[str, tuple[str | None, str | None]] = {}
        self._claims: dict[str, list[str]] = {}

    def add(self, collection: str, record: Any, key: str | None = None) -> None:
        """Register one record (or tombstone) of ``collection``; malformed ones are skipped.

        ``key`` is a claim's claim key, when the caller has worked it out already.
        """
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            return
        record_id = record["id"]
        if "tombstone" in record:
            tombstone = record["tombstone"]
            self._tombstones[(collection, record_id)] = (
                tombstone if isinstance(tombstone, dict) else {}
            )
            return
        self._ids[collection].add(record_id)
        if collection == "sources":
            self._sources[record_id] = source_facts(record)
        elif collection == "claims":
            key = claim_key(record) if key is None else key
            if key is not None:
                self._claims.setdefault(key, []).append(record_id)

    @classmethod
    def from_items(cls, items: Iterable[Any]) -> Catalog:
        """A catalog of validation items (``chalicelib.checks.validate.Item``)."""
        catalog = cls()
        for item in items:
            kind = BY_NAME.get(item.kind or "")
            if kind is not None:
                catalog.add(kind.collection, item.record, item.claim_key)
        return catalog

    @classmethod
    def overlay(cls, base: Catalog | None, items: Iterable[Any]) -> Catalog:
        """``base`` with ``items`` laid over it; the items win where both hold an id."""
        top = cls.from_items(items)
        return top if base is None else _Overlay(top, base)

    def has_entry(self, collection: str, record_id: str) -> bool:
        """True if this catalog says anything about the id, live or tombstone."""
        return record_id in self._ids[collection] or (collection, record_id) in self._tombstones

    def exists(self, collection: str, record_id: str) -> bool:
        """True if a live (not tombstoned) record has this id."""
        return record_id in self._ids.get(collection, ())

    def tombstone(self, collection: str, record_id: str) -> dict[str, Any] | None:
        return self._tombstones.get((collection, record_id))

    def source_facts(self, source_id: str) -> tuple[str | None, str | None] | None:
        return self._sources.get(source_id)

    def claims_with_key(self, key: str) -> list[str]:
        return self._claims.get(key, [])

    def prefetch(self, wanted: Callable[[], tuple[set[tuple[str, str]], set[str]]]) -> None:
        """Get ready for the lookups a batch will make: ``wanted()`` gives the (collection, id)
        pairs it refers to and its claim keys. An in-memory catalog has nothing to fetch, and
        never calls ``wanted``."""


class _Overlay(Catalog):
    """A batch catalog in front of a base catalog."""

    def __init__(self, top: Catalog, base: Catalog):
        super().__init__()
        self.top, self.base = top, base

    def _pick(self, collection: str, record_id: str) -> Catalog:
        return self.top if self.top.has_entry(collection, record_id) else self.base

    def has_entry(self, collection: str, record_id: str) -> bool:
        return self.top.has_entry(collection, record_id) or self.base.has_entry(
            collection, record_id
        )

    def exists(self, collection: str, record_id: str) -> bool:
        return self._pick(collection, record_id).exists(collection, record_id)

    def tombstone(self, collection: str, record_id: str) -> dict[str, Any] | None:
        return self._pick(collection, record_id).tombstone(collection, record_id)

    def source_facts(self, source_id: str) -> tuple[str | None, str | None] | None:
        return self._pick("sources", source_id).source_facts(source_id)

    def prefetch(self, wanted: Callable[[], tuple[set[tuple[str, str]], set[str]]]) -> None:
        def from_base() -> tuple[set[tuple[str, str]], set[str]]:
            # What the batch itself holds is looked up in the batch, never in the base.
            references, keys = wanted()
            return {r for r in references if not self.top.has_entry(*r)}, keys

        self.base.prefetch(from_base)

    def claims_with_key(self, key: str) -> list[str]:
        # A base claim that the batch replaces no longer speaks for itself.
        base = [c for c in self.base.claims_with_key(key) if not self.top.has_entry("claims", c)]
        return self.top.claims_with_key(key) + base
