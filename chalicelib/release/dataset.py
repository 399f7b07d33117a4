"""The releases of one store, as this process sees them: the catalogue behind ``current.json``,
``releases.json`` and the register of redactions.

``Dataset(store).current()`` resolves ``current.json`` (re-read after a short TTL) and
``Dataset(store).pinned(version)`` a published release; both give a ``reader.Release``, a
self-contained view of one immutable release, so a request that began on it finishes on it.
Each release's manifest is checked against the digest ``current.json`` or ``releases.json``
gives before the release is used; the reading of the release itself is ``reader.py``'s.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from chalicelib.errors import (
    DatasetError,
    IntegrityError,
    ObjectMissing,
    ReleaseNotFound,
    StoreError,
)
from chalicelib.release.cache import Memo as _LRU
from chalicelib.release.layout import (
    CURRENT_KEY,
    MANIFEST,
    REDACTIONS_KEY,
    RELEASES_KEY,
    VERSION,
    release_prefix,
)
from chalicelib.release.reader import DEFAULT_CACHE_BYTES, DEFAULT_TTL, Release, verified
from chalicelib.release.redactions import Withdrawal, parse_register, withdrawals
from chalicelib.store import Store


class Dataset:
    """The releases in one store, as this process sees them.

    ``ttl`` is how long ``current.json`` (and ``releases.json``) is trusted before it is
    read again; releases themselves are immutable and cached until evicted. Safe to
    share between threads.
    """

    def __init__(
        self,
        store: Store,
        *,
        ttl: float = DEFAULT_TTL,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store = store
        self.ttl = ttl
        self._clock = clock
        self._cache = _LRU(cache_bytes)
        self._lock = threading.Lock()
        self._releases: dict[str, Release] = {}
        self._current: tuple[float, Release] | None = None
        self._listing: tuple[float, list[dict[str, Any]]] | None = None
        # The register of redactions that current.json names by digest, as last read.
        self._register_sha256: str | None = None
        self._register: list[dict[str, Any]] = []
        self._withdrawn: dict[str, dict[str, Withdrawal]] = {}

    def current(self, now: float | None = None) -> Release:
        """The release ``current.json`` names, re-checked once the TTL has passed.

        Raises ReleaseNotFound('current') when nothing has been published yet. Once a release
        is held, a pointer that cannot be read or used (the store is down, current.json is
        missing or garbled, or names a release that fails its checks) leaves the held release
        serving, verified as it was, and the pointer is tried again after another TTL.
        """
        now = self._clock() if now is None else now
        held = self._current
        if held is not None and now - held[0] < self.ttl:
            return held[1]
        try:
            release = self._resolve_current()
        except (StoreError, IntegrityError, ReleaseNotFound):
            if held is None:
                raise
            # Rather than fail every request while the store or the pointer is broken.
            self._current = (now, held[1])
            return held[1]
        self._current = (now, release)
        return release

    def _resolve_current(self) -> Release:
        pointer = self._read_json(CURRENT_KEY)
        if pointer is None:
            raise ReleaseNotFound("current")
        if not (
            isinstance(pointer, dict)
            and isinstance(pointer.get("version"), str)
            and VERSION.match(pointer["version"])
            and isinstance(pointer.get("manifest_sha256"), str)
        ):
            raise StoreError("current.json does not name a release")
        register = pointer.get("redactions_sha256")
        if not (register is None or isinstance(register, str)):
            raise StoreError("current.json names no register of redactions")
        self._take_register(register)
        return self._release(pointer["version"], pointer["manifest_sha256"])

    def _take_register(self, digest: str | None) -> None:
        """Read the register of redactions ``current.json`` names, if it is new to this process,
        and forget everything read from a release before it: a cached record, index or answer
        may hold a value withheld since."""
        if digest == self._register_sha256:
            return
        entries: list[dict[str, Any]] = []
        if digest is not None:
            try:
                body = self.store.get(REDACTIONS_KEY)
            except ObjectMissing:
                raise IntegrityError(REDACTIONS_KEY, digest, "absent") from None
            entries = parse_register(verified(REDACTIONS_KEY, body, digest))
        withdrawn = withdrawals(entries)
        with self._lock:
            self._register, self._withdrawn = entries, withdrawn
            self._register_sha256 = digest
            self._cache.clear()
            for release in self._releases.values():
                release.redact(withdrawn.get(release.version, {}), digest)

    def redactions(self, now: float | None = None) -> list[dict[str, Any]]:
        """The register's entries: what was withheld since an older release published it."""
        self._refresh(now)
        return list(self._register)

    def _refresh(self, now: float | None) -> None:
        """Re-read current.json once its TTL has passed, and with it the register."""
        try:
            self.current(now)
        except DatasetError:
            pass  # nothing published, or the store is down: the register held stays

    def pinned(self, version: str, now: float | None = None) -> Release:
        """A published release by version; ReleaseNotFound if it is not published here."""
        # A pinned release is immutable, but what it may serve is not: the register of
        # redactions comes with current.json.
        self._refresh(now)
        release = self._releases.get(version)
        if release is not None:
            return release
        if not isinstance(version, str) or not VERSION.match(version):
            raise ReleaseNotFound(str(version)[:40])
        held = self._current
        if held is not None and held[1].version == version:
            return held[1]
        listed = {r["version"]: r for r in self.releases(now)}
        if version not in listed:
            raise ReleaseNotFound(version)
        return self._release(version, listed[version]["manifest_sha256"])

    def releases(self, now: float | None = None) -> list[dict[str, Any]]:
        """Every published release, newest first, each with its change summary.

        Like ``current``, a listing already held keeps serving while releases.json cannot be
        read or used.
        """
        now = self._clock() if now is None else now
        held = self._listing
        if held is not None and now - held[0] < self.ttl:
            return held[1]
        try:
            releases = self._read_listing()
        except StoreError:
            if held is None:
                raise
            releases = held[1]
        self._listing = (now, releases)
        return releases

    def _read_listing(self) -> list[dict[str, Any]]:
        listing = self._read_json(RELEASES_KEY)
        if listing is None:
            return []
        releases = listing.get("releases") if isinstance(listing, dict) else None
        if not (
            isinstance(releases, list)
            and all(
                isinstance(r, dict)
                and isinstance(r.get("version"), str)
                and isinstance(r.get("manifest_sha256"), str)
                for r in releases
            )
        ):
            raise StoreError("releases.json does not list releases")
        return list(releases)

    def _read_json(self, key: str) -> Any:
        try:
            return json.loads(self.store.get(key))
        except ObjectMissing:
            return None
        except ValueError:
            raise StoreError(f"{key} is not valid JSON") from None

    def _release(self, version: str, manifest_sha256: str) -> Release:
        with self._lock:
            release = self._releases.get(version)
        if release is not None and release.manifest_sha256 == manifest_sha256:
            return release
        key = release_prefix(version) + MANIFEST
        try:
            body = self.store.get(key)
        except ObjectMissing:
            # current.json or releases.json names it, so it was published: this is damage.
            raise IntegrityError(key, manifest_sha256, "absent") from None
        release = Release(
            self.store,
            version,
            verified(key, body, manifest_sha256),
            self._cache,
            self._withdrawn.get(version, {}),
            self.pinned,
            self._register_sha256,
        )
        if release.manifest.get("version") != version:
            raise StoreError(f"{key} describes another release")
        with self._lock:
            held = self._releases.get(version)
            if held is None or held.manifest_sha256 != release.manifest_sha256:
                self._releases[version] = held = release
            if held.stamp != self._register_sha256:  # a register taken while it was read
                held.redact(self._withdrawn.get(version, {}), self._register_sha256)
            return held
