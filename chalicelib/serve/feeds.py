"""``/dataset/changes.atom`` and ``/<collection>/<id>/claims.atom``: Atom feeds of changes, for
feed readers and newsrooms that follow the record (chalicelib.release.feeds makes them).

The dataset feed lists every record a release added, changed, removed, withdrawn or merged,
newest release first; ``?collection=`` keeps one collection. A record's claims feed lists the
changes to the claims about it: a new claim about a person appears there when it is published.
"""

from __future__ import annotations

from typing import Any

from chalicelib.media import OCTET_STREAM
from chalicelib.model.kinds import BY_COLLECTION, KINDS
from chalicelib.release import feeds
from chalicelib.release.history import changes_path
from chalicelib.serve import history, views
from chalicelib.serve.responses import Reply, bad_parameter

ATOM = feeds.ATOM + "; charset=utf-8"
COLLECTIONS = [kind.collection for kind in KINDS]


def dataset_feed(request: views.Request, base: str) -> Reply:
    one = views.only(request.params, ("collection", "release"))
    collection = one.get("collection")
    if collection is not None and collection not in BY_COLLECTION:
        raise bad_parameter("collection", f"'collection' must be one of {', '.join(COLLECTIONS)}")
    release, cache = views.release_for(request.params)

    def keep(event: dict) -> bool:
        return collection is None or event["collection"] == collection

    title = "Changes to the records" + (f": {collection}" if collection else "")
    self_path = "/dataset/changes.atom" + (f"?collection={collection}" if collection else "")
    return _feed(release, cache, base, self_path, "/dataset/changes", title, keep)


def claims_feed(request: views.Request, base: str, collection: str, record_id: str) -> Reply:
    views.only(request.params)
    views.check_id(record_id)
    release, cache = views.release_for(request.params)
    reference = f"{collection}/{record_id}"
    if release.entry(collection, record_id) is None:
        raise views.not_found(f"there is no record {reference}")
    index = release.collection_index("claims")
    about = {index.id_at(o) for o in index.posting("subject", reference)}

    def keep(event: dict) -> bool:
        # The claims about the record now, and any that were, as far as this release can tell.
        return event["collection"] == "claims" and event["id"] in about

    path = f"/{reference}/claims.atom"
    title = f"Claims about {reference}"
    return _feed(release, cache, base, path, f"/{reference}/claims", title, keep)


def _feed(release, cache, base: str, self_path: str, alternate: str, title: str, keep) -> Reply:
    found = feeds.entries(
        history.chain_of(release), lambda v: release.history_json(changes_path(v)), keep
    )
    updated = feeds.release_time(found[0].release if found else release.version)
    body = feeds.atom(base, self_path, alternate, title, updated, found)
    return Reply(body, content_type=ATOM, cache=cache)


def operation(what: str, collection: str | None = None):
    """The OpenAPI operation of a feed route."""

    def document(method: str) -> dict[str, Any]:
        from chalicelib.serve import openapi  # built on demand, never on a feed request

        params: list[dict] = [openapi.RELEASE_PARAM]
        if collection is None:
            params.insert(
                0,
                {
                    "name": "collection",
                    "in": "query",
                    "description": "Only the changes to this collection.",
                    "schema": {"type": "string", "enum": COLLECTIONS},
                },
            )
        else:
            params.insert(
                0,
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": openapi._path_schema("id", {}),
                },
            )
        return {
            "summary": what,
            "operationId": "changes_feed" if collection is None else f"claims_feed_{collection}",
            "parameters": params,
            "responses": {
                **openapi.COMMON_ERRORS,
                "200": {
                    "description": "An Atom 1.0 feed (RFC 4287), newest release first.",
                    # Also as plain bytes, to a client that asks only for those.
                    "content": {
                        OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}},
                        feeds.ATOM: {"schema": {"type": "string"}},
                    },
                    "headers": {
                        "ETag": {"schema": {"type": "string"}},
                        "Cache-Control": {"schema": {"type": "string"}},
                    },
                },
                "304": {"description": "Not modified."},
                "404": openapi.problem_response("No such record, or no such release."),
            },
        }

    return document
