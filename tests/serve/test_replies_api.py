"""A reply is served beside the claim it answers: under /claims/<id>/claims and by the
in_reply_to filter."""

from __future__ import annotations

import json

import pytest

from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.apidata import app_client
from support.minidata import RELEASE_EPOCH, mini, write

REPLY = {
    "id": "pour-mohammadi-denies-member",
    "subject": "people/mostafa-pour-mohammadi",
    "property": "member_of",
    "value": "organizations/amnesty-international",
    "qualifiers": {"in_reply_to": "claims/pour-mohammadi-member"},
    "claimed_by": "people/mostafa-pour-mohammadi",
    "stance": "denies",
    "status": "alleged",
    "confidence": "high",
    "sources": [{"source": "sources/amnesty-2018-report", "locator": "p. 4"}],
}


@pytest.fixture(scope="module")
def replied_store(tmp_path_factory) -> str:
    dataset = mini()
    dataset["claims"] = [*dataset["claims"], REPLY]
    data = write(dataset, tmp_path_factory.mktemp("replies") / "data")
    url = str(tmp_path_factory.mktemp("replies-store") / "store")
    publish(open_store(url), data, epoch=RELEASE_EPOCH)
    return url


@pytest.fixture
def client(replied_store, monkeypatch):
    with app_client(replied_store, monkeypatch) as test_client:
        yield test_client


def ids(client, url: str) -> list[str]:
    response = client.http.get(url)
    assert response.status_code == 200, response.body[:300]
    return [item["id"] for item in json.loads(response.body)["items"]]


def test_the_claims_about_a_claim_include_its_replies(client):
    assert ids(client, "/claims/pour-mohammadi-member/claims") == [REPLY["id"]]


def test_the_in_reply_to_filter_lists_the_replies_to_a_claim(client):
    assert ids(client, "/claims?in_reply_to=claims/pour-mohammadi-member") == [REPLY["id"]]
    assert ids(client, "/claims?in_reply_to=claims/amnesty-period") == []
    response = client.http.get("/claims?in_reply_to=people/mostafa-pour-mohammadi")
    assert response.status_code == 400
    assert "must refer to claims" in json.loads(response.body)["detail"]
