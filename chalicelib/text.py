"""Small text rules every layer shares, each said once."""

from __future__ import annotations


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut.

    Anything a client sent that an answer repeats (a parameter name, an unknown key, a value)
    is clipped, so a 100 KB name never comes back whole.
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_pointer(token: str) -> str:
    """Escape one JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")
