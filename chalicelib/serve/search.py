"""``GET /search?q=``: one search across all six collections, grouped by collection.

Each collection is asked exactly what ``GET /<collection>?q=`` is asked, through the same view,
so the folding (case, diacritics, spaces, Arabic and Persian letter variants) and what a
collection may show are the list routes' own.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from chalicelib.model.kinds import KINDS
from chalicelib.serve import views
from chalicelib.serve.responses import Finished, Reply, bad_parameter, dumps

DEFAULT_LIMIT, MAX_LIMIT = 10, 50


def search(request: views.Request) -> Finished:
    views.only(request.params, ("q", "limit", "release"))
    q = views.single(request.params, "q")
    if q is None or not q.strip():
        raise bad_parameter("q", "'q' is required: the words to search for")
    limit = _limit(views.single(request.params, "limit"))
    release, cache = views.release_for(request.params)
    pinned = {"release": request.params["release"]} if "release" in request.params else {}
    return views.kept(request, release, lambda: _reply(q, limit, pinned, release, cache))


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise bad_parameter("limit", f"'limit' must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def _reply(q: str, limit: int, pinned: dict, release, cache: str) -> Reply:
    groups = []
    for kind in KINDS:
        path = f"/{kind.collection}"
        params = {"q": [q], "limit": [str(limit)], **pinned}
        page = json.loads(views.list_records(views.Request(path, params), kind.collection).body)
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
