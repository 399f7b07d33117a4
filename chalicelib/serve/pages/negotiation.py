"""Content negotiation: a page or JSON, and in which language.

A request gets a page when ``?format=html`` asks for one, or when its ``Accept`` prefers
``text/html`` over JSON, as a browser's does. Everything else, curl, no ``Accept`` at all and
``Accept: application/json``, gets the JSON it always got. ``?format=`` and ``?lang=`` are
read and removed here, so the views never see them and the JSON answer stays byte for byte
what it was.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.errors import BadParameter

FORMATS = ("html", "json")
LANGUAGES = ("en", "fa")
DEFAULT_LANGUAGE = "en"
# What the negotiation reads from the query string; the views never see these.
PAGE_PARAMS = ("format", "lang")
JSON_TYPES = ("application/json", "application/problem+json", "application/schema+json")


def _ranked(header: str | None) -> list[tuple[str, float, int]]:
    """(value, q, position) for each entry of an Accept-style header; q=0 entries dropped."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        value, *options = (piece.strip() for piece in part.split(";"))
        if not value:
            continue
        q = 1.0
        for option in options:
            name, _, number = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((value.lower(), q, position))
    return ranked


def _quality(ranked: list[tuple[str, float, int]], media_type: str) -> tuple[float, int]:
    """How much the header wants ``media_type``: its q, and how specifically it said so."""
    family = media_type.split("/")[0] + "/*"
    best = (0.0, 0)
    for value, q, _ in ranked:
        specific = (
            3 if value == media_type else 2 if value == family else 1 if value == "*/*" else 0
        )
        if specific and (specific, q) > (best[1], best[0]):
            best = (q, specific)
    return best


def prefers_html(accept: str | None) -> bool:
    """True when ``accept`` names text/html and wants it more than JSON.

    Browsers send ``text/html,...,*/*;q=0.8``: HTML named, JSON only through ``*/*``. A
    client that names neither (``*/*``, or no header) gets JSON, as it always did.
    """
    if not accept or ("html" not in accept and "text/*" not in accept):
        # curl, no header, JSON clients: decided at once, on every JSON request
        return False
    ranked = _ranked(accept)
    html_q, html_specific = _quality(ranked, "text/html")
    if html_specific < 2 or html_q == 0:
        return False
    json_q, json_specific = max(_quality(ranked, t) for t in JSON_TYPES)
    return (html_q, html_specific) > (json_q, json_specific)


def language(params: Mapping[str, list[str]], accept_language: str | None) -> str:
    """``?lang=`` if given, else the first of our languages ``Accept-Language`` prefers."""
    chosen = _one(params, "lang")
    if chosen is not None:
        if chosen not in LANGUAGES:
            raise BadParameter("lang", f"must be one of {', '.join(LANGUAGES)}")
        return chosen
    ranked = sorted(_ranked(accept_language), key=lambda entry: (-entry[1], entry[2]))
    for value, _, _ in ranked:
        primary = value.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def wants_page(params: Mapping[str, list[str]], accept: str | None) -> bool:
    """Whether this request is answered with a page: ``?format=`` first, then ``Accept``."""
    chosen = _one(params, "format")
    if chosen is not None:
        if chosen not in FORMATS:
            raise BadParameter("format", f"must be one of {', '.join(FORMATS)}")
        return chosen == "html"
    return prefers_html(accept)


def view_params(params: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The query parameters the view reads: all but the negotiation's own."""
    return {name: values for name, values in params.items() if name not in PAGE_PARAMS}


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(name, "given more than once; give it at most once")
    return values[0]
