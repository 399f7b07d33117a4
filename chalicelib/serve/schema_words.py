"""The schemas' descriptions in another language, for the contribution form's hints.

A field's hint is its schema's ``description``, in English. ``catalogues/schemas.<lang>.json``
maps each description the form shows, word for word as the schemas write it, to its
translation (as gettext keys a message by its English): a description shared by every kind is
translated once, and one reworded in the schemas no longer finds its old translation, which
the tests then ask for (tests/serve/test_contribute_words.py).

In a translation, text between backquotes (a field's name in the data, a value typed as it is,
a standard's name) is Latin: the page isolates it and marks it English.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from chalicelib.serve.pages.i18n import CATALOGUES

LITERAL = re.compile(r"`([^`]+)`")
# The longest part of a literal kept on one line: a phone's nested fieldsets hold about this.
WHOLE = 20
# How a hint in each language introduces the example it ends with.
SUCH_AS = {"fa": "، مانند "}


@functools.cache
def translations(lang: str) -> dict[str, str]:
    """``{description: its translation}``; empty for English, the schemas' own language."""
    path = CATALOGUES / f"schemas.{lang}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def hint(field: Any, lang: str) -> Markup | None:
    """The field's hint in ``lang`` (its example isolated), or None if there is no translation
    (the page then shows the English, marked so)."""
    said = translations(lang).get(description_of(field))
    if not said:
        return None
    text = latin_isolated(said)
    if field.example:
        text = Markup(text.rstrip(".")) + SUCH_AS[lang] + literal(field.example)
    return text


def description_of(field: Any) -> str:
    """The field's description as the schemas write it: its hint without the example."""
    return field.hint.removesuffix(f", such as '{field.example}'") if field.example else field.hint


def form_descriptions(forms: Iterable[list[Any]]) -> set[str]:
    """Every description the forms (each a list of fields) show."""
    return {
        description_of(field)
        for fields in forms
        for top in fields
        for field in top.walk()
        if field.hint
    }


def latin_isolated(text: str) -> Markup:
    """``text`` escaped, with each backquoted run isolated and marked English."""
    parts, last = [], 0
    for found in LITERAL.finditer(text):
        parts += [escape(text[last : found.start()]), literal(found.group(1))]
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def literal(text: str) -> Markup:
    """A Latin literal, isolated. One word (a date, an id) breaks after a slash, where a path
    does, and never inside a part short enough for a phone's line (a date, a field's name); a
    longer part (an example id's name) may break at its hyphens rather than widen the page."""
    if any(c.isspace() for c in text):
        return Markup('<bdi lang="en" dir="ltr">{}</bdi>').format(text)
    parts = [
        Markup('<span class="nobreak">{}</span>').format(part) if len(part) <= WHOLE else part
        for part in re.findall(r"[^/]*/|[^/]+$", text)
    ]
    return Markup('<bdi lang="en" dir="ltr">{}</bdi>').format(Markup("<wbr>").join(parts))
