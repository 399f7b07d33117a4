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


# What gives an object schema its shape; an object schema with none of them says nothing.
SHAPING = {
    "properties",
    "additionalProperties",
    "patternProperties",
    "unevaluatedProperties",
    "propertyNames",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "const",
    "enum",
}


def refined_by_conditions(parent: dict, name: str) -> bool:
    """Whether ``parent``'s conditional branches give property ``name`` its shape (a claim's
    ``value``: its schema is fixed by the claim's ``property``)."""
    branches = [b.get(k, {}) for b in parent.get("allOf", []) for k in ("then", "else")]
    return any(name in branch.get("properties", {}) for branch in branches)


def bare_objects(node, where: str = "#", parent: dict | None = None, name: str = ""):
    """Every place in ``node`` where an object schema states no shape."""
    if isinstance(node, dict):
        kind = node.get("type")
        is_object = kind == "object" or (isinstance(kind, list) and "object" in kind)
        refined = parent is not None and refined_by_conditions(parent, name)
        if is_object and not SHAPING & set(node) and not refined:
            yield where
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop, schema in value.items():
                    yield from bare_objects(schema, f"{where}/properties/{prop}", node, prop)
            else:
                yield from bare_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from bare_objects(value, f"{where}/{i}")


def test_no_object_schema_anywhere_in_the_document_is_bare():
    document = build_openapi(ROUTES, DOCUMENTS, "20261127-3f9a1c2b")
    assert list(bare_objects(document)) == []


def test_the_walk_finds_a_bare_object_where_there_is_one():
    nested = {"a": {"properties": {"b": {"type": "object"}, "c": {"type": ["object", "null"]}}}}
    assert list(bare_objects(nested)) == ["#/a/properties/b", "#/a/properties/c"]
    refined = {
        "properties": {"value": {"type": "object"}},
        "allOf": [{"if": {}, "then": {"properties": {"value": {"$ref": "#/x"}}}}],
    }
    assert list(bare_objects(refined)) == []


def test_every_success_of_every_route_states_a_concrete_schema():
    paths = build_openapi(ROUTES, DOCUMENTS, "20261127-3f9a1c2b")["paths"]
    missing = []
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "head":
                continue  # a GET's headers: no body
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                if not response.get("content"):
                    missing.append(f"{method.upper()} {path} {status}: no content")
                for media_type, content in response.get("content", {}).items():
                    if content.get("schema") in (None, {}, True):
                        missing.append(f"{method.upper()} {path} {status} {media_type}")
    assert missing == []


def test_each_route_is_declared_once():
    keys = [(route.path, method) for route in ROUTES for method in route.methods]
    assert len(keys) == len(set(keys))
