"""How values look on a page: dates (spans and uncertainty kept), counts, links that are safe.

Pure functions over the JSON the views produce; the templates call them as filters.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from chalicelib.model import edtf
from chalicelib.model.kinds import split_reference

UNCERTAIN_MARKS = ("?", "~", "%")
# A space or a control character: no link takes a URL that holds one.
SPACE_OR_CONTROL = re.compile(r"[\x00-\x20]")


def date_parts(text: str) -> dict:
    """A date as a page shows it: never a single day when it is a span or uncertain.

    ``{"text", "start", "end", "span", "uncertain"}``: ``start``/``end`` are the earliest and
    latest possible days (None when open), ``span`` says the date covers more than one day.
    """
    try:
        start, end = edtf.bounds(text)
    except (edtf.EDTFError, TypeError, ValueError):
        return {"text": str(text), "start": None, "end": None, "span": False, "uncertain": False}
    if "/" in text:
        left, right = text.split("/")
        shown = f"{left if left not in ('', '..') else '…'} – {right if right not in ('', '..') else '…'}"
    else:
        shown = text
    return {
        "text": shown,
        "start": start,
        "end": end,
        "span": start != end,
        "uncertain": any(mark in text for mark in UNCERTAIN_MARKS),
    }


def safe_url(url: object) -> str | None:
    """``url`` if a link may take it: http(s), or a path on this site; otherwise None.

    Data never chooses a scheme: ``javascript:``, ``data:`` and protocol-relative ``//host``
    are refused whatever the schema allowed.
    """
    if not isinstance(url, str) or not url or SPACE_OR_CONTROL.search(url):
        return None
    if url.startswith("/"):
        return None if url.startswith("//") else url
    scheme, sep, rest = url.partition("://")
    # A host follows, and nothing urlsplit would read otherwise: its answer, without splitting.
    host_follows = sep and scheme in ("http", "https") and rest[:1] not in ("", "/", "?", "#")
    if host_follows and url.isascii() and "[" not in rest and "]" not in rest:
        return url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def reference(value: object) -> tuple[str, str] | None:
    """('people', 'x') when ``value`` is a reference to a record, else None."""
    return split_reference(value) if isinstance(value, str) else None


def count_value(value: dict) -> dict | None:
    """A count claim's value ``{min, max, approx}`` as parts to show, or None if not one."""
    if not isinstance(value, dict) or not ({"min", "max"} & value.keys()):
        return None
    return {"min": value.get("min"), "max": value.get("max"), "approx": bool(value.get("approx"))}
