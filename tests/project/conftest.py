"""Fixtures of the project-level tests: the Makefile, packaging and the benchmarks, run as a
user runs them. ``serve`` runs ``make serve`` itself, with the store and port overridden and
without its install step (the suite already runs inside the installed virtualenv)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from support.localserver import free_port, running


@pytest.fixture
def serve(tmp_path):
    """``make serve`` on a free port with a fresh store; yields (base URL, store, log file)."""
    yield from _make_serve(tmp_path)


@pytest.fixture(scope="module")
def serve_once(tmp_path_factory):
    """``serve``, shared by a module's tests (clients that only read)."""
    yield from _make_serve(tmp_path_factory.mktemp("serve"))


def _make_serve(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    port, store, log = free_port(), tmp_path / "store", tmp_path / "serve.log"
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
