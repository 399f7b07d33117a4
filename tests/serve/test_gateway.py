"""devserver.gateway: the local stand-in for API Gateway answers as production does.

In process, through ``Gateway.answer``; tests/project/test_make_serve.py checks the same over
real HTTP, and tests/project/test_contract.py runs schemathesis against it.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from chalicelib.serve.service import STORE_ENV
from devserver.gateway import Gateway, unknown_path_answer
from support.service import serving

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gateway(dir_served, monkeypatch):
    from app import app

    monkeypatch.setenv(STORE_ENV, dir_served.url)
    with serving():
        yield Gateway(app)


def call(gateway, method: str, target: str, headers: dict | None = None, body: bytes = b""):
    answer = gateway.answer(method, target, headers or {}, body)
    return answer.status, {name.lower(): value for name, value in answer.headers}, answer.body


def problem(answer, status: int) -> dict:
    got, headers, body = answer
    assert got == status, body[:300]
    assert headers["content-type"] == "application/problem+json"
    document = json.loads(body)
    assert document["status"] == status and document["title"] and document["detail"]
    return document


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/", "/people", "/people/x", "/dataset/files/people.csv"])
def test_any_method_a_path_does_not_take_is_a_405_naming_what_it_takes(gateway, method, path):
    answer = call(gateway, method, path)
    problem(answer, 405)
    assert answer[1]["allow"] == "GET, HEAD"


def test_a_post_only_path_allows_post(gateway):
    answer = call(gateway, "TRACE", "/validate")
    problem(answer, 405)
    assert answer[1]["allow"] == "POST"


UNKNOWN = ["/nope", "/people/x/y/z", "/dataset/files", "//people", "/people/x/claims/y"]


@pytest.mark.parametrize("target", UNKNOWN)
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "DELETE", "OPTIONS"])
def test_an_unknown_path_is_the_gateway_404_problem_whatever_the_method(gateway, target, method):
    status, headers, body = call(gateway, method, target, {"Accept": "application/json"})
    # The app's catch-all answers the very problem production's gateway gives a path that
    # never reaches the function (.chalice/template-resources.json), so the two agree.
    assert status == 404
    assert headers["content-type"] == "application/problem+json"
    if method != "HEAD":
        assert json.loads(body) == json.loads(unknown_path_answer().body)


@pytest.mark.parametrize("target", ["/nope", "/people/x/y/z"])
def test_a_method_the_gateway_never_routes_on_an_unknown_path_is_its_404(gateway, target):
    status, headers, body = call(gateway, "TRACE", target)
    production = unknown_path_answer()
    assert (status, body) == (404, production.body)
    assert headers == {name.lower(): value for name, value in production.headers}


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("language", "heading", "said"),
    [
        ("en", "Not found", "This page does not exist"),
        ("fa-IR,fa;q=0.9", "یافت نشد", "این صفحه وجود ندارد"),
    ],
)
@pytest.mark.parametrize("target", ["/nope", "/people/x/y/z", "/wp-admin/setup.php"])
def test_a_browser_asking_for_an_unknown_path_gets_the_404_page_in_its_language(
    gateway, target, language, heading, said
):
    status, headers, body = call(
        gateway, "GET", target, {"Accept": BROWSER, "Accept-Language": language}
    )
    page = body.decode("utf-8")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert f'<html lang="{language[:2]}"' in page
    assert heading in page and said in page
    assert 'href="/style.css"' in page  # the site's own design
    assert "no route has this path" not in page  # the API's English, not the reader's words


def test_the_404_page_links_to_itself_in_the_other_language(gateway):
    _, _, body = call(gateway, "GET", "/a/b%20c", {"Accept": BROWSER})
    assert 'href="/a/b%20c?lang=fa"' in body.decode("utf-8")


@pytest.mark.parametrize("name", [";", ";x", "a;b", "%3B"])
def test_a_semicolon_is_part_of_the_path_as_at_the_gateway(gateway, name):
    # Chalice's own matcher took ';' for URL parameters and answered 403 to these.
    answer = call(gateway, "GET", f"/dataset/files/{name}?release=x")
    assert answer[0] in (400, 404)
    problem(answer, answer[0])


def test_path_parameters_are_decoded_as_the_gateway_decodes_them(gateway, dir_served):
    person = dir_served.live["people"][0]["id"]
    encoded = "".join(f"%{ord(c):02X}" for c in person)
    status, _, body = call(gateway, "GET", f"/people/{encoded}")
    assert status == 200 and json.loads(body)["id"] == person


def test_a_request_without_accept_gets_the_compressed_file(gateway):
    # RFC 9110: no Accept means anything is acceptable (urllib and pandas send none).
    status, headers, body = call(gateway, "GET", "/dataset/files/all.jsonl.gz")
    assert status == 200 and headers["content-type"] == "application/gzip"
    assert json.loads(gzip.decompress(body).splitlines()[0])


def test_an_accept_that_refuses_the_file_type_still_gets_a_406(gateway):
    answer = call(gateway, "GET", "/dataset/files/all.jsonl.gz", {"Accept": "application/json"})
    assert "Accept" in problem(answer, 406)["detail"]


def test_known_paths_answer_as_the_app_does(gateway, dir_served):
    status, headers, body = call(gateway, "GET", "/people?limit=1&q=")
    assert status == 200 and headers["etag"]
    assert json.loads(body)["release"] == dir_served.version
    assert call(gateway, "HEAD", "/people")[0] == 200
    assert call(gateway, "OPTIONS", "/people")[0] == 204
    assert call(gateway, "GET", "/people/")[0] == 200  # one trailing slash, as at the gateway
    posted = call(
        gateway, "POST", "/validate", {"Content-Type": "application/json"}, b'{"items": []}'
    )
    assert posted[0] == 400  # an empty batch, refused by the app itself


def test_over_http_head_and_304_carry_the_true_length(dir_served, monkeypatch):
    """wsgiref gives a one-piece body its length; for HEAD and 304 that was 'Content-Length: 0'."""
    import http.client
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from app import app
    from devserver.gateway import wsgi_app

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    monkeypatch.setenv(STORE_ENV, dir_served.url)
    with serving():
        server = make_server("127.0.0.1", 0, wsgi_app(app), handler_class=Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:

            def ask(method: str, path: str, **headers) -> tuple[int, dict, bytes]:
                connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
                connection.request(method, path, headers={"Accept": "*/*", **headers})
                response = connection.getresponse()
                answer = response.status, dict(response.getheaders()), response.read()
                connection.close()
                return answer

            for path in ("/people", "/dataset/files/people.csv"):
                status, got, body = ask("GET", path)
                assert status == 200 and got["Content-Length"] == str(len(body))
                status, head, empty = ask("HEAD", path)
                assert (status, empty, head["Content-Length"]) == (200, b"", str(len(body)))
                status, same, empty = ask("GET", path, **{"If-None-Match": got["ETag"]})
                assert (status, empty, same["Content-Length"]) == (304, b"", str(len(body)))
        finally:
            server.shutdown()
            server.server_close()
