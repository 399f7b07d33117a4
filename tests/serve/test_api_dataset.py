"""The service index, the release manifest and its downloads, the release listing, and the
OpenAPI document, over HTTP on a folder store and on S3."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.serve.query import allowed_params
from chalicelib.serve.responses import CACHE_CURRENT, CACHE_PINNED
from support.apidata import BUCKET, get_json

# -- the service index ----------------------------------------------------------------------


def test_the_index_lists_each_collection_with_its_count_and_link(client, served):
    index = get_json(client, "/")
    assert index["release"] == served.version
    assert [(c["name"], c["kind"], c["count"], c["href"]) for c in index["collections"]] == [
        (k.collection, k.name, len(served.live[k.collection]), f"/{k.collection}") for k in KINDS
    ]
    assert index["links"] == {
        "openapi": "/openapi.json",
        "schemas": "/schemas",
        "dataset": "/dataset",
        "releases": "/dataset/releases",
        "validate": "/validate",
    }
    for link in index["links"].values():
        if link != "/validate":
            assert client.http.get(link).status_code == 200, link


# -- the manifest and downloads -------------------------------------------------------------


def test_the_dataset_route_shows_the_manifest_with_every_download(client, served):
    dataset = get_json(client, "/dataset")
    assert dataset["version"] == served.version
    assert dataset["counts"]["claims"] == {"records": len(served.live["claims"]), "tombstones": 0}
    assert dataset["counts"]["people"]["tombstones"] == 1
    assert dataset["license"]["name"] == "CC-BY-4.0"
    assert served.version in dataset["cite"]["text"]
    names = {f["name"] for f in dataset["files"]}
    assert {"all.jsonl.gz", "datapackage.json", "claims-sources.csv", "changes.json"} <= names
    assert {f"{k.collection}.csv" for k in KINDS} | {
        f"{k.collection}.jsonl.gz" for k in KINDS
    } <= names
    for f in dataset["files"]:
        # The release in the path, so that the URL ends in the file's own suffix.
        assert f["href"] == f"/dataset/releases/{served.version}/files/{f['name']}"
        assert len(f["sha256"]) == 64 and f["bytes"] > 0


def test_the_folder_store_serves_each_download_with_the_sha256_the_manifest_states(dir_client):
    client = dir_client
    dataset = get_json(client, "/dataset")
    for f in dataset["files"]:
        response = client.http.get(f["href"], headers={"Accept": "*/*"})
        assert response.status_code == 200, f["name"]
        assert response.headers["Cache-Control"] == CACHE_PINNED
        assert len(response.body) == f["bytes"]
        assert hashlib.sha256(response.body).hexdigest() == f["sha256"], f["name"]
        # Saved under its own name (wget --content-disposition, browsers), not 'x?release=…'.
        assert response.headers["Content-Disposition"] == f'attachment; filename="{f["name"]}"'
        head = client.http.head(f["href"], headers={"Accept": "*/*"})
        assert head.status_code == 200 and head.body == b""
        assert head.headers["Content-Length"] == str(f["bytes"])  # GET's length, not 0
        old = client.http.get(
            f"/dataset/files/{f['name']}?release={dataset['version']}", headers={"Accept": "*/*"}
        )
        assert old.body == response.body  # the earlier form of the link still answers
    assert (
        client.http.get("/dataset/files/people.csv").headers["Content-Type"]
        == "text/csv; charset=utf-8"
    )
    assert (
        client.http.get(
            "/dataset/files/people.jsonl.gz", headers={"Accept": "application/gzip"}
        ).headers["Content-Type"]
        == "application/gzip"
    )


def test_the_sqlite_download_is_served_as_sqlite_to_a_client_that_takes_it(dir_client):
    response = dir_client.http.get("/dataset/files/all.sqlite", headers={"Accept": "*/*"})
    assert response.headers["Content-Type"] == "application/vnd.sqlite3"
    assert response.body.startswith(b"SQLite format 3\0")
    refused = dir_client.http.get("/dataset/files/all.sqlite", headers={"Accept": "text/csv"})
    assert refused.status_code == 406


def test_behind_the_distribution_a_download_redirects_to_its_path_with_no_bucket_or_key(
    s3_client, s3_served, monkeypatch
):
    from support.apidata import BUCKET
    from support.aws import FAKE_KEY_ID

    monkeypatch.setenv("DOWNLOADS_VIA_CDN", "true")
    pinned = f"?release={s3_served.version}"
    response = s3_client.http.get("/dataset/files/people.csv" + pinned)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == f"/releases/{s3_served.version}/files/people.csv"
    assert BUCKET not in location and FAKE_KEY_ID not in location and "X-Amz" not in location
    assert response.headers["Cache-Control"] == CACHE_PINNED


def test_a_compressed_download_is_refused_to_an_accept_that_does_not_take_it(dir_client):
    # A request without Accept gets the file: the gateway (devserver) reads a missing Accept
    # as */*, as RFC 9110 says (tests/serve/test_gateway.py).
    response = dir_client.http.get("/dataset/files/all.jsonl.gz", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "Accept" in json.loads(response.body)["detail"]


def test_the_s3_store_redirects_each_download_to_a_short_lived_presigned_url(s3_client, s3_served):
    import requests

    client, served = s3_client, s3_served
    for f in get_json(client, "/dataset")["files"]:
        response = client.http.get(f["href"])
        assert response.status_code == 302, f["name"]
        location = urlparse(response.headers["Location"])
        query = parse_qs(location.query)
        assert int(query["X-Amz-Expires"][0]) <= 900
        key = f"dataset/releases/{served.version}/files/{f['name']}"
        host_style = (
            location.netloc.startswith(BUCKET + ".") and unquote(location.path) == "/" + key
        )
        path_style = unquote(location.path) == f"/{BUCKET}/{key}"
        assert host_style or path_style, response.headers["Location"]
        assert response.headers["Cache-Control"].startswith("private")
        downloaded = requests.get(response.headers["Location"], timeout=10)  # moto answers it
        assert hashlib.sha256(downloaded.content).hexdigest() == f["sha256"]


def test_an_unknown_download_is_a_404(client, served):
    response = client.http.get("/dataset/files/secrets.csv")
    assert response.status_code == 404
    assert served.version in json.loads(response.body)["detail"]


# -- releases -------------------------------------------------------------------------------


def test_the_release_listing_names_the_current_release_and_its_changes(client, served):
    listing = get_json(client, "/dataset/releases")
    assert listing["current"] == served.version
    [release] = listing["releases"]
    assert release["version"] == served.version
    assert release["changes"]["added"] == sum(len(records) for records in served.live.values())
    assert release["summary"].startswith("+")
    assert client.http.get("/dataset/releases").headers["Cache-Control"] == CACHE_CURRENT


# -- OpenAPI --------------------------------------------------------------------------------


@pytest.fixture
def openapi(client) -> dict:
    return get_json(client, "/openapi.json")


def test_the_openapi_document_is_valid_openapi_3_1(openapi):
    from openapi_spec_validator import validate

    validate(openapi)
    assert openapi["openapi"].startswith("3.1")


def test_every_route_is_in_the_openapi_document_and_every_path_in_it_is_a_route(openapi):
    from app import app

    routes = {
        (path, method.lower())
        for path, entries in app.routes.items()
        for method, entry in entries.items()
        if not getattr(entry.view_function, "not_an_operation", False)
    }
    documented = {
        (path, method) for path, operations in openapi["paths"].items() for method in operations
    }
    assert documented == routes
    operation_ids = [op["operationId"] for ops in openapi["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_list_parameter_of_the_registry_is_documented(openapi):
    for kind in KINDS:
        for path in (f"/{kind.collection}",):
            documented = {p["name"] for p in openapi["paths"][path]["get"]["parameters"]}
            expected = set(allowed_params(kind)) - (
                {"date_from", "date_to"} if not kind.span_fields else set()
            )
            assert documented == expected, path
        claims_params = {
            p["name"]
            for p in openapi["paths"][f"/{kind.collection}/{{id}}/claims"]["get"]["parameters"]
        }
        assert claims_params == {"id"} | set(allowed_params(KINDS[-1]))


def test_the_record_schemas_are_referenced_and_bundled(openapi):
    components = openapi["components"]["schemas"]
    for kind in KINDS:
        record = openapi["paths"][f"/{kind.collection}/{{id}}"]["get"]["responses"]["200"]
        assert record["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{kind.name}"
        }
        assert components[kind.name]["title"]
    refs = {ref for ref in _refs(openapi)}
    assert all(
        ref.startswith("#/components/schemas/") and ref.split("/")[-1] in components for ref in refs
    )


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_download_is_served_as_a_media_type_the_spec_documents(dir_client):
    spec = get_json(dir_client, "/openapi.json")
    documented = spec["paths"]["/dataset/files/{name}"]["get"]["responses"]["200"]["content"]
    served = {
        dir_client.http.get(f["href"], headers={"Accept": "*/*"}).headers["Content-Type"]
        for f in get_json(dir_client, "/dataset")["files"]
    }
    assert served == set(documented) - {"application/octet-stream"}  # each documented, served
    # and plain bytes to a client that asks only for those, as documented too
    first = get_json(dir_client, "/dataset")["files"][0]
    asked = dir_client.http.get(first["href"], headers={"Accept": "application/octet-stream"})
    assert asked.status_code == 200 and asked.headers["Content-Type"] == "application/octet-stream"
    assert hashlib.sha256(asked.body).hexdigest() == first["sha256"]


def test_a_cursor_the_api_makes_has_the_documented_shape(dir_client):
    import re

    spec = get_json(dir_client, "/openapi.json")
    parameters = spec["paths"]["/people"]["get"]["parameters"]
    pattern = next(p for p in parameters if p["name"] == "cursor")["schema"]["pattern"]
    page = get_json(dir_client, "/people?limit=1")
    cursor = parse_qs(urlparse(page["next"]).query)["cursor"][0]
    assert re.fullmatch(pattern, cursor)
    # The shape is all a pattern can say: a cursor of that shape not made here names no page.
    forged = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    assert re.fullmatch(pattern, forged)
    response = dir_client.http.get(f"/people?limit=1&cursor={forged}")
    assert response.status_code == 404
    assert json.loads(response.body)["parameter"] == "cursor"
