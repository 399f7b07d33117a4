"""``/reconcile``, the W3C Reconciliation API 0.2, over HTTP: the manifest, query batches by GET
and by form POST as OpenRefine sends them, Persian, Arabic and Latin spellings, properties, the
rule for ``match: true``, and clear errors.

Request shapes follow the specification's query batch (an object of query objects with
``query``, ``type``, ``limit``, ``properties`` of ``{"pid", "v"}``, ``type_strict``); answers
are checked against the shapes it gives for the manifest and the result batch, written out here.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from jsonschema import Draft202012Validator

from chalicelib.model.kinds import KINDS
from chalicelib.release.publish import publish
from chalicelib.serve import reconcile
from chalicelib.serve.limits import (
    MAX_BODY,
    MAX_CANDIDATES,
    MAX_QUERIES,
    MAX_URL_QUERIES_LENGTH,
)
from chalicelib.serve.reconciliation import scoring
from chalicelib.serve.request import BASE_URL_ENV
from chalicelib.serve.responses import CACHE_CURRENT, CACHE_PINNED
from chalicelib.store import open_store
from support import reconciliation_spec as spec
from support.apidata import PERSON, app_client, get_json
from support.minidata import RELEASE_EPOCH, mini, write

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def batch(client, queries: dict, method: str = "GET", **params) -> dict:
    """Send ``queries`` as OpenRefine does; the answer must be a valid 0.2 result batch."""
    encoded = urlencode({"queries": json.dumps(queries, ensure_ascii=False), **params})
    if method == "GET":
        response = client.http.get(f"/reconcile?{encoded}")
    else:
        response = client.http.post("/reconcile", body=encoded, headers=FORM)
    assert response.status_code == 200, response.body[:400]
    answer = spec.conforms(spec.RESULT_BATCH, json.loads(response.body))
    assert list(answer) == list(queries)
    return answer


def ranked(answer: dict, key: str) -> list[str]:
    return [candidate["id"] for candidate in answer[key]["result"]]


def problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.body[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    return json.loads(response.body)


# -- the manifest ------------------------------------------------------------------------------


def test_the_manifest_offers_the_six_kinds_and_opens_a_candidate_at_its_own_url(client, served):
    manifest = get_json(client, "/reconcile")
    spec.conforms(spec.MANIFEST, manifest)
    assert "0.2" in manifest["versions"]
    assert [t["id"] for t in manifest["defaultTypes"]] == [k.name for k in KINDS]
    assert manifest["release"] == served.version
    url = manifest["view"]["url"].replace("{{id}}", PERSON)
    path = url.split("://", 1)[1].partition("/")[2]
    assert get_json(client, "/" + path)["id"] == PERSON.partition("/")[2]


def test_the_manifest_names_the_host_and_stage_it_is_reached_at(monkeypatch):
    headers = {"host": "api.example.org", "x-forwarded-proto": "https"}
    context = {"path": "/api/reconcile"}
    assert reconcile.public_base(headers, context, "/reconcile") == "https://api.example.org/api"
    assert reconcile.public_base({"host": "127.0.0.1:8000"}, {}, "/reconcile") == (
        "http://127.0.0.1:8000"
    )
    # A Host that is not a host name is not echoed into a link.
    assert reconcile.public_base({"host": "evil/<x>"}, {}, "/reconcile") == "http://localhost"
    monkeypatch.setenv(BASE_URL_ENV, "https://records.example/")
    assert reconcile.public_base(headers, context, "/reconcile") == "https://records.example"


def test_a_pinned_manifest_is_immutable_and_links_to_pinned_records(client, served):
    response = client.http.get(f"/reconcile?release={served.version}")
    assert response.headers["Cache-Control"] == CACHE_PINNED
    assert json.loads(response.body)["view"]["url"].endswith(f"{{{{id}}}}?release={served.version}")
    assert client.http.get("/reconcile").headers["Cache-Control"] == CACHE_CURRENT


# -- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "مصطفی پورمحمدی",  # Persian, as the record holds it
        "مصطفي پورمحمدي",  # with the Arabic yeh an Arabic keyboard types
        "Mostafa Pour-Mohammadi",
        "MOSTAFA POURMOHAMMADI",
        "Moṣṭafā Pūr Moḥammadī",  # diacritics of a transliteration
        "Pour Mohammadi, Mostafa",  # surname first
    ],
)
def test_persian_arabic_and_latin_spellings_meet_the_same_person(client, spelling):
    answer = batch(client, {"q0": {"query": spelling, "type": "person"}})
    first = answer["q0"]["result"][0]
    assert first["id"] == PERSON
    assert first["type"] == [{"id": "person", "name": "Person"}]
    assert first["score"] >= scoring.MATCH_SCORE
    assert first["match"] is True


def test_a_misspelling_is_a_candidate_but_not_a_match(client):
    answer = batch(client, {"q0": {"query": "Mostafa Purmohamadi", "type": "person"}})
    first = answer["q0"]["result"][0]
    assert first["id"] == PERSON
    assert 60 <= first["score"] < 100


def test_a_batch_of_ten_queries_by_get_and_by_form_post_gets_the_same_answers(client):
    queries = {
        "q0": {"query": "Mostafa Pour Mohammadi", "type": "person", "limit": 3},
        "q1": {"query": "Evin", "type": "place"},
        "q2": {"query": "Tehran", "type": "place", "type_strict": "should"},
        "q3": {"query": "Amnesty International", "type": "organization"},
        "q4": {"query": "Blood-soaked secrets", "type": "source"},
        "q5": {"query": "MDE 13/9421/2018", "type": "source"},  # a source's identifier
        "q6": {"query": "1988 prison massacres", "type": "event"},
        "q7": {"query": "Person 07", "type": ["person"]},
        "q8": {"query": "Stockholm District Court"},  # no type: every named kind
        "q9": {"query": "Nobody by this name zzqx", "type": "person"},
    }
    by_get = batch(client, queries)
    assert batch(client, queries, "POST") == by_get
    expected = {
        "q0": PERSON,
        "q1": "places/evin-prison",
        "q2": "places/tehran",
        "q3": "organizations/amnesty-international",
        "q4": "sources/amnesty-2018-report",
        "q5": "sources/amnesty-2018-report",
        "q6": "events/1988-prison-massacres",
        "q7": "people/person-07",
        "q8": "organizations/stockholm-district-court",
    }
    for key, first in expected.items():
        result = by_get[key]["result"]
        assert result[0]["id"] == first, key
        assert result[0]["match"] is True, key
        assert all(not c["match"] for c in result[1:]), key
        scores = [c["score"] for c in result]
        assert scores == sorted(scores, reverse=True), key
    assert by_get["q9"]["result"] == []
    assert len(by_get["q0"]["result"]) <= 3


def test_limit_caps_the_candidates(client):
    answer = batch(client, {"q0": {"query": "Person", "type": "person", "limit": 2}})
    assert len(answer["q0"]["result"]) == 2
    wider = batch(client, {"q0": {"query": "Person", "type": "person", "limit": 25}})
    assert len(wider["q0"]["result"]) > 2


def test_two_records_of_equal_name_are_never_matched_automatically():
    a = scoring.Candidate(KINDS[0], {"id": "a"}, 1.0, [], 100.0)
    b = scoring.Candidate(KINDS[0], {"id": "b"}, 1.0, [], 100.0)
    near = scoring.Candidate(KINDS[0], {"id": "c"}, 0.91, [], 91.0)
    far = scoring.Candidate(KINDS[0], {"id": "d"}, 0.8, [], 80.0)
    assert not scoring.is_match([a, b])
    assert not scoring.is_match([a, near])
    assert scoring.is_match([a, far]) and scoring.is_match([a])
    assert not scoring.is_match([near.__class__(KINDS[0], {"id": "e"}, 0.89, [], 89.0)])


def test_a_get_batch_is_kept_and_a_post_is_never_cached(client, opened_store):
    encoded = urlencode({"queries": json.dumps({"q0": {"query": "Evin"}})})
    first = client.http.get(f"/reconcile?{encoded}")
    reads = opened_store.reads
    again = client.http.get(f"/reconcile?{encoded}")
    assert again.body == first.body and opened_store.reads == reads
    assert first.headers["Cache-Control"] == CACHE_CURRENT
    posted = client.http.post("/reconcile", body=encoded, headers=FORM)
    assert posted.headers["Cache-Control"] == "no-store"


# -- properties: a dataset of namesakes --------------------------------------------------------


def namesakes() -> dict[str, list[dict]]:
    """The mini dataset plus two fictional people of one name, told apart only by their details:
    one died in 1988 and, a claim says, was killed at Evin; the other died in 1990, was held in
    Tehran, and is claimed to be a member of Amnesty International."""
    dataset = mini()
    cite = [{"source": "sources/amnesty-2018-report", "locator": "p. 1"}]
    names = [
        {"name": "Kaveh Example", "lang": "en", "script": "Latn"},
        {"name": "کاوه نمونه", "lang": "fa", "script": "Arab"},
    ]
    dataset["people"] += [
        {
            "id": "kaveh-example-1",
            "name": "Kaveh Example",
            "names": names,
            "categories": ["victim"],
            "died": "1988-08-10",
            "sources": cite,
        },
        {
            "id": "kaveh-example-2",
            "name": "Kaveh Example",
            "names": names,
            "categories": ["survivor"],
            "died": "1990",
            "sources": cite,
        },
    ]
    claim = {
        "claimed_by": "organizations/amnesty-international",
        "stance": "asserts",
        "status": "alleged",
        "confidence": "low",
        "sources": cite,
    }
    dataset["claims"] += [
        {
            "id": "kaveh-1-killed-at-evin",
            "subject": "people/kaveh-example-1",
            "property": "killed_at",
            "value": "places/evin-prison",
            **claim,
        },
        {
            "id": "kaveh-2-held-in-tehran",
            "subject": "people/kaveh-example-2",
            "property": "held_at",
            "value": "places/tehran",
            **claim,
        },
        {
            "id": "kaveh-2-member",
            "subject": "people/kaveh-example-2",
            "property": "member_of",
            "value": "organizations/amnesty-international",
            **claim,
        },
    ]
    return dataset


@pytest.fixture(scope="module")
def namesakes_store(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("namesakes")
    url = str(root / "store")
    publish(open_store(url), write(namesakes(), Path(root / "data")), epoch=RELEASE_EPOCH)
    return url


@pytest.fixture
def namesakes_client(namesakes_store, monkeypatch):
    with app_client(namesakes_store, monkeypatch) as client:
        yield client


def kaveh(properties: list[dict] | None = None, query: str = "Kaveh Example") -> dict:
    return {"query": query, "type": "person", **({"properties": properties} if properties else {})}


def scores(answer: dict, key: str = "q0") -> dict[str, tuple[float, bool]]:
    return {c["id"]: (c["score"], c["match"]) for c in answer[key]["result"]}


def test_namesakes_without_details_are_both_candidates_and_neither_a_match(namesakes_client):
    answer = batch(namesakes_client, {"q0": kaveh(), "q1": kaveh(query="کاوه نمونه")})
    for key in ("q0", "q1"):
        assert scores(answer, key) == {
            "people/kaveh-example-1": (100.0, False),
            "people/kaveh-example-2": (100.0, False),
        }


@pytest.mark.parametrize(
    "properties, matched",
    [
        ([{"pid": "died", "v": "1988"}], "kaveh-example-1"),
        ([{"pid": "Date of death", "v": 1988}], "kaveh-example-1"),
        ([{"pid": "died", "v": "1990/1991"}], "kaveh-example-2"),
        ([{"pid": "place", "v": "Evin"}], "kaveh-example-1"),
        ([{"pid": "place", "v": {"id": "places/evin-prison", "name": "Evin"}}], "kaveh-example-1"),
        ([{"pid": "place", "v": "evin-prison"}], "kaveh-example-1"),
        # Kaveh 2 names no organization (unknown) and Kaveh 1 none either: died decides.
        (
            [{"pid": "organization", "v": "Amnesty International"}, {"pid": "died", "v": "1990"}],
            "kaveh-example-2",
        ),
    ],
)
def test_a_property_tells_namesakes_apart(namesakes_client, properties, matched):
    answer = batch(namesakes_client, {"q0": kaveh(properties)}, method="POST")
    first = answer["q0"]["result"][0]
    assert (first["id"], first["score"], first["match"]) == (f"people/{matched}", 100.0, True)
    other = answer["q0"]["result"][1]
    assert other["score"] <= 100 - scoring.MATCH_LEAD and other["match"] is False
    features = {f["id"]: f["value"] for f in first["features"]}
    assert features["name"] == 1.0
    assert all(v is True for k, v in features.items() if k != "name")


def test_a_place_counts_the_places_within_it(namesakes_client):
    # Evin is within Tehran: both namesakes are tied to Tehran, so neither is matched.
    answer = batch(namesakes_client, {"q0": kaveh([{"pid": "place", "v": "Tehran"}])})
    assert scores(answer) == {
        "people/kaveh-example-1": (100.0, False),
        "people/kaveh-example-2": (100.0, False),
    }


def test_an_organization_only_one_namesake_names_confirms_it_and_leaves_the_other_unknown(
    namesakes_client,
):
    answer = batch(
        namesakes_client,
        {"q0": kaveh([{"pid": "organization", "v": "organizations/amnesty-international"}])},
    )
    features = {c["id"]: c["features"] for c in answer["q0"]["result"]}
    assert {"id": "organization", "value": True} in features["people/kaveh-example-2"]
    assert [f["id"] for f in features["people/kaveh-example-1"]] == ["name"]


@pytest.mark.parametrize(
    "properties",
    [
        [{"pid": "died", "v": ""}],  # an empty cell
        [{"pid": "place", "v": "Atlantis"}],  # no place of this name in the release
        [{"pid": "organization", "v": {"id": "organizations/no-such-body"}}],
    ],
)
def test_a_property_the_release_cannot_judge_says_nothing(namesakes_client, properties):
    answer = batch(namesakes_client, {"q0": kaveh(properties)})
    assert [(c["score"], c["features"]) for c in answer["q0"]["result"]] == [
        (100.0, [{"id": "name", "value": 1.0}])
    ] * 2


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "queries, named",
    [
        ("not json", "not JSON"),
        ("[]", "JSON object"),
        ("{}", "JSON object"),
        ('{"q0": "Evin"}', "query 'q0'"),
        ('{"q0": {"query": "Evin", "limit": 0}}', "'limit'"),
        ('{"q0": {"query": "Evin", "limit": true}}', "'limit'"),
        ('{"q0": {"query": 7}}', "'query' must be a string"),
        ('{"q0": {"query": "Evin", "shape": 1}}', "unknown member 'shape'"),
        ('{"q0": {"query": "Evin", "properties": [{"pid": "died", "v": "1988-13"}]}}', "EDTF"),
        ('{"q0": {"query": "Evin", "properties": [{"pid": "died"}]}}', "'pid' and 'v'"),
        ('{"q0": {"query": "Evin", "type_strict": "never"}}', "type_strict"),
    ],
)
def test_a_malformed_batch_is_a_400_naming_the_problem(client, queries, named):
    found = problem(client.http.get("/reconcile?" + urlencode({"queries": queries})))
    assert found["parameter"] == "queries"
    assert named in found["detail"]


# -- what a spec-valid batch may hold that this service does not know ------------------------


def test_a_limit_over_the_most_is_lowered_for_that_query_alone(client):
    answer = batch(
        client,
        {
            "q0": {"query": "Person", "type": "person", "limit": 100},
            "q1": {"query": "Person", "type": "person", "limit": MAX_CANDIDATES},
            "q2": {"query": "Person", "type": "person", "limit": 2},
        },
    )
    assert answer["q0"]["result"] == answer["q1"]["result"]
    assert len(answer["q0"]["result"]) > 2
    assert answer["q0"]["notes"] == [
        f"limit 100 lowered to {MAX_CANDIDATES}, the most this service gives"
    ]
    assert len(answer["q2"]["result"]) == 2
    assert "notes" not in answer["q1"] and "notes" not in answer["q2"]


def test_an_unknown_type_is_ignored_and_noted_in_its_query(client):
    plain = batch(client, {"q0": {"query": "Evin"}})
    answer = batch(
        client,
        {
            "q0": {"query": "Evin", "type": "castle"},
            "q1": {"query": "Evin", "type": ["castle", "place"]},
            "q2": {"query": "Evin", "type": "place"},
        },
    )
    assert answer["q0"]["result"] == plain["q0"]["result"]
    assert answer["q1"]["result"] == answer["q2"]["result"]
    assert all("'castle' ignored" in answer[k]["notes"][0] for k in ("q0", "q1"))
    assert "notes" not in answer["q2"]


def test_an_unknown_property_is_ignored_and_noted_in_its_query(client):
    answer = batch(
        client,
        {
            "q0": {"query": "Evin", "properties": [{"pid": "eyes", "v": "x"}]},
            "q1": {"query": "Evin"},
        },
    )
    assert answer["q0"]["result"] == answer["q1"]["result"]
    assert answer["q0"]["notes"] == [
        "property 'eyes' ignored: this service uses died, place, organization"
    ]


def test_a_query_of_properties_alone_is_answered_with_no_candidates(client):
    answer = batch(
        client,
        {"q0": {"properties": [{"pid": "died", "v": "1988"}]}, "q1": {"query": "Evin"}},
    )
    assert answer["q0"] == {"result": []}
    assert answer["q1"]["result"]


def test_queries_past_the_batch_limit_get_no_candidates_and_a_note(client):
    queries = {f"q{i}": {"query": "Evin", "limit": 1} for i in range(MAX_QUERIES + 2)}
    answer = batch(client, queries)
    for i in range(MAX_QUERIES):
        assert answer[f"q{i}"]["result"] and "notes" not in answer[f"q{i}"]
    for i in (MAX_QUERIES, MAX_QUERIES + 1):
        assert answer[f"q{i}"]["result"] == []
        assert "send the rest in another batch" in answer[f"q{i}"]["notes"][0]


def test_a_query_without_a_letter_or_digit_has_no_candidates_and_spares_the_batch(client):
    answer = batch(client, {"q0": {"query": "--"}, "q1": {"query": "Evin"}})
    assert answer["q0"] == {"result": []}
    assert answer["q1"]["result"]


def test_unknown_parameters_jsonp_and_bodies_of_another_type_are_refused(client):
    assert problem(client.http.get("/reconcile?query=Evin"))["parameter"] == "query"
    assert "JSONP" in problem(client.http.get("/reconcile?callback=f"))["detail"]
    body = json.dumps({"queries": {"q0": {"query": "Evin"}}})
    posted = client.http.post("/reconcile", body=body, headers={"Content-Type": "application/json"})
    assert "queries=" in problem(posted, 415)["detail"]
    big = client.http.post("/reconcile", body="queries=" + "a" * (MAX_BODY + 1), headers=FORM)
    problem(big, 413)


def test_a_batch_longer_than_a_url_takes_is_refused_in_the_url_and_answered_by_post(client):
    queries = {f"q{i}": {"query": "Evin " + "x" * 150, "type": "place"} for i in range(50)}
    text = json.dumps(queries)
    assert len(text) > MAX_URL_QUERIES_LENGTH
    found = problem(client.http.get("/reconcile?" + urlencode({"queries": text})))
    assert found["parameter"] == "queries" and "POST" in found["detail"]
    posted = client.http.post("/reconcile", body=urlencode({"queries": text}), headers=FORM)
    assert posted.status_code == 200 and set(json.loads(posted.body)) == set(queries)
    operation = get_json(client, "/openapi.json")["paths"]["/reconcile"]["get"]
    declared = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert declared["queries"]["maxLength"] == MAX_URL_QUERIES_LENGTH
    assert declared["extend"]["maxLength"] == MAX_URL_QUERIES_LENGTH


def test_a_post_without_queries_is_a_400_and_a_post_stores_nothing(client, served):
    before = {key: served.clean.get(key) for key in served.clean.list()}
    found = problem(client.http.post("/reconcile", body="", headers=FORM))
    assert found["parameter"] == "queries" and "GET /reconcile" in found["detail"]
    encoded = urlencode({"queries": json.dumps({"q0": {"query": "Evin"}})})
    assert client.http.post("/reconcile", body=encoded, headers=FORM).status_code == 200
    assert {key: served.clean.get(key) for key in served.clean.list()} == before


# -- OpenAPI -----------------------------------------------------------------------------------


def test_openapi_documents_get_and_post_with_the_query_batch(client):
    document = get_json(client, "/openapi.json")
    operations = document["paths"]["/reconcile"]
    assert set(operations) == {"get", "head", "post"}
    (queries,) = [p for p in operations["get"]["parameters"] if p["name"] == "queries"]
    # JSON text in a string, its shape in contentSchema: a generated client then sends it
    assert queries["schema"]["type"] == "string"
    assert queries["schema"]["contentMediaType"] == "application/json"
    batch_schema = queries["schema"]["contentSchema"]
    example = {"q0": kaveh([{"pid": "died", "v": "1988"}]), "q1": {"query": "Evin", "limit": 3}}
    Draft202012Validator(batch_schema).validate(example)
    assert "application/x-www-form-urlencoded" in operations["post"]["requestBody"]["content"]


def test_the_openapi_document_states_the_404_and_the_json_form_field(client):
    paths = json.loads(client.http.get("/openapi.json").body)["paths"]["/reconcile"]
    for method in ("get", "head", "post"):
        assert "parameter` is `release`" in paths[method]["responses"]["404"]["description"]
    form = paths["post"]["requestBody"]["content"][FORM["Content-Type"]]
    field = form["schema"]["properties"]["queries"]
    assert (field["type"], field["contentMediaType"]) == ("string", "application/json")
    # No maxProperties: queries past the batch limit are answered (with a note), not refused.
    assert "maxProperties" not in field["contentSchema"]
    assert f"first {MAX_QUERIES} queries are answered" in field["contentSchema"]["description"]
    query = field["contentSchema"]["additionalProperties"]
    assert "required" not in query and "maximum" not in query["properties"]["limit"]
