"""``/<collection>/<id>/history`` and ``/dataset/changes?since=``: answered from the ``history/``
index of the release asked (chalicelib.release.history), never from older releases."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any
from urllib.parse import urlencode

from chalicelib.model.kinds import ID_PATTERN, KINDS, Kind, split_reference
from chalicelib.release.history import (
    ACTIONS,
    CHAIN,
    ORDER,
    changes_path,
    net_changes,
    records_path,
)
from chalicelib.release.layout import VERSION, shard_of
from chalicelib.serve.limits import DEFAULT_CHANGES, MAX_CHANGES, MAX_CURSOR_LENGTH
from chalicelib.serve.params import single
from chalicelib.serve.request import ID_RE, Request, check_id, kind_for, only
from chalicelib.serve.responses import Finished, Problem, Reply, bad_parameter, dumps, not_found
from chalicelib.serve.route import (
    ID_PARAM,
    NO_RELEASE,
    RELEASE_PARAM,
    Route,
    ok,
    problem_response,
    reads,
)

CHANGES_PARAMS = ("since", "cursor", "limit", "release")


def chain_of(release) -> dict[str, Any]:
    """The release's history chain, or a 404 for a release made before it had one."""
    chain = release.history_json(CHAIN)
    if chain is None:
        raise Problem(
            404,
            "no-history",
            "Not found",
            f"release {release.version} was built before releases kept a history; "
            "pin a newer release",
        )
    return chain


# -- one record's history ----------------------------------------------------------------------


def record_history(request: Request, collection: str, record_id: str):
    kind_for(collection)
    check_id(record_id)
    only(request.params)
    release, cache = request.release()
    return request.kept(release, lambda: _history_reply(release, cache, collection, record_id))


def _history_reply(release, cache: str, collection: str, record_id: str) -> Reply:
    chain = chain_of(release)
    shards = chain["shards"].get(collection, 0)
    events = []
    if shards:
        shard = release.history_json(records_path(collection, shard_of(record_id, shards)))
        events = (shard or {}).get(record_id, [])
    if not events:
        raise not_found(f"{collection}/{record_id} does not exist")
    body = {
        "id": f"{collection}/{record_id}",
        "release": release.version,
        "since": chain["releases"][0]["version"],
        "history": [_with_link(collection, record_id, event) for event in events],
    }
    return Reply(dumps(body), cache=cache)


def _with_link(collection: str, record_id: str, event: dict) -> dict:
    """The event, with a link to the record as that release served it."""
    return {**event, "href": f"/{collection}/{record_id}?release={event['release']}"}


# -- the changes since a release ---------------------------------------------------------------


def dataset_changes(request: Request):
    only(request.params, CHANGES_PARAMS)
    params = request.params
    since = single(params, "since")
    if since is None and not set(params) - {"release"}:
        release, cache = request.release()
        return request.kept(release, lambda: _chain_reply(release, cache))
    # `limit` or `cursor` alone page the changes since the history's first release: a default,
    # where a rule that one parameter needs another is what OpenAPI cannot state.
    if since is not None and not VERSION.fullmatch(since):
        raise bad_parameter("since", "a release looks like 20261127-3f9a1c2b")
    limit = _limit(single(params, "limit"))
    after = _cursor(single(params, "cursor"))
    release, cache = request.release()
    return request.kept(
        release, lambda: _changes_reply(request, release, cache, since, limit, after)
    )


def _chain_reply(release, cache: str) -> Reply:
    """Without ``since``: the releases the history covers, each with its changes' link."""
    chain = chain_of(release)
    body = {
        "release": release.version,
        "releases": [
            {**step, "href": f"/dataset/changes?since={step['previous']}"}
            if step["previous"] in {s["version"] for s in chain["releases"]}
            else dict(step)
            for step in chain["releases"]
        ],
    }
    return Reply(dumps(body), cache=cache)


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_CHANGES
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_CHANGES:
        raise bad_parameter("limit", f"'limit' must be a whole number from 1 to {MAX_CHANGES}")
    return int(text)


def _cursor(text: str | None) -> tuple[int, str] | None:
    if text is None:
        return None
    found = split_reference(text)
    if found is None or not ID_RE.fullmatch(found[1]):
        raise bad_parameter("cursor", "'cursor' is not one this route made; copy it from 'next'")
    return ORDER[found[0]], found[1]


def _changes_reply(request, release, cache: str, since: str | None, limit: int, after) -> Reply:
    chain = chain_of(release)
    versions = [step["version"] for step in chain["releases"]]
    since = since or versions[0]
    if since not in versions:
        # Well formed but unknown here, as an unpublished `release` is: a 404 naming it.
        raise Problem(
            404,
            "release-not-found",
            "Release not found",
            f"release {since} is not in the history of {release.version}, which starts at "
            f"{versions[0]}; GET /dataset/releases lists the published ones",
            parameter="since",
        )
    items = request.service.per_release(
        f"changes-since-{since}",
        release,
        lambda: net_changes(
            chain["releases"], lambda v: release.history_json(changes_path(v)), since
        ),
    )
    keys = [(ORDER[i["collection"]], i["id"]) for i in items]
    start = 0 if after is None else bisect_right(keys, after)
    page = items[start : start + limit]
    next_url = None
    headers = {}
    if start + limit < len(items):
        last = page[-1]
        kept = [(n, v) for n, vs in request.params.items() if n != "cursor" for v in vs]
        cursor = f"{last['collection']}/{last['id']}"
        next_url = request.path + "?" + urlencode(kept + [("cursor", cursor)])
        headers["Link"] = f'<{next_url}>; rel="next"'
    body = {
        "since": since,
        "release": release.version,
        "total": len(items),
        "items": page,
        "next": next_url,
    }
    return Reply(dumps(body), headers=headers, cache=cache)


# -- OpenAPI -----------------------------------------------------------------------------------

_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["action", "sha256"],
    "properties": {
        "action": {"type": "string", "enum": list(ACTIONS)},
        "sha256": {"type": ["string", "null"], "description": "The record's digest then."},
        "fields": {
            "type": "array",
            "items": {"type": "string"},
            "description": "For a change: the top-level fields that differ.",
        },
        "merged_into": {"type": "string"},
        "release": {"type": "string"},
    },
}
# A cursor is the last item's '<collection>/<id>', exactly what _cursor accepts.
CURSOR_PATTERN = (
    "^(?:" + "|".join(k.collection for k in KINDS) + ")/" + ID_PATTERN.removeprefix("^")
)


_CHAIN_SCHEMA = {
    "type": "object",
    "required": ["release", "releases"],
    "properties": {
        "release": {"type": "string"},
        "releases": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["version", "previous", "events"],
                "properties": {
                    "version": {"type": "string"},
                    "previous": {"type": ["string", "null"]},
                    "events": {"type": "integer"},
                    "href": {"type": "string"},
                },
            },
        },
    },
}


HISTORY_SCHEMA = {
    "type": "object",
    "required": ["id", "release", "since", "history"],
    "properties": {
        "id": {"type": "string"},
        "release": {"type": "string"},
        "since": {"type": "string"},
        "history": {"type": "array", "items": _EVENT},
    },
}
_CHANGE = {
    **_EVENT,
    "required": ["collection", "id", "action", "sha256", "release"],
    "properties": {
        **_EVENT["properties"],
        "collection": {"type": "string", "enum": [k.collection for k in KINDS]},
        "id": {"type": "string"},
    },
}
CHANGES_SCHEMA = {
    "anyOf": [
        _CHAIN_SCHEMA,
        {
            "type": "object",
            "required": ["since", "release", "total", "items", "next"],
            "properties": {
                "since": {"type": "string"},
                "release": {"type": "string"},
                "total": {"type": "integer"},
                "items": {"type": "array", "items": _CHANGE},
                "next": {"type": ["string", "null"]},
            },
        },
    ]
}


def history_route(kind: Kind) -> Route:
    """``/<collection>/{id}/history`` for ``kind``."""
    collection = kind.collection

    def history_view(request: Request, id: str) -> Finished:
        return record_history(request, collection, id)

    return Route(
        f"/{collection}/{{id}}/history",
        history_view,
        reads(
            f"The history of one {kind.name}",
            "The releases in which the record was added, changed, removed, withdrawn or "
            "merged, oldest first, each with the record's digest then and, for a change, "
            "the top-level fields that differ. Read from the release's own history index.",
            f"history_of_{kind.name}",
            ok(HISTORY_SCHEMA, "The record's history."),
            (ID_PARAM, RELEASE_PARAM),
            {
                "404": problem_response(
                    f"No record has this id, the release keeps no history, or {NO_RELEASE}."
                )
            },
        ),
    )


ROUTES = [
    *(history_route(kind) for kind in KINDS),
    Route(
        "/dataset/changes",
        dataset_changes,
        reads(
            "Every record added, changed or removed since a release",
            "For a mirror at release `since`: each record touched since, once, with its last "
            "change and its digest now (null when it is gone), in collection and id order, "
            "paged with `next`.",
            "dataset_changes",
            ok(
                CHANGES_SCHEMA,
                "A page of changes; without `since`, the releases the history covers.",
            ),
            (
                {
                    "name": "since",
                    "in": "query",
                    "required": False,
                    "description": (
                        "The release the mirror holds. With no parameter at all, the answer is "
                        "the releases the history covers; with `limit` or `cursor` alone, "
                        "`since` is the history's first release. A well-formed release not in "
                        "the history answers 404, naming `since`."
                    ),
                    "schema": {"type": "string", "pattern": VERSION.pattern},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "Changes per page.",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_CHANGES,
                        "default": DEFAULT_CHANGES,
                    },
                },
                {
                    "name": "cursor",
                    "in": "query",
                    "required": False,
                    "description": "Copy it from `next`.",
                    "schema": {
                        "type": "string",
                        "pattern": CURSOR_PATTERN,
                        "maxLength": MAX_CURSOR_LENGTH,
                    },
                },
                RELEASE_PARAM,
            ),
            {
                "404": problem_response(
                    "`since` is not in this release's history (`parameter` is `since`), the "
                    f"release keeps no history, or {NO_RELEASE}."
                )
            },
        ),
    ),
]
