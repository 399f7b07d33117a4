"""The stylesheet, served by the API itself so that the CSP can say ``style-src 'self'``."""

from __future__ import annotations

import functools
from pathlib import Path

from chalicelib.serve.responses import Reply

STYLESHEET = Path(__file__).resolve().parent.parent / "templates" / "style.css"
CSS = "text/css; charset=utf-8"


@functools.cache
def _stylesheet_bytes() -> bytes:
    return STYLESHEET.read_bytes()


def stylesheet() -> Reply:
    return Reply(_stylesheet_bytes(), content_type=CSS, cache="public, max-age=3600")
