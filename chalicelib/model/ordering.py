"""How records of a kind are ordered and dated: the sort keys and day numbers that the list
index (at build time) and the list queries (at request time) share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.errors import EDTFError
from chalicelib.model import edtf
from chalicelib.model.kinds import Kind, values_at

# Date spans are YYYYMMDD integers (order-preserving, and cheap to compare); open ends compare
# below or above every day.
OPEN_START, OPEN_END = 0, 99_999_999


def sort_key(kind: Kind, key: str) -> Callable[[dict[str, Any]], tuple[str, str] | None]:
    """How ``kind`` orders records by ``key``; None (no value) sorts last in ascending order.

    A key naming one of the kind's date fields (by its last step: 'date' is a claim's
    ``qualifiers.date``) sorts by the date's (earliest, latest) bounds; any other key sorts by the
    top-level string field of that name, case-insensitively.
    """
    date_path = next((p for p in kind.date_fields if p[-1] == key), None)
    if date_path is not None:

        def by_date(record: dict[str, Any]) -> tuple[str, str] | None:
            for _, text in values_at(record, date_path):
                try:
                    lo, hi = edtf.bounds(text)
                except EDTFError:
                    return None
                return (lo or "", hi or "9999-99-99")
            return None

        return by_date

    def by_text(record: dict[str, Any]) -> tuple[str, str] | None:
        value = record.get(key)
        return (value.casefold(), value) if isinstance(value, str) else None

    return by_text


def day_number(day: str | None, open_value: int) -> int:
    """'1988-07-28' as 19880728; ``open_value`` for an open end."""
    return open_value if day is None else int(day.replace("-", ""))
