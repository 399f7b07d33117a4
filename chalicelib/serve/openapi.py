"""The OpenAPI 3.1 document, built from the routes' declarations and the kinds registry.

Nothing here is written per route or per collection: each path and operation is what its
``route.Route`` declares, and record shapes are the release's own JSON Schemas, bundled into
``components`` so that tools need not fetch anything to resolve them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import filter_vocabularies
from chalicelib.serve.limits import MAX_ITEMS
from chalicelib.serve.route import Operation, Route

DEFS_REF = re.compile(r"^defs\.schema\.json#/\$defs/(\w+)$")


def _document(operation: Operation) -> dict[str, Any]:
    """The OpenAPI operation object of a declared ``Operation``."""
    # A copy: the document is changed after (links are added to its answers), and the
    # declaration must give the same document on every build.
    document: dict[str, Any] = copy.deepcopy(
        {
            "summary": operation.summary,
            "operationId": operation.operation_id,
            "responses": dict(operation.responses),
        }
    )
    if operation.description:
        document["description"] = operation.description
    if operation.request_body is not None:
        document["requestBody"] = copy.deepcopy(operation.request_body)
    document["parameters"] = copy.deepcopy(list(operation.parameters))
    return document


def _head(get: dict) -> dict:
    """HEAD answers as GET does, without a body."""
    responses = {
        status: {key: value for key, value in response.items() if key != "content"}
        for status, response in get["responses"].items()
    }
    return {
        **get,
        "operationId": get["operationId"] + "_head",
        "summary": "Headers only: " + get["summary"][0].lower() + get["summary"][1:],
        "responses": responses,
    }


def _bundle(documents: Mapping[str, dict]) -> dict[str, dict]:
    """The release's schemas as OpenAPI components, with cross-file refs made local."""
    components: dict[str, dict] = {}

    def localise(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: localise(v) for k, v in node.items() if k not in ("$id", "$schema")}
            ref = node.get("$ref", "")
            match = DEFS_REF.match(ref) or re.match(r"^#/\$defs/(\w+)$", ref)
            if match:
                out["$ref"] = f"#/components/schemas/defs.{match.group(1)}"
            return out
        if isinstance(node, list):
            return [localise(v) for v in node]
        return node

    for name, definition in documents["defs.schema.json"]["$defs"].items():
        components[f"defs.{name}"] = localise(copy.deepcopy(definition))
    for kind in KINDS:
        components[kind.name] = localise(copy.deepcopy(documents[kind.schema_file]))
    return components


def _link_table() -> list[tuple[str, str, str, dict[str, str]]]:
    """(from operation, link name, to operation, parameters) for each way one answer leads to
    another: what clients follow, and what schemathesis's stateful phase walks."""
    table = [
        ("service_index", "schemas", "list_schemas", {"query.release": "$response.body#/release"}),
        ("list_schemas", "schema", "get_schema", {"path.kind": "$response.body#/schemas/0/kind"}),
        ("list_releases", "current", "get_dataset", {"query.release": "$response.body#/current"}),
        (
            "get_dataset",
            "file",
            "get_dataset_file",
            {
                "path.name": "$response.body#/files/0/name",
                "query.release": "$response.body#/version",
            },
        ),
    ]
    for kind in KINDS:
        first = {"path.id": "$response.body#/items/0/id"}
        table += [
            (f"list_{kind.collection}", "first", f"get_{kind.name}", first),
            (f"list_{kind.collection}", "first_claims", f"claims_about_{kind.name}", first),
            (
                f"get_{kind.name}",
                "claims",
                f"claims_about_{kind.name}",
                {"path.id": "$response.body#/id"},
            ),
        ]
    return table


def _add_links(paths: Mapping[str, dict]) -> None:
    """OpenAPI links on each 200 that leads somewhere, between operations that exist."""
    operations = {op["operationId"]: op for ops in paths.values() for op in ops.values()}
    for source, name, target, parameters in _link_table():
        if source in operations and target in operations:
            response = operations[source]["responses"]["200"]
            response.setdefault("links", {})[name] = {
                "operationId": target,
                "parameters": parameters,
            }


def _add_vocabularies(paths: Mapping[str, dict], documents: Mapping[str, dict]) -> None:
    """An ``enum`` on each list filter whose values the release's schemas close, so that a
    client offers the allowed values and a value outside them is documented as refused."""
    vocabularies = filter_vocabularies(documents)
    listed = {f"list_{kind.collection}": kind.name for kind in KINDS}
    listed.update({f"claims_about_{kind.name}": "claim" for kind in KINDS})
    for operations in paths.values():
        for operation in operations.values():
            kind = listed.get(operation["operationId"].removesuffix("_head"))
            allowed = vocabularies.get(kind or "", {})
            for parameter in operation.get("parameters", []):
                values = allowed.get(parameter.get("name", ""))
                if values is None or parameter.get("in") != "query":
                    continue
                schema = parameter["schema"]  # _document copied it for this build
                target = schema["items"] if schema.get("type") == "array" else schema
                for key in ("minLength", "maxLength", "pattern"):
                    target.pop(key, None)
                target["enum"] = list(values)


def build_openapi(routes: Sequence[Route], documents: Mapping[str, dict], version: str) -> dict:
    """OpenAPI 3.1 for the declared ``routes``, with the release's schema ``documents``."""
    paths: dict[str, dict] = {}
    for route in sorted(routes, key=lambda route: route.path):
        operations = paths.setdefault(route.path, {})
        for method, operation in route.operations.items():
            operations[method.lower()] = _document(operation)
            if method == "GET":
                operations["head"] = _head(operations["get"])
    _add_links(paths)
    _add_vocabularies(paths, documents)
    components = _bundle(documents)
    components.update(
        {
            "Problem": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "parameter": {"type": "string"},
                    "errors": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Violation"},
                    },
                },
            },
            # What POST /validate reads, and answers 200 to: a malformed item is not a bad request,
            # it is reported in its result. ValidationItem is the shape a well-formed item has.
            "ValidationRequest": {
                "description": (
                    'One item, a list of items, or {"items": [...]}; an item is {"kind": "person", '
                    '"record": {...}} (see ValidationItem). Items of another shape are reported in `results`.'
                ),
                "anyOf": [
                    # An item of any shape is taken (and reported on), so the items are {}:
                    # stated, as a client generator needs them to be, and as open as the server.
                    {"type": "array", "items": {}, "minItems": 1, "maxItems": MAX_ITEMS},
                    {
                        "type": "object",
                        "required": ["items"],
                        "not": {"required": ["record"]},
                        "additionalProperties": False,
                        "properties": {
                            "items": {
                                "type": "array",
                                "items": {},
                                "minItems": 1,
                                "maxItems": MAX_ITEMS,
                            }
                        },
                    },
                    {
                        "type": "object",
                        "not": {"required": ["items"]},
                        "additionalProperties": True,
                    },
                    {
                        "type": "object",
                        "required": ["items", "record"],
                        "additionalProperties": True,
                    },
                ],
            },
            # One branch per kind of the registry: a kind, and a record of that kind's schema.
            "ValidationItem": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["kind", "record"],
                        "additionalProperties": False,
                        "properties": {
                            "kind": {"type": "string", "const": kind.name},
                            "record": {"$ref": f"#/components/schemas/{kind.name}"},
                        },
                    }
                    for kind in KINDS
                ]
            },
            # checks.report.Report.to_dict and the Violation entries it lists.
            "ValidationReport": {
                "type": "object",
                "required": ["valid", "results"],
                "additionalProperties": False,
                "properties": {
                    "valid": {"type": "boolean"},
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["index", "id", "kind", "valid", "errors", "warnings"],
                            "additionalProperties": False,
                            "properties": {
                                "index": {"type": "integer", "minimum": 0},
                                "id": {"type": ["string", "null"]},
                                "kind": {"type": ["string", "null"]},
                                "valid": {"type": "boolean"},
                                "errors": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Violation"},
                                },
                                "warnings": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Violation"},
                                },
                            },
                        },
                    },
                },
            },
            "Violation": {
                "type": "object",
                "description": "One rule broken: where (a JSON Pointer), which rule, and why.",
                "required": ["pointer", "keyword", "message"],
                "additionalProperties": False,
                "properties": {
                    "pointer": {"type": "string"},
                    "keyword": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        }
    )
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "1988 prison massacres records API",
            "version": version,
            "description": (
                "An open, sourced dataset about Iran's 1988 prison massacres. Contested "
                "facts are claims, each attributed to who makes it, with its source. Every GET "
                "answers JSON as described here; a browser (an Accept that prefers text/html, "
                "or `?format=html`) gets the same answer as an HTML page instead, in Persian "
                "with `?lang=fa` or Accept-Language: fa. `?format=json` forces JSON."
            ),
            "license": {"name": "Data CC BY 4.0; code Apache-2.0", "identifier": "CC-BY-4.0"},
        },
        "paths": paths,
        "components": {"schemas": components},
    }
