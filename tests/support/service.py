"""The app answering from a service of the test's own: a process with nothing cached yet.

``app.py`` builds one ``Service`` at import, and its router answers every request from it. A
test builds its own (over a dataset it opened, or over the store ``DATASET_STORE`` names) and
hands it to the router; ``serve`` gives back the function that hands the old one back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from chalicelib.release.dataset import Dataset
from chalicelib.serve.service import Service


def serve(service: Service | Dataset | None = None) -> Callable[[], None]:
    """Point the app at ``service`` (a ``Dataset`` is served by a fresh service of its own;
    nothing, by a fresh one over ``DATASET_STORE``); returns a function that points it back."""
    import app

    if not isinstance(service, Service):
        service = Service(service)
    before = app.router.service
    app.router.service = service

    def restore() -> None:
        app.router.service = before

    return restore


@contextlib.contextmanager
def serving(service: Service | Dataset | None = None) -> Iterator[Service]:
    """The app answering from ``service`` for the ``with`` block."""
    restore = serve(service)
    try:
        yield current()
    finally:
        restore()


def current() -> Service:
    """The service the app answers from now."""
    import app

    return app.router.service
