"""The pages as a reader meets them: no route fails in either format, and a Persian page marks
every English run."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.serve.pages.scripts import LATIN, RAW, VOID
from support.apidata import get_json

BROWSER = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def routes(client) -> list[str]:
    """Every page route once: lists, a record of each kind, its claims and history, and the
    pages around them (the search, bad dates, the downloads, the form, an unknown record)."""
    found = ["/", "/search?q=", "/search?q=raisi", "/dataset", "/contribute", "/places"]
    found += ["/events?date_from=August+1988", "/people/no-such-person"]
    for kind in KINDS:
        found.append(f"/{kind.collection}")
        items = get_json(client, f"/{kind.collection}?limit=1")["items"]
        if items:
            ref = f"/{kind.collection}/{items[0]['id']}"
            found += [ref, f"{ref}/history"]
            if kind.collection != "claims":
                found.append(f"{ref}/claims")
    return found


@pytest.mark.parametrize("headers", [BROWSER, JSON], ids=["page", "json"])
def test_no_route_answers_5xx_in_either_format(client, headers):
    for lang in ("en", "fa"):
        for url in routes(client):
            sep = "&" if "?" in url else "?"
            response = client.http.get(f"{url}{sep}lang={lang}", headers=headers)
            assert response.status_code < 500, (url, lang, response.status_code)


def test_an_empty_search_and_a_history_are_pages(client):
    for url in (
        "/search?q=",
        f"/events/{get_json(client, '/events?limit=1')['items'][0]['id']}/history",
    ):
        response = client.http.get(url, headers=BROWSER)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"].startswith("text/html")


def test_a_date_the_list_cannot_read_is_explained_with_examples(client):
    response = client.http.get("/events?date_from=August+1988", headers=BROWSER)
    body = response.body.decode()
    assert response.status_code == 400
    assert "EDTF" not in body
    assert "“August 1988” is not a date this list can read" in body
    assert '<bdi class="nobreak">1988-08-28</bdi>' in body


class _Unmarked(HTMLParser):
    """Collects the text with Latin letters that sits in no element marked lang="en"."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str]] = [("", "fa")]
        self.unmarked: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            lang = dict(attrs).get("lang") or self.stack[-1][1]
            self.stack.append((tag, "raw" if tag in RAW else lang))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack[-1][1] == "fa" and LATIN.search(data):
            self.unmarked.append(data.strip())


def test_every_latin_run_on_a_persian_page_sits_in_an_english_element(client):
    for url in routes(client):
        sep = "&" if "?" in url else "?"
        response = client.http.get(f"{url}{sep}lang=fa", headers=BROWSER)
        if not response.headers["Content-Type"].startswith("text/html"):
            continue
        checker = _Unmarked()
        checker.feed(response.body.decode())
        assert not checker.unmarked, (url, checker.unmarked[:5])


def test_persian_record_pages_show_solar_hijri_dates(client):
    body = client.http.get("/events/1988-prison-massacres?lang=fa", headers=BROWSER).body.decode()
    assert re.search(r"(تیر|مرداد)[^<]*۱۳۶۷", body)


def test_a_history_entry_lists_each_changed_field_with_before_and_after():
    from chalicelib.serve.pages.rendering import history_changes

    before = {"id": "x", "name": "Evin", "type": "prison", "release": "a"}
    after = {"id": "x", "name": "Evin Prison", "type": "prison", "within": "places/tehran"}
    assert history_changes(before, after) == [
        {"field": "name", "before": "Evin", "after": "Evin Prison"},
        {"field": "within", "before": None, "after": "places/tehran"},
    ]
    assert history_changes(None, None) == []
