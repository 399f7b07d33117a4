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

from chalicelib import media
from chalicelib.model.edtf import EDTF_CALENDAR_PATTERN, EDTF_MAX_LENGTH
from chalicelib.model.kinds import BY_COLLECTION, ID_MAX_LENGTH, ID_PATTERN, KINDS, Kind
from chalicelib.release.layout import VERSION
from chalicelib.serve.limits import DEFAULT_LIMIT, FILE_NAME_RE, MAX_LIMIT, MAX_VALUE_LENGTH
from chalicelib.serve.query import CURSOR_PATTERN, Q_PATTERN, SEARCH_WORDS_PATTERN

# Every parameter's schema states the rule the server applies, no looser and no stricter, so
# that a client generated from this document sends nothing the server refuses as malformed.
VERSION_PATTERN = VERSION.pattern
FILE_NAME_PATTERN = f"^{FILE_NAME_RE.pattern}$"
DEFS_REF = re.compile(r"^defs\.schema\.json#/\$defs/(\w+)$")
PROBLEM = {"$ref": "#/components/schemas/Problem"}


def problem_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


NO_RELEASE = "`release` names no published release (`parameter` is `release`)"
COMMON_ERRORS = {
    "400": problem_response(
        "A query parameter is unknown, repeated or malformed; `parameter` names it."
    ),
    "404": problem_response(NO_RELEASE + "."),
    "503": problem_response(
        "The dataset store is not answering; retry after `Retry-After` seconds."
    ),
}
RELEASE_PARAM = {
    "name": "release",
    "in": "query",
    "required": False,
    "description": (
        "Pin a published release (see /dataset/releases). Pinned answers are immutable. A "
        "well-formed release that is not published answers 404, naming `release`."
    ),
    "schema": {"type": "string", "pattern": VERSION_PATTERN},
}


SEARCH_PARAMS = [
    {
        "name": "q",
        "in": "query",
        "required": True,
        "description": (
            "What to search for, folded as `q` on the list routes is. One with no letter or "
            "digit, or not UTF-8, is a 400 naming q."
        ),
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": SEARCH_WORDS_PATTERN,
        },
    },
    {
        "name": "limit",
        "in": "query",
        "description": "Matches per collection.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
    },
    RELEASE_PARAM,
]
SEARCH_SCHEMA = {
    "type": "object",
    "required": ["q", "release", "results"],
    "properties": {
        "q": {"type": "string"},
        "release": {"type": "string"},
        "results": {
            "type": "array",
            "description": "One group per collection, in the order of the service index.",
            "items": {
                "type": "object",
                "required": ["collection", "kind", "items", "more"],
                "properties": {
                    "collection": {"type": "string"},
                    "kind": {"type": "string"},
                    "items": {"type": "array", "items": {"type": "object"}},
                    "more": {
                        "type": ["string", "null"],
                        "description": "The list route's URL for every match, when there are more.",
                    },
                },
            },
        },
    },
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
                "diacritics, spaces and hyphens, folds Arabic and Persian letter variants and "
                "Latin transliterations (Nayeri/Nayyeri, Purmohammadi/Pour-Mohammadi, "
                "Avayi/Avaei), and finds a place with or without its common noun (زندان اوین, "
                "اوین). A blank q (what an empty search form sends) is no q; one with no letter "
                "or digit ('!!'), or not UTF-8, is a 400 naming q."
            ),
            "schema": {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": Q_PATTERN},
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
            "description": (
                "Opaque; copy it from `next`. It is signed, and bound to its query and release; the "
                "pattern gives its shape, but a signature cannot be written in JSON Schema, so a "
                "cursor of this shape that this API did not make for this query and release "
                "answers 400, naming `cursor`."
            ),
            "schema": {"type": "string", "pattern": CURSOR_PATTERN},
        },
    ]
    if kind.span_fields:
        for name, side in (("date_from", "on or after"), ("date_to", "on or before")):
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "description": (
                        f"Only records whose EDTF date span overlaps a time {side} this EDTF date "
                        "or interval (level 0, and level 1 qualifiers, seasons and unspecified "
                        "digits). The two are separate conditions: a date_to before date_from "
                        "keeps the records whose span covers the gap between them."
                    ),
                    "schema": {
                        "type": "string",
                        "pattern": EDTF_CALENDAR_PATTERN,
                        "maxLength": EDTF_MAX_LENGTH,
                    },
                }
            )
    for flt in kind.filters:
        hint = ""
        schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH}
        if flt.references:
            hint = f" A reference such as '{flt.references[0]}/<id>', or the bare id."
            others = [k.collection for k in KINDS if k.collection not in flt.references]
            if others:
                # A reference into a collection the filter cannot point to is refused. The
                # pattern also says "not empty": schemathesis's coverage phase reads patterns
                # but not always minLength beside them.
                schema["pattern"] = f"^(?!(?:{'|'.join(others)})/[\\s\\S])[\\s\\S]"
        params.append(
            {
                "name": flt.param,
                "in": "query",
                "description": flt.description + hint,
                "schema": schema,
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


def _json(schema: dict, description: str = "OK", *media_types: str) -> dict:
    return {
        "description": description,
        "content": {media: {"schema": schema} for media in media_types or ("application/json",)},
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
    if getattr(view, "html_page", False):
        return _html_page(operation, method)
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
                "413": problem_response("The body is over 1 MiB, or holds over 1,000 items."),
                "415": problem_response("The body is not sent as application/json."),
            }
        )
        operation["parameters"] = params + [RELEASE_PARAM]
        return operation
    if role == "list":
        params += list_parameters(kind)
        responses["200"] = _json(_page_schema(kind), f"A page of {kind.collection}.")
        responses["410"] = problem_response(REDACTED)
    elif role == "claims":
        params += list_parameters(BY_COLLECTION["claims"])
        responses["200"] = _json(
            _page_schema(BY_COLLECTION["claims"]), "A page of claims that refer to the record."
        )
        responses["404"] = problem_response(f"No record has this id, or {NO_RELEASE}.")
    elif role == "record":
        params.append(RELEASE_PARAM)
        responses["200"] = _json(
            {"$ref": f"#/components/schemas/{kind.name}"}, f"One {kind.name}, in full."
        )
        responses["308"] = {
            **problem_response("The record was merged; `Location` names the canonical record."),
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
        responses["404"] = problem_response(f"No record has this id, or {NO_RELEASE}.")
        responses["410"] = problem_response("The record was withdrawn; `detail` gives the reason.")
    elif path == "/search":
        params += SEARCH_PARAMS
        responses["200"] = _json(SEARCH_SCHEMA, "The first matches in each collection.")
    elif path == "/style.css":
        responses["200"] = _json({"type": "string"}, "The pages' stylesheet.", "text/css")
    elif path == "/schemas/{kind}":
        params.append(RELEASE_PARAM)
        responses["200"] = _json(
            {"type": "object"}, "A JSON Schema (2020-12) document.", "application/schema+json"
        )
        responses["404"] = problem_response(f"No schema has this name, or {NO_RELEASE}.")
    elif path in ("/dataset/files/{name}", "/dataset/releases/{version}/files/{name}"):
        if path == "/dataset/files/{name}":
            params.append(RELEASE_PARAM)
        # Each download is served as its own type: JSON Lines gzipped, CSV, or JSON.
        responses["200"] = _download_response()
        responses["302"] = {
            "description": "From S3: a presigned URL valid for at most 15 minutes.",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
        responses["404"] = problem_response(
            f"The release has no file of this name, or {NO_RELEASE}."
        )
        responses["406"] = problem_response(
            "A compressed file, and the Accept header takes neither it nor */* (a request "
            "without an Accept header gets the file)."
        )
        responses["410"] = problem_response(REDACTED)
    else:
        params.append(RELEASE_PARAM)
        responses["200"] = _json({"type": "object"}, "OK")
    responses["304"] = {"description": "Not modified: the ETag in If-None-Match is current."}
    operation["parameters"] = params
    return operation


# The choices a page (GET /contribute) takes in its query and its form.
PAGE_PARAMS = {
    "kind": {"type": "string", "enum": [kind.name for kind in KINDS]},
    "lang": {"type": "string", "enum": ["en", "fa"]},
}


def _html_page(operation: dict, method: str) -> dict:
    """A page for people (an ``html_page`` view): HTML out; a form, not JSON, posted in."""
    responses = operation["responses"]
    html = {"text/html": {"schema": {"type": "string"}}}
    if method == "POST":
        operation["operationId"] += "_submit"  # the GET and the POST share one view
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["kind"],
                        "properties": {
                            **PAGE_PARAMS,
                            "action": {"type": "string", "enum": ["check", "download"]},
                        },
                        # Each field of the record, named by its JSON Pointer ('/names/0/lang').
                        "additionalProperties": {"type": "string"},
                    }
                }
            },
        }
        responses["200"] = {
            "description": "The page with the record checked; a valid record downloaded as JSON.",
            "content": {**html, "application/json": {"schema": {"type": "object"}}},
        }
        responses["413"] = problem_response("The form is over 1 MiB, or has too many fields.")
        responses["415"] = problem_response(
            "The form is not sent as application/x-www-form-urlencoded."
        )
        operation["parameters"] = []
        return operation
    responses["200"] = {"description": "The page.", "content": html}
    operation["parameters"] = [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in PAGE_PARAMS.items()
    ]
    return operation


def _download_types() -> list[str]:
    """Every media type a download is served as (chalicelib.media.DOWNLOADS)."""
    return list(media.DOWNLOADS)


# A download is bytes to save as they are (a gzip, a CSV, an SQLite file), so that a generated
# client hands them over untouched; the JSON files are objects.
BINARY = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
JSON_FILE = {
    "type": "object",
    "description": "datapackage.json, metadata.json or changes.json.",
    "additionalProperties": True,
}


def _download_response() -> dict:
    # Plain bytes first: what a client that asks only for application/octet-stream gets, and
    # what a generated client then saves untouched.
    answer = _json({}, "The file, from a folder store.", media.OCTET_STREAM, *_download_types())
    for media_type, content in answer["content"].items():
        content["schema"] = JSON_FILE if media_type == media.JSON else BINARY
    return answer


REDACTED = (
    "Pinned to an older release whose file held a value withheld since: `replaced_by` names "
    "the release that carries the redacted form, `reason` why it is withheld."
)


def _path_schema(name: str, schemas: Mapping[str, dict]) -> dict:
    if name == "id":
        return {"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX_LENGTH}
    if name == "kind":  # each kind's schema, and the shared ones the release carries
        return {"type": "string", "enum": [file.removesuffix(".schema.json") for file in schemas]}
    if name == "name":  # a download's file name
        return {"type": "string", "pattern": FILE_NAME_PATTERN}
    if name == "version":  # a release
        return {"type": "string", "pattern": VERSION_PATTERN}
    return {"type": "string", "maxLength": MAX_VALUE_LENGTH}


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
    _add_links(paths)
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
                # An item of any shape is taken (and reported on), so the items are {}: stated,
                # as a client generator needs them to be, and as open as the server.
                "anyOf": [
                    {"type": "array", "items": {}, "minItems": 1, "maxItems": 1000},
                    {
                        "type": "object",
                        "required": ["items"],
                        "not": {"required": ["record"]},
                        "additionalProperties": False,
                        "properties": {
                            "items": {"type": "array", "items": {}, "minItems": 1, "maxItems": 1000}
                        },
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
