"""The contribution form in Persian: each field's hint from the schemas' Persian catalogue."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urlencode

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet
from chalicelib.serve.contribute import _record_form
from chalicelib.serve.pages.i18n import Words
from chalicelib.serve.problem_words import worded
from chalicelib.serve.schema_words import CATALOGUES, LITERAL, form_descriptions

ROOT = Path(__file__).resolve().parents[2]
PERSIAN = json.loads((CATALOGUES / "schemas.fa.json").read_text(encoding="utf-8"))
PERSIAN_PROBLEMS = json.loads((CATALOGUES / "problems.fa.json").read_text(encoding="utf-8"))
LATIN = re.compile(r"[A-Za-z]")


def test_every_description_the_form_shows_has_a_persian_entry_and_none_is_stale():
    """Keyed by the English it translates: a description added or reworded in the schemas has
    no entry until it is translated, and an entry whose English the form no longer shows is
    stale."""
    schemas = SchemaSet.from_dir(ROOT / "schemas")
    shown = form_descriptions(_record_form(kind.name, schemas).fields({}) for kind in KINDS)
    assert len(shown) > 50  # the forms' hints were found
    assert sorted(shown - PERSIAN.keys()) == []  # missing
    assert sorted(PERSIAN.keys() - shown) == []  # stale


def test_a_persian_hint_is_persian_with_its_latin_between_backquotes():
    for english, persian in PERSIAN.items():
        assert persian.count("`") % 2 == 0, english
        assert not LATIN.search(LITERAL.sub("", persian)), english  # Latin is quoted, to isolate
        assert re.search(r"[\u0600-\u06ff]", persian), english


def _hints(body: str) -> dict[str, str]:
    return dict(re.findall(r'<p id="(f[^"]*|g[^"]*)-hint">(.*?)</p>', body, re.S))


def test_the_persian_form_gives_each_hint_in_persian_with_ids_and_examples_isolated(dir_client):
    for kind in KINDS:
        body = dir_client.http.get(f"/contribute?lang=fa&kind={kind.name}").body.decode()
        hints = _hints(body)
        assert hints, kind.name
        for field_id, hint in hints.items():
            # No English hint is left: each Latin run is an isolated, English-marked literal.
            outside = re.sub(r'<bdi lang="en" dir="ltr">.*?</bdi>', "", hint)
            assert not LATIN.search(outside), (kind.name, field_id, hint)
    hints = _hints(dir_client.http.get("/contribute?lang=fa&kind=person").body.decode())
    assert hints["f-born"].startswith("تاریخ تولد، به صورت")
    # The example a reference's or a date's hint ends with, as it is typed.
    assert re.search(
        r'، مانند <bdi lang="en" dir="ltr"><span class="nobreak">[0-9-]+</span></bdi>$',
        hints["f-born"],
    )
    assert hints["f-sources-0-source"].startswith("منبعی")
    # An id breaks after its slash; a name too long for a phone's line, at its hyphens.
    assert re.search(
        r'<bdi lang="en" dir="ltr"><span class="nobreak">sources/</span><wbr>'
        r"(<span class=\"nobreak\">)?[a-z0-9-]+(</span>)?</bdi>$",
        hints["f-sources-0-source"],
    )
    english = _hints(dir_client.http.get("/contribute?kind=person").body.decode())
    assert english["f-born"].startswith("<span>Date of birth, as EDTF, such as ")


# --- the validator's messages --------------------------------------------------------------

BROKEN_PERSON = {
    "kind": "person",
    "action": "check",
    "/name": "Jane Example",
    "/names/0/name": "Jane Example",
    "/names/0/lang": "en",
    "/names/0/script": "Latin",  # not an ISO 15924 code: a bad pattern
    "/withheld/0/pointer": "/born",
    "/withheld/0/reason": "privacy",  # not one of the reasons: a bad enum
    "/sources/0/source": "sources/no-such-report",
    "/born": "summer 1960",
}  # and no categories: a missing required field


def _errors(body: str) -> dict[str, str]:
    return {
        field_id: html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        for field_id, text in re.findall(
            r'<ul id="(f[^"]*)-errors" class="errors">(.*?)</ul>', body, re.S
        )
    }


def _post(client, fields: dict) -> str:
    response = client.http.post(
        "/contribute",
        body=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    return response.body.decode()


def test_a_persian_form_says_each_problem_in_persian_naming_its_field(dir_client):
    body = _post(dir_client, {**BROKEN_PERSON, "lang": "fa"})
    errors = _errors(body)
    assert errors["f-categories"] == "«دسته‌ها» (/categories) را باید پر کنید."
    assert errors["f-withheld-0-reason"].startswith(
        '"privacy" از گزینه‌های «دلیل» (/withheld/0/reason) نیست. یکی از این‌ها را بنویسید: '
    )
    assert "no-consent" in errors["f-withheld-0-reason"]
    assert errors["f-names-0-script"].startswith('"Latin" با شکلی که «خط» (/names/0/script)')
    assert errors["f-born"].startswith('"summer 1960" تاریخی به صورت EDTF نیست.')
    assert errors["f-sources-0-source"] == "sources/no-such-report در مجموعه‌داده نیست."
    # The field's path and the values typed are isolated, marked English.
    assert '<bdi class="id" lang="en" dir="ltr">/categories</bdi>' in body
    assert '<bdi class="id" lang="en" dir="ltr">&#34;Latin&#34;</bdi>' in body
    assert '<bdi lang="en" dir="ltr">&#34;summer 1960&#34;</bdi>' in body  # may break at its space
    assert re.search("رکورد [۱-۹] مشکل دارد", body)  # counted in Persian digits
    # The summary links to each field by its pointer, isolated, and says it in Persian.
    assert re.search(
        r'<a href="#f-categories"><bdi class="id" lang="en" dir="ltr">/categories</bdi></a>: «دسته‌ها»',
        body,
    )
    english = _errors(_post(dir_client, {**BROKEN_PERSON, "lang": "en"}))
    assert english["f-categories"] == "'categories' is required"


def test_the_json_api_keeps_its_english_messages(dir_client):
    record = {"id": "jane-example", "name": "Jane Example", "names": [{"name": "x", "lang": "en"}]}
    response = dir_client.http.post(
        "/validate",
        body=json.dumps({"kind": "person", "record": record}),
        headers={"Content-Type": "application/json", "Accept-Language": "fa"},
    )
    errors = json.loads(response.body)["results"][0]["errors"]
    assert {
        "pointer": "/categories",
        "keyword": "required",
        "message": "'categories' is required",
    } in errors
    assert not any(re.search(r"[\u0600-\u06ff]", e["message"]) for e in errors)


class _Problem:
    def __init__(self, pointer, keyword, message):
        self.pointer, self.keyword, self.message = pointer, keyword, message


def test_a_message_no_entry_matches_is_english_after_a_persian_lead():
    said = worded(_Problem("/born", "edtf", "some new rule"), Words("fa"))
    assert (
        said
        == 'مشکلی در «تولد» (<bdi class="id" lang="en" dir="ltr">/born</bdi>): <span lang="en" dir="ltr">some new rule</span>'
    )
    assert worded(_Problem("/born", "edtf", "some new rule"), Words("en")) == "some new rule"


def test_type_names_are_said_in_persian():
    said = worded(
        _Problem("/value/min", "type", "expected integer or null, got a string"), Words("fa")
    )
    assert (
        said
        == '«دست‌کم» (<bdi class="id" lang="en" dir="ltr">/value/min</bdi>) باید عدد صحیح یا خالی باشد، اما متن است.'
    )


def test_a_row_is_named_by_its_array_and_its_number_in_the_pages_language(dir_client):
    persian = dir_client.http.get("/contribute?lang=fa&kind=person").body.decode()
    assert '<legend>نام‌ها ۱ <small dir="ltr" lang="en">names</small></legend>' in persian
    english = dir_client.http.get("/contribute?kind=person").body.decode()
    assert '<legend><span dir="ltr">names 1</span></legend>' in english


def test_each_rule_a_broken_form_breaks_is_worded_in_persian_not_left_in_english():
    """Records breaking the schemas' rules and the cross-record checks, as a form can send
    them: each problem has its own Persian wording, none falls back to the English."""
    from chalicelib.checks.validate import Item, validate

    cited = [{"source": "sources/amnesty-2018-report"}]
    person = {
        "name": 5,
        "names": [{"name": "J", "lang": "english", "script": "Latin"}],
        "categories": [],
        "born": "summer",
        "description": "",
        "sources": [{"source": "sources/nope", "quote": " ".join(["word"] * 50)}],
        "withheld": [{"pointer": "/born", "reason": "privacy"}],
    }
    claim = {
        "id": "c-1",
        "subject": "people/x",
        "property": "victim_count",
        "value": {"min": 5, "max": 2},
        "claimed_by": "organizations/y",
        "stance": "asserts",
        "status": "adjudicated",
        "confidence": "high",
        "sources": cited,
        "qualifiers": {"in_reply_to": "claims/c-1", "date": "1988-09/1988-08"},
    }
    place = {"id": "p", "name": "P", "names": [{"name": "P", "lang": "en"}], "type": "city"}
    items = [
        Item("person", {"id": "jane", **person}, "the form"),
        Item("person", {"id": "jane", "name": "Jane", "died": "1988-02-30"}, "the form"),
        Item("claim", claim, "the form"),
        Item("claim", {**claim, "id": "c-2", "value": {}, "qualifiers": {}}, "the form"),
        Item("place", {**place, "sources": cited, "coordinates": {"lat": 200}}, "the form"),
    ]
    report = validate(items, SchemaSet.from_dir(ROOT / "schemas"), None)
    problems = [p for item in report.items for p in item.errors + item.warnings]
    keywords = {p.keyword for p in problems}
    assert {"required", "type", "enum", "pattern", "minItems", "reference", "quantity"} <= keywords
    assert {"minLength", "maximum", "anyOf", "minProperties", "interval", "inReplyTo"} <= keywords
    assert {"edtf", "adjudicated"} <= keywords
    fallback = PERSIAN_PROBLEMS["otherwise"].split("{")[0]  # 'مشکلی در '…
    left = [(p.keyword, p.message) for p in problems if worded(p, Words("fa")).startswith(fallback)]
    assert left == []
