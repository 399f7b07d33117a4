"""Talking to a server on this machine over real HTTP, as a client on the network would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str | urllib.request.Request) -> tuple[int, dict, bytes]:
    """GET a URL (or send a Request), and answer (status, headers, body) whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def running(command: Sequence[str], port: int, output, env: dict | None = None) -> Iterator[str]:
    """Run a server ``command`` listening on ``port``; yield its base URL once it answers.

    It runs in a session of its own, so that stopping it stops make, its shell and the server
    alike. A server that exits, or does not answer in time, fails the test with its output.
    """
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=env,
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
                pytest.fail(f"{command[0]} exited with {process.returncode}:\n{_shown(output)}")
            try:
                fetch(base + "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} did not answer in {STARTUP_SECONDS} s")
                time.sleep(0.2)
        yield base
    finally:
        stop_session(process)


def _shown(output) -> str:
    name = getattr(output, "name", None)
    return Path(name).read_text(errors="replace")[-4000:] if isinstance(name, str) else ""


def stop_session(process: subprocess.Popen) -> None:
    """Stop a server's whole session: TERM, then KILL if it lingers.

    The session may already be gone (the server exited, or its children died with it), and
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
