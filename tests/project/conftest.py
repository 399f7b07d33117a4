"""Fixtures of the project-level tests: the Makefile, packaging and the benchmarks, run as a
user runs them. ``serve`` runs ``make serve`` itself, with the store and port overridden and
without its install step (the suite already runs inside the installed virtualenv)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.localserver import fetch, free_port

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


@pytest.fixture
def serve(tmp_path):
    """``make serve`` on a free port with a fresh store; yields (base URL, store, log file)."""
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
    with open(log, "wb") as output:
        # A session of its own, so that stopping it stops make, the shell and chalice alike.
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"make serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                fetch(base + "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"make serve did not answer in {STARTUP_SECONDS} s:\n{log.read_text()}"
                    )
                time.sleep(0.2)
        yield base, store, log
    finally:
        stop_session(process)


def stop_session(process: subprocess.Popen) -> None:
    """Stop make, its shell and chalice together: TERM, then KILL if they linger.

    The session may already be gone (make exited, or its children died with it), and
    ``killpg`` then raises ProcessLookupError: that is a stopped server, not a failure.
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=10)
