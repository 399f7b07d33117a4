"""The service: everything a warm process holds, on one object, built once when the app starts.

``app.py`` builds one ``Service`` and every request reaches it as ``request.service``, as
Datasette's views reach their ``Datasette`` as ``self.ds``. It holds the dataset (the store's
releases, opened on first use), the answers kept finished, and the views derived from each
release. Tests build a ``Service`` of their own over the dataset they serve, so no module of
``serve/`` keeps state of its own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.errors import ReleaseNotFound
from chalicelib.model.schemas import SchemaSet, schema_files
from chalicelib.release.cache import Memo
from chalicelib.release.dataset import Dataset
from chalicelib.release.layout import VERSION
from chalicelib.release.reader import Release
from chalicelib.serve.params import Params, single
from chalicelib.serve.responses import (
    CACHE_CURRENT,
    CACHE_PINNED,
    Finished,
    Problem,
    Reply,
    bad_parameter,
    finish,
)
from chalicelib.store import open_store

STORE_ENV = "DATASET_STORE"
DEFAULT_STORE = ".serve/store"
# Answers that are a pure function of (release, path, parameters), kept finished. A release
# never changes, so an entry never goes stale; the budget bounds what a warm process holds.
ANSWER_CACHE_BYTES = 32 * 1024 * 1024
# Other records as the pages read them (parsed JSON answers), bounded by the answers' bytes: a
# parsed record takes several times its JSON's size, so this is a few times the budget in memory.
DOCUMENT_CACHE_BYTES = 4 * 1024 * 1024

T = TypeVar("T")


class Service:
    """The dataset, the kept answers and each release's derived views of one process.

    ``dataset`` is the one to serve; without it, the store ``DATASET_STORE`` names is opened
    on first use (the environment is read then, not when the app is imported).
    """

    def __init__(self, dataset: Dataset | None = None):
        self._dataset = dataset
        self._lock = threading.Lock()
        self._answers = Memo(ANSWER_CACHE_BYTES)
        self._documents = Memo(DOCUMENT_CACHE_BYTES)
        self._derived: dict[tuple[str, str], Any] = {}

    @property
    def dataset(self) -> Dataset:
        """The releases of the store this service reads, opened once per warm process."""
        if self._dataset is None:
            with self._lock:
                if self._dataset is None:
                    self._dataset = Dataset(open_store(os.environ.get(STORE_ENV, DEFAULT_STORE)))
        return self._dataset

    def storage_reads(self) -> int:
        """Storage calls made by this service's dataset so far (0 before it is opened)."""
        return self._dataset.store.reads if self._dataset is not None else 0

    def forget_answers(self) -> None:
        """Drop every kept answer (benchmarks time the first answer to a request this way)."""
        self._answers.clear()

    def forget_derived(self) -> None:
        """Drop each release's derived views (tests that damage a release start without)."""
        self._derived.clear()
        self._documents.clear()

    # -- releases --------------------------------------------------------------------------

    def current_release(self) -> Release:
        """The release ``current.json`` names; a 503 while nothing is published."""
        try:
            return self.dataset.current()
        except ReleaseNotFound:
            raise Problem(
                503,
                "no-release",
                "Service unavailable",
                "no release has been published to this store yet",
                headers={"Retry-After": "60"},
            ) from None

    def release_for(self, params: Params) -> tuple[Release, str]:
        """The release a request reads, and the Cache-Control its answers carry."""
        version = single(params, "release") if params else None
        if version is None:
            return self.current_release(), CACHE_CURRENT
        if not VERSION.fullmatch(version):
            raise bad_parameter(
                "release",
                "a release looks like 20261127-3f9a1c2b; "
                "GET /dataset/releases lists the published ones",
            )
        return self.dataset.pinned(version), CACHE_PINNED

    def per_release(self, name: str, release: Release, make: Callable[[], T]) -> T:
        """A derived view of ``release``, made by ``make()`` once: releases never change."""
        key = (name, release.version)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = make()
        return found

    def schema_set(self, release: Release) -> SchemaSet:
        """The schemas of ``release``, with their validators compiled once."""
        return self.per_release(
            "schemas",
            release,
            lambda: SchemaSet({name: release.schema_bytes(name) for name in schema_files()}),
        )

    def document(self, key: tuple[Any, ...], release: Release, make: Callable[[], Any]) -> Any:
        """The parsed answer ``make()`` gives for ``key`` in ``release``, made the first time.

        For the pages, which read dozens of other records each (a claimant's name, a source's
        title), and read the same sources, places and organizations on page after page: a
        record's answer is parsed once per warm process, not once per page. Like the kept
        answers, keyed by the release and its redaction stamp. ``make`` returns
        ``(document, size)``, ``size`` being its JSON's length; the document is shared between
        pages, so no page may change it.
        """
        full_key = _in_release(release, key)
        found = self._documents.get(full_key)
        if found is None:
            document, size = make()
            found = self._documents.put(full_key, (document,), size)
        return found[0]

    # -- kept answers ----------------------------------------------------------------------

    def kept(self, key: tuple[Any, ...], release: Release, make: Callable[[], Reply]) -> Finished:
        """The finished answer to the request ``key`` from ``release``: made the first time.

        Only answers are kept; a Problem raised by ``make`` is raised again on every request.
        """
        full_key = _in_release(release, key)
        # A warm repeat ends here: kept_as's lookup, without the call, on every kept answer.
        found = self._answers.get(full_key)
        return self.kept_as(full_key, make) if found is None else found

    def kept_as(self, key: tuple[Any, ...], make: Callable[[], Reply]) -> Finished:
        """The finished answer kept under ``key``, made by ``make()`` the first time: for
        answers derived from another kept answer (a page, keyed by its JSON answer's ETag)."""
        found = self._answers.get(key)
        if found is None:
            found = finish(make())
            self._answers.put(key, found, found.size)
        return found


def _in_release(release: Release, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """``key`` as kept for ``release``: its version and its redaction stamp, since a redaction
    (chalicelib.release.redactions) changes what an old release may answer."""
    return (release.version, getattr(release, "stamp", None), key)
