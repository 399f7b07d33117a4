"""Hostile data never reaches a page unescaped: a fixture whose name, description, quote, note and
identifiers hold ``<script>``, ``"><img onerror=…>`` and ``javascript:`` URLs is published, and
every page that shows them is parsed for a script, an event handler or a javascript: link."""

from __future__ import annotations

import pytest

from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.apidata import app_client
from support.minidata import RELEASE_EPOCH, mini, write
from support.pagecheck import assert_inert

SCRIPT = "<script>alert('name')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.cookie)"
BROWSER = {"Accept": "text/html"}


def hostile() -> dict[str, list[dict]]:
    dataset = mini()
    dataset["people"].append(
        {
            "id": "hostile-person",
            "name": f"Evil {SCRIPT}",
            "names": [
                {"name": f"Evil {SCRIPT}", "lang": "en"},
                {"name": IMG, "lang": "en", "note": JS_URL},
            ],
            "description": f"{IMG} {JS_URL} {SCRIPT}",
            "categories": ["official"],
            "sources": [
                {
                    "source": "sources/hostile-source",
                    "locator": IMG,
                    "quote": f"{SCRIPT} {JS_URL}",
                }
            ],
        }
    )
    dataset["sources"].append(
        {
            "id": "hostile-source",
            "title": f"{IMG}{SCRIPT}",
            "type": "report",
            "publisher": "organizations/amnesty-international",
            "published": "2018-12-04",
            "languages": ["en"],
            "url": "https://example.org/report",
            "identifiers": [{"scheme": "other", "value": JS_URL}],
            "description": JS_URL,
        }
    )
    dataset["claims"].append(
        {
            "id": "hostile-claim",
            "subject": "people/hostile-person",
            "property": "stated",
            "value": JS_URL,
            "claimed_by": "organizations/amnesty-international",
            "stance": "asserts",
            "status": "alleged",
            "confidence": "low",
            "note": f"{SCRIPT}{IMG}",
            "qualifiers": {"role": IMG},
            "sources": [{"source": "sources/hostile-source", "quote": IMG, "locator": JS_URL}],
        }
    )
    return dataset


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("hostile")
    data = write(hostile(), root / "data")
    url = str(root / "store")
    publish(open_store(url), data, epoch=RELEASE_EPOCH)
    return url


@pytest.fixture
def hostile_client(hostile_store, monkeypatch):
    with app_client(hostile_store, monkeypatch) as client:
        yield client


PAGES = [
    "/people/hostile-person",
    "/people/hostile-person?lang=fa",
    "/sources/hostile-source",
    "/claims/hostile-claim",
    "/people",
    "/claims",
    "/sources",
    "/search?q=evil",
    "/search?q=" + "%3Cscript%3E",
    "/people/hostile-person/claims",
    "/people/no-such-%3Cscript%3E",
    "/people?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
]


@pytest.mark.parametrize("url", PAGES)
def test_hostile_text_is_escaped_on_every_page_that_shows_it(hostile_client, url):
    response = hostile_client.http.get(url, headers=BROWSER)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8", response.body[:200]
    body = response.body.decode("utf-8")
    assert_inert(body)
    assert "<script" not in body.lower()
    assert "onerror=alert" not in body.replace("&#34;&gt;&lt;img src=x onerror=alert", "")


def test_the_hostile_values_are_shown_as_text_not_dropped(hostile_client):
    body = hostile_client.http.get("/people/hostile-person", headers=BROWSER).body.decode()
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in body
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in body
    assert JS_URL in body  # as text, never as a link
    assert f'href="{JS_URL}' not in body


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a?b#c", True),
        ("http://example.org", True),
        ("/people/x", True),
        ("//evil.example/x", False),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https:///path-without-host", False),
        ("https://?q", False),
        ("https://#f", False),
        ("https://", False),
        ("HTTPS://EXAMPLE.ORG/", True),  # urlsplit lowers the scheme
        ("https://example.org /x", False),  # a space, or any control character
        ("https://[::1]/x", True),
        ("https://exa\u0301mple.org/", True),
        ("ftp://example.org/", False),
        ("", False),
    ],
)
def test_a_link_takes_only_an_http_url_with_a_host_or_a_path_of_this_site(url, linked):
    """``safe_url`` answers as urlsplit reads the URL, its quick path for a plain http(s) URL
    included."""
    from chalicelib.serve.pages.present import safe_url

    assert safe_url(url) == (url if linked else None)
