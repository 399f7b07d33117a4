"""Single records, tombstones, and the HTTP rules that hold on every route, over HTTP on a
folder store and on S3: ETags and 304, caching, CORS and nosniff, 405s, problem details that
name the bad parameter, and 404s for malformed ids that cost no storage call."""

from __future__ import annotations

import json
import re

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.release.layout import canonical_json
from chalicelib.serve import views
from chalicelib.serve.cursors import CURSOR_PATTERN
from chalicelib.serve.request import Request
from chalicelib.serve.responses import CACHE_CURRENT, CACHE_PINNED, Problem, Reply
from chalicelib.serve.route import UNKNOWN_PATHS
from chalicelib.serve.service import Service
from support.apidata import BUCKET, PERSON, app_client, concrete, get_json, get_routes
from support.service import current

COLLECTIONS = [kind.collection for kind in KINDS]
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
MERGED = "/people/pour-mohammadi-duplicate"
WITHDRAWN = "/places/unverified-grave-site"
# Route paths have {placeholders}; these are the bodies of list-page and index responses that
# the README says carry the release.
RELEASE_IN_BODY = re.compile(r"^/$|^/schemas$|^/[a-z]+$|^/[a-z]+/\{id\}/claims$")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.body[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = json.loads(response.body)
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= set(problem)
    return problem


def assert_bad_parameter(response, parameter: str) -> None:
    problem = assert_problem(response, 400)
    assert problem["parameter"] == parameter
    assert parameter in problem["detail"]


# -- records --------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_record_is_served_in_full_as_published(client, served, collection):
    for record in served.live[collection]:
        response = client.http.get(f"/{collection}/{record['id']}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.body == canonical_json(record)


def test_a_claim_is_served_with_its_citations(client, served):
    claim = get_json(client, "/claims/pour-mohammadi-member")
    assert claim["sources"] == [
        {
            "source": "sources/amnesty-2018-report",
            "locator": "p. 4",
            "quote": "extrajudicially executed thousands of imprisoned political dissidents",
        }
    ]
    assert claim == served.record("claims", "pour-mohammadi-member")


def test_a_well_formed_id_that_does_not_exist_is_a_404(client):
    problem = assert_problem(client.http.get("/people/no-such-person"), 404)
    assert problem["detail"] == "people/no-such-person does not exist"


def test_a_merged_id_answers_308_to_its_canonical_record(client):
    response = client.http.get(MERGED)
    problem = assert_problem(response, 308)
    assert response.headers["Location"] == "/" + PERSON
    assert "merged into " + PERSON in problem["detail"]
    assert response.headers["Cache-Control"] == CACHE_CURRENT


def test_a_merged_id_keeps_the_pinned_release_in_its_location(client, served):
    response = client.http.get(f"{MERGED}?release={served.version}")
    assert response.status_code == 308
    assert response.headers["Location"] == f"/{PERSON}?release={served.version}"
    assert response.headers["Cache-Control"] == CACHE_PINNED


def test_the_claims_of_a_merged_id_answer_308_to_the_canonical_records_claims(client, served):
    response = client.http.get(f"{MERGED}/claims?status=alleged&release={served.version}")
    assert response.status_code == 308
    assert (
        response.headers["Location"] == f"/{PERSON}/claims?status=alleged&release={served.version}"
    )


def test_a_withdrawn_id_answers_410_with_the_reason(client):
    for url in (WITHDRAWN, WITHDRAWN + "/claims"):
        problem = assert_problem(client.http.get(url), 410)
        assert problem["detail"] == (
            "places/unverified-grave-site was withdrawn: The only source could not be verified."
        )
        assert problem["withdrawn"] == "2026-11-02"


# -- malformed ids: 404 with no storage call -----------------------------------------------

MALFORMED_IDS = [
    "..%2F",
    "..%2F..%2Fcurrent.json",
    "%00",
    "a%00b",
    "a" * 81,
    "Mostafa-Pour-Mohammadi",
    "ABC",
    "..",
    "a--b",
    "-a",
    "a-",
    "a_b",
    "a.json",
    "%2E%2E",
    "a%20b",
    "é",
]


@pytest.mark.parametrize("record_id", MALFORMED_IDS)
def test_a_malformed_id_is_a_404_with_no_storage_call(client, opened_store, record_id):
    for collection in COLLECTIONS:
        for url in (f"/{collection}/{record_id}", f"/{collection}/{record_id}/claims"):
            assert_problem(client.http.get(url), 404)
    assert opened_store.reads == 0


@pytest.mark.parametrize(
    "record_id", ["../", "../../current.json", "\x00", "a\x00b", "a" * 81, "A", "a/b", ""]
)
def test_a_decoded_malformed_id_is_a_404_with_no_storage_call(opened_store, record_id):
    # API Gateway hands path parameters over decoded; chalice local does not.
    for route in (views.get_record, views.record_claims):
        with pytest.raises(Problem) as caught:
            route(Request("/people/x", {}, current()), "people", record_id)
        assert caught.value.status == 404
    assert opened_store.reads == 0


@pytest.mark.parametrize(
    "url",
    [
        "/dataset/files/..%2Fmanifest.json",
        "/dataset/files/%00",
        "/dataset/files/.hidden",
        "/schemas/..%2Fperson",
        "/schemas/PERSON",
    ],
)
def test_a_malformed_file_or_schema_name_is_a_404_with_no_storage_call(client, opened_store, url):
    assert_problem(client.http.get(url), 404)
    assert opened_store.reads == 0


# -- the rules on every route ---------------------------------------------------------------


def test_every_get_route_answers_200_with_etag_cache_cors_and_nosniff(client, served):
    for path in get_routes():
        response = client.http.get(concrete(path, served))
        assert response.status_code == 200, path
        assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"]), path
        assert response.headers["Cache-Control"] == CACHE_CURRENT, path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_every_path_answers_a_cors_preflight_with_its_own_methods(client, served):
    from app import app

    for path, entries in app.routes.items():
        if path == UNKNOWN_PATHS:  # no path of its own: 404 whatever the method
            continue
        allowed = [
            m for m, e in entries.items() if not getattr(e.view_function, "not_an_operation", False)
        ]
        response = client.http.request(
            "OPTIONS",
            concrete(path, served),
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": allowed[0],
                "Access-Control-Request-Headers": "if-none-match, content-type",
            },
        )
        assert response.status_code == 204, path
        assert response.body == b""
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Access-Control-Allow-Methods"] == ", ".join(allowed + ["OPTIONS"])
        asked = {
            h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
        }
        assert {"if-none-match", "content-type"} <= asked, path
        assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_a_get_carries_no_preflight_headers(client, served):
    # They belong to the OPTIONS answer only; on every GET they would be bytes for nothing.
    response = client.http.get(f"/{PERSON}")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert not {
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
    } & set(response.headers)


@pytest.mark.parametrize(
    "url", [f"/{PERSON}", "/claims?limit=2", "/people?q=pour", "/dataset", MERGED, WITHDRAWN, "/"]
)
def test_a_repeated_request_is_answered_from_the_kept_answer_with_no_storage_call(
    client, opened_store, url
):
    first = client.http.get(url)
    reads = opened_store.reads
    again, head = client.http.get(url), client.http.request("HEAD", url)
    revalidated = client.http.get(url, headers={"If-None-Match": first.headers.get("ETag", '"x"')})
    assert opened_store.reads == reads
    assert (again.status_code, again.body, again.headers) == (
        first.status_code,
        first.body,
        first.headers,
    )
    # HEAD says how long GET's body is (a 304 too); GET's length is its body's own.
    with_length = {**first.headers, "Content-Length": str(len(first.body))}
    assert (head.status_code, head.body, head.headers) == (first.status_code, b"", with_length)
    if first.status_code == 200:
        assert revalidated.status_code == 304 and revalidated.body == b""
    # A 304 or a HEAD is derived from the kept answer, never written into it.
    assert client.http.get(url).body == first.body


def test_kept_answers_are_per_release_and_per_query(client, served):
    pinned = client.http.get(f"/claims?limit=2&release={served.version}")
    current = client.http.get("/claims?limit=2")
    assert json.loads(pinned.body)["items"] == json.loads(current.body)["items"]
    assert (pinned.headers["Cache-Control"], current.headers["Cache-Control"]) == (
        CACHE_PINNED,
        CACHE_CURRENT,
    )
    assert (
        "release=" in json.loads(pinned.body)["next"]
        and "release=" not in json.loads(current.body)["next"]
    )
    assert len(json.loads(client.http.get("/claims?limit=3").body)["items"]) == 3


def test_a_problem_is_never_kept(served):
    service = Service()
    request = Request("/people/x", {}, service)

    class Flaky:
        version = served.version

    def failing():
        raise Problem(503, "store-unavailable", "Service unavailable", "try again")

    with pytest.raises(Problem):
        request.kept(Flaky, failing)
    answer = request.kept(Flaky, lambda: Reply(b'{"ok":true}'))
    assert (answer.status, answer.body) == (200, '{"ok":true}')
    assert request.kept(Flaky, failing) is answer  # kept from here on


def test_a_document_is_made_once_per_release_and_redaction_stamp():
    service, made = Service(), []

    class Release:
        version, stamp = "20261127-3f9a1c2b", None

    class Redacted(Release):
        stamp = "a-register-digest"

    def make():
        made.append(1)
        return {"id": "x", "n": len(made)}, 12

    first = service.document(("record", "people/x"), Release, make)
    assert service.document(("record", "people/x"), Release, make) is first
    assert service.document(("record", "people/x"), Redacted, make) == {"id": "x", "n": 2}
    assert service.document(("record", "people/y"), Release, make)["n"] == 3
    service.forget_derived()
    assert service.document(("record", "people/x"), Release, make)["n"] == 4


def test_every_get_route_pinned_to_a_release_is_immutable(client, served):
    for path in get_routes():
        if path == "/dataset/releases":
            continue  # the listing grows with every publish
        response = client.http.get(concrete(path, served) + f"?release={served.version}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == CACHE_PINNED, path


def test_the_release_listing_is_never_immutable(client, served):
    response = client.http.get(f"/dataset/releases?release={served.version}")
    assert response.headers["Cache-Control"] == CACHE_CURRENT


def test_every_get_route_answers_304_to_its_own_etag(client, served):
    for path in get_routes():
        url = concrete(path, served)
        etag = client.http.get(url).headers["ETag"]
        response = client.http.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304, path
        assert response.body == b""
        assert response.headers["ETag"] == etag
        assert (
            client.http.get(url, headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
        )
        assert client.http.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_every_get_route_answers_head_with_the_get_headers_and_no_body(client, served):
    for path in get_routes():
        url = concrete(path, served)
        get, head = client.http.get(url), client.http.request("HEAD", url)
        assert head.status_code == 200, path
        assert head.body == b""
        assert head.headers["ETag"] == get.headers["ETag"]
        assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_every_list_and_index_body_names_its_release(client, served):
    for path in get_routes():
        if RELEASE_IN_BODY.match(path):
            assert get_json(client, concrete(path, served))["release"] == served.version, path
    assert get_json(client, "/dataset")["version"] == served.version
    assert get_json(client, "/dataset/releases")["current"] == served.version


def test_schemas_are_served_as_schema_json(client):
    from chalicelib.model.schemas import schema_files

    for name in [k.name for k in KINDS] + ["defs", "tombstone"]:
        response = client.http.get(f"/schemas/{name}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/schema+json"
        assert json.loads(response.body)["$id"].endswith(f"/{name}.schema.json")
    listed = get_json(client, "/schemas")["schemas"]
    assert [s["kind"] for s in listed] == [k.name for k in KINDS]
    assert len(schema_files()) == len(KINDS) + 2


def test_every_other_method_on_every_route_is_a_405_naming_the_allowed_ones(client, served):
    from app import app

    for path, entries in app.routes.items():
        if path == UNKNOWN_PATHS:  # no path of its own: 404 whatever the method
            continue
        allowed = [
            m for m, e in entries.items() if not getattr(e.view_function, "not_an_operation", False)
        ]
        url = concrete(path, served)
        for method in METHODS:
            if method in allowed:
                continue
            response = client.http.request(
                method, url, body=b"{}", headers={"Content-Type": "text/plain"}
            )
            assert response.status_code == 405, (method, path)
            assert response.headers["Allow"] == ", ".join(allowed)
            if method != "HEAD":
                assert (
                    json.loads(response.body)["detail"]
                    == f"{method} is not allowed here; use {', '.join(allowed)}"
                )


# -- bad parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,parameter",
    [
        ("nope=1", "nope"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("limit=1.5", "limit"),
        ("sort=nope", "sort"),
        ("sort=--name", "sort"),
        ("date_from=1988-13", "date_from"),
        ("date_to=yesterday", "date_to"),
        ("release=latest", "release"),
        ("release=20261127-3F9A1C2B", "release"),
        ("limit=5&limit=6", "limit"),
        ("category=victim&category=official", "category"),
        ("cursor=", "cursor"),
        ("cursor=abc", "cursor"),
        ("cursor=" + "A" * 80, "cursor"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_a_bad_list_parameter_is_a_400_naming_it(client, query, parameter):
    assert_bad_parameter(client.http.get(f"/people?{query}"), parameter)


@pytest.mark.parametrize(
    "url,parameter",
    [
        ("/?limit=5", "limit"),
        (f"/{PERSON}?q=x", "q"),
        ("/dataset?release=nope", "release"),
        ("/schemas/person?x=1", "x"),
        ("/openapi.json?release=1&release=2", "release"),
        ("/dataset/files/people.csv?sort=id", "sort"),
    ],
)
def test_a_bad_parameter_on_any_route_is_a_400_naming_it(client, url, parameter):
    assert_bad_parameter(client.http.get(url), parameter)


UNPUBLISHED = "20200101-0badcafe"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/people",
        f"/{PERSON}",
        f"/{PERSON}/claims",
        "/schemas",
        "/schemas/person",
        "/dataset",
        "/dataset/files/people.csv",
        "/dataset/releases",
        "/openapi.json",
    ],
)
def test_a_well_formed_release_that_is_not_published_is_a_404_naming_it(client, url):
    # A thing that does not exist, not a malformed request: 404, as a client expects.
    problem = assert_problem(client.http.get(f"{url}?release={UNPUBLISHED}"), 404)
    assert problem["parameter"] == "release"
    assert UNPUBLISHED in problem["detail"] and "/dataset/releases" in problem["detail"]


@pytest.mark.parametrize("query", ["q=", "q=%20", "q=%20%20"])
def test_an_empty_search_is_no_search(client, served, query):
    # What an empty search form sends.
    assert get_json(client, f"/people?{query}") == get_json(client, "/people")


@pytest.mark.parametrize("query", ["q=--", "q=%20-%20", "q=!!", "q=%FF", "q=%C7%E1"])
def test_a_search_for_nothing_is_a_400_naming_q_not_every_record(client, served, query):
    problem = assert_problem(client.http.get(f"/people?{query}"), 400)
    assert problem["parameter"] == "q"


def test_date_from_and_date_to_are_separate_conditions(client, served):
    # date_to before date_from keeps the records whose span covers the gap between them.
    reversed_window = get_json(client, "/events?date_from=1985&date_to=1983&limit=500")["items"]
    after = {e["id"] for e in get_json(client, "/events?date_from=1985&limit=500")["items"]}
    before = {e["id"] for e in get_json(client, "/events?date_to=1983&limit=500")["items"]}
    assert reversed_window  # "1981/1985" and "../1987-06" cover 1983-1985
    assert {e["id"] for e in reversed_window} == after & before


@pytest.mark.parametrize("route", ["/", "/people", f"/{PERSON}", "/dataset/files/people.csv"])
def test_a_long_unknown_parameter_name_is_named_but_not_echoed_whole(client, route):
    response = client.http.get(f"{route}?{'x' * 5000}=1")
    problem = assert_problem(response, 400)
    assert problem["parameter"] == "x" * 39 + "…"
    assert len(response.body) < 1024


def refused_cursor(client, url: str, cursor: str) -> None:
    """``url`` with ``cursor`` is refused as the cursor's shape says it must be."""
    problem = assert_problem(
        client.http.get(f"{url}&cursor={cursor}"),
        404 if re.fullmatch(CURSOR_PATTERN, cursor) else 400,
    )
    assert problem["parameter"] == "cursor" and "cursor" in problem["detail"]


def test_a_tampered_cursor_is_refused_naming_cursor(client):
    cursor = get_json(client, "/claims?limit=5")["next"].rpartition("cursor=")[2]
    for i in (0, len(cursor) // 2, len(cursor) - 1):
        for other in "AB":
            flipped = cursor[:i] + other + cursor[i + 1 :]
            if flipped != cursor:
                refused_cursor(client, "/claims?limit=5", flipped)


@pytest.mark.parametrize(
    "other",
    ["limit=5&status=alleged", "limit=5&sort=-id", "limit=5&q=claim", "limit=5&date_from=1988"],
)
def test_a_cursor_reused_with_other_filters_names_no_page(client, other):
    cursor = get_json(client, "/claims?limit=5")["next"].rpartition("cursor=")[2]
    problem = assert_problem(client.http.get(f"/claims?{other}&cursor={cursor}"), 404)
    assert problem["parameter"] == "cursor"


def test_a_cursor_from_one_collection_names_no_page_on_another(client):
    cursor = get_json(client, "/claims?limit=5")["next"].rpartition("cursor=")[2]
    problem = assert_problem(client.http.get(f"/people?limit=5&cursor={cursor}"), 404)
    assert problem["parameter"] == "cursor"


def test_a_bad_parameter_costs_no_storage_call(client, opened_store):
    for query in ("nope=1", "limit=0", "sort=x", "date_from=1988-13", "limit=1&limit=2"):
        assert client.http.get(f"/claims?{query}").status_code == 400
    assert opened_store.reads == 0


# -- nothing leaks --------------------------------------------------------------------------


def test_no_problem_carries_a_traceback_a_bucket_name_or_a_credential(client, served):
    urls = [
        "/people?limit=0",
        "/people?cursor=abc",
        "/people/" + "a" * 81,
        "/people/no-such",
        MERGED,
        WITHDRAWN,
        "/dataset/files/nope.csv",
        "/schemas/nope",
        "/people?release=20200101-0badcafe",
    ]
    for url in urls:
        response = client.http.get(url)
        assert response.status_code >= 300
        text = response.body.decode() + json.dumps(dict(response.headers))
        for secret in ("Traceback", 'File "', BUCKET, "testing", "AKIA", "aws_"):
            assert secret not in text, (url, secret)


@pytest.mark.parametrize(
    "url", ["/nonexistent/secret-folder-name", "s3://secret-bucket-name-1988/x"]
)
def test_an_unreachable_store_is_a_503_that_does_not_name_it(moto_s3, monkeypatch, url):
    with app_client(url, monkeypatch) as client:
        for route in ("/", "/people", f"/{PERSON}", "/dataset/files/people.csv"):
            response = client.http.get(route)
            problem = assert_problem(response, 503)
            assert response.headers["Retry-After"]
            assert "secret" not in response.body.decode() and "Traceback" not in problem["detail"]
