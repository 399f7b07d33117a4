"""The project's own data/, loaded once: what the data tests read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import pytest

from chalicelib.checks.intake import DATA_DIR, load_paths

RECORDS: dict[tuple[str, str], dict] = {
    (i.collection, i.record["id"]): i.record
    for i in load_paths([DATA_DIR])
    if isinstance(i.record, dict)
}
T = TypeVar("T")


def of(collection: str) -> list[dict]:
    """The live records of one collection."""
    return [r for (c, _), r in RECORDS.items() if c == collection and "tombstone" not in r]


def assert_each(items: Iterable[T], check: Callable[[T], object], name: Callable[[T], str]):
    """Run ``check`` on every item and fail once, naming every item whose check failed.

    One test over every record, rather than one test per record: a per-record test costs more
    in the test runner than the check itself, and there are thousands of them. The failure
    still names each bad record, with its own assertion message."""
    failed = []
    for item in items:
        try:
            check(item)
        except AssertionError as error:
            failed.append(f"{name(item)}: {error}")
    if failed:
        pytest.fail(f"{len(failed)} failed:\n" + "\n".join(failed), pytrace=False)
