"""``/reconcile``: the HTTP side of the W3C Entity Reconciliation API 0.2 (what OpenRefine speaks).

``answer`` reads the parameters (GET, HEAD and form POST alike), resolves the release and
answers with the manifest or with the candidates of each query, through the helpers every
other route uses. The protocol's shapes are ``reconciliation/protocol.py``; how candidates are
found and scored is ``reconciliation/scoring.py``; both store and log nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from chalicelib.errors import BadParameter
from chalicelib.serve import refine
from chalicelib.serve.limits import (
    MAX_BODY_SHOWN,
    MAX_NAME_SHOWN,
    MAX_QUERIES_LENGTH,
    MAX_URL_QUERIES_LENGTH,
)
from chalicelib.serve.params import single
from chalicelib.serve.reconciliation.protocol import (
    BATCH_SCHEMA,
    MANIFEST_SCHEMA,
    RESULTS_SCHEMA,
    manifest,
    parse_batch,
)
from chalicelib.serve.reconciliation.scoring import MATCH_LEAD, MATCH_SCORE, reconcile
from chalicelib.serve.request import Request, accepted_body, public_base
from chalicelib.serve.responses import CACHE_PINNED, Finished, Reply, dumps
from chalicelib.serve.route import (
    COMMON_ERRORS,
    RELEASE_PARAM,
    Operation,
    Route,
    ok,
    problem_response,
)
from chalicelib.text import clip

# -- HTTP --------------------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
PARAMS = ("queries", "extend", "release")


def form_params(body: bytes, content_type: str | None) -> dict[str, list[str]]:
    """The parameters of a form POST, or a 4xx naming the problem."""
    accepted_body(body, content_type, FORM, f"send the batch as {FORM}, as queries=<JSON>", "body")
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=16)
    except (UnicodeDecodeError, ValueError):
        raise BadParameter("queries", "the form body is not UTF-8 form data") from None


def answer(request: Request) -> Reply | Finished:
    """Match names against the dataset: the W3C Reconciliation API 0.2 (OpenRefine).

    Without `queries`, the service manifest. With `queries` (a JSON object of queries, in the
    query string or as a form POST), ranked candidates for each, with `score` and `match`.
    Read-only whatever the method: a POST computes an answer and stores nothing. See the
    README for the scoring and the rule for `match: true`.
    """
    base = public_base(request.headers, request.context, "/reconcile")
    method = request.method
    params = dict(request.params)
    if method == "POST":
        for name, values in form_params(request.body, request.content_type).items():
            params[name] = params.get(name, []) + values
    if "callback" in params:
        raise BadParameter(
            "callback", "JSONP is not offered; this service answers cross-origin requests (CORS)"
        )
    for name in params:
        if name not in PARAMS:
            raise BadParameter(
                clip(name, MAX_NAME_SHOWN),
                f"unknown parameter; /reconcile takes {', '.join(PARAMS)}",
            )
    batch = single(params, "queries")
    if method != "POST":
        _fits_a_url(params)
    release, cache = request.service.release_for(params)
    extension = single(params, "extend")
    if extension is not None:  # data extension: columns for reconciled ids
        ids, pids = refine.parse_extend(extension)
        answered = dumps(refine.extend(release, ids, pids))
        return Reply(answered) if method == "POST" else Reply(answered, cache=cache)
    if batch is None:
        if method == "POST":
            raise BadParameter(
                "queries", "a POST sends a batch as queries=<JSON>; GET /reconcile is the manifest"
            )
        body = {
            **manifest(base, release.version, cache == CACHE_PINNED),
            **refine.manifest_extras(base),
        }
        return Reply(dumps(body), cache=cache)
    queries = parse_batch(batch)  # a bad batch costs no read beyond the release
    if method == "POST":
        return Reply(dumps(reconcile(release, queries)))  # no-store: answers to a body
    return request.kept(release, lambda: Reply(dumps(reconcile(release, queries)), cache=cache))


def _fits_a_url(params: dict[str, list[str]]) -> None:
    """A batch in the URL is at most what API Gateway's URL leaves room for, here as there."""
    for name in ("queries", "extend"):
        value = single(params, name)
        if value is not None and len(value) > MAX_URL_QUERIES_LENGTH:
            raise BadParameter(
                name,
                f"longer than {MAX_URL_QUERIES_LENGTH:,} characters, more than a URL takes; "
                f"POST it as {FORM}",
            )


# One value of an extended column (refine.Cell): text, a whole number, or a record.
CELL_SCHEMA = {
    "anyOf": [
        {
            "type": "object",
            "required": ["str"],
            "additionalProperties": False,
            "properties": {"str": {"type": "string"}},
        },
        {
            "type": "object",
            "required": ["int"],
            "additionalProperties": False,
            "properties": {"int": {"type": "integer"}},
        },
        {
            "type": "object",
            "required": ["id", "name"],
            "additionalProperties": False,
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        },
    ]
}
EXTENSION_SCHEMA = {
    "type": "object",
    "description": "Data extension: a row of cells per id, a list of values per property.",
    "required": ["meta", "rows"],
    "additionalProperties": False,
    "properties": {
        "meta": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
        },
        "rows": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": CELL_SCHEMA},
            },
        },
    },
}
BATCH_TEXT = {
    "type": "string",
    "minLength": 2,
    "maxLength": MAX_QUERIES_LENGTH,
    "contentMediaType": "application/json",
    "contentSchema": BATCH_SCHEMA,
    "description": 'A JSON object of queries: {"q0": {"query": "Evin", "type": "place"}}.',
    "examples": ['{"q0": {"query": "Evin", "type": "place"}}'],
}
EXTEND = {
    "name": "extend",
    "in": "query",
    "required": False,
    "description": (
        "Data extension: columns for reconciled ids, as JSON "
        '({"ids": ["people/x"], "properties": [{"id": "died"}]}); '
        "GET /reconcile/extend/propose lists the properties."
    ),
    "schema": {
        "type": "string",
        "minLength": 2,
        "maxLength": MAX_URL_QUERIES_LENGTH,
        "contentMediaType": "application/json",
        "examples": ['{"ids": ["people/hossein-ali-nayyeri"], "properties": [{"id": "name_fa"}]}'],
        "contentSchema": {
            "type": "object",
            "required": ["ids", "properties"],
            "properties": {
                "ids": {"type": "array", "items": {"type": "string"}, "maxItems": refine.MAX_IDS},
                "properties": {
                    "type": "array",
                    "maxItems": refine.MAX_PROPERTIES,
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": {"type": "string"}},
                    },
                },
            },
        },
    },
}


def _operation(method: str) -> Operation:
    """The OpenAPI operation of ``/reconcile`` for ``method`` (GET or POST)."""
    # A string holding JSON: what both forms carry. Declared with `content:`, a generated client
    # drops the parameter, and an object form field is sent as the client language's repr.
    queries = {
        "name": "queries",
        "in": "query",
        "required": False,
        "description": (
            "A batch of queries, as JSON. Without it, the service manifest. In a URL, at most "
            f"{MAX_URL_QUERIES_LENGTH:,} characters; POST a longer batch."
        ),
        "schema": {**BATCH_TEXT, "maxLength": MAX_URL_QUERIES_LENGTH},
    }
    doc = (
        "Without `queries`, the service manifest (Reconciliation API 0.2, what OpenRefine "
        "reads when the service is added). With `queries`, ranked candidates for each query, "
        "each with `score` (0-100) and `match`. Names are folded as `q=` folds them. "
        f"`match` is true for the first candidate only when its score is at least {MATCH_SCORE:g} "
        f"and it leads the next by at least {MATCH_LEAD:g}. Read-only."
    )
    responses: dict[str, Any] = {
        **COMMON_ERRORS,
        "200": ok(
            {"anyOf": [MANIFEST_SCHEMA, RESULTS_SCHEMA, EXTENSION_SCHEMA]},
            "The manifest, the candidates of each query, or the extension's columns.",
        ),
        "400": problem_response("The batch or a parameter is malformed; `detail` names the query."),
    }
    body = None
    if method == "GET":
        responses["304"] = {"description": "Not modified."}
        # The app refuses a batch longer than a URL takes (a 400); the HTTP server in front
        # refuses a URL longer still (API Gateway past 8,192 characters, the dev server past
        # 64 KiB) before the app sees it.
        responses["414"] = {
            "description": "The URL is longer than the HTTP server takes; POST a long batch."
        }
    else:
        body = {
            "required": True,
            "content": {
                FORM: {
                    # The field holds the same JSON batch as GET's `queries`.
                    "schema": {
                        "type": "object",
                        "required": ["queries"],
                        "additionalProperties": False,
                        "properties": {"queries": BATCH_TEXT},
                    },
                }
            },
        }
        responses["413"] = problem_response(f"The body is over {MAX_BODY_SHOWN}.")
        responses["415"] = problem_response(f"The body is not sent as {FORM}.")
    return Operation(
        "reconcile" if method == "GET" else "reconcile_post",
        "Match names against the dataset (W3C Reconciliation API 0.2)",
        responses,
        doc,
        (RELEASE_PARAM, queries, EXTEND) if method == "GET" else (RELEASE_PARAM,),
        body,
    )


ROUTES = [
    Route("/reconcile", answer, {"GET": _operation("GET"), "POST": _operation("POST")}),
    *refine.ROUTES,
]
