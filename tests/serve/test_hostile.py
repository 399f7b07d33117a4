"""Hostile input: each gets its documented 4xx, quickly, without memory blow-up, and without
touching storage where the contract says so.

The limits are the API's own (chalicelib/serve/limits.py, listed in the README): a body over 1 MiB is a 413, one that is not JSON a 400, one sent as
anything but application/json a 415, nesting deeper than 64 a 400, more than 1,000 records a
400; a malformed id is a 404 with no storage call; a repeated or oversized parameter is a 400
that names it.
"""

from __future__ import annotations

import json
import re
import time
import tracemalloc
from dataclasses import dataclass

import pytest

from chalicelib.release.dataset import Dataset
from chalicelib.serve.cursors import CURSOR_PATTERN
from support.hardening import Api, Published, chalice_client, encoded, published_mini
from support.service import serve

MiB = 1024 * 1024
QUICK = 1.0  # seconds: every rejection here takes milliseconds; this only catches a blow-up
ID_ROUTES = [
    "/people/{}",
    "/organizations/{}",
    "/places/{}",
    "/events/{}",
    "/sources/{}",
    "/claims/{}",
    "/people/{}/claims",
    "/events/{}/claims",
]
LIST_ROUTES = [
    "/people",
    "/organizations",
    "/places",
    "/events",
    "/sources",
    "/claims",
    "/people/mostafa-pour-mohammadi/claims",
]
PLACE = {
    "id": "shiraz",
    "name": "Shiraz",
    "names": [{"name": "Shiraz", "lang": "en"}],
    "type": "city",
    "sources": [{"source": "sources/amnesty-2018-report"}],
}


@pytest.fixture(scope="module")
def published(tmp_path_factory, mini_release) -> Published:
    with published_mini("dir", tmp_path_factory.mktemp("hostile"), mini_release()) as published:
        yield published


@dataclass
class Measured:
    status: int
    seconds: float
    peak_bytes: int
    response: object


# One app for the module: every request here is refused or answered without changing what the
# app holds, and a test counts the store's reads around its own request only.
@pytest.fixture(scope="module")
def app(published):
    store = published.open()
    restore = serve(Dataset(store))
    client = Api(chalice_client())
    client.get("/")  # warm: the measurements below are of the hostile request alone
    client.post("/validate", json.dumps({"kind": "place", "record": PLACE}).encode())
    client.store = store
    yield client
    restore()


def measure(call) -> Measured:
    tracemalloc.start()
    try:
        # CPU time, not wall time: a blow-up is work done, and the suite runs in parallel
        # beside other work on a shared machine.
        started = time.process_time()
        response = call()
        seconds = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return Measured(response.status, seconds, peak, response)


def problem(response) -> dict:
    assert response.content_type == "application/problem+json"
    return response.json


def item(record: dict, kind: str = "place") -> dict:
    return {"kind": kind, "record": record}


# -- POST /validate: size ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(json.dumps([item(PLACE)] * 9000).encode()[: MiB + 1], id="json-1MiB+1"),
        pytest.param(b"[" + b" " * MiB + b"]", id="whitespace-1MiB+2"),
        pytest.param(b"\xff" * (8 * MiB), id="garbage-8MiB"),
    ],
)
def test_a_body_over_1_mib_is_a_413_before_it_is_parsed(app, body):
    measured = measure(lambda: app.post("/validate", body))
    assert measured.status == 413
    assert problem(measured.response)["status"] == 413
    assert measured.seconds < QUICK
    # Refused on its length alone: not one copy of the body is made.
    assert measured.peak_bytes < MiB, measured.peak_bytes


def test_a_body_of_exactly_1_mib_is_read(app):
    body = json.dumps(item(PLACE)).encode()
    body = body[:-1] + b" " * (MiB - len(body)) + b"}"
    assert len(body) == MiB
    assert app.post("/validate", body).status == 200


@pytest.mark.parametrize("wrapped", [False, True], ids=["list", "items-object"])
def test_1001_items_are_a_400_and_1000_are_answered(app, wrapped):
    cheap = item({}, kind="castle")  # validated in microseconds: an unknown kind

    def body(n):
        items = [cheap] * n
        return json.dumps({"items": items} if wrapped else items).encode()

    measured = measure(lambda: app.post("/validate", body(1001)))
    assert measured.status == 400 and measured.seconds < QUICK
    assert "1,001" in problem(measured.response)["detail"]
    report = app.post("/validate", body(1000))
    assert report.status == 200 and len(report.json["results"]) == 1000


# -- POST /validate: shape ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 10_000 + b"]" * 10_000, id="arrays"),
        pytest.param(b'{"a":' * 10_000 + b"1" + b"}" * 10_000, id="objects"),
        pytest.param(
            b'{"kind":"place","record":' + b'{"a":[' * 5000 + b"]}" * 5000 + b"}", id="in-a-record"
        ),
        pytest.param(b"[" * 10_000, id="unclosed"),
    ],
)
def test_nesting_10000_deep_is_a_400_without_recursing(app, body):
    measured = measure(lambda: app.post("/validate", body))
    assert measured.status == 400 and measured.seconds < QUICK
    assert problem(measured.response)["errors"][0]["keyword"] == "maxDepth"
    assert measured.peak_bytes < 8 * MiB


def test_nesting_64_deep_is_read_and_65_is_refused(app):
    def nested(depth):  # the item and the record are two levels; the rest nests in a note
        return (
            b'{"kind":"place","record":{"note":' + b"[" * (depth - 2) + b"]" * (depth - 2) + b"}}"
        )

    assert app.post("/validate", nested(64)).status == 200
    assert problem(app.post("/validate", nested(65)))["errors"][0]["keyword"] == "maxDepth"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"kind":"place","record":{"id":"\xff"}}', id="invalid-byte"),
        pytest.param(b'{"kind":"place","record":{"id":"\xc0\xaf"}}', id="overlong"),
        pytest.param(b'{"kind":"place","record":{"id":"\xed\xa0\x80"}}', id="encoded-surrogate"),
        pytest.param(b'{"kind":"place","record":{"id":"x"}}\xe2\x82', id="truncated"),
        pytest.param(b'{"kind":"place","record":{"\x80":1}}', id="in-a-key"),
        pytest.param('{"kind":"place"}'.encode("utf-16"), id="utf-16"),
    ],
)
def test_invalid_utf8_is_a_400(app, body):
    answer = app.post("/validate", body)
    assert answer.status == 400
    assert problem(answer)["errors"][0]["keyword"] == "encoding"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000])
def test_numbers_json_cannot_carry_are_a_400(app, number):
    body = b'{"kind":"place","record":{"id":"x","coordinates":{"lat":' + number.encode() + b"}}}"
    measured = measure(lambda: app.post("/validate", body))
    assert measured.status == 400 and measured.seconds < QUICK
    assert problem(measured.response)["errors"][0]["keyword"] == "json"
    assert measured.peak_bytes < 4 * MiB


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b" \n",
        b"{",
        b"{'kind': 'place'}",
        b"\xef\xbb\xbf{}",
        b'{"kind":"place","kind":"person","record":{}}',
        b"[]",
    ],
)
def test_a_body_that_is_not_one_json_payload_is_a_400(app, body):
    assert app.post("/validate", body).status == 400


KEY = "k" * 100_000


@pytest.mark.parametrize(
    "payload, status",
    [
        pytest.param(item({**PLACE, KEY: 1}), 200, id="in-a-record"),
        pytest.param({**item(PLACE), KEY: 1}, 200, id="in-an-item"),
        pytest.param({"items": [item(PLACE)], KEY: 1}, 400, id="beside-items"),
        pytest.param({KEY: 1}, 200, id="alone"),
        pytest.param(
            item({**PLACE, "names": [{"name": "x", "lang": "en", KEY: KEY}]}), 200, id="deep"
        ),
        pytest.param(item({**PLACE, "name": KEY}), 200, id="as-a-value"),
    ],
)
def test_a_100k_character_key_is_answered_without_echoing_it(app, payload, status):
    body = json.dumps(payload).encode()
    measured = measure(lambda: app.post("/validate", body))
    assert measured.status == status and measured.seconds < QUICK
    assert measured.peak_bytes < 32 * MiB  # bounded, though each schema's message is built
    assert KEY not in measured.response.body.decode()
    assert len(measured.response.body) < 4096
    if status == 200:
        assert measured.response.json["valid"] is False
        pointers = [e["pointer"] for r in measured.response.json["results"] for e in r["errors"]]
        assert all(len(p) <= 120 for p in pointers)


NOT_JSON = [
    None,
    "",
    "text/plain",
    "text/html",
    "text/json",
    "text/csv",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/octet-stream",
    "application/gzip",
    "image/png",
    "application/jsonx",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/problem+json",
    "application/schema+json",
    "application/ld+json",
    "application/x-ndjson",
    "application/vnd.api+json",
    "application/*",
    "*/*",
    "json",
    "application/json/x",
    ";application/json",
]


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_every_content_type_but_json_is_a_415(app, content_type):
    body = json.dumps(item(PLACE)).encode()
    answer = app.post("/validate", body, content_type=content_type)
    assert answer.status == 415
    assert problem(answer)["status"] == 415


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=UTF-8",
    ],
)
def test_json_with_or_without_a_charset_is_read(app, content_type):
    body = json.dumps(item(PLACE)).encode()
    assert app.post("/validate", body, content_type=content_type).status == 200


# -- GET: ids and names ------------------------------------------------------------------------

HOSTILE_IDS = [
    "..",
    "..%2Fmanifest",
    "%2e%2e",
    "%2e%2e%2fmanifest.json",
    "%252e%252e%252f",
    "..%5c..%5cwindows",
    "%00",
    "tehran%00",
    "TEHRAN",
    "tehran.json",
    "tehran%20",
    "%20tehran",
    "teh ran",
    "tehran--x",
    "-tehran",
    "tehran-",
    "t" * 81,
    "a" * 100_000,
    "%C3%A9vin",
    "evin%E2%80%8Bprison",
    "%F0%9F%92%A9",
    "*",
    "~",
    "'",
    "%27%20OR%201%3D1",
    "$%7Bjndi%3Aldap%3A%2F%2Fx%7D",
    "%3Cscript%3E",
]


@pytest.mark.parametrize("route", ID_ROUTES)
def test_a_malformed_id_is_a_404_with_no_storage_call(app, route):
    for record_id in HOSTILE_IDS:
        before = app.store.reads
        answer = app.get(route.format(record_id))
        assert answer.status == 404, record_id
        assert problem(answer)["status"] == 404
        assert app.store.reads == before, record_id
        assert len(answer.body) < 1024


@pytest.mark.parametrize("route", ID_ROUTES)
def test_a_raw_slash_in_an_id_matches_no_route_and_reads_nothing(app, route):
    # API Gateway answers a path that matches no resource itself, before the function runs: a
    # 404 problem in production and under make serve, 403 from chalice's in-process client.
    for record_id in ("../manifest", "../../current.json", "tehran/..", "./tehran"):
        before = app.store.reads
        answer = app.get(route.format(record_id))
        assert 400 <= answer.status < 500 and answer.status != 200, record_id
        assert app.store.reads == before


@pytest.mark.parametrize(
    "path",
    [
        "/schemas/..%2F..%2Fmanifest.json",
        "/schemas/%2e%2e",
        # /schemas/person.schema.json is served (it is the schema's $id); other names are not.
        "/schemas/person.schema",
        "/schemas/manifest.schema.json",
        "/schemas/" + "p" * 10_000,
        "/dataset/files/..%2Fmanifest.json",
        "/dataset/files/%2e%2e",
        "/dataset/files/.%2E%2Fcurrent.json",
        "/dataset/files/people.csv%00.txt",
        "/dataset/files/" + "f" * 10_000,
        # The manifest is served (verify reads it beside its signature); current.json is not.
        "/dataset/files/current.json",
    ],
)
def test_a_traversal_in_a_name_is_a_404_with_no_storage_call(app, path):
    before = app.store.reads
    answer = app.get(path)
    assert answer.status == 404
    assert app.store.reads == before
    assert len(answer.body) < 1024


# -- GET: query strings ------------------------------------------------------------------------

LONG = "a" * 100_000


def list_params(route: str, repeatable: bool = True) -> list[str]:
    """The list route's parameters; without those that may be given more than once
    (tests/serve/test_api_victim_lists.py tests those) when ``repeatable`` is False."""
    from chalicelib.model.kinds import BY_COLLECTION
    from chalicelib.serve.query import allowed_params

    kind = BY_COLLECTION["claims" if route.endswith("/claims") else route.strip("/")]
    many = set() if repeatable else {f.param for f in kind.filters if f.repeatable}
    return [name for name in allowed_params(kind) if name not in many]


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_a_100kb_value_is_a_400_naming_its_parameter(app, route):
    for name in list_params(route):
        measured = measure(lambda name=name: app.get(f"{route}?{name}={LONG}"))
        assert measured.status == 400 and measured.seconds < QUICK, name
        assert problem(measured.response)["parameter"] == name
        assert len(measured.response.body) < 2048


@pytest.mark.parametrize(
    "route",
    LIST_ROUTES
    + [
        "/",
        "/people/mostafa-pour-mohammadi",
        "/schemas",
        "/schemas/person",
        "/dataset",
        "/dataset/releases",
        "/openapi.json",
        "/dataset/files/people.csv",
    ],
)
def test_a_100kb_parameter_name_is_a_400_that_does_not_echo_it(app, route):
    measured = measure(lambda: app.get(f"{route}?{LONG}=1"))
    assert measured.status == 400 and measured.seconds < QUICK
    assert len(measured.response.body) < 2048


def test_ten_thousand_parameters_are_a_400_quickly(app):
    """Refusing 10,000 parameters costs about ten times what 1,000 do, never a hundred: a
    ratio, which a busy machine slows on both sides, rather than a time it slows on one."""

    def refusal(count: int) -> Measured:
        query = "&".join(f"p{n}=1" for n in range(count))
        return measure(lambda: app.get(f"/people?{query}"))

    small = min((refusal(1_000) for _ in range(3)), key=lambda m: m.seconds)
    large = min((refusal(10_000) for _ in range(3)), key=lambda m: m.seconds)
    assert small.status == large.status == 400
    assert large.seconds < 30 * max(small.seconds, 0.001), (small.seconds, large.seconds)


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_every_repeated_list_parameter_is_a_400_naming_it(app, route):
    values = {
        "q": "evin",
        "sort": "id",
        "limit": "1",
        "cursor": "x",
        "date_from": "1988",
        "date_to": "1989",
        "release": "20261127-00000000",
    }
    for name in list_params(route, repeatable=False):
        value = encoded(values.get(name, "people/mostafa-pour-mohammadi"))
        answer = app.get(f"{route}?{name}={value}&{name}={value}")
        assert answer.status == 400, name
        assert problem(answer)["parameter"] == name


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/people/mostafa-pour-mohammadi",
        "/schemas",
        "/schemas/person",
        "/dataset",
        "/dataset/releases",
        "/openapi.json",
        "/dataset/files/people.csv",
        "/people",
    ],
)
def test_a_repeated_release_is_a_400_not_a_silent_choice(app, published, path):
    pin = f"release={published.version}"
    answer = app.get(f"{path}?{pin}&{pin}")
    assert answer.status == 400
    assert problem(answer)["parameter"] == "release"


def test_limit_given_twice_is_a_400(app):
    answer = app.get("/claims?limit=1&limit=2")
    assert answer.status == 400 and problem(answer)["parameter"] == "limit"


def tampered(cursor: str) -> list[str]:
    flip = {c: d for c, d in zip("AQgw", "BRhx")}
    variants = [
        cursor[:-1],
        cursor + "A",
        cursor[::-1],
        cursor.upper(),
        cursor.lower(),
        cursor[:5] + flip.get(cursor[5], "A") + cursor[6:],
        "A" * len(cursor),
        "x",
        cursor + "=",
        cursor.replace("-", "+").replace("_", "/"),
        "%00" + cursor,
        cursor[:-1] + ("B" if cursor[-1] != "B" else "C"),
        LONG,
        "é" * 23,
    ]
    # A cursor without '-' or '_' (it depends on the release version) is its own
    # standard-alphabet variant: that one is no tampering.
    return [bad for bad in variants if bad != cursor]


def test_a_tampered_cursor_is_refused_naming_cursor(app):
    first = app.get("/claims?limit=1").json
    cursor = first["next"].split("cursor=")[1]
    assert app.get(f"/claims?limit=1&cursor={cursor}").status == 200
    for bad in tampered(cursor):
        answer = app.get(f"/claims?limit=1&cursor={encoded(bad)}")
        # Of a cursor's shape, it names no page (404); of another, it is no cursor (400).
        assert answer.status == (404 if re.fullmatch(CURSOR_PATTERN, bad) else 400), bad
        assert problem(answer)["parameter"] == "cursor"


def test_a_cursor_is_bound_to_its_query(app):
    cursor = app.get("/claims?limit=1").json["next"].split("cursor=")[1]
    # The limit may change between pages; what is selected, and its order, may not.
    for other in (
        "/claims?limit=1&sort=-id",
        "/claims?limit=1&status=alleged",
        "/people/mostafa-pour-mohammadi/claims?limit=1",
    ):
        answer = app.get(f"{other}&cursor={cursor}")
        assert answer.status == 404 and problem(answer)["parameter"] == "cursor", other
