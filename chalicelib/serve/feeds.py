"""``/dataset/changes.atom`` and ``/<collection>/<id>/claims.atom``: Atom feeds of changes, for
feed readers and newsrooms that follow the record (chalicelib.release.feeds makes them).

The dataset feed lists every record a release added, changed, removed, withdrawn or merged,
newest release first; ``?collection=`` keeps one collection. A record's claims feed lists the
changes to the claims about it: a new claim about a person appears there when it is published.
"""

from __future__ import annotations

from chalicelib.media import OCTET_STREAM
from chalicelib.model.kinds import BY_COLLECTION, KINDS, Kind
from chalicelib.release import feeds
from chalicelib.release.history import changes_path
from chalicelib.serve import history
from chalicelib.serve.request import Request, check_id, only, public_base
from chalicelib.serve.responses import Reply, bad_parameter, not_found
from chalicelib.serve.route import ID_PARAM, RELEASE_PARAM, Route, problem_response, reads

ATOM = feeds.ATOM + "; charset=utf-8"
COLLECTIONS = [kind.collection for kind in KINDS]


def _base(request: Request, path: str) -> str:
    return public_base(request.headers, request.context, path)


def dataset_feed(request: Request) -> Reply:
    one = only(request.params, ("collection", "release"))
    collection = one.get("collection")
    if collection is not None and collection not in BY_COLLECTION:
        raise bad_parameter("collection", f"'collection' must be one of {', '.join(COLLECTIONS)}")
    release, cache = request.release()

    def keep(event: dict) -> bool:
        return collection is None or event["collection"] == collection

    title = "Changes to the records" + (f": {collection}" if collection else "")
    self_path = "/dataset/changes.atom" + (f"?collection={collection}" if collection else "")
    base = _base(request, "/dataset/changes.atom")
    return _feed(release, cache, base, self_path, "/dataset/changes", title, keep)


def claims_feed(request: Request, collection: str, record_id: str) -> Reply:
    only(request.params)
    check_id(record_id)
    release, cache = request.release()
    reference = f"{collection}/{record_id}"
    if release.entry(collection, record_id) is None:
        raise not_found(f"there is no record {reference}")
    index = release.collection_index("claims")
    about = {index.id_at(o) for o in index.posting("subject", reference)}

    def keep(event: dict) -> bool:
        # The claims about the record now, and any that were, as far as this release can tell.
        return event["collection"] == "claims" and event["id"] in about

    path = f"/{reference}/claims.atom"
    title = f"Claims about {reference}"
    return _feed(release, cache, _base(request, path), path, f"/{reference}/claims", title, keep)


def _feed(release, cache, base: str, self_path: str, alternate: str, title: str, keep) -> Reply:
    found = feeds.entries(
        history.chain_of(release), lambda v: release.history_json(changes_path(v)), keep
    )
    updated = feeds.release_time(found[0].release if found else release.version)
    body = feeds.atom(base, self_path, alternate, title, updated, found)
    return Reply(body, content_type=ATOM, cache=cache)


# Also as plain bytes, to a client that asks only for those (listed first: a generated client
# then hands the feed over as it came).
FEED = {
    "description": "An Atom 1.0 feed (RFC 4287), newest release first.",
    "content": {
        OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}},
        feeds.ATOM: {"schema": {"type": "string"}},
    },
    "headers": {
        "ETag": {"schema": {"type": "string"}},
        "Cache-Control": {"schema": {"type": "string"}},
    },
}
NOT_FOUND = {"404": problem_response("No such record, or no such release.")}
COLLECTION_PARAM = {
    "name": "collection",
    "in": "query",
    "description": "Only the changes to this collection.",
    "schema": {"type": "string", "enum": COLLECTIONS},
}


def _claims_route(kind: Kind) -> Route:
    collection = kind.collection

    def view(request: Request, id: str) -> Reply:
        return claims_feed(request, collection, id)

    return Route(
        f"/{collection}/{{id}}/claims.atom",
        view,
        reads(
            f"An Atom feed of the claims about one {kind.name}",
            "Each change a release made to a claim about the record, newest first.",
            f"claims_feed_{collection}",
            FEED,
            (ID_PARAM, RELEASE_PARAM),
            NOT_FOUND,
        ),
        pages=False,
    )


ROUTES = [
    Route(
        "/dataset/changes.atom",
        dataset_feed,
        reads(
            "An Atom feed of the changes to the records",
            "Each record a release added, changed, removed, withdrawn or merged, newest first.",
            "changes_feed",
            FEED,
            (COLLECTION_PARAM, RELEASE_PARAM),
            NOT_FOUND,
        ),
        pages=False,
    ),
    *(_claims_route(kind) for kind in KINDS),
]
