"""/contribute: the form made from a schema, problems beside their fields, nothing stored."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet
from chalicelib.store import open_store

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'"
SCHEMAS = SchemaSet.from_dir()


class Page(HTMLParser):
    """The elements of a page by id, each with its attributes and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.names: dict[str, list[dict]] = {}
        self.open: list[dict] = []
        self.labelled: set[str] = set()
        self.root = {"text": ""}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **dict(attrs), "text": ""}
        if tag == "label" and "for" in element:
            self.labelled.add(element["for"])
        if "id" in element:
            self.by_id[element["id"]] = element
        if "name" in element:
            self.names.setdefault(element["name"], []).append(element)
        if tag not in ("input", "meta", "br", "link"):
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in [self.root, *self.open]:
            element["text"] += data


def post(client, fields: dict, **extra):
    body = urlencode({"lang": "en", "action": "check", **fields}, doseq=True)
    return client.http.post("/contribute", body=body, headers={**FORM, **extra})


def page_of(response) -> Page:
    assert response.status_code == 200, response.body[:300]
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CSP
    return Page(response.body.decode("utf-8"))


BROKEN_PERSON = {
    "kind": "person",
    "/name": "Jane Example",
    "/names/0/name": "Jane Example",
    "/names/0/lang": "english",
    "/sources/0/source": "sources/no-such-report",
    "/born": "summer 1960",
}


def test_the_first_page_offers_every_kind_in_english_and_in_persian(dir_client):
    english = page_of(dir_client.http.get("/contribute"))
    assert english.names["kind"][0]["tag"] == "select"
    # The kinds in the site's words: the shared catalogue's kind_* strings.
    assert english.by_id["kind"]["text"].split() == [
        f"{k.name[0].upper()}{k.name[1:]}" for k in KINDS
    ]
    response = dir_client.http.get("/contribute?lang=fa")
    persian = page_of(response)
    assert '<html lang="fa" dir="rtl">' in response.body.decode()
    assert "شخص" in persian.by_id["kind"]["text"]
    assert persian.names["lang"][0]["value"] == "fa"  # the choice of kind keeps the language
    assert 'href="/contribute?lang=en"' in response.body.decode()


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_the_form_of_a_kind_has_a_control_for_every_field_of_its_schema(dir_client, kind):
    page = page_of(dir_client.http.get(f"/contribute?kind={kind}"))
    schema = SCHEMAS.document(kind)
    for name in schema["properties"]:
        pointer = f"/{name}"
        assert pointer in page.names or any(n.startswith(pointer + "/") for n in page.names), name
    # Every control has a label, and every choice of an enum is offered.
    for element in page.by_id.values():
        if element["tag"] in ("input", "select", "textarea") and element.get("type") != "hidden":
            assert element["id"] in page.labelled, element["id"]
    for name, sub in schema["properties"].items():
        if "enum" in sub:
            offered = page.by_id[f"f-{name}"]["text"].split()
            assert offered == ["—", *sub["enum"]]


def test_a_broken_record_shows_each_problem_beside_its_field(dir_client):
    page = page_of(post(dir_client, BROKEN_PERSON))
    beside = {
        "f-names-0-lang": "does not match the pattern",
        "f-sources-0-source": "sources/no-such-report does not exist",
        "f-born": "is not an EDTF date",
        "f-categories": "'categories' is required",
    }
    for field_id, message in beside.items():
        assert message in page.by_id[f"{field_id}-errors"]["text"], field_id
        assert f"{field_id}-errors" in page.by_id[field_id].get("aria-describedby", ""), field_id
    assert page.by_id["f-names-0-lang"]["aria-invalid"] == "true"
    assert "aria-invalid" not in page.by_id["f-names-0-name"]
    # The summary links to each field, and says how many problems there are.
    assert "4 problem" in page.by_id["problems"]["text"]
    assert "valid" not in page.by_id


def test_what_was_typed_comes_back_and_a_blank_row_is_added(dir_client):
    page = page_of(post(dir_client, BROKEN_PERSON))
    assert page.by_id["f-names-0-lang"]["value"] == "english"
    assert page.by_id["f-born"]["value"] == "summer 1960"
    assert page.by_id["f-names-1-name"]["value"] == ""  # a new row to fill in
    assert "f-names-2-name" not in page.by_id


def test_blank_rows_drop_out_and_the_pointers_stay_in_step(dir_client):
    fields = {
        **BROKEN_PERSON,
        "/names/0/name": "",
        "/names/0/lang": "",
        "/names/1/name": "Jane",
        "/names/1/lang": "english",
    }
    page = page_of(post(dir_client, fields))
    assert page.by_id["f-names-0-name"]["value"] == "Jane"
    assert "does not match the pattern" in page.by_id["f-names-0-lang-errors"]["text"]


def test_a_valid_record_is_given_back_with_its_path_and_the_steps(dir_client):
    fields = {
        **BROKEN_PERSON,
        "/names/0/lang": "en",
        "/sources/0/source": "sources/amnesty-2018-report",
        "/born": "1960",
        # A victim: a living witness would need evidence of consent (docs/do-no-harm.md).
        "/categories": ["victim"],
    }
    page = page_of(post(dir_client, fields))
    assert "problems" not in page.by_id
    record = json.loads(page.by_id["record-json"]["text"])
    assert record == {
        "id": "jane-example",  # made from the name, as `new` makes it
        "name": "Jane Example",
        "names": [{"name": "Jane Example", "lang": "en"}],
        "categories": ["victim"],
        "born": "1960",
        "sources": [{"source": "sources/amnesty-2018-report"}],
    }
    assert "data/people/jane-example.json" in page.by_id["valid"]["text"]
    download = post(dir_client, {**fields, "action": "download"})
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/json"
    assert download.headers["Content-Disposition"] == 'attachment; filename="jane-example.json"'
    assert json.loads(download.body) == record


def test_a_download_of_a_broken_record_shows_the_problems_instead(dir_client):
    page = page_of(post(dir_client, {**BROKEN_PERSON, "action": "download"}))
    assert "problems" in page.by_id


def test_a_claim_value_is_text_or_a_quantity_as_the_property_takes(dir_client):
    claim = {
        "kind": "claim",
        "/id": "amnesty-count",
        "/subject": "events/1988-prison-massacres",
        "/property": "victim_count",
        "/value/min": "2800",
        "/value/max": "5000",
        "/claimed_by": "organizations/amnesty-international",
        "/stance": "asserts",
        "/status": "alleged",
        "/confidence": "high",
        "/sources/0/source": "sources/amnesty-2018-report",
    }
    page = page_of(post(dir_client, claim))
    assert json.loads(page.by_id["record-json"]["text"])["value"] == {"min": 2800, "max": 5000}
    page = page_of(post(dir_client, {**claim, "/value/min": "many"}))
    assert "expected integer" in page.by_id["f-value-min-errors"]["text"]
    page = page_of(post(dir_client, {**claim, "/value/min": "", "/value/max": ""}))
    assert "/value" in page.by_id["problems"]["text"]


def test_markup_typed_into_the_form_is_shown_as_text(dir_client):
    response = post(dir_client, {**BROKEN_PERSON, "/name": "<script>alert(1)</script>"})
    body = response.body.decode()
    assert "<script" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_page_carries_no_script_and_no_inline_style(dir_client):
    for response in (
        dir_client.http.get("/contribute?kind=claim&lang=fa"),
        post(dir_client, BROKEN_PERSON),
    ):
        body = response.body.decode()
        assert "<script" not in body and " style=" not in body and "<style" not in body
        assert re.search(r"\son[a-z]+=", body) is None  # no event-handler attributes


def test_nothing_is_stored(dir_client, dir_served):
    store = open_store(dir_served.url)
    before = {key: store.get(key) for key in store.list()}
    post(dir_client, BROKEN_PERSON)
    post(dir_client, {**BROKEN_PERSON, "action": "download"})
    assert {key: store.get(key) for key in store.list()} == before


@pytest.mark.parametrize(
    ("method", "url", "body", "headers", "status", "detail"),
    [
        ("GET", "/contribute?kind=persona", None, {}, 400, "'kind' is one of: person,"),
        ("GET", "/contribute?lang=de", None, {}, 400, "'lang' is one of: en, fa"),
        ("GET", "/contribute?colour=red", None, {}, 400, "'colour': unknown parameter; this route accepts kind, lang"),
        ("POST", "/contribute", b"kind=person", {"Content-Type": "application/json"}, 415, "send the form as"),
        ("POST", "/contribute", b"lang=en", FORM, 400, "'kind' is required"),
        ("POST", "/contribute", b"kind=person&" + b"a" * (1024 * 1024), FORM, 413, "the limit is"),
        ("POST", "/contribute", b"kind=person&%ff=1", FORM, 400, "not UTF-8"),
    ],
)  # fmt: skip
def test_bad_requests_are_problems_naming_what_is_wrong(
    dir_client, method, url, body, headers, status, detail
):
    response = dir_client.http.request(method, url, body=body, headers=headers)
    assert response.status_code == status
    assert detail in json.loads(response.body)["detail"]


@pytest.mark.parametrize(
    ("url", "detail"),
    [("/contribute?kind=", "'kind' is one of"), ("/contribute?lang=", "'lang' is one of")],
)
def test_an_empty_choice_is_refused(dir_client, url, detail):
    response = dir_client.http.get(url)
    assert response.status_code == 400 and detail in json.loads(response.body)["detail"]


def test_an_unknown_action_is_refused(dir_client):
    response = post(dir_client, {**BROKEN_PERSON, "action": "store"})
    assert response.status_code == 400
    assert "'action' is one of: check, download" in json.loads(response.body)["detail"]


def test_a_claim_gets_no_id_from_its_property(dir_client):
    page = page_of(post(dir_client, {"kind": "claim", "/property": "victim_count"}))
    assert "'id' is required" in page.by_id["f-id-errors"]["text"]
