"""A request as the views take it, and the checks every view makes of one.

This module imports no view: the views, the protocol modules and the pages all build on it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from chalicelib.model.kinds import BY_COLLECTION, ID_MAX_LENGTH, ID_PATTERN, Kind
from chalicelib.release.reader import Release
from chalicelib.serve.limits import MAX_BODY, MAX_BODY_SHOWN, MAX_NAME_SHOWN
from chalicelib.serve.params import Params, one_each, single
from chalicelib.serve.responses import Finished, Problem, Reply, not_found
from chalicelib.serve.service import Service
from chalicelib.text import clip

ID_RE = re.compile(ID_PATTERN)
NOTHING: Mapping[str, Any] = MappingProxyType({})

__all__ = ["ID_RE", "Params", "Request", "accepted_body", "check_id", "kind_for", "only", "single"]


class Request(NamedTuple):
    """The parts of an HTTP request the routes read, and the service that answers it.

    ``path`` is the path asked (its parameters filled in) and ``params`` the query's; the
    method, body, headers and gateway context are read only by the routes that take a body
    or build links to themselves (/validate, /contribute, /reconcile).
    """

    path: str
    params: Params
    service: Service
    method: str = "GET"
    body: bytes = b""
    headers: Mapping[str, str] = NOTHING
    context: Mapping[str, Any] = NOTHING

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def key(self) -> tuple[Any, ...]:
        """The request as a hashable value: path and parameters, in the order given."""
        if not self.params:  # most record requests: skip building a generator
            return (self.path,)
        return (self.path, *((name, *values) for name, values in self.params.items()))

    def at(self, path: str, params: Params) -> Request:
        """Another request to the same service (a page asks the views for what it shows)."""
        return Request(path, params, self.service)

    def release(self) -> tuple[Release, str]:
        """The release this request reads, and the Cache-Control its answers carry."""
        return self.service.release_for(self.params)

    def closed_filters(self, release: Release, kind: Kind) -> Mapping[str, tuple[str, ...]]:
        """Each list filter of ``kind`` whose values ``release``'s schemas close, with them."""
        return self.service.schema_set(release).filter_vocabularies.get(kind.name, {})

    def kept(self, release: Release, make: Callable[[], Reply]) -> Finished:
        """The finished answer to this request from ``release``, made the first time."""
        return self.service.kept(self.key, release, make)


def only(params: Params, allowed: tuple[str, ...] = ("release",)) -> dict[str, str]:
    """Refuse any parameter a route does not take, rather than ignore it."""
    return one_each(params, allowed, "this route")


def kind_for(collection: str) -> Kind:
    kind = BY_COLLECTION.get(collection)
    if kind is None:
        raise not_found(f"there is no collection '{clip(collection, MAX_NAME_SHOWN)}'")
    return kind


def check_id(record_id: str) -> None:
    """A malformed id is answered 404 before any storage call."""
    if len(record_id) > ID_MAX_LENGTH or not ID_RE.fullmatch(record_id):
        raise not_found(
            "no record has this id: ids are lowercase a-z, 0-9 and single hyphens, "
            f"at most {ID_MAX_LENGTH} characters"
        )


def accepted_body(body: bytes, content_type: str | None, media: str, hint: str, what: str) -> None:
    """The checks every POST body passes first, one rule for all: its media type (else 415,
    with ``hint``), then its size (else 413)."""
    if (content_type or "").split(";")[0].strip().lower() != media:
        raise Problem(415, "unsupported-media-type", "Unsupported media type", hint)
    if len(body) > MAX_BODY:
        raise Problem(
            413,
            "too-large",
            "Payload too large",
            f"the {what} is {len(body):,} bytes; the limit is {MAX_BODY:,} bytes ({MAX_BODY_SHOWN})",
        )


BASE_URL_ENV = "PUBLIC_BASE_URL"
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?")


def public_base(headers: Mapping[str, str], context: Mapping[str, Any] | None, path: str) -> str:
    """The URL this service is reached at, for the manifest's links.

    ``PUBLIC_BASE_URL`` when set (a deployment behind a custom domain should set it);
    otherwise the Host header, with the API Gateway stage that precedes ``path`` in the
    request context. A Host that is not a plain host name is not echoed back.
    """
    configured = os.environ.get(BASE_URL_ENV)
    if configured:
        return configured.rstrip("/")
    host = headers.get("host") or ""
    if not _HOST.fullmatch(host):
        host = "localhost"
    local = host.split(":")[0] in ("localhost", "127.0.0.1")
    scheme = headers.get("x-forwarded-proto") or ("http" if local else "https")
    scheme = scheme if scheme in ("http", "https") else "https"
    full = str((context or {}).get("path") or path)
    stage = full[: -len(path)] if full.endswith(path) else ""
    stage = stage if re.fullmatch(r"(/[A-Za-z0-9_-]+)*", stage) else ""
    return f"{scheme}://{host}{stage}"
