"""Fixtures of the project-level tests: the Makefile, packaging and the benchmarks, run as a
user runs them. ``serve`` runs ``make serve`` itself, with the store and port overridden and
without its install step (the suite already runs inside the installed virtualenv).

The costly fixtures (``serve``, and each module's own) are built once per module, and a module
that uses one is kept on one xdist worker (``xdist_group``), so that it is built once per run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from support.localserver import free_port, running

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep each module that uses ``serve`` on one worker, so that it starts one server."""
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        if uses & {"serve", "serve_once"} and item.path.parent == HERE:
            item.add_marker(pytest.mark.xdist_group(f"serve-{item.path.stem}"))


@pytest.fixture(scope="module")
def serve_once(serve):
    """``serve`` under the name the client tests use: one server per module either way."""
    return serve


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    """``make serve`` on a free port with a fresh store, shared by the module's tests (none
    changes what it serves); yields (base URL, store, log file)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    folder = tmp_path_factory.mktemp("serve")
    port, store, log = free_port(), folder / "store", folder / "serve.log"
    command = [
        "make",
        "--no-print-directory",
        "-o",
        "install",
        "serve",
        f"BIN={Path(sys.executable).parent}",
        f"SERVE_STORE={store}",
        f"PORT={port}",
    ]
    with open(log, "wb") as output, running(command, port, output) as base:
        yield base, store, log
