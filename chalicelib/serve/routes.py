"""The route table: every route the API answers, gathered from the modules that declare them,
and ``/openapi.json``, which describes that table.

Each module declares its own routes beside their views (``ROUTES``); ``app.py`` registers this
table in one loop, and ``/openapi.json`` is built from the very same declarations.
"""

from __future__ import annotations

from chalicelib.serve import contribute, feeds, history, reconcile, search, views
from chalicelib.serve.pages import assets
from chalicelib.serve.request import Request, only
from chalicelib.serve.responses import Finished, Reply, dumps
from chalicelib.serve.route import Route, ok, reads


def openapi_document(request: Request) -> Finished:
    """OpenAPI 3.1 for every route of the table, with the release's schemas; kept per release."""
    only(request.params)
    release, cache = request.release()
    documents = request.service.schema_set(release).documents
    # Lazy: the document is built once per release, on its first request, never at cold start.
    from chalicelib.serve.openapi import build_openapi

    return request.kept(
        release,
        lambda: Reply(dumps(build_openapi(ROUTES, documents, release.version)), cache=cache),
    )


# Any JSON Schema (2020-12): what a parameter, a body or an answer is declared with. Its own
# keywords are the metaschema's business; here it is an object (or a boolean) of any keywords.
ANY_SCHEMA = {
    "type": ["object", "boolean"],
    "description": "A JSON Schema (2020-12).",
    "propertyNames": {"type": "string"},
    "additionalProperties": True,
}
_CONTENT = {
    "type": "object",
    "description": "Per media type, the schema of the body.",
    "additionalProperties": {
        "type": "object",
        "required": ["schema"],
        "properties": {"schema": ANY_SCHEMA},
    },
}
_OPERATION = {
    "type": "object",
    "required": ["operationId", "summary", "responses"],
    "properties": {
        "operationId": {"type": "string"},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "parameters": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "in", "schema"],
                "properties": {
                    "name": {"type": "string"},
                    "in": {"type": "string", "enum": ["query", "path", "header", "cookie"]},
                    "required": {"type": "boolean"},
                    "description": {"type": "string"},
                    "schema": ANY_SCHEMA,
                },
            },
        },
        "requestBody": {
            "type": "object",
            "required": ["content"],
            "properties": {"required": {"type": "boolean"}, "content": _CONTENT},
        },
        "responses": {
            "type": "object",
            "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
            "additionalProperties": {
                "type": "object",
                "required": ["description"],
                "properties": {
                    "description": {"type": "string"},
                    "content": _CONTENT,
                    "headers": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["schema"],
                            "properties": {"schema": ANY_SCHEMA},
                        },
                    },
                    "links": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["operationId", "parameters"],
                            "properties": {
                                "operationId": {"type": "string"},
                                "parameters": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}
# The document /openapi.json answers, as build_openapi makes it.
OPENAPI_SCHEMA = {
    "type": "object",
    "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"type": "string", "const": "3.1.0"},
        "jsonSchemaDialect": {"type": "string"},
        "info": {
            "type": "object",
            "required": ["title", "version"],
            "properties": {
                "title": {"type": "string"},
                "version": {"type": "string"},
                "description": {"type": "string"},
                "license": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "identifier": {"type": "string"}},
                },
            },
        },
        "paths": {
            "type": "object",
            "propertyNames": {"pattern": "^/"},
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"enum": ["get", "head", "post"]},
                "additionalProperties": _OPERATION,
            },
        },
        "components": {
            "type": "object",
            "required": ["schemas"],
            "properties": {
                "schemas": {"type": "object", "additionalProperties": ANY_SCHEMA},
            },
        },
    },
}

ROUTES: list[Route] = [
    *views.ROUTES,
    *search.ROUTES,
    *assets.ROUTES,
    Route(
        "/openapi.json",
        openapi_document,
        reads(
            "This API, described as OpenAPI 3.1.",
            "",
            "openapi",
            ok(OPENAPI_SCHEMA, "The OpenAPI document."),
        ),
    ),
    *contribute.ROUTES,
    *reconcile.ROUTES,
    *history.ROUTES,
    *feeds.ROUTES,
]
