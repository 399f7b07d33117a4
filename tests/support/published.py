"""A published store that tests point the app at, and the records it was published from.

One shape for every test that serves a release: the API tests' generated dataset, and the
hardening tests' mini dataset, on a folder store or a moto bucket alike.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass
class Published:
    """A store holding one release, built from ``records``."""

    backend: str  # "dir" or "s3"
    url: str
    version: str
    records: dict[str, list[dict]]  # as written to data/, tombstones included

    @functools.cached_property
    def live(self) -> dict[str, list[dict]]:
        """The live records of each collection, in id order: what the lists serve."""
        return {
            collection: sorted((r for r in rs if "tombstone" not in r), key=lambda r: r["id"])
            for collection, rs in self.records.items()
        }

    @functools.cached_property
    def tombstones(self) -> dict[str, list[dict]]:
        return {c: [r for r in rs if "tombstone" in r] for c, rs in self.records.items()}

    def record(self, collection: str, record_id: str) -> dict:
        return next(r for r in self.live[collection] if r["id"] == record_id)

    def open(self):
        """A new Store object over it (for S3, a new client: hooks do not carry over)."""
        from chalicelib.store import open_store

        return open_store(self.url)

    @functools.cached_property
    def clean(self):
        """One Store object no test hooks into, to read healthy answers and repair damage."""
        return self.open()
