"""``/reconcile``: the HTTP side of the W3C Entity Reconciliation API 0.2 (what OpenRefine speaks).

``answer`` reads the parameters (GET, HEAD and form POST alike), resolves the release and
answers with the manifest or with the candidates of each query, through the helpers every
other route uses. The protocol's shapes are ``reconciliation/protocol.py``; how candidates are
found and scored is ``reconciliation/scoring.py``; both store and log nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from chalicelib.errors import BadParameter
from chalicelib.serve.limits import MAX_BODY_SHOWN, MAX_NAME_SHOWN
from chalicelib.serve.params import single
from chalicelib.serve.reconciliation.protocol import (
    BATCH_SCHEMA,
    MANIFEST_SCHEMA,
    RESULTS_SCHEMA,
    manifest,
    parse_batch,
)
from chalicelib.serve.reconciliation.scoring import MATCH_LEAD, MATCH_SCORE, reconcile
from chalicelib.serve.request import Request, accepted_body
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

BASE_URL_ENV = "PUBLIC_BASE_URL"

# -- HTTP --------------------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
PARAMS = ("queries", "release")
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
    release, cache = request.service.release_for(params)
    if batch is None:
        if method == "POST":
            raise BadParameter(
                "queries", "a POST sends a batch as queries=<JSON>; GET /reconcile is the manifest"
            )
        return Reply(dumps(manifest(base, release.version, cache == CACHE_PINNED)), cache=cache)
    queries = parse_batch(batch)  # a bad batch costs no read beyond the release
    if method == "POST":
        return Reply(dumps(reconcile(release, queries)))  # no-store: answers to a body
    return request.kept(release, lambda: Reply(dumps(reconcile(release, queries)), cache=cache))


def _operation(method: str) -> Operation:
    """The OpenAPI operation of ``/reconcile`` for ``method`` (GET or POST)."""
    queries = {
        "name": "queries",
        "in": "query",
        "required": False,
        "description": "A batch of queries, as JSON. Without it, the service manifest.",
        "content": {"application/json": {"schema": BATCH_SCHEMA}},
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
            {"anyOf": [MANIFEST_SCHEMA, RESULTS_SCHEMA]},
            "The manifest, or the candidates of each query.",
        ),
        "400": problem_response("The batch or a parameter is malformed; `detail` names the query."),
    }
    body = None
    if method == "GET":
        responses["304"] = {"description": "Not modified."}
        # A batch rides in the URL, and the HTTP server in front refuses one too long for it
        # (the dev server at 64 KiB) before the app sees it.
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
                        "properties": {"queries": BATCH_SCHEMA},
                    },
                    "encoding": {"queries": {"contentType": "application/json"}},
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
        (RELEASE_PARAM, queries) if method == "GET" else (RELEASE_PARAM,),
        body,
    )


ROUTES = [Route("/reconcile", answer, {"GET": _operation("GET"), "POST": _operation("POST")})]
