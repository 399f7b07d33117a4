"""A local stand-in for API Gateway: what production answers, for every method on every path.

Chalice's ``LocalGateway`` runs the app as the Lambda would, but its routing is not the real
gateway's: it has no greedy routes, so an unknown path answers ``403 {"message": "Missing
Authentication Token"}`` where production hands it to the app's ``/{proxy+}`` (a 404 page or
problem); a path or method that never reaches the app gets the gateway response in
``.chalice/template-resources.json``; a method the app never registers (``TRACE``, ``CONNECT``)
never reaches it; ``;`` in a path is taken for the start of URL parameters; and path parameters
are left percent-encoded where the gateway decodes them. ``Gateway`` routes first, the way
production does, and hands the app only requests the real gateway would hand the Lambda.

Development only: nothing under ``chalicelib/`` imports this, so it is not in the Lambda package.
"""

from __future__ import annotations

import base64
import http
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from chalicelib.serve.responses import finish
from chalicelib.serve.routing import method_not_allowed

ROOT = Path(__file__).resolve().parents[1]
MERGE_TEMPLATE = ROOT / ".chalice" / "template-resources.json"
# The methods API Gateway routes; a request with any other is answered before the app.
GATEWAY_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class Answer:
    """An HTTP response: status, headers (a list, so a header may repeat), body bytes."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def unknown_path_answer(template: Path = MERGE_TEMPLATE) -> Answer:
    """The gateway response production gives an unknown path, read from the deployed template,
    so that the two cannot drift apart."""
    resources = json.loads(template.read_text(encoding="utf-8"))["Resources"]
    response = next(
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::GatewayResponse"
        and r["Properties"]["ResponseType"] == "MISSING_AUTHENTICATION_TOKEN"
    )
    prefix = "gatewayresponse.header."
    headers = [
        (name.removeprefix(prefix), value.strip("'"))
        for name, value in response["ResponseParameters"].items()
    ]
    body = response["ResponseTemplates"]["application/json"].encode("utf-8")
    return Answer(int(response["StatusCode"]), headers, body)


class Gateway:
    """Routes a request as API Gateway does, then invokes the app with the gateway's event."""

    def __init__(self, app: Any):
        self.app = app
        self.binary_types = frozenset(app.api.binary_types)
        # Literal segments before captures, as the gateway prefers '/dataset/releases' to
        # '/dataset/{x}'; chalice's own matcher sorts the same way. A greedy route ('/{proxy+}',
        # the app's answer to unknown paths) comes after every other, as at the gateway.
        self.routes = [
            (self._compile(path), path)
            for path in sorted(app.routes, key=lambda p: (_greedy(p), p))
        ]
        self.unknown_path = unknown_path_answer()

    @staticmethod
    def _compile(path: str) -> re.Pattern:
        if path == "/":
            return re.compile("/")
        parts = [
            ".+" if _greedy(part) else "[^/]+" if part.startswith("{") else re.escape(part)
            for part in path.split("/")
        ]
        return re.compile("/".join(parts))

    def route(self, path: str) -> str | None:
        """The route ``path`` (raw, percent-encoded) matches; API Gateway ignores one trailing /."""
        if path != "/" and path.endswith("/"):
            path = path[:-1]
        return next((route for pattern, route in self.routes if pattern.fullmatch(path)), None)

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """The response to ``method target`` (path and query, as sent) with ``headers``."""
        headers = {name.lower(): value for name, value in headers.items()}
        path = _split(target)[0]
        route = self.route(path)
        if route is None:
            return self.unknown_path
        methods = self.app.routes[route]
        if _greedy(route) and method not in GATEWAY_METHODS:
            # A method the gateway never routes (TRACE), on a path no route has.
            return self.unknown_path
        if method not in methods or method not in GATEWAY_METHODS:
            allowed = ", ".join(
                m
                for m, entry in methods.items()
                if not getattr(entry.view_function, "not_an_operation", False)
            )
            return self._finished(method_not_allowed(method, allowed).reply())
        # RFC 9110: no Accept header means any type is acceptable. Chalice, like the gateway,
        # sends a binary body only to a client that asks for its type, and urllib and pandas
        # send no Accept at all; they ask for the file, so they get it.
        headers.setdefault("accept", "*/*")
        return self._from_lambda(
            self.app(self._event(method, route, target, headers, body), _context())
        )

    def _event(self, method: str, route: str, target: str, headers: dict, body: bytes) -> dict:
        """The proxy event API Gateway hands the Lambda (what chalice's LocalGateway builds,
        with the gateway's routing: ';' stays in the path, path parameters are decoded)."""
        path, query = _split(target)
        event: dict[str, Any] = {
            "requestContext": {
                "httpMethod": method,
                "resourcePath": route,
                "identity": {"sourceIp": "127.0.0.1"},
                "path": path,
            },
            "headers": headers,
            "pathParameters": self._captured(route, path),
            "stageVariables": {},
            # No query is None, not {}, as from the gateway.
            "multiValueQueryStringParameters": parse_qs(query, keep_blank_values=True) or None,
            "body": body or None,
        }
        if body and headers.get("content-type", "") in self.binary_types:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
        return event

    def _captured(self, route: str, path: str) -> dict[str, str]:
        if path != "/" and path.endswith("/"):
            path = path[:-1]
        names, values = route.split("/"), path.split("/")
        if _greedy(route):
            # The greedy parameter, last, takes the rest of the path; the gateway names it
            # without its '+'.
            values = [*values[: len(names) - 1], "/".join(values[len(names) - 1 :])]
        return {
            name[1:-1].removesuffix("+"): unquote(value)
            for name, value in zip(names, values)
            if name.startswith("{")
        }

    @staticmethod
    def _finished(reply) -> Answer:
        done = finish(reply)
        body = done.body.encode("utf-8") if isinstance(done.body, str) else done.body
        return Answer(done.status, list(done.headers.items()), body)

    @staticmethod
    def _from_lambda(reply: dict) -> Answer:
        payload = reply.get("body") or b""
        if reply.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
        headers = list((reply.get("headers") or {}).items())
        for name, values in (reply.get("multiValueHeaders") or {}).items():
            headers += [(name, value) for value in values]
        return Answer(reply["statusCode"], headers, payload)


def _greedy(path: str) -> bool:
    """Whether a route (or its last segment) ends in a greedy parameter, '{proxy+}'."""
    return path.endswith("+}")


def _split(target: str) -> tuple[str, str]:
    """Path and query of an origin-form request target. Not urlsplit: '//people' is a path
    here, not a host."""
    path, _, query = target.partition("#")[0].partition("?")
    return path or "/", query


def _context():
    from chalice.local import LambdaContext

    return LambdaContext(function_name="local", memory_size=1024, max_runtime_ms=900_000)


def wsgi_app(app: Any):
    """``Gateway`` as a WSGI application: for the local server, and for in-process tests."""
    gateway = Gateway(app)

    def application(environ, start_response):
        # PATH_INFO is percent-decoded, which loses '%2F' and '%25'; RAW_URI or REQUEST_URI (set
        # by most servers, and ours) keep the path as sent. The query is always QUERY_STRING:
        # some clients leave it out of REQUEST_URI.
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if raw:
            target = raw.partition("?")[0]
        else:
            from urllib.parse import quote

            target = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe="/;:@&=+$,!~*'()")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        answer = gateway.answer(environ["REQUEST_METHOD"].upper(), target, headers, body)
        try:
            phrase = http.HTTPStatus(answer.status).phrase
        except ValueError:
            phrase = "Unknown"
        start_response(f"{answer.status} {phrase}", answer.headers)
        if environ["REQUEST_METHOD"].upper() == "HEAD" or answer.status == 304:
            # A list of one body makes wsgiref count it, 0 for HEAD and 304: send no body, and
            # the length the app gave (GET's).
            return iter(())
        return [answer.body]

    return application
