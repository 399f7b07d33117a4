"""Each schema's $id, and each $ref between schemas, resolves to a schema the API serves."""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

from chalicelib.model.schemas import SchemaSet


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_each_id_is_a_path_that_serves_that_same_schema(client):
    for name, document in SchemaSet.from_dir().documents.items():
        path = urlsplit(document["$id"]).path
        assert path == f"/schemas/{name}"
        by_id = client.http.get(path)
        by_kind = client.http.get(f"/schemas/{name.removesuffix('.schema.json')}")
        assert by_id.status_code == 200, path
        assert by_id.headers["Content-Type"] == "application/schema+json"
        assert by_id.body == by_kind.body
        assert json.loads(by_id.body)["$id"] == document["$id"]


def test_each_ref_to_another_schema_resolves_to_one_the_api_serves(client):
    for document in SchemaSet.from_dir().documents.values():
        for ref in _refs(document):
            target = urljoin(document["$id"], ref.split("#")[0])
            if ref.startswith("#"):
                continue
            assert client.http.get(urlsplit(target).path).status_code == 200, ref


def test_a_name_that_is_no_schema_file_is_still_a_404(client):
    response = client.http.get("/schemas/people.schema.json")
    assert response.status_code == 404
    assert "there is no schema 'people'" in json.loads(response.body)["detail"]
