"""Which victims a list names, which two lists both name, which one list alone, and who was
under 18: the people filters derived from claims, over HTTP (the dataset: support.listdata)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.apidata import app_client, get_json, ids, walk
from support.listdata import PMOI_LIST, UN_LIST, list_dataset
from support.minidata import RELEASE_EPOCH, write


@pytest.fixture(scope="module")
def list_store(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("lists")
    url = str(root / "store")
    publish(open_store(url), write(list_dataset(), root / "data"), epoch=RELEASE_EPOCH)
    return url


@pytest.fixture
def client(list_store, monkeypatch):
    with app_client(list_store, monkeypatch) as test_client:
        yield test_client


def people(client, *pairs: tuple[str, str]) -> list[str]:
    return ids(walk(client, "/people?" + urlencode(pairs)))


def test_the_victims_a_list_names(client):
    assert people(client, ("named_on_list", UN_LIST)) == ["ali-both", "bahram-un"]
    assert people(client, ("named_on_list", "pmoi-list")) == ["ali-both", "cyrus-pmoi"]


def test_a_repeated_list_filter_keeps_the_victims_both_lists_name(client):
    both = people(client, ("named_on_list", UN_LIST), ("named_on_list", PMOI_LIST))
    assert both == ["ali-both"]


def test_list_count_one_keeps_the_victims_that_list_alone_names(client):
    assert people(client, ("named_on_list", UN_LIST), ("list_count", "1")) == ["bahram-un"]
    assert people(client, ("list_count", "1")) == ["bahram-un", "cyrus-pmoi"]
    # A denied or retracted claim names nobody: Dara is on no list.
    assert people(client, ("list_count", "0")) == ["dara-none", "mostafa-pour-mohammadi"]


def test_the_victims_under_18_at_the_time_of_the_alleged_offence(client):
    assert people(client, ("under_18_at_alleged_offense", "true")) == ["ali-both"]
    assert people(client, ("under_18_at_alleged_offense", "false")) == []


def test_a_repeated_filter_that_may_not_repeat_is_refused(client):
    response = client.http.get("/people?category=victim&category=official")
    assert response.status_code == 400
    assert "more than once" in json.loads(response.body)["detail"]


def test_a_list_filter_refuses_a_reference_into_another_collection(client):
    response = client.http.get("/people?named_on_list=people/ali-both")
    assert response.status_code == 400
    assert "must refer to sources" in json.loads(response.body)["detail"]


def test_too_many_lists_is_refused(client):
    query = urlencode([("named_on_list", f"sources/list-{n}") for n in range(11)])
    response = client.http.get("/people?" + query)
    assert response.status_code == 400
    assert "more than 10 times" in json.loads(response.body)["detail"]


def test_openapi_says_the_list_filter_repeats(client):
    spec = get_json(client, "/openapi.json")
    params = {p["name"]: p for p in spec["paths"]["/people"]["get"]["parameters"]}
    assert params["named_on_list"]["schema"]["type"] == "array"
    assert params["named_on_list"]["explode"] is True
    assert params["list_count"]["schema"]["type"] == "string"
    assert "under_18_at_alleged_offense" in params
