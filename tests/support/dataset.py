"""The project's own data/, loaded once: what the data tests read."""

from __future__ import annotations

from chalicelib.checks.intake import DATA_DIR, load_paths

RECORDS: dict[tuple[str, str], dict] = {
    (i.collection, i.record["id"]): i.record
    for i in load_paths([DATA_DIR])
    if isinstance(i.record, dict)
}


def of(collection: str) -> list[dict]:
    """The live records of one collection."""
    return [r for (c, _), r in RECORDS.items() if c == collection and "tombstone" not in r]
