"""What each route does, independent of Chalice: parameters in, a ``Reply`` out.

``app.py`` only wires these functions to paths. Every function resolves the release
first (current, or pinned with ``release=``) and answers from that one release, so a
request that began on a release finishes on it even if ``current.json`` flips.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

from chalicelib import media
from chalicelib.checks.intake import PayloadError, items_from_payload
from chalicelib.checks.jsonio import JSONInputError, parse
from chalicelib.checks.validate import validate
from chalicelib.errors import ObjectMissing
from chalicelib.model.kinds import BY_NAME, KINDS, Kind
from chalicelib.model.schemas import schema_files
from chalicelib.release.history import ACTIONS
from chalicelib.release.layout import MANIFEST, VERSION
from chalicelib.release.reader import RecordBytes, Tombstone
from chalicelib.release.redactions import public_entries
from chalicelib.release.signing import NAMESPACE, PRINCIPAL
from chalicelib.release.signing import SUFFIX as SIGNATURE_SUFFIX
from chalicelib.serve import responses as http
from chalicelib.serve.describe import list_parameters, page_schema
from chalicelib.serve.limits import (
    FILE_NAME_RE,
    MAX_BODY_SHOWN,
    MAX_ITEMS,
    MAX_NAME_SHOWN,
    PRESIGN_MINUTES,
)
from chalicelib.serve.request import Request, accepted_body, check_id, kind_for, only
from chalicelib.serve.responses import (
    CACHE_CURRENT,
    JSON,
    SCHEMA_JSON,
    Finished,
    Problem,
    Reply,
    dumps,
    not_found,
)
from chalicelib.serve.route import (
    COMMON_ERRORS,
    ID_PARAM,
    NO_RELEASE,
    RELEASE_PARAM,
    Operation,
    Route,
    ok,
    path_param,
    problem_response,
    reads,
    redirect,
)
from chalicelib.store import PRESIGN_SECONDS
from chalicelib.text import clip

# -- routes ---------------------------------------------------------------------------


def index(request: Request) -> Finished:
    only(request.params)
    release, cache = request.release()
    return request.kept(release, lambda: _index_reply(release, cache))


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
    # Lazy: only list, claims and facet requests need the query engine, not a cold start's
    # record request.
    from chalicelib.serve import query

    kind = kind_for(collection)
    parsed = query.parse_list_params(kind, request.params)  # a bad parameter costs no read
    release, cache = request.release()
    query.check_vocabulary(parsed, request.closed_filters(release, kind))
    return request.kept(
        release,
        lambda: _page_reply(
            request,
            query.run_list(release.collection_index(collection), parsed, release.version),
            release.version,
            cache,
        ),
    )


def record_claims(request: Request, collection: str, record_id: str) -> Finished:
    # Lazy: only list, claims and facet requests need the query engine, not a cold start's
    # record request.
    from chalicelib.serve import query

    kind_for(collection)
    check_id(record_id)
    parsed = query.refer_to(
        query.parse_list_params(BY_NAME["claim"], request.params), f"{collection}/{record_id}"
    )
    release, cache = request.release()
    query.check_vocabulary(parsed, request.closed_filters(release, BY_NAME["claim"]))
    return request.kept(
        release,
        lambda: _claims_reply(request, release, cache, collection, record_id, parsed),
    )


def _claims_reply(
    request: Request, release, cache: str, collection: str, record_id: str, parsed
) -> Reply:
    # Lazy: only list, claims and facet requests need the query engine, not a cold start's
    # record request.
    from chalicelib.serve import query

    found = release.record(collection, record_id)
    if found is None:
        raise not_found(f"{collection}/{record_id} does not exist")
    if isinstance(found, Tombstone):
        return _tombstone_reply(found, collection, record_id, request, cache, "/claims")
    page = query.run_list(release.collection_index("claims"), parsed, release.version)
    return _page_reply(request, page, release.version, cache)


def _page_reply(request: Request, page, version: str, cache: str) -> Reply:
    # Lazy: only list, claims and facet requests need the query engine, not a cold start's
    # record request.
    from chalicelib.serve import query

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
    release, cache = request.release()
    return request.kept(
        release, lambda: _record_reply(request, release, cache, collection, record_id)
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
        location = f"/{tombstone.merged_into}{suffix}"
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
    release, cache = request.release()
    return request.kept(
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
            f"there is no schema '{clip(kind_name, MAX_NAME_SHOWN)}'; there are: {', '.join(SCHEMA_FILES)}"
        )
    release, cache = request.release()
    return request.kept(
        release,
        lambda: Reply(
            release.schema_bytes(SCHEMA_FILES[kind_name]), content_type=SCHEMA_JSON, cache=cache
        ),
    )


def get_dataset(request: Request) -> Finished:
    only(request.params)
    release, cache = request.release()
    return request.kept(release, lambda: Reply(dumps(_dataset_view(release)), cache=cache))


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


def release_file_path(version: str, name: str) -> str:
    """Where a download of a release is: the release in the path, so that the URL ends in the
    file's own suffix (.csv, .jsonl.gz) and pandas, wget and browsers see what it is."""
    return f"/dataset/releases/{version}/files/{name}"


def get_release_file(request: Request, version: str, name: str) -> Reply:
    """``/dataset/releases/{version}/files/{name}``: a download of a release named in the path."""
    only(request.params, ())
    if not VERSION.fullmatch(version):
        raise not_found("a release looks like 20261127-3f9a1c2b; GET /dataset/releases lists them")
    return get_dataset_file(request._replace(params={"release": [version]}), name)


def get_dataset_file(request: Request, name: str) -> Reply:
    only(request.params, ("release",))
    if not FILE_NAME_RE.fullmatch(name) or ".." in name:
        raise not_found(f"there is no file '{clip(name, MAX_NAME_SHOWN)}'")
    release, cache = request.release()
    if name in (MANIFEST, MANIFEST + SIGNATURE_SUFFIX):
        return _signed_manifest(release, name, cache)
    if name not in release.files():
        # A name FILE_NAME_RE took: short enough to repeat whole.
        raise not_found(f"there is no file '{name}' in release {release.version}")
    store = request.service.dataset.store
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
    service = request.service
    current = service.current_release()
    if "release" in request.params:
        request.release()
    body = {"current": current.version, "releases": service.dataset.releases()}
    redactions = service.dataset.redactions()
    if redactions:
        body["redactions"] = public_entries(redactions)
    return Reply(dumps(body), cache=CACHE_CURRENT)


def validate_batch(request: Request) -> Reply:
    """``POST /validate``: a dry run of the validator against a release (the current one, or
    the one ``release=`` pins) plus the batch. The body is neither stored nor logged."""
    only(request.params)
    body = request.body
    accepted_body(body, request.content_type, JSON, "send the body as application/json", "body")
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
        # Too many items is the body breaking its schema's maxItems, as too few breaks its
        # minItems: a 400, where 413 is kept for a body too large to read.
        raise Problem(400, "bad-body", "Bad request body", exc.message, errors=[error]) from None
    release, _ = request.release()
    report = validate(items, request.service.schema_set(release), release.catalog())
    return Reply(dumps(report.to_dict()))


# -- the routes' declarations -------------------------------------------------------------------

PAGE_OF = "A page of {}."
RECORD_MISSING = problem_response(f"No record has this id, or {NO_RELEASE}.")
# A cursor of the documented shape that this API did not make names no page: the 404 a
# generated one meets, where a malformed one is a 400.
NO_PAGE = "`cursor` has the shape of a cursor but names no page of this query and release"
REDACTED = problem_response(
    "Pinned to an older release whose file held a value withheld since: `replaced_by` names "
    "the release that carries the redacted form, `reason` why it is withheld."
)
RELEASE_SCHEMA = {"type": "string", "description": "The release the answer was read from."}
LINKS_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}
# The manifest's licence and citation, as `publish` writes them (an older release may hold text).
LICENSE_SCHEMA = {
    "type": ["string", "object"],
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "description": "An SPDX identifier."},
        "title": {"type": "string"},
        "path": {"type": "string"},
        "note": {"type": "string"},
    },
}
CITE_SCHEMA = {
    "type": ["string", "object"],
    "properties": {
        "text": {"type": "string"},
        "note": {"type": "string"},
        "version": {"type": "string"},
    },
}
COLLECTION_NAMES = {"enum": [kind.collection for kind in KINDS]}
INDEX_SCHEMA = {
    "type": "object",
    "required": ["name", "description", "release", "collections", "links"],
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "release": RELEASE_SCHEMA,
        "published": {"type": ["string", "null"]},
        "license": {**LICENSE_SCHEMA, "type": ["string", "object", "null"]},
        "collections": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "kind", "description", "count", "href"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": [kind.name for kind in KINDS]},
                    "description": {"type": "string"},
                    "count": {"type": "integer", "minimum": 0},
                    "href": {"type": "string"},
                },
            },
        },
        "links": LINKS_SCHEMA,
    },
}
SCHEMAS_SCHEMA = {
    "type": "object",
    "required": ["release", "schemas"],
    "properties": {
        "release": RELEASE_SCHEMA,
        "schemas": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "collection", "href"],
                "properties": {
                    "kind": {"type": "string"},
                    "collection": {"type": "string"},
                    "href": {"type": "string"},
                },
            },
        },
    },
}
# A JSON Schema document as a release carries it (schemas/*.schema.json).
JSON_SCHEMA_SCHEMA = {
    "type": "object",
    "required": ["$schema", "$id"],
    "properties": {"$schema": {"type": "string"}, "$id": {"type": "string"}},
}
DATASET_SCHEMA = {
    "type": "object",
    "required": ["version", "files", "schemas"],
    "properties": {
        "version": {"type": "string"},
        "published": {"type": "string"},
        "previous": {"type": ["string", "null"]},
        "title": {"type": "string"},
        "counts": {
            "type": "object",
            "propertyNames": COLLECTION_NAMES,
            "additionalProperties": {
                "type": "object",
                "required": ["records", "tombstones"],
                "properties": {
                    "records": {"type": "integer", "minimum": 0},
                    "tombstones": {"type": "integer", "minimum": 0},
                },
            },
        },
        "license": LICENSE_SCHEMA,
        "cite": CITE_SCHEMA,
        "content_sha256": {"type": "string"},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "bytes", "sha256", "href"],
                "properties": {
                    "name": {"type": "string"},
                    "bytes": {"type": "integer", "minimum": 0},
                    "sha256": {"type": "string"},
                    "href": {"type": "string"},
                },
            },
        },
        "schemas": {"type": "string"},
        "signature": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
RELEASES_SCHEMA = {
    "type": "object",
    "required": ["current", "releases"],
    "properties": {
        "current": {"type": "string"},
        "releases": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["version"],
                "properties": {
                    "version": {"type": "string"},
                    "previous": {"type": ["string", "null"]},
                    "published": {"type": "string"},
                    "manifest_sha256": {"type": "string"},
                    "summary": {"type": "string"},
                    "changes": {
                        "type": "object",
                        "properties": {
                            change: {"type": "integer", "minimum": 0} for change in ACTIONS
                        },
                    },
                    "counts": {
                        "type": "object",
                        "propertyNames": COLLECTION_NAMES,
                        "additionalProperties": {"type": "integer", "minimum": 0},
                    },
                },
            },
        },
        "redactions": {
            "type": "array",
            "description": "Values withheld since they were published: what, why, when, where.",
            "items": {
                "type": "object",
                "required": ["record", "pointer", "reason", "recorded", "redacted_in", "withdrawn"],
                "properties": {
                    "record": {"type": "string"},
                    "pointer": {"type": "string"},
                    "reason": {"type": "string"},
                    "recorded": {"type": "string"},
                    "redacted_in": {"type": "string"},
                    "withdrawn": {
                        "type": "object",
                        "description": "Per release, the files that held the value.",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
}


def kind_routes(kind: Kind) -> list[Route]:
    """The three routes of one collection: its list, one record, and the claims about it."""
    collection, base = kind.collection, f"/{kind.collection}"
    claims = BY_NAME["claim"]

    def list_view(request: Request) -> Finished:
        return list_records(request, collection)

    def record_view(request: Request, id: str) -> Finished:
        return get_record(request, collection, id)

    def claims_view(request: Request, id: str) -> Finished:
        return record_claims(request, collection, id)

    return [
        Route(
            base,
            list_view,
            reads(
                f"List {collection}.",
                f"{kind.description} Filter, search (q), sort and page with a cursor; `next` "
                "links the following page.",
                f"list_{collection}",
                ok(page_schema(kind), PAGE_OF.format(collection)),
                list_parameters(kind),
                {
                    "404": problem_response(
                        f"{NO_RELEASE[0].upper()}{NO_RELEASE[1:]}, or {NO_PAGE} "
                        "(`parameter` is `cursor`)."
                    ),
                    "410": REDACTED,
                },
            ),
        ),
        Route(
            base + "/{id}",
            record_view,
            reads(
                f"One {kind.name}, in full.",
                "A merged id answers 308 to its canonical record; a withdrawn one answers 410 "
                "with the reason.",
                f"get_{kind.name}",
                ok({"$ref": f"#/components/schemas/{kind.name}"}, f"One {kind.name}, in full."),
                (ID_PARAM, RELEASE_PARAM),
                {
                    "308": {
                        **problem_response(
                            "The record was merged; `Location` names the canonical record."
                        ),
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    },
                    "404": RECORD_MISSING,
                    "410": problem_response("The record was withdrawn; `detail` gives the reason."),
                },
            ),
        ),
        Route(
            base + "/{id}/claims",
            claims_view,
            reads(
                f"Claims that refer to one {kind.name}.",
                "Claims whose subject, value, claimed_by or citation refers to the record, "
                "paged like the claims list.",
                f"claims_about_{kind.name}",
                ok(page_schema(claims), "A page of claims that refer to the record."),
                (ID_PARAM, *list_parameters(claims)),
                {
                    "404": problem_response(
                        f"No record has this id, {NO_RELEASE}, or {NO_PAGE} "
                        "(`parameter` is `cursor`)."
                    )
                },
            ),
        ),
    ]


def _schema_view(request: Request, kind: str) -> Finished:
    return get_schema(request, kind)


FILE_NAME_PARAM = path_param("name", {"type": "string", "pattern": f"^{FILE_NAME_RE.pattern}$"})
FILE_ERRORS = {
    "302": redirect(f"From S3: a presigned URL valid for at most {PRESIGN_MINUTES} minutes."),
    "404": problem_response(f"The release has no file of this name, or {NO_RELEASE}."),
    "406": problem_response(
        "A compressed file, and the Accept header takes neither it nor */* (a request without "
        "an Accept header gets the file)."
    ),
    "410": REDACTED,
}
# A download is bytes to save as they are (a gzip, a CSV, an SQLite file), so that a generated
# client hands them over untouched; the JSON files are objects.
BINARY = {"type": "string", "format": "binary", "contentMediaType": media.OCTET_STREAM}
# The JSON files, each the document of its own standard (other keys may follow it).
JSON_FILE = {
    "description": "datapackage.json, metadata.json or changes.json.",
    "anyOf": [
        {
            "title": "datapackage.json (a Frictionless Data Package)",
            "type": "object",
            "required": ["name", "resources"],
            "properties": {
                "name": {"type": "string"},
                "resources": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "path"],
                        "properties": {"name": {"type": "string"}, "path": {"type": "string"}},
                    },
                },
            },
        },
        {
            "title": "metadata.json (Datasette's metadata for all.sqlite)",
            "type": "object",
            "required": ["title", "databases"],
            "properties": {
                "title": {"type": "string"},
                "databases": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {
                            "tables": {
                                "type": "object",
                                "description": "Per table: its description and columns.",
                                "additionalProperties": {
                                    "type": "object",
                                    "properties": {
                                        "description": {"type": "string"},
                                        "columns": {
                                            "type": "object",
                                            "additionalProperties": {"type": "string"},
                                        },
                                    },
                                },
                            }
                        },
                    },
                },
            },
        },
        {
            "title": "changes.json (what this release changed)",
            "type": "object",
            "required": ["version", "previous", "summary"],
            "properties": {
                "version": {"type": "string"},
                "previous": {"type": ["string", "null"]},
                "summary": {
                    "type": "object",
                    "properties": {action: {"type": "integer", "minimum": 0} for action in ACTIONS},
                },
                **{
                    action: {
                        "type": "object",
                        "description": "Per collection, the ids (or the tombstones) concerned.",
                        "propertyNames": COLLECTION_NAMES,
                        "additionalProperties": {"type": "array"},
                    }
                    for action in ACTIONS
                },
            },
        },
    ],
}


def download_response() -> dict:
    # Plain bytes first: what a client that asks only for application/octet-stream gets, and
    # what a generated client then saves untouched.
    answer = ok(BINARY, "The file, from a folder store.", media.OCTET_STREAM, *media.DOWNLOADS)
    for media_type, content in answer["content"].items():
        content["schema"] = JSON_FILE if media_type == media.JSON else BINARY
    return answer


def _file_view(request: Request, name: str) -> Reply:
    return get_dataset_file(request, name)


ROUTES = [
    Route(
        "/",
        index,
        reads(
            "The service index.",
            "The current release, each collection with its count and link, and links to the "
            "OpenAPI document, the schemas and the dataset downloads.",
            "service_index",
            ok(INDEX_SCHEMA),
        ),
    ),
    *(route for kind in KINDS for route in kind_routes(kind)),
    Route(
        "/schemas",
        list_schemas,
        reads(
            "The JSON Schemas of the release, one per kind.",
            "",
            "list_schemas",
            ok(SCHEMAS_SCHEMA),
        ),
    ),
    Route(
        "/schemas/{kind}",
        _schema_view,
        reads(
            "One JSON Schema (2020-12), as application/schema+json.",
            "",
            "get_schema",
            ok(JSON_SCHEMA_SCHEMA, "A JSON Schema (2020-12) document.", SCHEMA_JSON),
            (
                path_param(
                    "kind",
                    {
                        "type": "string",
                        "enum": [name.removesuffix(".schema.json") for name in schema_files()],
                    },
                ),
                RELEASE_PARAM,
            ),
            {"404": problem_response(f"No schema has this name, or {NO_RELEASE}.")},
        ),
    ),
    Route(
        "/dataset",
        get_dataset,
        reads(
            "The release manifest.",
            "Version, publication time, counts, licence, how to cite, and every download with "
            "its bytes and sha256.",
            "get_dataset",
            ok(DATASET_SCHEMA),
        ),
    ),
    Route(
        "/dataset/files/{name}",
        _file_view,
        reads(
            "One download of the release.",
            "From a folder store the file itself; from S3 a 302 to a presigned URL that "
            f"expires within {PRESIGN_MINUTES} minutes.",
            "get_dataset_file",
            download_response(),
            (FILE_NAME_PARAM, RELEASE_PARAM),
            FILE_ERRORS,
        ),
    ),
    Route(
        "/dataset/releases/{version}/files/{name}",
        get_release_file,
        reads(
            "One download of a release, named by its version: the URL ends in the file's suffix.",
            "From a folder store the file itself, sent as an attachment under its own name; from "
            f"S3 a 302 to a presigned URL that expires within {PRESIGN_MINUTES} minutes. The "
            "links of /dataset.",
            "get_release_file",
            download_response(),
            (
                path_param("version", {"type": "string", "pattern": VERSION.pattern}),
                FILE_NAME_PARAM,
            ),
            FILE_ERRORS,
        ),
    ),
    Route(
        "/dataset/releases",
        list_releases,
        reads(
            "All published releases, newest first, each with its change summary.",
            "",
            "list_releases",
            ok(RELEASES_SCHEMA),
        ),
    ),
    Route(
        "/validate",
        validate_batch,
        {
            "POST": Operation(
                "validate_records",
                "Validate records without storing them (a dry run).",
                {
                    **COMMON_ERRORS,
                    "200": ok(
                        {"$ref": "#/components/schemas/ValidationReport"}, "The validation report."
                    ),
                    "400": problem_response(
                        "The body is not JSON, nests too deep, or holds no item or over "
                        f"{MAX_ITEMS:,} items (`errors` names the rule), or a query parameter is "
                        "unknown, repeated or malformed (`parameter` names it)."
                    ),
                    "413": problem_response(f"The body is over {MAX_BODY_SHOWN}."),
                    "415": problem_response("The body is not sent as application/json."),
                },
                'The body is one item, a list of items, or {"items": [...]}, where an item is '
                '{"kind": "person", "record": {...}}. Each record is checked against its schema '
                "and against the current release plus the batch. Nothing is stored or logged.",
                (RELEASE_PARAM,),
                {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ValidationRequest"}
                        }
                    },
                },
            )
        },
    ),
]
