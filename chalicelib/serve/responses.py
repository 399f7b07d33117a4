"""HTTP behaviour shared by every route: problem details, ETags, caching and safety headers.

Domain errors are mapped to HTTP here and nowhere else, so every route answers a
given failure the same way, and no route can leak a traceback, a bucket name or a
credential: only the messages of our own errors reach the client.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import (
    BadParameter,
    IntegrityError,
    Redacted,
    ReleaseNotFound,
    StoreError,
    UnknownCursor,
)
from chalicelib.media import ATOM, JSON, PROBLEM_JSON, SCHEMA_JSON
from chalicelib.serve.limits import MAX_NAME_SHOWN
from chalicelib.text import clip

PROBLEM_BASE = "https://iran1988.example/problems/"
# Bodies of these types go out as str; any other type is binary and goes out as bytes.
TEXT_TYPES = (JSON, PROBLEM_JSON, SCHEMA_JSON, ATOM, "text/")
READS = ("GET", "HEAD")
# An ETag is the first hex digits of the body's sha256: 128 bits tell any two answers apart.
ETAG_DIGITS = 32

# The current release may change at any time; a pinned one never does.
CACHE_CURRENT = "public, max-age=60"
CACHE_PINNED = "public, max-age=31536000, immutable"
CACHE_NONE = "no-store"

SAFETY_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "ETag, Link, Location, Retry-After",
    # Every read may be answered as JSON or as a page (serve/pages/negotiation.py).
    "Vary": "Accept",
}

# What a CORS preflight allows besides the safelisted headers: revalidating a cached read,
# and the JSON body of POST /validate. Browsers may cache the answer this long (seconds).
PREFLIGHT_HEADERS = "Content-Type, If-None-Match"
PREFLIGHT_MAX_AGE = "600"


def preflight_headers(methods: tuple[str, ...]) -> dict[str, str]:
    """The headers of the answer to a CORS preflight at a path that takes ``methods``."""
    return {
        **SAFETY_HEADERS,
        "Access-Control-Allow-Methods": ", ".join((*methods, "OPTIONS")),
        "Access-Control-Allow-Headers": PREFLIGHT_HEADERS,
        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        "Cache-Control": f"public, max-age={PREFLIGHT_MAX_AGE}",
    }


@dataclass
class Reply:
    """What a route answers, before the shared headers are added."""

    body: bytes = b""
    status: int = 200
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    cache: str = CACHE_NONE
    # The body's sha256 where the caller already knows it (a record's, from its directory
    # shard), so the hot path does not hash the body again.
    sha256: str | None = None


class Problem(Exception):
    """An RFC 9457 problem: raised anywhere below a route, answered as problem+json."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        parameter: str | None = None,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.parameter, self.errors = parameter, errors
        self.headers = headers or {}
        self.extra = extra or {}

    def reply(self) -> Reply:
        document: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.parameter is not None:
            document["parameter"] = self.parameter
        if self.errors:
            document["errors"] = self.errors
        document.update(self.extra)
        return Reply(dumps(document), self.status, PROBLEM_JSON, dict(self.headers))


def shown(name: str) -> str:
    """A parameter name as a problem may repeat it: a 100 KB name is not echoed back whole."""
    return clip(name, MAX_NAME_SHOWN)


def bad_parameter(parameter: str, detail: str) -> Problem:
    return Problem(400, "bad-parameter", "Bad query parameter", detail, parameter=shown(parameter))


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", "Not found", detail)


def problem_for(error: Exception) -> Problem:
    """The one mapping from domain errors to HTTP problems."""
    if isinstance(error, Problem):
        return error
    if isinstance(error, UnknownCursor):
        # Well formed (its shape is checked first) but not made here: no such page, a 404, as
        # for an unpublished release; a malformed cursor stays a 400.
        return Problem(
            404,
            "cursor-not-found",
            "Page not found",
            f"'cursor': {error.message}",
            parameter="cursor",
        )
    if isinstance(error, BadParameter):
        return bad_parameter(error.param, f"'{error.param}': {error.message}")
    if isinstance(error, Redacted):
        # The file is gone for good, for a reason the public may know; the value never shows.
        return Problem(
            410,
            "redacted",
            "Gone: redacted",
            str(error),
            extra={
                "release": error.version,
                "replaced_by": error.replaced_by,
                "reason": error.reason,
            },
        )
    if isinstance(error, ReleaseNotFound):
        # Well formed (views check the shape first) but not published: the client asked for a
        # thing that does not exist, which is a 404, not a malformed request.
        return Problem(
            404,
            "release-not-found",
            "Release not found",
            f"{error}; GET /dataset/releases lists the published ones",
            parameter="release",
        )
    if isinstance(error, StoreError):
        # Unavailable, refusing, or holding something unreadable where a release should be:
        # either way the store cannot answer now, which is an outage, not the client's fault.
        return Problem(
            503,
            "store-unavailable",
            "Service unavailable",
            "the dataset store is not answering; retry shortly",
            headers={"Retry-After": str(getattr(error, "retry_after", 1))},
        )
    if isinstance(error, IntegrityError):
        # A corrupt object is never served; to the client this is an outage, not its fault.
        return Problem(
            503,
            "integrity",
            "Service unavailable",
            "a stored object failed its integrity check and was not served; retry shortly",
            headers={"Retry-After": "5"},
        )
    return Problem(500, "internal", "Internal error", "the server could not answer this request")


def dumps(document: Any) -> bytes:
    """Compact UTF-8 JSON: the one serialization every response uses."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:ETAG_DIGITS] + '"'


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """True if the client's If-None-Match names ``etag`` (or is ``*``), weak or strong."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


@dataclass(frozen=True, slots=True)
class Finished:
    """A response ready to send: every header set, the body in the form it goes out in.

    Built once from a ``Reply`` by ``finish``. An answer that depends only on the release and
    the request (a record, a page) is kept finished, so a warm repeat costs a lookup, and
    ``for_request`` derives the 304 and HEAD forms from it without copying the body.
    """

    status: int
    body: str | bytes
    content_type: str
    headers: dict[str, str]  # the complete set, Content-Type included
    etag: str | None = None

    @property
    def size(self) -> int:
        """Roughly what it costs to keep: for cache budgets."""
        return len(self.body) * (4 if isinstance(self.body, str) else 1) + 512

    def for_request(self, method: str, if_none_match: str | None) -> Finished:
        """This answer as ``method`` gets it: 304 if the client's copy is current, no body to HEAD.

        If-None-Match revalidates reads only; a POST is always answered in full.
        """
        if method not in READS or (method == "GET" and not if_none_match):
            return self  # most requests: nothing to revalidate, and the body goes out
        empty = "" if isinstance(self.body, str) else b""
        fresh = self.etag is not None and not_modified(if_none_match, self.etag)
        if not fresh and method != "HEAD":
            return self
        # A 304 and a HEAD have no body, but their Content-Length is the length GET's body
        # has (RFC 9110 8.6): a server in front must not take the empty body's 0 for it.
        size = len(self.body.encode("utf-8") if isinstance(self.body, str) else self.body)
        headers = {**self.headers, "Content-Length": str(size)}
        return Finished(304 if fresh else self.status, empty, self.content_type, headers, self.etag)


def finish(reply: Reply) -> Finished:
    """Add the headers every response carries, and put the body in the form it goes out in."""
    headers = {**SAFETY_HEADERS, **reply.headers}
    etag = None
    if reply.status == 200:
        etag = f'"{reply.sha256[:ETAG_DIGITS]}"' if reply.sha256 else etag_for(reply.body)
        headers["ETag"] = etag
        headers["Cache-Control"] = reply.cache
    elif reply.status in (301, 302, 304, 308, 410):
        headers.setdefault("Cache-Control", reply.cache)
    else:
        headers.setdefault("Cache-Control", CACHE_NONE)
    headers["Content-Type"] = reply.content_type
    body: str | bytes = reply.body
    if reply.content_type.startswith(TEXT_TYPES):
        body = reply.body.decode("utf-8")
    return Finished(reply.status, body, reply.content_type, headers, etag)
