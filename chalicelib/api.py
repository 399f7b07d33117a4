"""What each route does, independent of Chalice: parameters in, a ``Reply`` out.

``app.py`` only wires these functions to paths. Every function resolves the release
first (current, or pinned with ``release=``) and answers from that one release, so a
request that began on a release finishes on it even if ``current.json`` flips.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlencode

from . import http
from .http import CACHE_CURRENT, CACHE_PINNED, JSON, SCHEMA_JSON, Problem, Reply, bad_parameter, dumps, not_found
from .kinds import BY_COLLECTION, BY_NAME, ID_MAX_LENGTH, KINDS

STORE_ENV = "DATASET_STORE"
DEFAULT_STORE = ".serve/store"
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
VERSION_RE = re.compile(r"[0-9]{8}-[0-9a-f]{8}")
FILE_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
MAX_QUERY_VALUE = 512

Params = Mapping[str, list[str]]

_lock = threading.Lock()
_dataset = None


def dataset():
    """The dataset store named by ``DATASET_STORE``, opened once per warm process."""
    global _dataset
    if _dataset is None:
        with _lock:
            if _dataset is None:
                from .reader import Dataset
                from .store import open_store

                _dataset = Dataset(open_store(os.environ.get(STORE_ENV, DEFAULT_STORE)))
    return _dataset


def reset_dataset(value=None) -> None:
    """Forget the opened dataset (tests point the app at a fresh store)."""
    global _dataset
    _dataset = value


@dataclass(frozen=True)
class Request:
    """The parts of an HTTP request the routes read."""

    path: str
    params: Params


def single(params: Params, name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise bad_parameter(name, f"'{name}' was given {len(values)} times; give it once")
    return values[0]


def only(params: Params, allowed: tuple[str, ...] = ("release",)) -> None:
    """Refuse any parameter a route does not take, rather than ignore it."""
    for name, values in params.items():
        if name not in allowed:
            hint = ", ".join(allowed) if allowed else "none"
            raise bad_parameter(name, f"unknown parameter '{name[:40]}'; this route takes: {hint}")
        if len(values) > 1:
            raise bad_parameter(name, f"'{name}' was given {len(values)} times; give it once")
        if len(values[0]) > MAX_QUERY_VALUE:
            raise bad_parameter(name, f"'{name}' is over {MAX_QUERY_VALUE} characters")


def release_for(params: Params):
    """The release a request reads, and the Cache-Control its answers carry."""
    version = single(params, "release")
    if version is None:
        return dataset().current(), CACHE_CURRENT
    if not VERSION_RE.fullmatch(version):
        raise bad_parameter("release", "a release looks like 20261127-3f9a1c2b; "
                                       "GET /dataset/releases lists the published ones")
    return dataset().pinned(version), CACHE_PINNED


def kind_for(collection: str):
    kind = BY_COLLECTION.get(collection)
    if kind is None:
        raise not_found(f"there is no collection '{collection[:40]}'")
    return kind


def check_id(record_id: str) -> None:
    """A malformed id is answered 404 before any storage call."""
    if len(record_id) > ID_MAX_LENGTH or not ID_RE.fullmatch(record_id):
        raise not_found("no record has this id: ids are lowercase a-z, 0-9 and single hyphens, "
                        f"at most {ID_MAX_LENGTH} characters")


# -- routes ---------------------------------------------------------------------------

def index(request: Request) -> Reply:
    only(request.params)
    release, cache = release_for(request.params)
    manifest = release.manifest
    counts = manifest.get("counts", {})
    body = {
        "name": "1988 prison massacres records API",
        "description": "An open, sourced dataset about Iran's 1988 prison massacres. "
                       "Contested facts are claims, attributed to who makes them.",
        "release": release.version,
        "published": manifest.get("published"),
        "license": manifest.get("license"),
        "collections": [{"name": kind.collection, "kind": kind.name, "description": kind.description,
                         "count": counts.get(kind.collection, 0), "href": f"/{kind.collection}"}
                        for kind in KINDS],
        "links": {"openapi": "/openapi.json", "schemas": "/schemas", "dataset": "/dataset",
                  "releases": "/dataset/releases", "validate": "/validate"},
    }
    return Reply(dumps(body), cache=cache)


def list_records(request: Request, collection: str) -> Reply:
    from . import query

    kind = kind_for(collection)
    release, cache = release_for(request.params)
    parsed = _parse_list(kind, request.params)
    page = query.run_list(release.collection_index(collection), parsed, release.version)
    return _page_reply(request, page, release.version, cache)


def record_claims(request: Request, collection: str, record_id: str) -> Reply:
    from . import query

    kind_for(collection)
    check_id(record_id)
    release, cache = release_for(request.params)
    found = release.record(collection, record_id)
    if found is None:
        raise not_found(f"{collection}/{record_id} does not exist")
    parsed = _parse_list(BY_NAME["claim"], request.params, refers_to=f"{collection}/{record_id}")
    page = query.run_list(release.collection_index("claims"), parsed, release.version)
    return _page_reply(request, page, release.version, cache)


def _parse_list(kind, params: Params, refers_to: str | None = None):
    from . import query

    try:
        parsed = query.parse_list_params(kind, params)
    except query.BadParameter as exc:
        raise bad_parameter(exc.param, exc.message) from None
    if refers_to is not None:
        parsed = query.refer_to(parsed, refers_to)
    return parsed


def _page_reply(request: Request, page, version: str, cache: str) -> Reply:
    from . import query

    next_url = None
    headers = {}
    if page.next_cursor:
        kept = [(name, value) for name, values in request.params.items() if name != "cursor"
                for value in values]
        next_url = request.path + "?" + urlencode(kept + [("cursor", page.next_cursor)])
        headers["Link"] = f'<{next_url}>; rel="next"'
    return Reply(query.render_page(page, next_url, version), headers=headers, cache=cache)


def get_record(request: Request, collection: str, record_id: str) -> Reply:
    kind_for(collection)
    check_id(record_id)
    only(request.params)
    release, cache = release_for(request.params)
    found = release.record(collection, record_id)
    if found is None:
        raise not_found(f"{collection}/{record_id} does not exist")
    if isinstance(found, (bytes, bytearray, memoryview)):
        return Reply(bytes(found), cache=cache)
    return _tombstone_reply(found, collection, record_id, request, cache)


def _tombstone_reply(tombstone, collection: str, record_id: str, request: Request, cache: str) -> Reply:
    if tombstone.action == "merged":
        location = "/" + tombstone.merged_into
        if "release" in request.params:
            location += "?" + urlencode({"release": request.params["release"][0]})
        body = {"type": http.PROBLEM_BASE + "merged", "title": "Merged", "status": 308,
                "detail": f"{collection}/{record_id} was merged into {tombstone.merged_into}: {tombstone.reason}",
                "location": location}
        return Reply(dumps(body), 308, http.PROBLEM_JSON, {"Location": location}, cache)
    body = {"type": http.PROBLEM_BASE + "withdrawn", "title": "Withdrawn", "status": 410,
            "detail": f"{collection}/{record_id} was withdrawn: {tombstone.reason}",
            "withdrawn": tombstone.date}
    return Reply(dumps(body), 410, http.PROBLEM_JSON, cache=cache)


def list_schemas(request: Request) -> Reply:
    only(request.params)
    release, cache = release_for(request.params)
    body = {"release": release.version, "schemas": [
        {"kind": kind.name, "collection": kind.collection, "href": f"/schemas/{kind.name}"} for kind in KINDS]}
    return Reply(dumps(body), cache=cache)


def get_schema(request: Request, kind_name: str) -> Reply:
    only(request.params)
    names = {kind.name: kind.schema_file for kind in KINDS}
    names.update({"defs": "defs.schema.json", "tombstone": "tombstone.schema.json"})
    if kind_name not in names:
        raise not_found(f"there is no schema '{kind_name[:40]}'; kinds: {', '.join(names)}")
    release, cache = release_for(request.params)
    return Reply(release.schema_bytes(names[kind_name]), content_type=SCHEMA_JSON, cache=cache)


def get_dataset(request: Request) -> Reply:
    only(request.params)
    release, cache = release_for(request.params)
    return Reply(release.manifest_bytes(), cache=cache)


def get_dataset_file(request: Request, name: str) -> Reply:
    only(request.params)
    if not FILE_NAME_RE.fullmatch(name) or ".." in name:
        raise not_found(f"there is no file '{name[:40]}'")
    release, cache = release_for(request.params)
    download = release.download(name)
    if download is None:
        raise not_found(f"there is no file '{name[:100]}' in release {release.version}")
    if download.url is not None:
        return Reply(b"", 302, JSON, {"Location": download.url}, "private, max-age=60")
    return Reply(download.body, content_type=download.content_type, cache=cache)


def list_releases(request: Request) -> Reply:
    only(request.params)
    releases = dataset().releases()
    current = dataset().current().version
    body = {"current": current, "releases": releases}
    return Reply(dumps(body), cache=CACHE_CURRENT)


def validate_batch(body: bytes, content_type: str | None) -> Reply:
    """``POST /validate``: a dry run of the validator against the current release plus the batch."""
    from .intake import PayloadError, items_from_payload
    from .jsonio import JSONInputError, parse
    from .validate import validate

    media = (content_type or "").split(";")[0].strip().lower()
    if media != JSON:
        raise Problem(415, "unsupported-media-type", "Unsupported media type",
                      "send the body as application/json")
    if len(body) > MAX_BODY:
        raise Problem(413, "too-large", "Payload too large",
                      f"the body is {len(body):,} bytes; the limit is {MAX_BODY:,} bytes (1 MiB)")
    try:
        payload = parse(body, what="the body")
        items = items_from_payload(payload)
    except JSONInputError as exc:
        raise Problem(400, "bad-body", "Bad request body", exc.message,
                      errors=[{"pointer": exc.pointer, "keyword": exc.keyword, "message": exc.message}]) from None
    except PayloadError as exc:
        status = 413 if exc.keyword == "maxItems" else 400
        raise Problem(status, "too-many-items" if status == 413 else "bad-body",
                      "Payload too large" if status == 413 else "Bad request body", exc.message) from None
    release = dataset().current()
    report = validate(items, release.schema_set(), release.catalog())
    return Reply(dumps(report.to_dict()))


MAX_BODY = 1024 * 1024


_openapi_cache: dict[str, bytes] = {}


def openapi_document(request: Request, routes) -> Reply:
    """OpenAPI 3.1 for the app's routes, with the release's schemas; cached per release."""
    from .openapi import build_openapi

    only(request.params)
    release, cache = release_for(request.params)
    body = _openapi_cache.get(release.version)
    if body is None:
        body = dumps(build_openapi(routes, release.schema_set().documents, release.version))
        _openapi_cache[release.version] = body
    return Reply(body, cache=cache)
