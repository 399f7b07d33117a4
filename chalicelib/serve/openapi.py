"""The OpenAPI 3.1 document, generated from the kinds registry and the app's route table.

Nothing here is written per collection: paths come from the routes Chalice knows,
list parameters from each kind's filters and sorts, and record shapes from the
release's own JSON Schemas, bundled into ``components`` so that tools need not fetch
anything to resolve them.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Mapping
from typing import Any

from chalicelib.model.kinds import BY_COLLECTION, ID_MAX_LENGTH, ID_PATTERN, KINDS, Kind

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
VERSION_PATTERN = r"^[0-9]{8}-[0-9a-f]{8}$"
DEFS_REF = re.compile(r"^defs\.schema\.json#/\$defs/(\w+)$")
PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


COMMON_ERRORS = {
    "400": _problem("A query parameter is unknown, repeated or malformed; `parameter` names it."),
    "503": _problem("The dataset store is not answering; retry after `Retry-After` seconds."),
}
RELEASE_PARAM = {
    "name": "release",
    "in": "query",
    "required": False,
    "description": "Pin a published release (see /dataset/releases). Pinned answers are immutable.",
    "schema": {"type": "string", "pattern": VERSION_PATTERN},
}


def list_parameters(kind: Kind) -> list[dict]:
    """The query parameters of ``GET /<collection>`` for ``kind``, from the registry."""
    sorts = ["id", *kind.sorts]
    params = [
        {
            "name": "q",
            "in": "query",
            "description": (
                "Search names in every script and spelling, titles and descriptions. Ignores case, "
                "diacritics, spaces and hyphens, and folds Arabic and Persian letter variants."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        },
        {
            "name": "sort",
            "in": "query",
            "description": "Sort key; prefix with '-' for descending. Ties break on id.",
            "schema": {"type": "string", "enum": sorts + ["-" + s for s in sorts], "default": "id"},
        },
        {
            "name": "limit",
            "in": "query",
            "description": "Records per page.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
        },
        {
            "name": "cursor",
            "in": "query",
            "description": "Opaque; copy it from `next`. Bound to its query and release.",
            "schema": {"type": "string", "maxLength": 512},
        },
    ]
    if kind.span_fields:
        for name, side in (("date_from", "on or after"), ("date_to", "on or before")):
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "description": (
                        f"Only records whose EDTF date span overlaps a time {side} this EDTF date."
                    ),
                    "schema": {"type": "string", "maxLength": 64},
                }
            )
    for flt in kind.filters:
        hint = f" A reference such as '{flt.references[0]}/<id>'." if flt.references else ""
        params.append(
            {
                "name": flt.param,
                "in": "query",
                "description": flt.description + hint,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            }
        )
    return params + [RELEASE_PARAM]


def _page_schema(kind: Kind) -> dict:
    return {
        "type": "object",
        "required": ["items", "next", "release"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{kind.name}"}},
            "next": {
                "type": ["string", "null"],
                "description": "The next page's URL, or null on the last page.",
            },
            "release": {"type": "string", "description": "The release this page was read from."},
        },
    }


def _json(schema: dict, description: str = "OK", media_type: str = "application/json") -> dict:
    return {
        "description": description,
        "content": {media_type: {"schema": schema}},
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}},
        },
    }


def _route_kind(path: str) -> tuple[Kind | None, str]:
    """Which kind a path serves, and its role: 'list', 'record', 'claims' or ''."""
    parts = path.strip("/").split("/")
    kind = BY_COLLECTION.get(parts[0])
    if kind is None:
        return None, ""
    return kind, {1: "list", 2: "record", 3: "claims"}.get(len(parts), "")


def _operation(path: str, method: str, view: Any, schemas: Mapping[str, dict]) -> dict:
    doc = inspect.getdoc(view) or path
    summary, _, description = doc.partition("\n")
    operation: dict[str, Any] = {
        "summary": summary.strip(),
        "operationId": view.__name__,
        "responses": dict(COMMON_ERRORS),
    }
    if description.strip():
        operation["description"] = description.strip()
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": f"The {name}.",
            "schema": _path_schema(name, schemas),
        }
        for name in re.findall(r"{(\w+)}", path)
    ]
    kind, role = _route_kind(path)
    responses = operation["responses"]
    if method == "POST":
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValidationRequest"}}
            },
        }
        responses["200"] = _json(
            {"$ref": "#/components/schemas/ValidationReport"}, "The validation report."
        )
        responses.update(
            {
                "413": _problem("The body is over 1 MiB, or holds over 1,000 items."),
                "415": _problem("The body is not sent as application/json."),
            }
        )
        operation["parameters"] = params + [RELEASE_PARAM]
        return operation
    if role == "list":
        params += list_parameters(kind)
        responses["200"] = _json(_page_schema(kind), f"A page of {kind.collection}.")
    elif role == "claims":
        params += list_parameters(BY_COLLECTION["claims"])
        responses["200"] = _json(
            _page_schema(BY_COLLECTION["claims"]), "A page of claims that refer to the record."
        )
        responses["404"] = _problem("No record has this id.")
    elif role == "record":
        params.append(RELEASE_PARAM)
        responses["200"] = _json(
            {"$ref": f"#/components/schemas/{kind.name}"}, f"One {kind.name}, in full."
        )
        responses["308"] = {
            "description": "The record was merged; `Location` names the canonical record.",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
        responses["404"] = _problem("No record has this id.")
        responses["410"] = _problem("The record was withdrawn; `detail` gives the reason.")
    elif path == "/schemas/{kind}":
        params.append(RELEASE_PARAM)
        responses["200"] = _json(
            {"type": "object"}, "A JSON Schema (2020-12) document.", "application/schema+json"
        )
        responses["404"] = _problem("No schema has this name.")
    else:
        params.append(RELEASE_PARAM)
        responses["200"] = _json({"type": "object"}, "OK")
        if "{" in path:
            responses["404"] = _problem("Nothing has this name.")
        if path.startswith("/dataset/files"):
            responses["302"] = {
                "description": "From S3: a presigned URL valid for at most 15 minutes.",
                "headers": {"Location": {"schema": {"type": "string"}}},
            }
            responses["406"] = _problem("A compressed file, and Accept takes neither it nor */*.")
    responses["304"] = {"description": "Not modified: the ETag in If-None-Match is current."}
    operation["parameters"] = params
    return operation


def _path_schema(name: str, schemas: Mapping[str, dict]) -> dict:
    if name == "id":
        return {"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX_LENGTH}
    if name == "kind":  # each kind's schema, and the shared ones the release carries
        return {"type": "string", "enum": [file.removesuffix(".schema.json") for file in schemas]}
    return {"type": "string", "maxLength": 200}


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


def build_openapi(
    routes: Mapping[str, Mapping[str, Any]], documents: Mapping[str, dict], version: str
) -> dict:
    """OpenAPI 3.1 for ``routes`` (Chalice's ``app.routes``: path → method → entry)."""
    paths: dict[str, dict] = {}
    for path, methods in sorted(routes.items()):
        for method, entry in methods.items():
            view = entry.view_function
            if getattr(view, "not_an_operation", False) or method == "HEAD":
                continue
            operations = paths.setdefault(path, {})
            # A route that speaks a protocol of its own (/reconcile) describes itself.
            own = getattr(view, "openapi", None)
            operations[method.lower()] = (
                own(method) if own else _operation(path, method, view, documents)
            )
            if "HEAD" in methods and method == "GET":
                operations["head"] = _head(operations["get"])
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
                    "errors": {"type": "array", "items": {"type": "object"}},
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
                    {"type": "array", "minItems": 1, "maxItems": 1000},
                    {
                        "type": "object",
                        "required": ["items"],
                        "not": {"required": ["record"]},
                        "additionalProperties": False,
                        "properties": {"items": {"type": "array", "minItems": 1, "maxItems": 1000}},
                    },
                    {"type": "object", "not": {"required": ["items"]}},
                    {"type": "object", "required": ["items", "record"]},
                ],
            },
            "ValidationItem": {
                "type": "object",
                "required": ["kind", "record"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"type": "string", "enum": [k.name for k in KINDS]},
                    "record": {"type": "object"},
                },
            },
            "ValidationReport": {
                "type": "object",
                "required": ["valid", "results"],
                "properties": {
                    "valid": {"type": "boolean"},
                    "results": {"type": "array", "items": {"type": "object"}},
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
                "facts are claims, each attributed to who makes it, with its source."
            ),
            "license": {"name": "Data CC BY 4.0; code Apache-2.0", "identifier": "CC-BY-4.0"},
        },
        "paths": paths,
        "components": {"schemas": components},
    }
