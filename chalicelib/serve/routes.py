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


OPENAPI_SCHEMA = {
    "type": "object",
    "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"type": "string", "const": "3.1.0"},
        "info": {"type": "object", "required": ["title", "version"]},
        "paths": {"type": "object"},
        "components": {"type": "object"},
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
