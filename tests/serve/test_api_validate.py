"""``POST /validate`` over HTTP, on a folder store and on S3: the three body shapes, pointers
into each record, cross-record checks against the served release plus the batch, every
limit, and that nothing is stored or logged."""

from __future__ import annotations

import json
import logging

import pytest

from chalicelib.checks.intake import MAX_ITEMS
from chalicelib.checks.jsonio import MAX_DEPTH
from support.apidata import PERSON

MiB = 1024 * 1024
JSON = {"Content-Type": "application/json"}
CITATION = [{"source": "sources/amnesty-2018-report", "locator": "p. 12"}]


def person(record_id: str = "new-witness", **fields) -> dict:
    record = {
        "id": record_id,
        "name": "A New Witness",
        "names": [{"name": "A New Witness", "lang": "en"}],
        "categories": ["witness"],
        # A living witness is named only with evidence of consent (tests/serve/test_api_harm.py).
        "sources": [{**CITATION[0], "speaks_publicly_as": "A New Witness"}],
    }
    return {"kind": "person", "record": {**record, **fields}}


def claim(record_id: str = "new-claim", **fields) -> dict:
    record = {
        "id": record_id,
        "subject": "people/new-witness",
        "property": "present_at",
        "value": "events/1988-prison-massacres",
        "claimed_by": "organizations/amnesty-international",
        "stance": "asserts",
        "status": "alleged",
        "confidence": "medium",
        "sources": CITATION,
    }
    return {"kind": "claim", "record": {**record, **fields}}


def post(client, payload, headers=JSON, query: str = ""):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.http.post("/validate" + query, body=body, headers=headers)


def report(client, payload, query: str = "") -> dict:
    response = post(client, payload, query=query)
    assert response.status_code == 200, response.body[:300]
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.body)


def problems(result: dict, kind: str = "errors") -> list[tuple[str, str]]:
    return [(p["pointer"], p["keyword"]) for p in result[kind]]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.body[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    return json.loads(response.body)


# -- shapes and verdicts --------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["item", "list", "items"])
def test_a_valid_record_in_each_body_shape_is_valid(client, shape):
    item = person()
    payload = {"item": item, "list": [item], "items": {"items": [item]}}[shape]
    answer = report(client, payload)
    assert answer == {
        "valid": True,
        "results": [
            {
                "index": 0,
                "id": "new-witness",
                "kind": "person",
                "valid": True,
                "errors": [],
                "warnings": [],
            }
        ],
    }


def test_a_record_may_refer_to_one_in_the_current_release(client):
    answer = report(client, claim(subject=PERSON))
    assert answer["valid"], answer


def test_a_record_may_refer_to_another_in_the_same_batch(client):
    answer = report(client, [claim(), person()])
    assert answer["valid"], answer
    assert [r["id"] for r in answer["results"]] == ["new-claim", "new-witness"]


def test_a_reference_to_a_missing_record_fails_at_its_pointer(client):
    answer = report(
        client,
        [
            claim(
                subject="people/nobody-at-all",
                sources=[
                    {"source": "sources/amnesty-2018-report"},
                    {"source": "sources/no-such-report"},
                ],
            )
        ],
    )
    assert not answer["valid"]
    assert problems(answer["results"][0]) == [
        ("/subject", "reference"),
        ("/sources/1/source", "reference"),
    ]
    assert answer["results"][0]["errors"][0]["message"].startswith(
        "people/nobody-at-all does not exist"
    )


def test_a_reference_to_a_merged_or_withdrawn_record_fails_and_says_so(client):
    answer = report(
        client,
        [
            claim(subject="people/pour-mohammadi-duplicate"),
            claim(
                "other-claim",
                property="killed_at",
                value="places/unverified-grave-site",
                subject=PERSON,
            ),
        ],
    )
    first, second = answer["results"]
    assert problems(first) == [("/subject", "reference")]
    assert "merged into people/mostafa-pour-mohammadi" in first["errors"][0]["message"]
    assert problems(second) == [("/value", "reference")]
    assert "withdrawn" in second["errors"][0]["message"]


def test_schema_errors_point_into_each_record_of_a_batch(client):
    broken = person(categories="witness")
    del broken["record"]["names"]
    answer = report(client, {"items": [person("fine-person"), broken, claim(confidence="certain")]})
    fine, bad, bad_claim = answer["results"]
    assert answer["valid"] is False and fine["valid"] is True
    assert sorted(problems(bad)) == [("/categories", "type"), ("/names", "required")]
    assert problems(bad_claim) == [("/confidence", "enum")]
    assert [r["index"] for r in answer["results"]] == [0, 1, 2]


def test_an_item_of_the_wrong_shape_or_kind_is_an_error_on_that_item(client):
    answer = report(
        client,
        [
            person(),
            "not an item",
            {"kind": "unicorn", "record": {"id": "x"}},
            {"kind": "person", "record": {"id": "y"}, "extra": 1},
        ],
    )
    assert [r["valid"] for r in answer["results"]] == [True, False, False, False]
    assert problems(answer["results"][1]) == [("", "type")]
    assert problems(answer["results"][2]) == [("", "kind")]
    assert problems(answer["results"][3])[0] == ("/extra", "additionalProperties")


def test_a_duplicate_of_a_published_claim_is_a_warning(client, served):
    published = served.record("claims", "pour-mohammadi-member")
    duplicate = {k: v for k, v in published.items()} | {"id": "pour-mohammadi-member-again"}
    answer = report(client, {"kind": "claim", "record": duplicate})
    assert answer["valid"] is True
    assert problems(answer["results"][0], "warnings") == [("", "duplicateClaim")]


def test_a_batch_may_be_checked_against_a_pinned_release(client, served):
    assert report(client, claim(subject=PERSON), f"?release={served.version}")["valid"]
    response = post(client, person(), query="?release=20200101-0badcafe")
    assert assert_problem(response, 404)["parameter"] == "release"
    assert assert_problem(post(client, person(), query="?dry=1"), 400)["parameter"] == "dry"


# -- limits ---------------------------------------------------------------------------------


def test_a_body_of_exactly_1_mib_is_read(client):
    body = json.dumps(person()).encode()
    assert post(client, body + b" " * (MiB - len(body))).status_code == 200


def test_a_body_over_1_mib_is_a_413(client):
    body = json.dumps(person()).encode()
    problem = assert_problem(post(client, body + b" " * (MiB + 1 - len(body))), 413)
    assert "1 MiB" in problem["detail"]


@pytest.mark.parametrize(
    "body,keyword",
    [
        (b"not json", "json"),
        (b"", "json"),
        (b"{", "json"),
        (b'{"kind": NaN}', "json"),
        (b"\xff\xfe", "encoding"),
        (b'{"a": 1, "a": 2}', "duplicateKeys"),
    ],
)
def test_a_body_that_is_not_strict_json_is_a_400_saying_why(client, body, keyword):
    problem = assert_problem(post(client, body), 400)
    assert problem["errors"] == [{"pointer": "", "keyword": keyword, "message": problem["detail"]}]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/jsonx",
        None,
    ],
)
def test_a_body_not_sent_as_json_is_a_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    problem = assert_problem(post(client, person(), headers=headers), 415)
    assert "application/json" in problem["detail"]


def test_json_with_a_charset_is_json(client):
    response = post(client, person(), headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert response.status_code == 200


def test_nesting_deeper_than_64_is_a_400_and_64_is_read(client):
    def nested(depth: int) -> bytes:  # an item whose record holds `depth` levels in all
        return b'{"kind":"person","record":{"x":' + b"[" * (depth - 2) + b"]" * (depth - 2) + b"}}"

    assert post(client, nested(MAX_DEPTH)).status_code == 200
    problem = assert_problem(post(client, nested(MAX_DEPTH + 1)), 400)
    assert problem["errors"][0]["keyword"] == "maxDepth"


def test_more_than_1000_items_is_a_400_naming_max_items_and_1000_are_read(client):
    items = [person(f"witness-{i}") for i in range(MAX_ITEMS)]
    assert len(report(client, items)["results"]) == MAX_ITEMS
    problem = assert_problem(post(client, {"items": items + [person("one-more")]}), 400)
    assert "1,001" in problem["detail"]
    assert problem["errors"][0]["keyword"] == "maxItems"


@pytest.mark.parametrize(
    "body,keyword",
    [
        ([], "minItems"),
        ({"items": []}, "minItems"),
        ({"items": "all"}, "type"),
        ({"items": [], "extra": 1}, "additionalProperties"),
        ("a person", "type"),
        (5, "type"),
        (None, "type"),
    ],
)
def test_a_body_of_no_item_shape_is_a_400_saying_why(client, body, keyword):
    problem = assert_problem(post(client, body), 400)
    assert problem["errors"] == [{"pointer": "", "keyword": keyword, "message": problem["detail"]}]


def test_every_body_answered_200_is_a_validation_request_in_the_openapi_document(client):
    from jsonschema import Draft202012Validator

    document = json.loads(client.http.get("/openapi.json").body)
    request = Draft202012Validator({"$ref": "#/components/schemas/ValidationRequest", **document})
    answered = [
        person(),
        [person()],
        {"items": [person()]},
        {"kind": "person", "record": {}, "note": 1},
        {"record": {}},
        {"items": [person()], "record": {}},
        [1, "two"],
        [{"kind": "castle"}],
    ]
    for body in answered:
        assert post(client, body).status_code == 200, body
        assert request.is_valid(body), body
    refused = [
        [],
        {"items": []},
        {"items": "all"},
        {"items": [], "extra": 1},
        "a person",
        5,
        None,
        [person(f"p-{i}") for i in range(MAX_ITEMS + 1)],
    ]
    for body in refused:
        assert post(client, body).status_code == 400, body
        assert not request.is_valid(body), body


# -- nothing stored, nothing logged ---------------------------------------------------------


def test_validation_stores_nothing_and_logs_no_body(client, opened_store, caplog):
    store = opened_store
    before = {key: store.get(key) for key in store.list()}
    marker = "Zz-unique-marker-in-the-body-zZ"
    caplog.set_level(logging.DEBUG)
    for payload in (person(description=marker), [claim(note=marker)], b"{" + marker.encode()):
        post(client, payload)
    assert marker not in caplog.text
    caplog.set_level(logging.WARNING)  # reading every object back logs much at DEBUG, to no end
    assert {key: store.get(key) for key in store.list()} == before
