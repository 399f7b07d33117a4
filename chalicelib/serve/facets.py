"""Facet counts for a list: how many of the listed records hold each value of each filter.

Datasette-style facets for the list pages. Counts are aggregates of the release's own list
index (the same postings the filters read), within whatever the request already selects, so a
count is exactly the number of records the facet's link would list. Only filters whose values
are words from a vocabulary (type, category, status...) are faceted; references are not.
"""

from __future__ import annotations

import json

from chalicelib.model.kinds import Kind
from chalicelib.serve.limits import MAX_FACET_VALUES
from chalicelib.serve.request import Request, kind_for
from chalicelib.serve.responses import Reply, dumps


def facet_filters(kind: Kind) -> list[str]:
    return [f.param for f in kind.filters if not f.references]


def facets(request: Request, collection: str) -> dict:
    """``{param: [{"value", "count"}]}`` for the list ``request`` asks for, most frequent first."""
    # Lazy: a list page's facets are counted by the query engine, which a cold start lacks.
    from chalicelib.serve import query

    kind = kind_for(collection)
    parsed = query.parse_list_params(kind, request.params)
    release, cache = request.release()
    query.check_vocabulary(parsed, request.closed_filters(release, kind))
    key = request.at("facets:" + request.path, request.params)
    answer = key.kept(release, lambda: Reply(dumps(_counts(kind, parsed, release)), cache=cache))
    return json.loads(answer.body)


def _counts(kind: Kind, parsed, release) -> dict:
    # Lazy: a list page's facets are counted by the query engine, which a cold start lacks.
    from chalicelib.serve import query

    index = release.collection_index(kind.collection)
    selected = set(query._matches(index, parsed)) if parsed.constrained else None
    found = {}
    for param in facet_filters(kind):
        counts = []
        for value in index.filter_values(param):
            posting = index.posting(param, value)
            n = len(posting) if selected is None else sum(1 for o in posting if o in selected)
            if n:
                counts.append({"value": value, "count": n})
        counts.sort(key=lambda c: (-c["count"], c["value"]))
        found[param] = counts[:MAX_FACET_VALUES]
    return found
