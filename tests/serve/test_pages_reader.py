"""The pages as a reader meets them: no route fails in either format, and a Persian page marks
every English run."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.serve.pages.scripts import LATIN, RAW, VOID
from chalicelib.serve.pages.summary import counts_by_claimant
from chalicelib.serve.routes import ROUTES
from support.apidata import app_client, concrete, get_json

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


def declared(client, served) -> list[tuple[str, str]]:
    """(method, URL) of every method of every declared route, its placeholders filled with
    what exists, and a path no route has."""
    version = get_json(client, "/dataset")["version"]
    found = [("GET", "/no/such/path"), ("POST", "/no-such-path")]
    for route in ROUTES:
        url = concrete(route.path, served).replace("{version}", version)
        found += [(method, url) for method in route.methods if method != "HEAD"]
    return found


@pytest.mark.parametrize("headers", [BROWSER, JSON], ids=["page", "json"])
def test_every_declared_route_answers_below_500_in_either_format(client, served, headers):
    for method, url in declared(client, served):
        for language in ("en", "fa"):
            asked = {**headers, "Accept-Language": language, "Content-Type": "application/json"}
            response = client.http.request(
                method, url, headers=asked, body=b"{}" if method == "POST" else b""
            )
            assert response.status_code < 500, (method, url, language, response.status_code)


def test_the_count_summary_is_one_line_per_claimant_placed_by_its_latest_figure():
    said = {"a1": "1988-08", "a2": "2018-12-12", "a3": "1989", "h": "2022-06-08", "u": None}
    claims = [
        {"id": "a1", "claimed_by": "organizations/amnesty", "value": {"min": 300}},
        {"id": "a2", "claimed_by": "organizations/amnesty", "value": {"min": 5000}},
        {"id": "a3", "claimed_by": "organizations/amnesty", "value": {"max": 12000}},
        {"id": "h", "claimed_by": "organizations/hrw", "value": {"min": 2800, "max": 5000}},
        {"id": "u", "claimed_by": "organizations/un", "value": {"min": 1000}},
    ]
    lines = counts_by_claimant(claims, lambda claim: said[claim["id"]])
    assert [line["claimed_by"] for line in lines] == [
        "organizations/un",
        "organizations/hrw",
        "organizations/amnesty",  # placed by its latest figure, 5,000, not by 300 or 12,000
    ]
    amnesty = lines[2]
    assert amnesty["latest"]["id"] == "a2" and amnesty["said"] == "2018-12-12"
    assert [c["id"] for c in amnesty["claims"]] == ["a1", "a3", "a2"]  # oldest first
    assert amnesty["range"] == {"min": 300, "max": 12000}
    assert lines[0]["said"] is None and lines[0]["range"] == {"min": 1000, "max": 1000}


@pytest.fixture(scope="module")
def real_store(real_published) -> str:
    """data/ published to a folder: its store URL."""
    return real_published[0]


def test_the_event_page_counts_one_line_per_claimant_with_when_it_was_said(real_store, monkeypatch):
    event = "events/1988-prison-massacres"
    with app_client(real_store, monkeypatch) as client:
        counts = get_json(client, f"/{event}/claims?property=victim_count&limit=500")["items"]
        body = client.http.get(f"/{event}", headers=BROWSER).body.decode()
    claimants = [c["claimed_by"] for c in counts if c["subject"] == event]
    assert len(claimants) > len(set(claimants)) > 2  # someone gave several figures
    summary = body.split('<ol class="counts">')[1].split("</ol>")[0]
    lines = summary.split("<li>")[1:]
    shown = [re.search(r'— <a href="/([^"]+)"', line).group(1) for line in lines]
    assert sorted(shown) == sorted(set(claimants))
    assert all("said" in line for line in lines)
    several = next(c for c in set(claimants) if claimants.count(c) > 1)
    line = lines[shown.index(several)]
    assert f"{claimants.count(several)} figures, lowest to highest" in line


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_every_citation_names_its_publisher_and_date(real_store, monkeypatch, lang):
    pages = [
        "/events/1988-prison-massacres",
        "/people/mostafa-pour-mohammadi",
        "/people/abbas-bestareh",
        "/places/evin-prison",
        "/sources/amnesty-2018-blood-soaked-secrets",
    ]
    with app_client(real_store, monkeypatch) as client:
        bodies = [
            client.http.get(f"{url}?lang={lang}", headers=BROWSER).body.decode() for url in pages
        ]
    cited = [chunk for body in bodies for chunk in body.split('<span class="source">')[1:]]
    assert len(cited) > 50
    for chunk in cited:
        head = chunk.split("<small>·")[0]  # title — publisher (its relation), date
        assert re.search(r' — <a href="/(organizations|people)/[^"]+">', head), head[:300]
        assert '<span class="date' in head, head[:300]


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


def test_every_latin_run_on_the_persian_pages_of_data_sits_in_an_english_element(
    real_store, monkeypatch
):
    pages = [
        "/",
        "/events/1988-prison-massacres",
        "/events/1988-prison-massacres/history",
        "/people/mostafa-pour-mohammadi",
        "/people/abbas-bestareh",
        "/places",
        "/places/evin-prison",
        "/sources/amnesty-2018-blood-soaked-secrets",
        "/claims?property=victim_count",
        "/dataset",
        "/contribute?kind=person",
        "/no-such-page",  # one segment: chalice's in-process client routes no deeper
    ]
    with app_client(real_store, monkeypatch) as client:
        for url in pages:
            sep = "&" if "?" in url else "?"
            response = client.http.get(f"{url}{sep}lang=fa", headers=BROWSER)
            assert response.headers["Content-Type"].startswith("text/html"), url
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
