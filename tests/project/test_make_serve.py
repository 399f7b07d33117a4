"""`make serve` itself: publish data/ to a folder store, run `chalice local` on it, and answer
over real HTTP. The test runs the Makefile's own recipe, with the store and port overridden,
and without its install step (the suite already runs inside the installed virtualenv)."""

from __future__ import annotations

import json
import re

from support.localserver import fetch


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


def test_make_serve_answers_as_production_does(serve):
    """The issue's checks, over real HTTP: TRACE is a 405 problem, an unknown path the
    gateway's 404 problem, and urllib (no Accept header, as pandas) gets the gzipped file."""
    import gzip
    import urllib.request

    base, _, _ = serve
    for method, path, status in (
        ("TRACE", "/people", 405),
        ("CONNECT", "/people", 405),
        ("DELETE", "/", 405),
        ("GET", "/nope", 404),
        ("TRACE", "/nope", 404),
        ("GET", "/dataset/files/;", 404),
    ):
        request = urllib.request.Request(base + path, method=method)
        got, headers, body = fetch(request)
        assert got == status, (method, path, body[:200])
        assert headers["Content-Type"] == "application/problem+json"
        assert json.loads(body)["status"] == status
    with urllib.request.urlopen(base + "/dataset/files/all.jsonl.gz", timeout=10) as response:
        assert response.headers["Content-Type"] == "application/gzip"
        first = gzip.decompress(response.read()).splitlines()[0]
    assert json.loads(first)["record"]["id"]
