"""Pages: the same URLs answer a browser with HTML and everyone else with the JSON they always got.

Runs the app through chalice's test client on the API dataset (``support.apidata``); what only a
real browser can check is in ``tests/project/test_pages_browser.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.serve.pages import negotiation
from support.apidata import PERSON, get_json
from support.service import current

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'"
EVENT = "/events/1988-prison-massacres"
ROOT = Path(__file__).resolve().parents[2]


def page(client, url: str, status: int = 200, **headers):
    response = client.http.get(url, headers={**BROWSER, **headers})
    assert response.status_code == status, (url, response.status_code, response.body[:300])
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CSP
    return response, response.body.decode("utf-8")


# --- negotiation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, html",
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        ("application/json, text/html", False),  # equal q: JSON named first, and it is the API's
        ("text/html;q=0.5, application/json", False),
        (BROWSER["Accept"], True),
        ("text/html", True),
        ("text/*, application/json;q=0.5", True),
        ("text/html;q=0, */*", False),
    ],
)
def test_a_page_only_when_accept_prefers_html_to_json(accept, html):
    assert negotiation.prefers_html(accept) is html


@pytest.mark.parametrize(
    "header, lang",
    [(None, "en"), ("fa-IR,fa;q=0.9,en;q=0.8", "fa"), ("en-US,fa;q=0.5", "en"), ("de, fa", "fa")],
)
def test_accept_language_picks_the_first_language_we_have(header, lang):
    assert negotiation.language({}, header) == lang


@pytest.mark.parametrize("url", ["/", "/people", f"/{PERSON}", f"{EVENT}/claims", "/search?q=evin"])
def test_curl_no_accept_and_json_get_the_same_json_bytes_a_browser_does_not(client, url):
    plain = client.http.get(url)
    assert plain.status_code == 200 and plain.headers["Content-Type"] == "application/json"
    for headers in ({"Accept": "*/*"}, {"Accept": "application/json"}, BROWSER):
        forced = url + ("&" if "?" in url else "?") + "format=json"
        answer = client.http.get(forced, headers=headers)
        assert answer.body == plain.body, (headers, forced)
    assert client.http.get(url, headers={"Accept": "application/json"}).body == plain.body
    html, _ = page(client, url)
    assert plain.headers["Vary"] == "Accept"
    assert "Accept" in html.headers["Vary"].split(", ")
    assert html.headers["ETag"] != plain.headers["ETag"]


def test_format_html_overrides_accept_and_a_bad_format_is_refused(client):
    response = client.http.get(f"/{PERSON}?format=html", headers={"Accept": "application/json"})
    assert response.headers["Content-Type"].startswith("text/html")
    bad = client.http.get(f"/{PERSON}?format=xml")
    assert bad.status_code == 400
    assert json.loads(bad.body)["parameter"] == "format"


def test_a_page_revalidates_with_its_own_etag_and_answers_head(client):
    first, _ = page(client, f"/{PERSON}")
    again = client.http.get(
        f"/{PERSON}", headers={**BROWSER, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    head = client.http.head(f"/{PERSON}", headers=BROWSER)
    assert head.status_code == 200 and head.body == b""
    assert head.headers["ETag"] == first.headers["ETag"]


def test_problems_are_pages_for_browsers_and_problem_json_for_the_rest(client):
    _, body = page(client, "/people/no-such-person", 404)
    assert "<h1>" in body and "does not exist" in body
    plain = client.http.get("/people/no-such-person")
    assert plain.headers["Content-Type"] == "application/problem+json"
    _, body = page(client, "/people?sort=nonsense", 400)
    assert "sort" in body


def test_a_merged_id_answers_308_in_both_forms(client):
    plain = client.http.get("/people/pour-mohammadi-duplicate")
    assert plain.status_code == 308
    assert plain.headers["Location"] == "/people/mostafa-pour-mohammadi"
    response, body = page(client, "/people/pour-mohammadi-duplicate?lang=fa", 308)
    assert response.headers["Location"] == "/people/mostafa-pour-mohammadi?lang=fa"
    assert 'href="/people/mostafa-pour-mohammadi?lang=fa"' in body


def test_a_withdrawn_id_gets_a_410_page_giving_the_reason(client):
    _, body = page(client, "/places/unverified-grave-site", 410)
    assert "The only source could not be verified." in body
    assert "2026-11-02" in body


def test_the_stylesheet_is_served_by_the_api(client):
    response = client.http.get("/style.css", headers={"Accept": "text/css,*/*;q=0.1"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert b"header.site" in response.body


# --- Persian ---------------------------------------------------------------------------------


def test_persian_by_parameter_or_accept_language(client):
    for url, headers in ((f"/{PERSON}?lang=fa", {}), (f"/{PERSON}", {"Accept-Language": "fa"})):
        _, body = page(client, url, **headers)
        assert '<html lang="fa" dir="rtl">' in body
        assert "<h1><bdi>مصطفی پورمحمدی</bdi></h1>" in body  # the Persian-script name first
        assert "English</a>" in body
    _, english = page(client, f"/{PERSON}")
    assert '<html lang="en" dir="ltr">' in english and 'hreflang="fa"' in english
    bad = client.http.get(f"/{PERSON}?lang=xx", headers=BROWSER)
    assert bad.status_code == 400


def test_a_chosen_language_is_kept_by_every_link_on_the_page(client):
    _, body = page(client, f"/{PERSON}?lang=fa")
    own = [h for h in re.findall(r'href="([^"]+)"', body) if h.startswith("/")]
    own = [h for h in own if h not in ("/style.css", "/openapi.json")]
    assert own and all("lang=" in h for h in own), [h for h in own if "lang=" not in h]


def test_latin_ids_and_quotes_are_isolated_in_persian_pages(client):
    _, body = page(client, f"{EVENT}?lang=fa")
    assert '<bdi class="id" lang="en" dir="ltr">events/1988-prison-massacres</bdi>' in body
    assert re.search(r'<blockquote><bdi lang="en" dir="ltr">[^<]+</bdi></blockquote>', body)


def test_every_catalogue_has_every_key_and_templates_use_only_known_keys():
    catalogues = ROOT / "chalicelib" / "serve" / "pages" / "catalogues"
    english = json.loads((catalogues / "en.json").read_text())
    persian = json.loads((catalogues / "fa.json").read_text())
    assert english.keys() == persian.keys()
    assert all(persian.values())
    templates = ROOT / "chalicelib" / "serve" / "templates"
    used = {
        key
        for template in templates.glob("*.html")
        for key in re.findall(r'\bw\("([a-z0-9_]+)"[,)]', template.read_text())
    }
    assert used and used <= english.keys(), used - english.keys()


def _schema_words(node, found: dict[str, set[str]], name: str = "") -> None:
    """Every property name of the schemas (under ""), and each property's enum words."""
    if isinstance(node, list):
        for item in node:
            _schema_words(item, found, name)
    elif isinstance(node, dict):
        if name and isinstance(node.get("enum"), list):
            found.setdefault(name, set()).update(v for v in node["enum"] if isinstance(v, str))
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found.setdefault("", set()).update(value)
                for prop, schema in value.items():
                    _schema_words(schema, found, prop)
            else:
                _schema_words(value, found, name)


def test_a_persian_page_names_every_field_vocabulary_word_and_language_in_persian():
    """A page shows a field, a vocabulary word or a language by its catalogue key, and falls
    back to the raw English word where the catalogue has none: so each must have one."""
    from chalicelib.serve.pages.fragments import VOCABULARIES

    persian = json.loads((ROOT / "chalicelib/serve/pages/catalogues/fa.json").read_text())
    found: dict[str, set[str]] = {}
    for schema in (ROOT / "schemas").glob("*.schema.json"):
        _schema_words(json.loads(schema.read_text()), found)
    wanted = {f"field_{name}" for name in found[""]}
    for field, prefix in VOCABULARIES.items():
        wanted |= {prefix + word for word in found.get(field, ())}
    for record in (ROOT / "data").glob("*/*.json"):
        document = json.loads(record.read_text())
        languages = document.get("languages") or []
        languages += [n.get("lang") for n in document.get("names") or [] if isinstance(n, dict)]
        wanted |= {f"language_{code}" for code in languages if isinstance(code, str)}
    assert not sorted(wanted - persian.keys())


# --- the pages -------------------------------------------------------------------------------


def test_the_index_has_counts_search_release_citation_and_downloads(client, served):
    _, body = page(client, "/")
    index = get_json(client, "/")
    for collection in index["collections"]:
        assert f'href="{collection["href"]}"' in body
        assert f'<span class="n">{collection["count"]:,}</span>' in body
    assert 'action="/search"' in body and served.version in body
    assert f"/dataset/releases/{served.version}/files/all.jsonl.gz" in body
    assert 'href="/openapi.json"' in body


@pytest.mark.parametrize("q", ["!!", "%FF%FE", "%C7%E1%ED"])  # punctuation; not UTF-8 (cp1256)
def test_a_search_that_cannot_be_made_is_a_400_and_a_browser_stays_on_the_search_page(client, q):
    problem = client.http.get(f"/search?q={q}")
    assert problem.status_code == 400 and json.loads(problem.body)["parameter"] == "q"
    listed = client.http.get(f"/people?q={q}")
    assert listed.status_code == 400 and json.loads(listed.body)["parameter"] == "q"
    _, body = page(client, f"/search?q={q}", 400)
    assert 'role="alert"' in body and "<form" in body
    assert ("not UTF-8" if "%" in q else "no letter or digit") in body


def test_search_covers_all_six_collections_with_the_folding_of_q(client):
    for q in ("pourmohammadi", "Pour-Mohammadi", "پورمحمدی"):
        found = get_json(client, "/search?" + f"q={q}")
        assert [g["collection"] for g in found["results"]] == [k.collection for k in KINDS]
        people = found["results"][0]
        assert "mostafa-pour-mohammadi" in [item["id"] for item in people["items"]]
    groups = get_json(client, "/search?q=amnesty&limit=1")["results"]
    organizations = next(g for g in groups if g["collection"] == "organizations")
    assert [item["id"] for item in organizations["items"]] == ["amnesty-international"]
    people = get_json(client, "/search?q=person&limit=2")["results"][0]
    assert len(people["items"]) == 2
    assert people["more"] == "/people?q=person"
    assert [i["id"] for i in get_json(client, people["more"] + "&limit=2")["items"]] == [
        i["id"] for i in people["items"]
    ]
    assert client.http.get("/search").status_code == 400
    assert client.http.get("/search?q=x&limit=99").status_code == 400
    _, body = page(client, "/search?q=pourmohammadi")
    assert 'href="/people/mostafa-pour-mohammadi"' in body


def test_a_list_page_has_facets_with_counts_a_date_range_and_next(client):
    _, body = page(client, "/claims?limit=10")
    statuses = {}
    for item in _walk_items(client, "/claims?limit=500"):
        statuses[item["status"]] = statuses.get(item["status"], 0) + 1
    for status, count in statuses.items():
        assert re.search(rf"status={status}[^\"]*\">.*?</a> {count}</li>", body), status
    assert 'name="date_from"' in body and 'name="date_to"' in body
    assert 'rel="next" href="/claims?limit=10&amp;cursor=' in body
    # Counts within the current selection: a facet's count is what its link lists.
    _, narrowed = page(client, "/claims?status=alleged")
    assert re.search(rf"class=\"active\"><bdi>alleged</bdi> {statuses['alleged']}", narrowed)


def _walk_items(client, url):
    items = []
    while url:
        document = get_json(client, url)
        items += document["items"]
        url = document["next"]
    return items


def test_the_event_page_shows_every_victim_count_side_by_side(client):
    _, body = page(client, EVENT)
    counts = [
        c["id"]
        for c in _walk_items(client, f"{EVENT}/claims?property=victim_count&limit=500")
        if c["subject"] == EVENT.strip("/")
    ]
    assert len(counts) >= 2
    section = body.split('id="property-victim_count"')[1].split("<h3")[0]
    assert section.count("<table") == 1
    for claim_id in counts:
        assert f'id="claim-{claim_id}"' in section
    assert "side by side" in section


def test_a_record_page_shows_names_claims_with_quotes_and_sources_and_citations(client, served):
    _, body = page(client, f"/{PERSON}")
    for spelling in ("Mostafa Pour-Mohammadi", "Mostafa Purmohammadi", "مصطفی پورمحمدی"):
        assert f"<bdi>{spelling}</bdi>" in body
    assert "extrajudicially executed thousands" in body  # the quote
    assert "p. 4" in body  # its locator
    assert 'href="/sources/amnesty-2018-report"' in body
    assert 'href="/organizations/amnesty-international"' in body  # the claimant
    assert f"@misc{{iran1988-mostafa-pour-mohammadi-{served.version}" in body
    assert "&#34;type&#34;: &#34;dataset&#34;" in body  # CSL-JSON, escaped
    pinned = client.http.get(f"/{PERSON}?release={served.version}", headers=BROWSER).body.decode()
    assert f"release {served.version}" in pinned
    # A pinned page links only into its own release.
    own = [h for h in re.findall(r'href="(/[^"]*)"', pinned) if h not in ("/style.css",)]
    own = [h for h in own if not h.startswith("/openapi.json")]
    assert own and all(f"release={served.version}" in h for h in own), own


def test_a_source_page_lists_the_claims_that_cite_it_and_links_its_address(client):
    _, body = page(client, "/sources/src-01")
    assert '<a href="https://example.org/source-1" rel="external noopener">' in body
    citing = [c["id"] for c in _walk_items(client, "/claims?source=sources/src-01&limit=500")]
    assert citing
    for claim_id in citing:
        assert f'id="claim-{claim_id}"' in body


def test_the_events_page_is_a_timeline_that_never_shows_an_uncertain_date_as_a_day(client):
    _, body = page(client, "/events?limit=500")
    assert '<ol class="timeline">' in body
    assert '<bdi class="nobreak">1988-07 – 1988-09</bdi>' in body
    # A year in doubt is a span, and marked uncertain; a season is the span of its months.
    assert (
        '<span class="date span uncertain"><bdi class="nobreak">1988?</bdi> '
        '<small>(between <bdi class="nobreak">1988-01-01</bdi> and '
        '<bdi class="nobreak">1988-12-31</bdi>)</small> <small class="mark">uncertain</small>'
    ) in body
    assert (
        '<bdi class="nobreak">1988-22</bdi> <small>(between <bdi class="nobreak">1988-06-01</bdi>'
        ' and <bdi class="nobreak">1988-08-31</bdi>)</small>'
    ) in body
    assert '<bdi class="nobreak">1989-03 – …</bdi> <small>(open-ended)</small>' in body
    # In date order by the bound that is known: an event open at its start is placed by its
    # end, not above everything else.
    from chalicelib.serve.pages.present import date_parts

    items = get_json(client, "/events?limit=500&sort=date")["items"]
    shown = re.findall(r'<li><span class="when">.*?href="/events/([^"?]+)"', body, re.DOTALL)
    known = {
        i["id"]: (lambda d: d["start"] or d["end"])(date_parts(i["date"]))
        for i in items
        if "date" in i
    }
    placed = [known[i] for i in shown if i in known]
    assert sorted(shown) == sorted(item["id"] for item in items)
    assert placed == sorted(placed)


def test_withheld_values_are_noted_with_their_reason_where_they_were(client, monkeypatch):
    """A record whose compiled JSON lists what was withheld: the page says so, and why."""
    from chalicelib.serve.pages import rendering
    from chalicelib.serve.responses import Reply, dumps, finish

    record = {
        "id": "mostafa-pour-mohammadi",
        "name": "Mostafa Pour Mohammadi",
        "names": [{"name": "Mostafa Pour Mohammadi", "lang": "en"}],
        "categories": ["official"],
        "withheld": [
            {"pointer": "/born", "reason": "living person: exact birth date"},
            {"pointer": "/names/1", "reason": "family member's name"},
        ],
    }
    answer = finish(Reply(dumps(record)))
    claim = {
        "id": "withheld-claim",
        "subject": "people/mostafa-pour-mohammadi",
        "property": "stated",
        "value": "x",
        "claimed_by": "organizations/amnesty-international",
        "stance": "asserts",
        "status": "alleged",
        "confidence": "low",
        "sources": [{"source": "sources/amnesty-2018-report"}],
        "withheld": [{"pointer": "/sources/0/quote", "reason": "names a minor"}],
    }
    claim_request = rendering.PageRequest.of("/claims", {}, {}, {}, current())
    listing = finish(Reply(dumps({"items": [claim], "next": None, "release": "x"})))
    assert "withheld (names a minor)" in rendering.page(claim_request, listing).body
    request = rendering.PageRequest.of(
        "/people/{id}", {"id": "mostafa-pour-mohammadi"}, {}, {}, current()
    )
    body = rendering.page(request, answer).body
    assert "withheld (living person: exact birth date)" in body
    assert "withheld (family member&#39;s name)" in body
    assert current().dataset is not None


# --- safety ------------------------------------------------------------------------------------


def test_jinja2_is_imported_only_when_a_page_is_rendered(dir_served):
    served = dir_served
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
os.environ["DATASET_STORE"] = {served.url!r}
from chalice.test import Client
from app import app
with Client(app) as client:
    assert client.http.get("/{PERSON}").status_code == 200
    assert client.http.get("/people?q=evin").status_code == 200
    assert "jinja2" not in sys.modules, "a JSON answer imported jinja2"
    assert client.http.get("/{PERSON}", headers={{"Accept": "text/html"}}).status_code == 200
    assert "jinja2" in sys.modules
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("lang", "value", "shown"),
    [
        ("en", {"min": 5000, "approx": True}, "at least about 5,000"),
        ("en", {"max": 10, "approx": True}, "at most about 10"),
        ("en", {"min": 2800, "max": 3800, "approx": True}, "about 2,800–3,800"),
        ("en", {"min": 30000}, "at least 30,000"),
        ("fa", {"min": 5000, "approx": True}, "دست‌کم حدود ۵٬۰۰۰"),
        ("fa", {"min": 2800, "max": 3800, "approx": True}, "حدود ۲٬۸۰۰–۳٬۸۰۰"),
    ],
)
def test_about_qualifies_the_number_of_a_count_not_its_bound(lang, value, shown):
    from chalicelib.serve.pages.fragments import Fragments
    from chalicelib.serve.pages.i18n import Words

    def unused(_):
        raise AssertionError("a count names no record")

    html = Fragments(Words(lang), *[unused] * 5).value(value, "victim_count")
    assert f'<span class="count">{shown}</span>' in html
