"""Shared by the hardening tests (faults, fuzzing, hostile input, concurrency, leaks).

Every request these tests make goes through ``Api``, which checks each response for leaks
(a traceback, the bucket name, an AWS key id or secret, the request body) and for a 500,
so the no-leak rule holds across all of them, not just in the tests that name it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from support.aws import FAKE_KEY_ID, FAKE_SECRET, FAKE_TOKEN, fake_aws
from support.published import Published

BUCKET = "hardening-bucket-7c1e0f"

LEAKS = {
    "a traceback": re.compile(r"Traceback \(most recent call last\)|File \"|\bline \d+, in "),
    "the bucket name": re.compile(re.escape(BUCKET)),
    "an AWS key id": re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
    "the AWS secret key": re.compile(re.escape(FAKE_SECRET)),
    "the AWS session token": re.compile(re.escape(FAKE_TOKEN)),
    "a Python exception repr": re.compile(r"\b(?:ClientError|BotoCoreError|KeyError|TypeError)\("),
}
# A request body this long or longer must never come back whole.
ECHO_MIN = 64


def leaks(
    status: int,
    headers: dict[str, str],
    body: bytes,
    request_body: bytes | None = None,
    target: str = "",
) -> list[str]:
    """What a response gives away that it must not; empty when it is clean.

    ``target`` is the request's path and query. What the request itself sent does not count:
    a 400 may quote a parameter's value back, even one shaped like a key id. The one allowed
    exception is a 302 from ``/dataset/files/``: a presigned S3 URL, which by its nature names
    the bucket, the access key id and (for temporary credentials) the session token it was
    signed with, but never the secret key; only its ``Location`` header is exempt from those.
    """
    presigned = status == 302 and target.startswith("/dataset/files/")
    exempt = ("the bucket name", "an AWS key id", "the AWS session token")

    @functools.cache
    def sent() -> str:  # built only when something matched: a body may be megabytes
        return unquote(target) + "\n" + (request_body or b"").decode("utf-8", "replace")

    def carries(text: str, what: str) -> bool:
        return any(match.group(0) not in sent() for match in LEAKS[what].finditer(text))

    found = []
    for name, value in headers.items():
        for what in LEAKS:
            if carries(str(value), what) and not (
                presigned and name.lower() == "location" and what in exempt
            ):
                found.append(f"header {name} carries {what}")
    text = body.decode("utf-8", "replace")
    found += [f"the body carries {what}" for what in LEAKS if carries(text, what)]
    if request_body is not None and len(request_body) >= ECHO_MIN and request_body in body:
        found.append("the body echoes the request body")
    return found


def log_leaks(records: Iterable[Any], *secrets: str) -> list[str]:
    """Log records (from caplog) that carry any of ``secrets``, such as a request body's canary.

    Only the body rule applies to logs: botocore's own DEBUG lines name the bucket by design.
    """
    return [
        f"{record.name}: {record.getMessage()[:120]}"
        for record in records
        if any(secret in record.getMessage() for secret in secrets)
    ]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class Api:
    """The app in-process (chalice.test.Client), every response checked for leaks and 500s."""

    client: Any
    seen: list[Response] = field(default_factory=list)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        raw = self.client.http.request(method, path, headers=headers or {}, body=body)
        response = Response(raw.status_code, dict(raw.headers), raw.body or b"")
        self.check(response, path, body)
        return response

    def check(self, response: Response, path: str, body: bytes = b"") -> None:
        problems = leaks(response.status, response.headers, response.body, body or None, path)
        assert not problems, f"{path[:80]} -> {response.status}: {problems}"
        assert response.status != 500, f"{path[:80]} -> 500: {response.body[:300]!r}"
        if response.status == 503:
            assert_retry_later(response)
        self.seen.append(response)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, body: bytes, content_type: str | None = "application/json"
    ) -> Response:
        headers = {} if content_type is None else {"Content-Type": content_type}
        return self.request("POST", path, body, headers)


def assert_retry_later(response: Response) -> None:
    """A 503 is problem+json, says when to come back, and is never cached."""
    assert response.content_type == "application/problem+json"
    retry_after = response.header("retry-after")
    assert retry_after is not None and retry_after.isdigit() and int(retry_after) >= 1
    assert response.header("cache-control") == "no-store"
    problem = response.json
    assert problem["status"] == 503 and problem["title"] and problem["detail"]


def chalice_client():
    from chalice.test import Client

    from app import app

    return Client(app)


def encoded(text: str) -> str:
    return quote(text, safe="")


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- WSGI, so schemathesis can call the Chalice app in-process ---------------------------------


def wsgi_app(chalice_app):
    """A WSGI callable over the app as the local server runs it (``devserver.gateway``): routed
    as API Gateway routes, so an unknown path is the gateway's 404 problem, not chalice's 403."""
    from devserver.gateway import wsgi_app as gateway_app

    return gateway_app(chalice_app)


# -- published stores, faults and damage -------------------------------------------------------


@contextlib.contextmanager
def published_mini(kind: str, tmp: Path, release):
    """The tombstoned mini dataset published to a new folder store or moto bucket: a copy of
    ``release``, its one publish (the ``mini_release`` fixture, support.snapshot)."""
    from chalicelib.store import open_store
    from support.minidata import RELEASE_EPOCH, mini, with_tombstones

    records = with_tombstones(mini())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH))
        if kind == "dir":
            url = str(tmp / "store")
            release.restore(open_store(url))
            yield Published(kind, url, release.version, records)
            return
        with fake_aws():
            url = f"s3://{BUCKET}/dataset"
            store = open_store(url)
            store.client.create_bucket(Bucket=BUCKET)
            release.restore(store)
            yield Published(kind, url, release.version, records)


class Damage:
    """Replaces or deletes stored objects, and puts every one back on ``repair``."""

    def __init__(self, store):
        self.store = store
        self._originals: dict[str, bytes | None] = {}

    def _keep(self, key: str) -> None:
        from chalicelib.errors import ObjectMissing

        if key not in self._originals:
            try:
                self._originals[key] = self.store.get(key)
            except ObjectMissing:
                self._originals[key] = None

    def replace(self, key: str, body: bytes) -> None:
        self._keep(key)
        self.store.put(key, body)

    def delete(self, key: str) -> None:
        self._keep(key)
        self.store.delete(key)

    def original(self, key: str) -> bytes | None:
        self._keep(key)
        return self._originals[key]

    def repair(self) -> None:
        for key, body in self._originals.items():
            if body is None:
                self.store.delete(key)
            else:
                self.store.put(key, body)
        self._originals.clear()


class _RawBody:
    """The minimal raw-response shape botocore's AWSResponse reads a body from."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_kwargs):
        yield self._body


def _s3_error(status: int, code: str, headers: dict[str, str] | None = None):
    def answer(request):
        from botocore.awsrequest import AWSResponse

        # S3's error bodies name the bucket and the key: none of it may reach a client.
        body = (
            f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
            f"<Message>{code} for {BUCKET} ({FAKE_KEY_ID})</Message>"
            f"<BucketName>{BUCKET}</BucketName><RequestId>7C1E0F</RequestId></Error>"
        )
        return AWSResponse(request.url, status, headers or {}, _RawBody(body.encode()))

    return answer


def _raise(error_class):
    def answer(request):
        raise error_class(endpoint_url=request.url)

    return answer


def s3_faults() -> dict[str, Any]:
    """Each S3 fault the API must survive, as a before-send answer."""
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    return {
        # x-amz-retry-after asks botocore to wait 20 s more; the store must not.
        "throttling-503-SlowDown": _s3_error(503, "SlowDown", {"x-amz-retry-after": "20000"}),
        "internal-error-500": _s3_error(500, "InternalError"),
        "read-timeout": _raise(ReadTimeoutError),
        "connect-timeout": _raise(ConnectTimeoutError),
    }


class S3Faults:
    """Answers the S3 GETs of chosen keys with a fault, and counts every attempt per key."""

    def __init__(self, store):
        self.prefix = store.prefix
        self.attempts: Counter[str] = Counter()
        self._rules: list[tuple[Any, Any]] = []
        # register_first: moto answers before-send too, and the first answer wins.
        store.client.meta.events.register_first("before-send.s3.GetObject", self._send)

    def inject(self, fault, key: str | None = None) -> None:
        """Answer GETs of ``key`` (or of every key) with ``fault`` until ``clear``."""
        self._rules.append((key, fault))

    def clear(self) -> None:
        self._rules.clear()

    def _send(self, request, **_kwargs):
        key = unquote(urlsplit(request.url).path).split("/" + self.prefix, 1)[-1]
        self.attempts[key] += 1
        for wanted, fault in self._rules:
            if wanted is None or wanted == key:
                return fault(request)
        return None
