"""How a route is declared: once, next to its view, with everything OpenAPI says of it.

A ``Route`` holds the path, the view and, per method, an ``Operation``: its summary, its
parameters, its responses with their media types and its request body. ``app.py`` registers
every declared route in one loop (``routing.Router.register``), and ``/openapi.json`` is
built from the same declarations (``openapi.build_openapi``), so the two cannot disagree.

The pieces several declarations share (the ``release`` parameter, the errors every read may
answer, a JSON answer with its ETag) are here too, so each is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.model.kinds import ID_MAX_LENGTH, ID_PATTERN
from chalicelib.release.layout import VERSION

Json = dict[str, Any]
# A view takes the request and the path's parameters, and answers a Reply (or a kept one).
View = Callable[..., Any]


@dataclass(frozen=True)
class Operation:
    """What one method of a route does, as OpenAPI describes it."""

    operation_id: str
    summary: str
    responses: Mapping[str, Json]
    description: str = ""
    parameters: Sequence[Json] = ()
    request_body: Json | None = None


@dataclass(frozen=True)
class Route:
    """One route: its path, its view, and an ``Operation`` per method it answers.

    A GET route answers HEAD as well, without the body. ``pages`` says whether a read is
    answered as an HTML page when a browser asks for one (``pages/negotiation.py``); a route
    that answers HTML of its own (``/contribute``) or a file takes its parameters as given.
    """

    path: str
    view: View
    operations: Mapping[str, Operation]
    pages: bool = True
    methods: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        methods = tuple(self.operations)
        if "GET" in methods:
            methods = ("GET", "HEAD", *(m for m in methods if m != "GET"))
        object.__setattr__(self, "methods", methods)

    @property
    def name(self) -> str:
        """The route's name: its first operation's id."""
        return next(iter(self.operations.values())).operation_id


# Every path no route has, registered after the routes (``routing.Router.register_unknown_paths``).
# API Gateway prefers any other resource to a greedy one, so only unknown paths reach it;
# without it they would never reach the function, and the gateway would answer them itself,
# as JSON only (docs/deployment.md, "Unknown paths").
UNKNOWN_PATHS = "/{proxy+}"


# -- the vocabulary declarations share ---------------------------------------------------------

PROBLEM = {"$ref": "#/components/schemas/Problem"}
NO_RELEASE = "`release` names no published release (`parameter` is `release`)"
NOT_MODIFIED = {"description": "Not modified: the ETag in If-None-Match is current."}
CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}


def problem_response(description: str) -> Json:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


def ok(schema: Json, description: str = "OK", *media_types: str) -> Json:
    """A 200 whose body is ``schema``, as ``media_types`` (JSON unless named), with its ETag."""
    return {
        "description": description,
        "content": {media: {"schema": schema} for media in media_types or ("application/json",)},
        "headers": dict(CACHE_HEADERS),
    }


def redirect(description: str) -> Json:
    return {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}


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
    "schema": {"type": "string", "pattern": VERSION.pattern},
}


def path_param(name: str, schema: Json, description: str = "") -> Json:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description or f"The {name}.",
        "schema": schema,
    }


# A record's id in a path: check_id's rule, so a longer or other id is a 404.
ID_PARAM = path_param("id", {"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX_LENGTH})


def reads(
    summary: str,
    description: str,
    operation_id: str,
    answer: Json,
    parameters: Sequence[Json] = (RELEASE_PARAM,),
    errors: Mapping[str, Json] | None = None,
) -> dict[str, Operation]:
    """The one GET operation of a read: ``answer`` is its 200; every read may answer the
    common errors and 304."""
    responses = {**COMMON_ERRORS, "200": answer, **(errors or {}), "304": NOT_MODIFIED}
    return {"GET": Operation(operation_id, summary, responses, description, tuple(parameters))}
