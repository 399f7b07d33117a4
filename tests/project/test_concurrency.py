"""Concurrency: the server `make serve` runs answers 16 concurrent clients, each response its
own request's.

The server is test_serve's: the Makefile's own recipe, on a free loopback port, with a fresh
store and without the install step. Everything is bounded: startup, each request, the run.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from chalicelib.checks.intake import DATA_DIR
from support.localserver import fetch

CLIENTS = 16
RUN_SECONDS = 120
REQUEST_SECONDS = 20


def live_records() -> list[tuple[str, dict]]:
    """(collection, record) for every live record in data/."""
    found = []
    for file in sorted(DATA_DIR.glob("*/*.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        if "tombstone" not in record:
            found.append((file.parent.name, record))
    return found


def distinct_requests(version: str) -> list[tuple[str, object]]:
    """Requests that each have one right answer, and a check that knows it; no two alike."""
    requests = []
    records = live_records()
    for collection, record in records:
        requests.append((f"/{collection}/{record['id']}", ("record", record)))
        requests.append((f"/{collection}/{record['id']}?release={version}", ("record", record)))
    subjects = sorted({r["subject"] for c, r in records if c == "claims"})
    for subject in subjects:
        requests.append(
            (f"/claims?subject={urllib.parse.quote(subject)}&limit=500", ("claims-about", subject))
        )
    for collection in sorted({c for c, _ in records}):
        for limit in range(1, 11):
            requests.append((f"/{collection}?limit={limit}", ("page", (collection, limit))))
    return requests


def wrong(expected, status: int, body: bytes) -> str | None:
    """Why this response does not answer this request, or None if it does."""
    kind, want = expected
    if status != 200:
        return f"status {status}"
    document = json.loads(body)
    if kind == "record":
        return None if document == want else f"got {document.get('id')!r}, asked {want['id']!r}"
    if kind == "claims-about":
        subjects = {item["subject"] for item in document["items"]}
        return None if subjects == {want} else f"subjects {sorted(subjects)[:3]} for {want}"
    _collection, limit = want
    items = document["items"]
    ids = [item["id"] for item in items]
    if len(items) != limit and document["next"] is not None:
        return f"{len(items)} items for limit={limit}"
    if ids != sorted(ids) or (document["next"] and f"limit={limit}" not in document["next"]):
        return f"page {ids} / next {document['next']} for limit={limit}"
    return None


def test_16_concurrent_clients_each_get_the_answer_to_their_own_request(serve):
    base, _store, _log = serve
    version = json.loads(fetch(base + "/")[2])["release"]
    requests = distinct_requests(version)
    assert len(requests) >= 300 and len({path for path, _ in requests}) == len(requests)
    random.Random(1988).shuffle(requests)
    started = time.monotonic()

    in_flight, peak, lock = 0, 0, threading.Lock()

    def ask(request):
        nonlocal in_flight, peak
        path, expected = request
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            status, _headers, body = fetch(base + path)
        finally:
            with lock:
                in_flight -= 1
        return path, wrong(expected, status, body)

    with ThreadPoolExecutor(CLIENTS) as clients:
        answers = list(clients.map(ask, requests, timeout=RUN_SECONDS))
    elapsed = time.monotonic() - started

    mismatched = [(path, why) for path, why in answers if why is not None]
    assert mismatched == []
    assert len(answers) == len(requests)
    assert peak > CLIENTS // 2  # the clients really did overlap
    assert elapsed < RUN_SECONDS


def test_the_server_log_never_holds_a_validate_body(serve):
    base, _store, log = serve
    canary = "canary-7c1e0f-validate-body"
    bodies = [
        json.dumps({"kind": "place", "record": {"id": "shiraz", "name": canary}}).encode(),
        json.dumps({"kind": "place", "record": {"id": canary}}).encode(),
        b'{"kind": "place", "record": {"name": "' + canary.encode() + b'"',
        b"\xff" + canary.encode(),
    ]
    for body in bodies:
        for content_type in ("application/json", "text/plain"):
            request = urllib.request.Request(
                base + "/validate", data=body, method="POST", headers={"Content-Type": content_type}
            )
            try:
                with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
                    answer = response.read()
            except urllib.error.HTTPError as error:
                answer = error.read()
            assert body not in answer
    printed = log.read_bytes()
    assert b"POST /validate" in printed  # the server does log each request, by its line
    assert canary.encode() not in printed
