"""``GET /search?q=``: one search across all six collections, grouped by collection.

Each collection is asked exactly what ``GET /<collection>?q=`` is asked, through the same view,
so the folding (case, diacritics, spaces, Arabic and Persian letter variants) and what a
collection may show are the list routes' own.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from chalicelib.model.kinds import KINDS
from chalicelib.serve.limits import (
    DEFAULT_MATCHES,
    MAX_MATCHES,
    MAX_VALUE_LENGTH,
    SEARCH_WORDS_PATTERN,
)
from chalicelib.serve.params import single
from chalicelib.serve.request import Request, only
from chalicelib.serve.responses import Finished, Reply, bad_parameter, dumps
from chalicelib.serve.route import RELEASE_PARAM, Route, ok, reads
from chalicelib.serve.views import list_records


def search(request: Request) -> Finished:
    only(request.params, ("q", "limit", "release"))
    q = single(request.params, "q")
    if q is None or not q.strip():
        raise bad_parameter("q", "'q' is required: the words to search for")
    limit = _limit(single(request.params, "limit"))
    release, cache = request.release()
    pinned = {"release": request.params["release"]} if "release" in request.params else {}
    return request.kept(release, lambda: _reply(request, q, limit, pinned, release, cache))


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_MATCHES
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_MATCHES:
        raise bad_parameter("limit", f"'limit' must be a whole number from 1 to {MAX_MATCHES}")
    return int(text)


def _reply(request: Request, q: str, limit: int, pinned: dict, release, cache: str) -> Reply:
    groups = []
    for kind in KINDS:
        path = f"/{kind.collection}"
        params = {"q": [q], "limit": [str(limit)], **pinned}
        page = json.loads(list_records(request.at(path, params), kind.collection).body)
        more_params = [("q", q), *(("release", v) for v in pinned.get("release", ()))]
        groups.append(
            {
                "collection": kind.collection,
                "kind": kind.name,
                "items": page["items"],
                # The whole result, paged, where this one stops.
                "more": path + "?" + urlencode(more_params) if page["next"] else None,
            }
        )
    return Reply(dumps({"q": q, "release": release.version, "results": groups}), cache=cache)


# -- the route's declaration -------------------------------------------------------------------

SEARCH_PARAMS: list[dict[str, Any]] = [
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
            "maxLength": MAX_VALUE_LENGTH,
            "pattern": SEARCH_WORDS_PATTERN,
        },
    },
    {
        "name": "limit",
        "in": "query",
        "description": "Matches per collection.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_MATCHES,
            "default": DEFAULT_MATCHES,
        },
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
            # A group per kind of the registry: its collection, and records of its schema.
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["collection", "kind", "items", "more"],
                        "properties": {
                            "collection": {"type": "string", "const": kind.collection},
                            "kind": {"type": "string", "const": kind.name},
                            "items": {
                                "type": "array",
                                "items": {"$ref": f"#/components/schemas/{kind.name}"},
                            },
                            "more": {
                                "type": ["string", "null"],
                                "description": (
                                    "The list route's URL for every match, when there are more."
                                ),
                            },
                        },
                    }
                    for kind in KINDS
                ]
            },
        },
    },
}


ROUTES = [
    Route(
        "/search",
        search,
        reads(
            "Search all six collections at once.",
            "The same search as `q=` on each list route (names in every script and spelling, "
            "titles, descriptions, quotes), its first results grouped by collection, each group "
            "with a link to the whole result when there is more.",
            "search",
            ok(SEARCH_SCHEMA, "The first matches in each collection."),
            SEARCH_PARAMS,
        ),
    )
]
