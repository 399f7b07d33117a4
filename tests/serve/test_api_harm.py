"""``POST /validate`` keeps the do-no-harm rules exactly as the command line does."""

from __future__ import annotations

import json

from support.harmdata import witness

JSON = {"Content-Type": "application/json"}


def result_of(client, record: dict, kind: str = "person") -> dict:
    body = json.dumps({"kind": kind, "record": record}).encode()
    response = client.http.post("/validate", body=body, headers=JSON)
    assert response.status_code == 200, response.body[:300]
    return json.loads(response.body)["results"][0]


def problems(result: dict, which: str = "errors") -> list[tuple[str, str]]:
    return [(p["pointer"], p["keyword"]) for p in result[which]]


def cited(record: dict) -> dict:
    """The record citing a source the served release has."""
    record["sources"] = [{**c, "source": "sources/amnesty-2018-report"} for c in record["sources"]]
    return record


def test_a_living_witness_named_without_consent_is_an_error_pointing_at_the_name(client):
    result = result_of(client, cited(witness(withheld=False)))
    assert not result["valid"]
    assert problems(result) == [
        ("/name", "consent"),
        ("/names/0", "consent"),
        ("/names/1", "consent"),
    ]
    assert "speaks_publicly_as" in result["errors"][0]["message"]


def test_the_same_witness_with_consent_or_withheld_is_valid(client):
    assert result_of(client, cited(witness(withheld=False, consent=True)))["valid"]
    assert result_of(client, cited(witness()))["valid"]


def test_a_withheld_pointer_that_names_nothing_is_an_error(client):
    record = cited(witness())
    record["withheld"].append({"pointer": "/names/5", "reason": "safety"})
    assert problems(result_of(client, record)) == [("/withheld/3/pointer", "withheld")]


def test_contact_details_in_a_text_field_are_a_warning(client):
    record = cited(witness(withheld=False, consent=True))
    record["description"] = "Reach her on +98 21 8888 7777."
    result = result_of(client, record)
    assert result["valid"]
    assert problems(result, "warnings") == [("/description", "personalData")]
