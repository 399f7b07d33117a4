"""The read-only HTTP API. Routes only: each handler parses, calls chalicelib, responds.

The six collections' routes are generated from the kinds registry. Every route goes
through ``served``, which maps errors to problem+json and adds the shared headers,
so no handler can forget them.
"""

import functools
import logging

from chalice import Chalice, Response

from chalicelib.model.kinds import KINDS
from chalicelib.serve import views
from chalicelib.serve.responses import Finished, Problem, finish, preflight_headers, problem_for

app = Chalice(app_name="iran1988-records")
app.api.binary_types.append("application/gzip")
log = logging.getLogger("iran1988")

OTHER_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _params():
    query = app.current_request.query_params
    return {name: query.getlist(name) for name in query} if query else {}


def _accepts(accept, media_type):
    """Whether an Accept header takes ``media_type``, as API Gateway decides for binary bodies."""
    offered = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    return "*/*" in offered or media_type in offered or media_type.split("/")[0] + "/*" in offered


@functools.lru_cache(maxsize=1)
def _binary_types():
    # A set, looked up on every response; Chalice's list holds some twenty types. Read once
    # every route is registered, so it holds what the app declared.
    return frozenset(app.api.binary_types)


def _respond(answer, request):
    """The Chalice response to ``answer`` (a Reply, or a Finished one kept from earlier)."""
    if answer.content_type in _binary_types() and not _accepts(
        request.headers.get("accept"), answer.content_type
    ):
        # Gateways only pass binary bodies to clients that ask for them.
        answer = Problem(
            406,
            "not-acceptable",
            "Not acceptable",
            f"this file is {answer.content_type}; send 'Accept: {answer.content_type}' "
            "or 'Accept: */*'",
        ).reply()
    if not isinstance(answer, Finished):
        answer = finish(answer)
    answer = answer.for_request(request.method, request.headers.get("if-none-match"))
    # Chalice copies the headers into the event it returns, so a kept answer's dict is shared
    # safely; no route has cors=, which is what would make Chalice add to it.
    return Response(body=answer.body, status_code=answer.status, headers=answer.headers)


def served(view):
    """Run a route's logic; turn any failure into problem+json; add the shared headers."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request = app.current_request
        try:
            reply = view(*args, **kwargs)
        except Exception as error:
            problem = problem_for(error)
            if problem.status >= 500:
                # The type only: messages of foreign errors may name a bucket or a key id.
                log.error("%s %s failed: %s", request.method, request.path, type(error).__name__)
            reply = problem.reply()
        return _respond(reply, request)

    return wrapper


def _request(path):
    return views.Request(path, _params())


def route(path, name, doc, methods=("GET", "HEAD")):
    """Register a view at ``path`` for ``methods``, a CORS preflight, and a 405 for the rest.

    HEAD answers as GET does, without the body.
    """
    allowed = ", ".join(methods)

    def register(view):
        view.__doc__ = doc or view.__doc__
        view.__name__ = name
        # content_types */*: the view, not Chalice, decides what a body may be (POST /validate
        # answers 415 as problem+json), and a GET is never refused for its Content-Type.
        app.route(path, methods=list(methods), name=name, content_types=["*/*"])(served(view))

        def method_not_allowed(**_):
            raise Problem(
                405,
                "method-not-allowed",
                "Method not allowed",
                f"{app.current_request.method} is not allowed here; use {allowed}",
                headers={"Allow": allowed},
            )

        method_not_allowed.not_an_operation = True
        others = [m for m in OTHER_METHODS if m not in methods]
        app.route(path, methods=others, name=f"{name}_not_allowed", content_types=["*/*"])(
            served(method_not_allowed)
        )

        # Browsers send a preflight OPTIONS before a cross-origin request with a header of
        # their own (If-None-Match on a GET, Content-Type: application/json on POST /validate).
        # It is answered here rather than through Chalice's cors=, which would add the
        # preflight's headers to every GET response as well, at a cost on every request.
        def preflight(**_):
            return Response(body="", status_code=204, headers=preflight_headers(methods))

        preflight.not_an_operation = True  # plumbing: kept out of OpenAPI and of Allow
        app.route(path, methods=["OPTIONS"], name=f"{name}_preflight", content_types=["*/*"])(
            preflight
        )
        return view

    return register


@route("/", "service_index", None)
def service_index():
    """The service index.

    The current release, each collection with its count and link, and links to the
    OpenAPI document, the schemas and the dataset downloads.
    """
    return views.index(_request("/"))


for _kind in KINDS:

    def _routes(kind):
        base = f"/{kind.collection}"

        @route(
            base,
            f"list_{kind.collection}",
            f"List {kind.collection}.\n\n{kind.description} Filter, search (q), sort and page "
            "with a cursor; `next` links the following page.",
        )
        def list_view():
            return views.list_records(_request(base), kind.collection)

        @route(
            base + "/{id}",
            f"get_{kind.name}",
            f"One {kind.name}, in full.\n\nA merged id answers 308 to its canonical record; "
            "a withdrawn one answers 410 with the reason.",
        )
        def record_view(id):
            return views.get_record(_request(f"{base}/{id}"), kind.collection, id)

        @route(
            base + "/{id}/claims",
            f"claims_about_{kind.name}",
            f"Claims that refer to one {kind.name}.\n\nClaims whose subject, value, claimed_by "
            "or citation refers to the record, paged like the claims list.",
        )
        def claims_view(id):
            return views.record_claims(_request(f"{base}/{id}/claims"), kind.collection, id)

    _routes(_kind)


@route("/schemas", "list_schemas", None)
def list_schemas():
    """The JSON Schemas of the release, one per kind."""
    return views.list_schemas(_request("/schemas"))


@route("/schemas/{kind}", "get_schema", None)
def get_schema(kind):
    """One JSON Schema (2020-12), as application/schema+json."""
    return views.get_schema(_request(f"/schemas/{kind}"), kind)


@route("/dataset", "get_dataset", None)
def get_dataset():
    """The release manifest.

    Version, publication time, counts, licence, how to cite, and every download with
    its bytes and sha256.
    """
    return views.get_dataset(_request("/dataset"))


@route("/dataset/files/{name}", "get_dataset_file", None)
def get_dataset_file(name):
    """One download of the release.

    From a folder store the file itself; from S3 a 302 to a presigned URL that expires
    within 15 minutes.
    """
    return views.get_dataset_file(_request(f"/dataset/files/{name}"), name)


@route("/dataset/releases", "list_releases", None)
def list_releases():
    """All published releases, newest first, each with its change summary."""
    return views.list_releases(_request("/dataset/releases"))


@route("/openapi.json", "openapi", None)
def openapi():
    """This API, described as OpenAPI 3.1."""
    return views.openapi_document(_request("/openapi.json"), app.routes)


@route("/validate", "validate_records", None, methods=("POST",))
def validate_records():
    """Validate records without storing them (a dry run).

    The body is one item, a list of items, or {"items": [...]}, where an item is
    {"kind": "person", "record": {...}}. Each record is checked against its schema and
    against the current release plus the batch. Nothing is stored or logged.
    """
    request = app.current_request
    return views.validate_batch(
        _request("/validate"), request.raw_body or b"", request.headers.get("content-type")
    )
