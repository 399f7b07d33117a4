"""No leaks: no response carries a traceback, the bucket name, an AWS key id or secret, or the
request body, and no log line carries a POST /validate body.

Every request of the fault, hostile and fuzz tests already passes through ``hardening.leaks``
(``Api`` checks each response; the schemathesis run adds it as a check). This module shows the
checker catches what it must, then drives the worst cases at it: S3 failing with error bodies
that name the bucket and the key, a bug whose message holds secrets, and validation bodies
marked with a canary, while capturing every log record at DEBUG.
"""

from __future__ import annotations

import json
import logging

import pytest

from chalicelib.release.dataset import Dataset
from chalicelib.store import FAIL_FAST_SECONDS
from support.hardening import (
    BUCKET,
    FAKE_KEY_ID,
    FAKE_SECRET,
    FAKE_TOKEN,
    Api,
    FakeClock,
    S3Faults,
    chalice_client,
    leaks,
    log_leaks,
    published_mini,
    s3_faults,
)
from support.service import serve

CANARY = "canary-7c1e0f-request-body"
FAULTS = s3_faults()
CLEAN_PROBLEM = (
    b'{"type":"https://iran1988.example/problems/store-unavailable","title":"Service '
    b'unavailable","status":503,"detail":"retry shortly"}'
)


# -- the checker ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "leaked, what",
    [
        (b'Traceback (most recent call last):\n  File "app.py", line 3, in x', "a traceback"),
        (f"NoSuchBucket: {BUCKET}".encode(), "the bucket name"),
        (b"Credential=AKIAIOSFODNN7EXAMPLE/20261127", "an AWS key id"),
        (FAKE_KEY_ID.encode(), "an AWS key id"),
        (FAKE_SECRET.encode(), "the AWS secret key"),
        (FAKE_TOKEN.encode(), "the AWS session token"),
        (b"ClientError('An error occurred (SlowDown)')", "a Python exception repr"),
    ],
)
def test_the_checker_finds_each_leak_in_a_body_and_in_a_header(leaked, what):
    assert leaks(503, {}, CLEAN_PROBLEM) == []
    assert f"the body carries {what}" in leaks(503, {}, CLEAN_PROBLEM + leaked)
    assert f"header X-Debug carries {what}" in leaks(
        503, {"X-Debug": leaked.decode()}, CLEAN_PROBLEM
    )


def test_the_checker_finds_an_echoed_request_body_but_not_the_callers_own_parameter():
    body = json.dumps({"kind": "person", "record": {"name": CANARY}}).encode()
    assert "the body echoes the request body" in leaks(200, {}, b'{"echo":' + body + b"}", body)
    # A 400 may quote the value the caller sent, even one shaped like a key id.
    quoted = f'{{"detail":"\'date_to\': {FAKE_KEY_ID} is not a date"}}'.encode()
    assert leaks(400, {}, quoted, None, f"/events?date_to={FAKE_KEY_ID}") == []


def test_a_presigned_download_url_may_name_the_bucket_and_key_id_but_never_the_secret():
    location = (
        f"https://{BUCKET}.s3.amazonaws.com/dataset/files/people.csv?X-Amz-Credential="
        f"{FAKE_KEY_ID}%2F20261127&X-Amz-Security-Token={FAKE_TOKEN}&X-Amz-Expires=900"
    )
    assert leaks(302, {"Location": location}, b"", None, "/dataset/files/people.csv") == []
    assert leaks(302, {"Location": location + FAKE_SECRET}, b"", None, "/dataset/files/people.csv")
    assert leaks(302, {"Location": location}, b"", None, "/people/x")


# -- S3 failing with chatty error bodies ---------------------------------------------------------


@pytest.fixture(scope="module")
def s3_published(tmp_path_factory, mini_release):
    with published_mini("s3", tmp_path_factory.mktemp("leaks"), mini_release()) as published:
        yield published


@pytest.fixture
def app(s3_published, monkeypatch):
    import types

    import botocore.endpoint

    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=lambda _s: None))
    store = s3_published.open()
    store.clock = FakeClock()
    faults = S3Faults(store)
    restore = serve(Dataset(store, clock=store.clock))
    client = Api(chalice_client())
    client.faults, client.store = faults, store
    yield client
    restore()


def validation_bodies() -> list[bytes]:
    valid = {
        "kind": "place",
        "record": {
            "id": "shiraz",
            "name": CANARY,
            "names": [{"name": CANARY, "lang": "en"}],
            "type": "city",
            "sources": [{"source": "sources/amnesty-2018-report", "quote": CANARY}],
        },
    }
    invalid = {"kind": "place", "record": {"id": CANARY, "name": 5, CANARY: CANARY}}
    return [
        json.dumps(valid).encode(),
        json.dumps(invalid).encode(),
        json.dumps([valid] * 1001).encode(),
        b'{"kind": "place", "record": "' + CANARY.encode(),
        b"\xff" + CANARY.encode(),
        json.dumps({"items": [valid], CANARY: 1}).encode(),
    ]


@pytest.mark.parametrize("fault", [None, *FAULTS])
def test_validate_bodies_never_reach_a_log_or_come_back_whole(app, caplog, fault):
    caplog.set_level(logging.DEBUG)
    if fault:
        app.faults.inject(FAULTS[fault])
    statuses = set()
    for body in validation_bodies():
        for content_type in ("application/json", "text/plain"):
            answer = app.post("/validate", body, content_type=content_type)  # Api checks leaks
            statuses.add(answer.status)
        app.store.clock.advance(FAIL_FAST_SECONDS)
    assert statuses <= {200, 400, 413, 415, 503}
    assert (503 in statuses) == (fault is not None)
    assert log_leaks(caplog.records, CANARY) == []


GETS = [
    "/",
    "/people",
    "/people/mostafa-pour-mohammadi",
    "/claims?subject=people/x",
    "/schemas/person",
    "/dataset",
    "/dataset/releases",
    "/openapi.json",
    "/dataset/files/people.csv",
]


@pytest.mark.parametrize("fault", FAULTS)
def test_s3_error_bodies_never_reach_a_response(app, caplog, fault):
    caplog.set_level(logging.DEBUG)
    app.faults.inject(FAULTS[fault])
    for path in GETS:
        answer = app.get(path)  # Api checks: no bucket, no key id, no traceback, no repr
        assert answer.status == 503
        assert b"SlowDown for" not in answer.body and b"InternalError for" not in answer.body
        app.store.clock.advance(FAIL_FAST_SECONDS)
    # The app logs a failure by its type alone, never by a message that may name the bucket.
    ours = [r.getMessage() for r in caplog.records if r.name == "iran1988"]
    assert ours and all(BUCKET not in line and FAKE_KEY_ID not in line for line in ours)


def test_a_presigned_download_url_never_carries_the_secret_key(app):
    answer = app.get("/dataset/files/people.csv")
    assert answer.status == 302
    assert FAKE_SECRET not in answer.header("location")
    assert answer.body in (b"", b"{}") or FAKE_SECRET.encode() not in answer.body


# -- a bug whose message holds secrets -----------------------------------------------------------


class _Bug(RuntimeError):
    pass


def test_an_unexpected_error_is_a_bare_500_and_logged_by_type_only(app, caplog, monkeypatch):
    from chalicelib.release import reader

    secret_message = (
        f'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n'
        f"s3://{BUCKET}/dataset {FAKE_KEY_ID} {FAKE_SECRET} {FAKE_TOKEN}"
    )

    def broken(*_args, **_kwargs):
        raise _Bug(secret_message)

    monkeypatch.setattr(reader.Release, "record", broken)
    caplog.set_level(logging.DEBUG)
    raw = app.client.http.get("/places/tehran")
    body = raw.body or b""
    assert raw.status_code == 500
    assert json.loads(body)["type"].endswith("/internal")
    assert leaks(raw.status_code, dict(raw.headers), body) == []
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "iran1988")
    assert "_Bug" in logged
    for secret in (BUCKET, FAKE_KEY_ID, FAKE_SECRET, FAKE_TOKEN, "Traceback"):
        assert secret not in logged
