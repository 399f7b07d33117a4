"""The read-only HTTP API: the route table, and nothing else.

Each handler hands its request to ``chalicelib.serve.views``. The six collections' routes are
generated from the kinds registry. Every route is registered through
``chalicelib.serve.routing.Router``, which maps errors to problem+json, adds the shared
headers, and answers 405, CORS preflights and 406, so no handler can forget them. It also
answers every read as a page when a browser asks (``chalicelib.serve.pages``).
"""

from chalice import Chalice, Response

from chalicelib.model.kinds import KINDS
from chalicelib.serve import feeds, history, reconcile, refine, search, views
from chalicelib.serve.contribute import contribute_page, html_page
from chalicelib.serve.pages import assets
from chalicelib.serve.routing import Router

app = Chalice(app_name="iran1988-records")
app.api.binary_types.append("application/gzip")
app.api.binary_types.append("application/vnd.sqlite3")  # all.sqlite
router = Router(app, Response)
route = router.route
_request = router.request


@route("/", "service_index", None)
def service_index():
    """The service index.

    The current release, each collection with its count and link, and links to the
    OpenAPI document, the schemas and the dataset downloads.
    """
    return views.index(_request("/"))


@route("/search", "search", None)
def search_everything():
    """Search all six collections at once.

    The same search as `q=` on each list route (names in every script and spelling, titles,
    descriptions, quotes), its first results grouped by collection, each group with a link to
    the whole result when there is more.
    """
    return search.search(_request("/search"))


@route("/style.css", "stylesheet", None)
def stylesheet():
    """The stylesheet of the HTML pages."""
    return assets.stylesheet()


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


@route("/dataset/releases/{version}/files/{name}", "get_release_file", None)
def get_release_file(version, name):
    """One download of a release, named by its version: the URL ends in the file's suffix.

    From a folder store the file itself, sent as an attachment under its own name; from S3
    a 302 to a presigned URL that expires within 15 minutes. The links of /dataset.
    """
    path = f"/dataset/releases/{version}/files/{name}"
    return views.get_release_file(_request(path), version, name)


@route("/dataset/releases", "list_releases", None)
def list_releases():
    """All published releases, newest first, each with its change summary."""
    return views.list_releases(_request("/dataset/releases"))


@route("/openapi.json", "openapi", None)
def openapi():
    """This API, described as OpenAPI 3.1."""
    return views.openapi_document(_request("/openapi.json"), app.routes)


@route("/contribute", "contribute", None, methods=("GET", "HEAD", "POST"))
@html_page
def contribute():
    """A page to write a record in a form, in English or Persian, and check it (HTML).

    GET shows a form made from the chosen kind's schema; a form POST runs the validator as
    POST /validate does and shows each problem beside its field. A valid record is given
    back to copy or download, with the steps to open a pull request. Nothing is stored.
    """
    request = app.current_request
    # The page takes its own `lang` (it is a page whatever the Accept header says).
    return contribute_page(
        views.Request("/contribute", router.all_params()),
        request.method,
        request.raw_body or b"",
        request.headers.get("content-type"),
    )


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


def _reconcile():
    """Match names against the dataset: the W3C Reconciliation API 0.2 (OpenRefine).

    Without `queries`, the service manifest. With `queries` (a JSON object of queries, in the
    query string or as a form POST), ranked candidates for each, with `score` and `match`.
    Read-only: a POST computes an answer and stores nothing. See the README for the scoring
    and the rule for `match: true`.
    """
    request = app.current_request
    return reconcile.answer(
        _request("/reconcile"),
        reconcile.public_base(request.headers, request.context, "/reconcile"),
        request.method,
        (request.raw_body or b"") if request.method == "POST" else b"",
        request.headers.get("content-type"),
    )


_reconcile.openapi = reconcile.openapi_operation  # documented by the protocol, not by a guess
route("/reconcile", "reconcile", None, methods=("GET", "HEAD", "POST"))(_reconcile)


def _preview():
    """A small card of a reconciliation candidate, for OpenRefine's preview (HTML)."""
    return refine.preview_view(_request("/reconcile/preview"), _base("/reconcile/preview"))


_preview.openapi = refine.operation(
    "A card of one candidate (OpenRefine's preview)",
    [
        refine.query_param("id", "A candidate's id: people/x.", {"type": "string"}, True),
        refine.RELEASE_PARAM,
    ],
    "text/html",
)
route("/reconcile/preview", "reconcile_preview", None)(_preview)


for _what in ("entity", "type", "property"):

    def _suggest_route(what):
        path = f"/reconcile/suggest/{what}"

        def suggest():
            """Suggestions while a user types (OpenRefine's suggest)."""
            return refine.suggest_view(_request(path), what)

        params = [refine.PREFIX, refine.LIMIT]
        params += [refine.TYPE, refine.RELEASE_PARAM] if what == "entity" else []
        suggest.openapi = refine.operation(f"Suggest {what} ids from a prefix", params)
        route(path, f"suggest_{what}", None)(suggest)

    _suggest_route(_what)


def _propose():
    """The columns data extension offers for a type (OpenRefine's 'add columns')."""
    return refine.propose_view(_request("/reconcile/extend/propose"))


_propose.openapi = refine.operation(
    "The properties data extension offers", [refine.TYPE, refine.LIMIT]
)
route("/reconcile/extend/propose", "extend_propose", None)(_propose)


for _kind in KINDS:

    def _history_route(kind):
        base = f"/{kind.collection}"

        def history_view(id):
            """The releases in which one record changed."""
            return history.record_history(_request(f"{base}/{id}/history"), kind.collection, id)

        history_view.openapi = history.history_operation(kind.name)
        route(base + "/{id}/history", f"history_of_{kind.name}", None)(history_view)

    _history_route(_kind)


def _dataset_changes():
    """Every record added, changed or removed since a release (for mirrors)."""
    return history.dataset_changes(_request("/dataset/changes"))


_dataset_changes.openapi = history.changes_operation
route("/dataset/changes", "dataset_changes", None)(_dataset_changes)


def _base(path: str) -> str:
    request = app.current_request
    return reconcile.public_base(request.headers, request.context, path)


def _changes_feed():
    """An Atom feed of the changes each release made, newest first (?collection= keeps one)."""
    return feeds.dataset_feed(_request("/dataset/changes.atom"), _base("/dataset/changes.atom"))


_changes_feed.openapi = feeds.operation("An Atom feed of the changes to the records")
route("/dataset/changes.atom", "changes_feed", None)(_changes_feed)


for _kind in KINDS:

    def _claims_feed_route(kind):
        base = f"/{kind.collection}"

        def claims_feed(id):
            """An Atom feed of the changes to the claims about one record."""
            path = f"{base}/{id}/claims.atom"
            return feeds.claims_feed(_request(path), _base(path), kind.collection, id)

        claims_feed.openapi = feeds.operation(
            f"An Atom feed of the claims about one {kind.name}", kind.collection
        )
        route(base + "/{id}/claims.atom", f"claims_feed_{kind.collection}", None)(claims_feed)

    _claims_feed_route(_kind)
