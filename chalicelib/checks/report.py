"""What validation reports: each problem found (``Violation``), each item checked (``Item``),
and the whole report (``Report``), as the CLI, the build and ``POST /validate`` show it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from chalicelib.checks.catalog import claim_key as claim_key_of
from chalicelib.model.kinds import BY_NAME, KINDS

MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class Violation:
    """One error or warning: where (JSON Pointer), which rule (keyword), and what, plainly."""

    pointer: str
    keyword: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "keyword": self.keyword, "message": self.message}


@dataclass
class Item:
    """A record to validate, with where it came from.

    ``kind`` is the schema name, or None when it could not be told. ``expected_id`` is
    the id the file name promises. ``errors`` may already hold problems found while
    reading the item, in which case its record is None.
    """

    kind: str | None
    record: Any
    origin: str
    index: int = 0
    expected_id: str | None = None
    errors: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    # False when the item's raw text was read and holds no "<fill in: …>" placeholder
    # (chalicelib.checks.placeholders.MARK): the record is then not walked looking for one.
    may_hold_blanks: bool = True

    @property
    def collection(self) -> str | None:
        kind = BY_NAME.get(self.kind or "")
        return kind.collection if kind else None

    @property
    def record_id(self) -> str | None:
        record_id = self.record.get("id") if isinstance(self.record, dict) else None
        return record_id if isinstance(record_id, str) else None

    @property
    def is_tombstone(self) -> bool:
        return isinstance(self.record, dict) and "tombstone" in self.record

    @cached_property
    def claim_key(self) -> str | None:
        """A claim's claim key (chalicelib.checks.catalog.claim_key), worked out once; None for
        other kinds. The catalog, the duplicate check and the release all need it."""
        return claim_key_of(self.record) if self.kind == "claim" else None

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.record_id,
            "kind": self.kind,
            "valid": self.valid,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


@dataclass
class Report:
    """The outcome of validating a batch: one result per item, in input order."""

    items: list[Item]

    @property
    def valid(self) -> bool:
        return all(item.valid for item in self.items)

    @property
    def error_count(self) -> int:
        return sum(len(item.errors) for item in self.items)

    @property
    def warning_count(self) -> int:
        return sum(len(item.warnings) for item in self.items)

    def counts(self) -> dict[str, int]:
        """Records per collection, in registry order; unknown kinds count under '?'."""
        counts = {kind.collection: 0 for kind in KINDS}
        for item in self.items:
            key = item.collection or "?"
            counts[key] = counts.get(key, 0) + 1
        return {k: v for k, v in counts.items() if v or k != "?"}

    def to_dict(self) -> dict[str, Any]:
        """The same shape that ``POST /validate`` answers with."""
        return {"valid": self.valid, "results": [item.to_dict() for item in self.items]}


# Runs work(items), which gives one result per item, possibly over parts of the items in
# other processes (chalicelib.release.cores.map_shared); the results come back in the items' order.
Spread = Callable[[Callable[[Sequence[Any]], list[Any]], Sequence[Any]], list[Any]]
