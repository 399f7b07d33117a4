"""The stylesheet, served by the API itself so that the CSP can say ``style-src 'self'``."""

from __future__ import annotations

import functools
from pathlib import Path

from chalicelib.serve.request import Request
from chalicelib.serve.responses import Reply
from chalicelib.serve.route import Route, ok, reads

STYLESHEET = Path(__file__).resolve().parent.parent / "templates" / "style.css"
CSS = "text/css; charset=utf-8"


@functools.cache
def _stylesheet_bytes() -> bytes:
    return STYLESHEET.read_bytes()


def stylesheet(request: Request | None = None) -> Reply:
    """The pages' stylesheet; it takes no parameter, and every one is ignored."""
    return Reply(_stylesheet_bytes(), content_type=CSS, cache="public, max-age=3600")


ROUTES = [
    Route(
        "/style.css",
        stylesheet,
        reads(
            "The stylesheet of the HTML pages.",
            "",
            "stylesheet",
            ok({"type": "string"}, "The pages' stylesheet.", "text/css"),
            (),
        ),
    )
]
