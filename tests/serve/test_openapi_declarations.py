"""/openapi.json is built from the routes' declarations alone: the same document every time,
and a concrete schema for every successful answer."""

from __future__ import annotations

import json

from chalicelib.model.schemas import SchemaSet, read_schema_dir
from chalicelib.serve.openapi import build_openapi
from chalicelib.serve.routes import ROUTES

DOCUMENTS = SchemaSet(read_schema_dir()).documents


def test_a_second_build_in_the_same_process_gives_the_same_document():
    first = json.dumps(build_openapi(ROUTES, DOCUMENTS, "20261127-3f9a1c2b"))
    assert json.dumps(build_openapi(ROUTES, DOCUMENTS, "20261127-3f9a1c2b")) == first


def test_every_success_of_every_route_states_a_concrete_schema():
    paths = build_openapi(ROUTES, DOCUMENTS, "20261127-3f9a1c2b")["paths"]
    bare = []
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "head":
                continue  # a GET's headers: no body
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                for media_type, content in response.get("content", {}).items():
                    if content.get("schema") == {"type": "object"}:
                        bare.append(f"{method.upper()} {path} {status} {media_type}")
    assert bare == []


def test_each_route_is_declared_once():
    keys = [(route.path, method) for route in ROUTES for method in route.methods]
    assert len(keys) == len(set(keys))
