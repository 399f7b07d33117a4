"""What each route does, independent of Chalice: parameters in, a ``Reply`` out.

``app.py`` only wires these functions to paths. Every function resolves the release
first (current, or pinned with ``release=``) and answers from that one release, so a
request that began on a release finishes on it even if ``current.json`` flips.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlencode

from chalicelib import media
from chalicelib.checks.intake import PayloadError, items_from_payload
from chalicelib.checks.jsonio import JSONInputError, parse
from chalicelib.checks.validate import validate
from chalicelib.errors import ObjectMissing, ReleaseNotFound
from chalicelib.model.kinds import BY_COLLECTION, BY_NAME, ID_MAX_LENGTH, ID_PATTERN, KINDS
from chalicelib.model.schemas import SchemaSet, schema_files
from chalicelib.release.cache import Memo
from chalicelib.release.layout import MANIFEST, VERSION
from chalicelib.release.reader import Dataset, RecordBytes, Tombstone
from chalicelib.release.redactions import public_entries
from chalicelib.release.signing import NAMESPACE, PRINCIPAL
from chalicelib.release.signing import SUFFIX as SIGNATURE_SUFFIX
from chalicelib.serve import deferred
from chalicelib.serve import responses as http
from chalicelib.serve.limits import FILE_NAME_RE, MAX_BODY
from chalicelib.serve.params import one_each
from chalicelib.serve.responses import (
    CACHE_CURRENT,
    CACHE_PINNED,
    JSON,
    SCHEMA_JSON,
    Finished,
    Problem,
    Reply,
    bad_parameter,
    dumps,
    finish,
    not_found,
)
from chalicelib.store import PRESIGN_SECONDS, open_store

STORE_ENV = "DATASET_STORE"
DEFAULT_STORE = ".serve/store"
ID_RE = re.compile(ID_PATTERN)

Params = Mapping[str, list[str]]

_lock = threading.Lock()
_dataset = None


def dataset():
    """The dataset store named by ``DATASET_STORE``, opened once per warm process."""
    global _dataset
    if _dataset is None:
        with _lock:
            if _dataset is None:
                _dataset = Dataset(open_store(os.environ.get(STORE_ENV, DEFAULT_STORE)))
    return _dataset


def storage_reads() -> int:
    """Storage calls made by this process's dataset so far (0 before it is opened).

    Public, so that benchmarks and tests count reads without reaching into the module.
    """
    return _dataset.store.reads if _dataset is not None else 0


def reset_dataset(value=None) -> None:
    """Forget the opened dataset and what was derived from it, as a new process would
    (tests point the app at a fresh store); ``value`` is the dataset to use instead."""
    global _dataset
    _dataset = value
    _release_cache.clear()
    forget_answers()


class Request(NamedTuple):
    """The parts of an HTTP request the routes read."""

    path: str
    params: Params

    @property
    def key(self) -> tuple:
        """The request as a hashable value: path and parameters, in the order given."""
        if not self.params:  # most record requests: skip building a generator
            return (self.path,)
        return (self.path, *((name, *values) for name, values in self.params.items()))


# Answers that are a pure function of (release, path, parameters), kept finished. A release
# never changes, so an entry never goes stale; the budget bounds what a warm process holds.
ANSWER_CACHE_BYTES = 32 * 1024 * 1024
_answers = Memo(ANSWER_CACHE_BYTES)


def forget_answers() -> None:
    """Drop every kept answer (benchmarks time the first answer to a request this way)."""
    _answers.clear()


def kept(request: Request, release, make) -> Finished:
    """The finished answer to ``request`` from ``release``: made by ``make()`` the first time.

    Only answers are kept; a Problem raised by ``make`` is raised again on every request.
    """
    # A redaction (chalicelib.release.redactions) changes what an old release may answer.
    key = (release.version, getattr(release, "stamp", None), request.key)
    found = _answers.get(key)
    if found is None:
        found = finish(make())
        _answers.put(key, found, found.size)
    return found


def kept_as(key: tuple, make) -> Finished:
    """The finished answer kept under ``key``, made by ``make()`` the first time: for answers
    derived from another kept answer (a page, keyed by its JSON answer's ETag)."""
    found = _answers.get(key)
    if found is None:
        found = finish(make())
        _answers.put(key, found, found.size)
    return found


def single(params: Params, name: str) -> str | None:
    """The one value of ``name`` (the other parameters are the route parser's business)."""
    if name not in params:
        return None
    return one_each({name: params[name]}, (name,), "this route").get(name)


def only(params: Params, allowed: tuple[str, ...] = ("release",)) -> dict[str, str]:
    """Refuse any parameter a route does not take, rather than ignore it."""
    return one_each(params, allowed, "this route")


def current_release():
    """The release ``current.json`` names; a 503 while nothing is published."""
    try:
        return dataset().current()
    except ReleaseNotFound:
        raise Problem(
            503,
            "no-release",
            "Service unavailable",
            "no release has been published to this store yet",
            headers={"Retry-After": "60"},
        ) from None


def release_for(params: Params):
    """The release a request reads, and the Cache-Control its answers carry."""
    version = single(params, "release")
    if version is None:
        return current_release(), CACHE_CURRENT
    if not VERSION.fullmatch(version):
        raise bad_parameter(
            "release",
            "a release looks like 20261127-3f9a1c2b; "
            "GET /dataset/releases lists the published ones",
        )
    return dataset().pinned(version), CACHE_PINNED


def kind_for(collection: str):
    kind = BY_COLLECTION.get(collection)
    if kind is None:
        raise not_found(f"there is no collection '{collection[:40]}'")
    return kind


def check_id(record_id: str) -> None:
    """A malformed id is answered 404 before any storage call."""
    if len(record_id) > ID_MAX_LENGTH or not ID_RE.fullmatch(record_id):
        raise not_found(
            "no record has this id: ids are lowercase a-z, 0-9 and single hyphens, "
            f"at most {ID_MAX_LENGTH} characters"
        )


# -- routes ---------------------------------------------------------------------------


def index(request: Request) -> Finished:
    only(request.params)
    release, cache = release_for(request.params)
    return kept(request, release, lambda: _index_reply(release, cache))


def _index_reply(release, cache: str) -> Reply:
    manifest = release.manifest
    counts = manifest.get("counts", {})
    body = {
        "name": "1988 prison massacres records API",
        "description": "An open, sourced dataset about Iran's 1988 prison massacres. "
        "Contested facts are claims, attributed to who makes them.",
        "release": release.version,
        "published": manifest.get("published"),
        "license": manifest.get("license"),
        # count: the live records a walk of the list visits (tombstones are not listed).
        "collections": [
            {
                "name": kind.collection,
                "kind": kind.name,
                "description": kind.description,
                "count": counts.get(kind.collection, {}).get("records", 0),
                "href": f"/{kind.collection}",
            }
            for kind in KINDS
        ],
        "links": {
            "openapi": "/openapi.json",
            "schemas": "/schemas",
            "dataset": "/dataset",
            "releases": "/dataset/releases",
            "validate": "/validate",
        },
    }
    return Reply(dumps(body), cache=cache)


def list_records(request: Request, collection: str) -> Finished:
    query = deferred.query()

    kind = kind_for(collection)
    parsed = query.parse_list_params(kind, request.params)  # a bad parameter costs no read
    release, cache = release_for(request.params)
    return kept(
        request,
        release,
        lambda: _page_reply(
            request,
            query.run_list(release.collection_index(collection), parsed, release.version),
            release.version,
            cache,
        ),
    )


def record_claims(request: Request, collection: str, record_id: str) -> Finished:
    query = deferred.query()

    kind_for(collection)
    check_id(record_id)
    parsed = query.refer_to(
        query.parse_list_params(BY_NAME["claim"], request.params), f"{collection}/{record_id}"
    )
    release, cache = release_for(request.params)
    return kept(
        request,
        release,
        lambda: _claims_reply(request, release, cache, collection, record_id, parsed),
    )


def _claims_reply(
    request: Request, release, cache: str, collection: str, record_id: str, parsed
) -> Reply:
    query = deferred.query()

    found = release.record(collection, record_id)
    if found is None:
        raise not_found(f"{collection}/{record_id} does not exist")
    if isinstance(found, Tombstone):
        return _tombstone_reply(found, collection, record_id, request, cache, "/claims")
    page = query.run_list(release.collection_index("claims"), parsed, release.version)
    return _page_reply(request, page, release.version, cache)


def _page_reply(request: Request, page, version: str, cache: str) -> Reply:
    query = deferred.query()

    next_url = None
    headers = {}
    if page.next_cursor:
        kept = [
            (name, value)
            for name, values in request.params.items()
            if name != "cursor"
            for value in values
        ]
        next_url = request.path + "?" + urlencode(kept + [("cursor", page.next_cursor)])
        headers["Link"] = f'<{next_url}>; rel="next"'
    return Reply(query.render_page(page, next_url, version), headers=headers, cache=cache)


def get_record(request: Request, collection: str, record_id: str) -> Finished:
    kind_for(collection)
    check_id(record_id)
    only(request.params)
    release, cache = release_for(request.params)
    return kept(
        request, release, lambda: _record_reply(request, release, cache, collection, record_id)
    )


def _record_reply(request: Request, release, cache: str, collection: str, record_id: str) -> Reply:
    found = release.record(collection, record_id)
    if found is None:
        raise not_found(f"{collection}/{record_id} does not exist")
    if isinstance(found, RecordBytes):
        return Reply(found.body, cache=cache, sha256=found.sha256)
    return _tombstone_reply(found, collection, record_id, request, cache)


def _tombstone_reply(
    tombstone: Tombstone,
    collection: str,
    record_id: str,
    request: Request,
    cache: str,
    suffix: str = "",
) -> Reply:
    """308 to where a merged id now lives (same query, such as ``release=``), or 410 with the reason."""
    if tombstone.action == "merged":
        location = "/" + tombstone.merged_into + suffix
        # The same question about the canonical record; a cursor belonged to the old one.
        kept = [
            (name, value)
            for name, values in request.params.items()
            if name != "cursor"
            for value in values
        ]
        if kept:
            location += "?" + urlencode(kept)
        body = {
            "type": http.PROBLEM_BASE + "merged",
            "title": "Merged",
            "status": 308,
            "detail": f"{collection}/{record_id} was merged into {tombstone.merged_into}: {tombstone.reason}",
            "location": location,
        }
        return Reply(dumps(body), 308, http.PROBLEM_JSON, {"Location": location}, cache)
    body = {
        "type": http.PROBLEM_BASE + "withdrawn",
        "title": "Withdrawn",
        "status": 410,
        "detail": f"{collection}/{record_id} was withdrawn: {tombstone.reason}",
        "withdrawn": tombstone.date,
    }
    return Reply(dumps(body), 410, http.PROBLEM_JSON, cache=cache)


def list_schemas(request: Request) -> Finished:
    only(request.params)
    release, cache = release_for(request.params)
    return kept(
        request,
        release,
        lambda: Reply(
            dumps(
                {
                    "release": release.version,
                    "schemas": [
                        {
                            "kind": kind.name,
                            "collection": kind.collection,
                            "href": f"/schemas/{kind.name}",
                        }
                        for kind in KINDS
                    ],
                }
            ),
            cache=cache,
        ),
    )


# Besides one schema per kind, a release carries the definitions they share and the tombstone's.
SCHEMA_FILES = {
    **{kind.name: kind.schema_file for kind in KINDS},
    "defs": "defs.schema.json",
    "tombstone": "tombstone.schema.json",
}


def get_schema(request: Request, kind_name: str) -> Finished:
    only(request.params)
    # Each schema's $id ends in its file name (/schemas/person.schema.json), which is also
    # what the schemas' relative $refs resolve to: answer there too, so an editor or a
    # validator that follows $id or $ref gets the schema this API validates with.
    kind_name = kind_name.removesuffix(".schema.json")
    if kind_name not in SCHEMA_FILES:
        raise not_found(
            f"there is no schema '{kind_name[:40]}'; there are: {', '.join(SCHEMA_FILES)}"
        )
    release, cache = release_for(request.params)
    return kept(
        request,
        release,
        lambda: Reply(
            release.schema_bytes(SCHEMA_FILES[kind_name]), content_type=SCHEMA_JSON, cache=cache
        ),
    )


def get_dataset(request: Request) -> Finished:
    only(request.params)
    release, cache = release_for(request.params)
    return kept(request, release, lambda: Reply(dumps(_dataset_view(release)), cache=cache))


def _dataset_view(release) -> dict:
    """The manifest as users need it: the downloads, not the internal index files."""
    manifest = release.manifest
    pinned = f"?release={release.version}"
    keep = (
        "version",
        "published",
        "previous",
        "title",
        "counts",
        "license",
        "cite",
        "content_sha256",
    )
    view = {key: manifest[key] for key in keep if key in manifest}
    view["files"] = [
        {
            "name": name,
            "bytes": info["bytes"],
            "sha256": info["sha256"],
            "href": release_file_path(release.version, name),
        }
        for name, info in sorted(release.files().items())
    ]
    view["schemas"] = f"/schemas{pinned}"
    view["signature"] = signature_links(pinned)
    return view


def signature_links(pinned: str) -> dict[str, str]:
    """Where the signed manifest and its signature are, and how to check them. The keys are
    not served here: a server that could be altered would vouch for itself. They are the
    project repository's KEYS file."""
    return {
        "format": "OpenSSH signature (SSHSIG), Ed25519",
        "manifest": f"/dataset/files/{MANIFEST}{pinned}",
        "signature": f"/dataset/files/{MANIFEST}{SIGNATURE_SUFFIX}{pinned}",
        "keys": "KEYS, at the top of the project's repository (with the history of key changes)",
        "verify": (
            f"ssh-keygen -Y verify -f KEYS -I {PRINCIPAL} -n {NAMESPACE} "
            f"-s {MANIFEST}{SIGNATURE_SUFFIX} < {MANIFEST}"
        ),
        "guide": "docs/integrity.md",
    }


_release_cache: dict[tuple[str, str], object] = {}


def _per_release(name: str, release, make):
    """Derived views of a release, computed once: releases never change."""
    key = (name, release.version)
    found = _release_cache.get(key)
    if found is None:
        found = _release_cache[key] = make()
    return found


def schema_set(release):
    return _per_release(
        "schemas",
        release,
        lambda: SchemaSet({name: release.schema_bytes(name) for name in schema_files()}),
    )


def release_file_path(version: str, name: str) -> str:
    """Where a download of a release is: the release in the path, so that the URL ends in the
    file's own suffix (.csv, .jsonl.gz) and pandas, wget and browsers see what it is."""
    return f"/dataset/releases/{version}/files/{name}"


def get_release_file(request: Request, version: str, name: str) -> Reply:
    """``/dataset/releases/{version}/files/{name}``: a download of a release named in the path."""
    only(request.params, ())
    if not VERSION.fullmatch(version):
        raise not_found("a release looks like 20261127-3f9a1c2b; GET /dataset/releases lists them")
    return get_dataset_file(Request(request.path, {"release": [version]}), name)


def get_dataset_file(request: Request, name: str) -> Reply:
    only(request.params, ("release",))
    if not FILE_NAME_RE.fullmatch(name) or ".." in name:
        raise not_found(f"there is no file '{name[:40]}'")
    release, cache = release_for(request.params)
    if name in (MANIFEST, MANIFEST + SIGNATURE_SUFFIX):
        return _signed_manifest(release, name, cache)
    if name not in release.files():
        raise not_found(f"there is no file '{name[:100]}' in release {release.version}")
    store = dataset().store
    if os.environ.get(CDN_ENV) == "true" and store.local_path(release.file_key(name)) is None:
        # Behind the CloudFront distribution of the template, which serves /releases/*/files/*
        # from the private bucket: a path on the same host, with no bucket name and no key id.
        return Reply(b"", 302, JSON, {"Location": "/" + release.file_key(name)}, cache)
    url = store.presigned_url(release.file_key(name), PRESIGN_SECONDS)
    if url is not None:
        # Downloads can be large: the client fetches them from S3 directly.
        return Reply(b"", 302, JSON, {"Location": url}, "private, max-age=60")
    return Reply(
        release.file_bytes(name),
        content_type=media.of_file(name),
        headers={"Content-Disposition": attachment(name)},
        cache=cache,
    )


def attachment(name: str) -> str:
    """A download's Content-Disposition: saved under its own name (names are ASCII: limits)."""
    return f'attachment; filename="{name}"'


def _signed_manifest(release, name: str, cache: str) -> Reply:
    """The manifest as signed, byte for byte, or its signature: what ssh-keygen and
    `verify --url` check."""
    if name == MANIFEST:
        return Reply(release.manifest_bytes, content_type=JSON, cache=cache)
    try:
        body = release.manifest_signature()
    except ObjectMissing:
        raise not_found(f"release {release.version} is not signed") from None
    return Reply(body, content_type="text/plain; charset=us-ascii", cache=cache)


CDN_ENV = "DOWNLOADS_VIA_CDN"  # "true": downloads are redirected to the distribution's path


def list_releases(request: Request) -> Reply:
    only(request.params)
    # The listing grows with every publish, so it is never cached as immutable; a pinned
    # release is still checked, so that a wrong one is not silently ignored.
    current = current_release()
    if "release" in request.params:
        release_for(request.params)
    body = {"current": current.version, "releases": dataset().releases()}
    redactions = dataset().redactions()
    if redactions:
        body["redactions"] = public_entries(redactions)
    return Reply(dumps(body), cache=CACHE_CURRENT)


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
            f"the {what} is {len(body):,} bytes; the limit is {MAX_BODY:,} bytes (1 MiB)",
        )


def validate_batch(request: Request, body: bytes, content_type: str | None) -> Reply:
    """``POST /validate``: a dry run of the validator against a release (the current one, or
    the one ``release=`` pins) plus the batch. The body is neither stored nor logged."""
    only(request.params)
    accepted_body(body, content_type, JSON, "send the body as application/json", "body")
    try:
        payload = parse(body, what="the body")
        if not isinstance(payload, (dict, list)):
            raise PayloadError(
                "type",
                'the body must be an item {"kind": ..., "record": {...}}, '
                'a list of items, or {"items": [...]}',
            )
        items = items_from_payload(payload)
    except (JSONInputError, PayloadError) as exc:
        error = {
            "pointer": getattr(exc, "pointer", ""),
            "keyword": exc.keyword,
            "message": exc.message,
        }
        if exc.keyword == "maxItems":
            raise Problem(
                413, "too-many-items", "Payload too large", exc.message, errors=[error]
            ) from None
        raise Problem(400, "bad-body", "Bad request body", exc.message, errors=[error]) from None
    release, _ = release_for(request.params)
    report = validate(items, schema_set(release), release.catalog())
    return Reply(dumps(report.to_dict()))


def openapi_document(request: Request, routes) -> Finished:
    """OpenAPI 3.1 for the app's routes, with the release's schemas; kept per release."""
    only(request.params)
    release, cache = release_for(request.params)
    return kept(
        request,
        release,
        lambda: Reply(
            dumps(
                deferred.openapi().build_openapi(
                    routes, schema_set(release).documents, release.version
                )
            ),
            cache=cache,
        ),
    )
