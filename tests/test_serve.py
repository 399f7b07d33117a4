"""`make serve` itself: publish data/ to a folder store, run `chalice local` on it, and answer
over real HTTP. The test runs the Makefile's own recipe, with the store and port overridden,
and without its install step (the suite already runs inside the installed virtualenv)."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def serve(tmp_path):
    """``make serve`` on a free port with a fresh store; yields (base URL, store, log file)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    port, store, log = free_port(), tmp_path / "store", tmp_path / "serve.log"
    command = ["make", "--no-print-directory", "-o", "install", "serve",
               f"BIN={Path(sys.executable).parent}", f"SERVE_STORE={store}", f"PORT={port}"]
    with open(log, "wb") as output:
        # A session of its own, so that stopping it stops make, the shell and chalice alike.
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
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
                    pytest.fail(f"make serve did not answer in {STARTUP_SECONDS} s:\n{log.read_text()}")
                time.sleep(0.2)
        yield base, store, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_make_serve_answers_the_index_and_a_record_over_http(serve):
    base, store, _ = serve
    status, headers, body = fetch(base + "/")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    index = json.loads(body)
    # The server reads the store make published to, not a default one.
    assert index["release"] == json.loads((store / "current.json").read_bytes())["version"]
    status, headers, body = fetch(base + "/people/mostafa-pour-mohammadi")
    assert status == 200
    assert json.loads(body)["name"] == "Mostafa Pour Mohammadi"
    assert headers["ETag"] and headers["Access-Control-Allow-Origin"] == "*"


def test_make_serve_prints_the_url_and_curl_lines_that_answer(serve):
    base, _, log = serve
    printed = log.read_text()
    assert f"Serving the dataset at {base}/" in printed
    urls = re.findall(r"^\s+curl '?(http://[^' ]+)'?$", printed, re.MULTILINE)
    assert len(urls) == 3
    for url in urls:
        status, _, body = fetch(url)
        assert status == 200, url
        assert json.loads(body)
