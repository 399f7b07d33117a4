"""OpenRefine's other services (chalicelib.serve.refine) over this repository's data/: data
extension, suggest and preview, each answer checked against the W3C Reconciliation API 0.2's
own JSON Schema for it (support/reconciliation_spec.py), and the values against the records and
claims."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chalicelib.checks.intake import DATA_DIR
from chalicelib.release.dataset import Dataset
from chalicelib.serve import refine
from chalicelib.store import open_store
from support import reconciliation_spec as spec

# Each answer is checked against the specification's own schema for it.
EXTENSION_RESPONSE = spec.EXTENSION_RESPONSE
PROPOSE = spec.PROPERTY_PROPOSAL
SUGGEST = {
    "entity": spec.SUGGEST_ENTITIES,
    "type": spec.SUGGEST_TYPES,
    "property": spec.SUGGEST_PROPERTIES,
}


def valid(schema: str, answer: dict) -> dict:
    return spec.conforms(schema, answer)


@pytest.fixture(scope="module")
def release(real_published):
    return Dataset(open_store(real_published[0])).current()


def data(collection: str, record_id: str) -> dict:
    return json.loads((Path(DATA_DIR) / collection / f"{record_id}.json").read_text("utf-8"))


def claims_about(reference: str) -> list[dict]:
    found = []
    for path in sorted((Path(DATA_DIR) / "claims").glob("*.json")):
        claim = json.loads(path.read_text("utf-8"))
        if claim.get("subject") == reference and "tombstone" not in claim:
            found.append(claim)
    return found


def test_extension_gives_the_persian_name_dates_and_what_claims_say(release):
    pids = ["name_fa", "died", "killed_at", "named_on_list", "affiliation", "born"]
    ids = ["people/abbas-bestareh", "people/hossein-ali-nayyeri", "people/nobody-here"]
    answer = valid(EXTENSION_RESPONSE, refine.extend(release, ids, pids))
    assert [m["id"] for m in answer["meta"]] == pids
    assert answer["meta"][2]["type"]["id"] == "place"
    nayyeri = answer["rows"]["people/hossein-ali-nayyeri"]
    assert nayyeri["name_fa"] == [{"str": "حسین علی نیری"}]
    bestareh = answer["rows"]["people/abbas-bestareh"]
    assert bestareh["died"] == [{"str": data("people", "abbas-bestareh")["died"]}]
    claims = claims_about("people/abbas-bestareh")
    places = {c["value"] for c in claims if c["property"] == "killed_at"}
    assert {cell["id"] for cell in bestareh["killed_at"]} == places
    assert all(cell["name"] for cell in bestareh["killed_at"])
    lists = {c["value"] for c in claims if c["property"] == "named_on_list"}
    assert lists and {cell["id"] for cell in bestareh["named_on_list"]} == lists
    assert answer["rows"]["people/nobody-here"] == {pid: [] for pid in pids}


def test_extension_gives_victim_counts_of_an_event_as_claimed(release):
    answer = refine.extend(release, ["events/1988-prison-massacres"], ["victim_count", "born"])
    valid(EXTENSION_RESPONSE, answer)
    counts = answer["rows"]["events/1988-prison-massacres"]["victim_count"]
    figures = [
        c["value"]
        for c in claims_about("events/1988-prison-massacres")
        if c["property"] == "victim_count"
    ]
    assert figures and len(counts) == len({json.dumps(f, sort_keys=True) for f in figures})
    for figure in figures:
        low, high, approx = figure.get("min"), figure.get("max"), figure.get("approx", False)
        if low is not None and low == high and not approx:
            assert {"int": low} in counts, figure
        elif low is not None and high is None and not approx:
            assert {"str": f"at least {low}"} in counts, figure
        elif low is not None and high is not None and not approx:
            assert {"str": f"{low}–{high}"} in counts, figure
    assert answer["rows"]["events/1988-prison-massacres"]["born"] == []  # not an event's


def test_unknown_properties_are_empty_columns_not_errors(release):
    answer = valid(EXTENSION_RESPONSE, refine.extend(release, ["people/abbas-bestareh"], ["x"]))
    assert answer["rows"]["people/abbas-bestareh"] == {"x": []}


def test_proposed_properties_follow_the_type(release):
    person = valid(PROPOSE, refine.propose_properties("person", 20))
    assert {"name_fa", "born", "died", "killed_at", "affiliation", "named_on_list"} <= {
        p["id"] for p in person["properties"]
    }
    event = valid(PROPOSE, refine.propose_properties("event", 20))
    assert "victim_count" in {p["id"] for p in event["properties"]}
    assert "born" not in {p["id"] for p in event["properties"]}


@pytest.mark.parametrize(
    "prefix,expected",
    [
        ("Nayy", "people/hossein-ali-nayyeri"),
        ("nayeri", "people/hossein-ali-nayyeri"),
        ("نیری", "people/hossein-ali-nayyeri"),
        ("Evin", "places/evin-prison"),
    ],
)
def test_suggest_entities_finds_by_any_spelling(release, prefix, expected):
    answer = valid(SUGGEST["entity"], refine.suggest_entities(release, prefix, None, 10))
    assert expected in [r["id"] for r in answer["result"]]


def test_suggest_entities_keeps_to_a_type_and_types_and_properties_suggest_too(release):
    people = refine.suggest_entities(release, "Evin", "person", 10)["result"]
    assert all(r["id"].startswith("people/") for r in people)
    types = valid(SUGGEST["type"], refine.suggest_types("pers", 10))
    assert [t["id"] for t in types["result"]] == ["person"]
    props = valid(SUGGEST["property"], refine.suggest_properties("death", 10))
    assert {"died", "killed_at", "age_at_death"} <= {p["id"] for p in props["result"]}
    assert refine.suggest_entities(release, "--", None, 10) == {"result": []}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_preview_is_a_small_escaped_card_of_the_record(release):
    card = refine.preview(release, "people/hossein-ali-nayyeri", "https://x/people/h?a=1&b=<2>")
    parser = _Text()
    parser.feed(card)
    text = " ".join(parser.text)
    assert "Hossein Ali Nayyeri" in text and "حسین علی نیری" in text
    assert "&b=<2>" not in card and "&amp;b=&lt;2&gt;" in card
    assert refine.preview(release, "people/nobody-here", "https://x") is None
    assert refine.preview(release, "claims/anything", "https://x") is None


# -- over HTTP, as OpenRefine walks it: add the service, reconcile a column, preview, extend --


def test_openrefine_walks_through_reconcile_preview_and_extend(real_published, monkeypatch):
    from urllib.parse import urlencode

    from support.apidata import app_client, get_json

    with app_client(real_published[0], monkeypatch) as client:
        manifest = get_json(client, "/reconcile")
        assert {"preview", "suggest", "extend"} <= set(manifest)
        column = {"q0": {"query": "Nayeri", "type": "person"}, "q1": {"query": "اوین"}}
        batch = get_json(client, "/reconcile?" + urlencode({"queries": json.dumps(column)}))
        nayyeri = batch["q0"]["result"][0]["id"]
        assert nayyeri == "people/hossein-ali-nayyeri"
        assert "places/evin-prison" in [c["id"] for c in batch["q1"]["result"]]
        preview_path = manifest["preview"]["url"].split("://", 1)[1].split("/", 1)[1]
        card = client.http.get("/" + preview_path.replace("{{id}}", nayyeri))
        assert card.status_code == 200 and "Hossein Ali Nayyeri" in card.body.decode("utf-8")
        propose = manifest["extend"]["propose_properties"]["service_path"]
        offered = get_json(client, f"{propose}?type=person")["properties"]
        asked = {"ids": [nayyeri], "properties": [{"id": p["id"]} for p in offered]}
        rows = get_json(client, "/reconcile?" + urlencode({"extend": json.dumps(asked)}))
        valid(EXTENSION_RESPONSE, rows)
        assert rows["rows"][nayyeri]["name_fa"] == [{"str": "حسین علی نیری"}]
        for what in ("entity", "type", "property"):
            path = manifest["suggest"][what]["service_path"]
            valid(SUGGEST[what], get_json(client, f"{path}?prefix=ev"))
        bad = client.http.get("/reconcile?" + urlencode({"extend": "[1]"}))
        assert bad.status_code == 400 and json.loads(bad.body)["parameter"] == "extend"


def test_the_specifications_schemas_refuse_what_it_refuses():
    """The vendored schemas are live: each refuses an answer the specification does not allow."""
    candidate = {"id": "people/x", "name": "X", "score": 50}
    assert spec.errors(spec.RESULT_BATCH, {"q0": {"result": [candidate]}}) == []
    assert spec.errors(spec.RESULT_BATCH, {"q0": {"result": [{"id": "people/x", "name": "X"}]}})
    assert spec.errors(spec.RESULT_BATCH, {"q0": {"candidates": []}})
    assert spec.errors(spec.MANIFEST, {"versions": ["0.1"], "name": "x"})
    cell = {"meta": [{"id": "died", "name": "Died"}], "rows": {"people/x": {"died": [{"s": 1}]}}}
    assert spec.errors(spec.EXTENSION_RESPONSE, cell)
    assert spec.errors(spec.SUGGEST_ENTITIES, {"result": [{"name": "no id"}]})


def test_the_requests_the_openapi_document_gives_as_examples_are_the_specifications():
    from chalicelib.serve import reconcile

    for example in reconcile.BATCH_TEXT["examples"]:
        spec.conforms(spec.QUERY_BATCH, json.loads(example))
    for example in reconcile.EXTEND["schema"]["examples"]:
        spec.conforms(spec.EXTENSION_QUERY, json.loads(example))
