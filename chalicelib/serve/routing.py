"""The plumbing every route shares: error mapping, shared headers, 405, CORS preflight, 406.

``app.py`` registers every declared route (``route.Route``) through ``Router.register``, so
no route can forget a header or leak an exception. Nothing here imports Chalice: the router is given the
app (anything with ``route`` and ``current_request``) and its response class, which keeps
this layer testable and the choice of framework in one file.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib import media
from chalicelib.serve.pages import negotiation
from chalicelib.serve.request import Request
from chalicelib.serve.responses import (
    READS,
    Finished,
    Problem,
    finish,
    not_found,
    preflight_headers,
    problem_for,
)
from chalicelib.serve.route import UNKNOWN_PATHS, Route
from chalicelib.serve.service import Service

log = logging.getLogger("iran1988")

# The methods a route that does not take them answers with 405 (OPTIONS is the preflight).
OTHER_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def accepts(accept: str | None, media_type: str) -> bool:
    """Whether an Accept header takes ``media_type``, as API Gateway decides for binary bodies."""
    offered = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    return "*/*" in offered or media_type in offered or media_type.split("/")[0] + "/*" in offered


# A download or a feed is also served as plain bytes to a client that asks only for those
# (Accept: application/octet-stream), as a generated client saves a file.
AS_BYTES = frozenset({media.GZIP, media.SQLITE, media.CSV, media.ATOM + "; charset=utf-8"})


def as_bytes_if_asked(answer: Any, accept: str | None) -> Any:
    if answer.content_type not in AS_BYTES or accepts(accept, answer.content_type):
        return answer
    if not accepts(accept, media.OCTET_STREAM):
        return answer
    done = answer if isinstance(answer, Finished) else finish(answer)
    body = done.body.encode("utf-8") if isinstance(done.body, str) else done.body
    headers = {**done.headers, "Content-Type": media.OCTET_STREAM}
    return Finished(done.status, body, media.OCTET_STREAM, headers, done.etag)


def header_lookup(headers: Mapping[str, str]) -> Mapping[str, str]:
    """The request's headers, to look names up in, lowercase.

    Chalice's ``CaseInsensitiveMapping`` answers ``get`` of a header the request lacks by
    raising and catching a KeyError (``Mapping.get``), and every request looks up two or three
    it usually lacks; the lowercased dict it wraps answers at once. Any other mapping (a test's
    request) is used as it is.
    """
    lowered = getattr(headers, "_dict", None)
    return lowered if isinstance(lowered, dict) else headers


UNKNOWN_PATH_DETAIL = "no route has this path; GET /openapi.json lists them"


def unknown_path() -> Problem:
    """The 404 for a path no route has: the same problem as the gateway's own answer."""
    return not_found(UNKNOWN_PATH_DETAIL)


def method_not_allowed(method: str, allowed: str) -> Problem:
    return Problem(
        405,
        "method-not-allowed",
        "Method not allowed",
        f"{method} is not allowed here; use {allowed}",
        headers={"Allow": allowed},
    )


class Router:
    """Registers views on ``app`` with the shared plumbing, and answers through it."""

    def __init__(self, app: Any, response: Callable[..., Any], service: Service):
        self.app = app
        self.response = response  # the framework's response class: body, status_code, headers
        self.service = service  # what every request is answered from

    @functools.cached_property
    def binary_types(self) -> frozenset[str]:
        # A set, looked up on every response; Chalice's list holds some twenty types. Read on
        # first use, once every route is registered, so it holds what the app declared.
        return frozenset(self.app.api.binary_types)

    def all_params(self) -> dict[str, list[str]]:
        query = self.app.current_request.query_params
        return {name: query.getlist(name) for name in query} if query else {}

    def params(self) -> dict[str, list[str]]:
        """The query parameters the views read: ``format`` and ``lang`` are negotiation's."""
        query = self.app.current_request.query_params
        if not query:
            return {}
        return {name: query.getlist(name) for name in query if name not in negotiation.PAGE_PARAMS}

    def respond(
        self, answer: Any, method: str, accept: str | None, if_none_match: str | None
    ) -> Any:
        """The framework response to ``answer`` (a Reply, or a Finished one kept from earlier)."""
        answer = as_bytes_if_asked(answer, accept)
        if answer.content_type in self.binary_types and not accepts(accept, answer.content_type):
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
        answer = answer.for_request(method, if_none_match)
        # Chalice copies the headers into the event it returns, so a kept answer's dict is
        # shared safely; no route has cors=, which is what would make Chalice add to it.
        return self.response(body=answer.body, status_code=answer.status, headers=answer.headers)

    def served(
        self, view: Callable[..., Any], path: str = "", pages: bool = True
    ) -> Callable[..., Any]:
        """Run a route's logic; turn any failure into a problem; add the shared headers.

        ``view`` is given the framework's current request and the path's parameters. A read
        whose request asks for a page (``negotiation.wants_page``) is answered with the page
        rendered from the very answer the view gave, so a page can show nothing the JSON does
        not; everyone else gets that answer as it is.
        """

        @functools.wraps(view)
        def wrapper(**kwargs: str) -> Any:
            request = self.app.current_request
            method = request.method
            headers = header_lookup(request.headers)
            page = False
            try:
                if pages and method in READS:
                    page = self.page_wanted(request, headers.get("accept"))
                reply = view(request, **kwargs)
            except Exception as error:
                reply = self.problem(error, request)
            if page:
                reply = self.page(path, kwargs, reply, request)
            return self.respond(reply, method, headers.get("accept"), headers.get("if-none-match"))

        return wrapper

    def page_wanted(self, request: Any, accept: str | None) -> bool:
        """Whether ``request`` is answered with a page; cheap, as every read asks it."""
        query = request.query_params
        if query and "format" in query:
            return negotiation.wants_page({"format": query.getlist("format")}, accept)
        return negotiation.prefers_html(accept)

    def problem(self, error: Exception, request: Any) -> Any:
        problem = problem_for(error)
        if problem.status >= 500:
            # The type only: messages of foreign errors may name a bucket or a key id.
            log.error("%s %s failed: %s", request.method, request.path, type(error).__name__)
        return problem.reply()

    def page(self, path: str, args: Mapping[str, str], reply: Any, request: Any) -> Any:
        """The page for ``reply``; rendering (and Jinja2) is imported on the first page only."""
        try:
            # Lazy: the pages (Jinja2 and the templates) load on the first page, not at cold
            # start, whatever a cold start's request asks for.
            from chalicelib.serve.pages import rendering

            return rendering.page(
                rendering.PageRequest.of(
                    path, args, self.all_params(), request.headers, self.service
                ),
                reply if isinstance(reply, Finished) else finish(reply),
            )
        except Exception as error:
            return self.problem(error, request)

    def register(self, route: Route) -> None:
        """Register ``route``'s view for its methods, a CORS preflight, and a 405 for the rest.

        HEAD answers as GET does, without the body. The view is given the request (its path
        filled in, its parameters, this router's service) and the path's parameters.
        """
        app, path, view = self.app, route.path, route.view
        allowed = ", ".join(route.methods)
        params = self.params if route.pages else self.all_params

        def handler(incoming: Any, **args: str) -> Any:
            method = incoming.method
            request = Request(
                path.format(**args) if args else path,
                params(),
                self.service,
                method,
                (incoming.raw_body or b"") if method == "POST" else b"",
                incoming.headers,
                incoming.context,
            )
            return view(request, **args)

        handler.__name__ = handler.__qualname__ = route.name
        # content_types */*: the view, not the framework, decides what a body may be (POST
        # /validate answers 415 as problem+json), and a GET is never refused for its
        # Content-Type.
        app.route(path, methods=list(route.methods), name=route.name, content_types=["*/*"])(
            self.served(handler, path, route.pages)
        )

        def not_allowed(incoming: Any, **_: str) -> Any:
            raise method_not_allowed(incoming.method, allowed)

        not_allowed.not_an_operation = True  # type: ignore[attr-defined]
        others = [m for m in OTHER_METHODS if m not in route.methods]
        app.route(path, methods=others, name=f"{route.name}_not_allowed", content_types=["*/*"])(
            self.served(not_allowed)
        )

        # Browsers send a preflight OPTIONS before a cross-origin request with a header of
        # their own (If-None-Match on a GET, Content-Type: application/json on POST
        # /validate). It is answered here rather than through Chalice's cors=, which would
        # add the preflight's headers to every GET response as well, at a cost on every
        # request.
        def preflight(**_: str) -> Any:
            return self.response(body="", status_code=204, headers=preflight_headers(route.methods))

        preflight.not_an_operation = True  # type: ignore[attr-defined]  # kept out of Allow
        app.route(path, methods=["OPTIONS"], name=f"{route.name}_preflight", content_types=["*/*"])(
            preflight
        )

    def register_unknown_paths(self) -> None:
        """Answer every path no route has with the 404 problem, or a browser with the site's 404
        page in its language, whatever the method. Not an operation: OpenAPI leaves it out."""

        def unknown(_incoming: Any, **_: str) -> Any:
            raise unknown_path()

        unknown.not_an_operation = True  # type: ignore[attr-defined]
        served = self.served(unknown, UNKNOWN_PATHS)

        def handler() -> Any:
            # The gateway passes the rest of the path as 'proxy', chalice's own local server as
            # 'proxy+'; the page links to it in the other language.
            captured = self.app.current_request.uri_params or {}
            return served(proxy=captured.get("proxy", captured.get("proxy+", "")))

        handler.not_an_operation = True  # type: ignore[attr-defined]
        self.app.route(
            UNKNOWN_PATHS,
            methods=[*OTHER_METHODS, "OPTIONS"],
            name="unknown_path",
            content_types=["*/*"],
        )(handler)
        # Chalice would pass the parameter to the view as 'proxy+', a name the gateway never
        # sends (aws/chalice#2072), and fail on every unknown path; the handler reads it itself.
        for entry in self.app.routes[UNKNOWN_PATHS].values():
            entry.view_args = []
