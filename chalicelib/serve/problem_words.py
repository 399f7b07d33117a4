"""The validator's messages in another language, for the contribution form.

The validator words its messages in English, and ``POST /validate`` gives them as they are.
The form, on a Persian page, says each in Persian: ``catalogues/problems.<lang>.json`` holds,
for each rule (the violation's keyword), the English message's shape as a regular expression
and its translation, whose ``{placeholders}`` are the expression's named groups (plus
``{field}``, the field's name in the page's language). What the contributor typed, ids and
values stay as they are, isolated, marked English where they are Latin. A message no entry
matches is shown in English after a sentence in the page's language naming its field.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from markupsafe import Markup

from chalicelib.serve.pages.i18n import CATALOGUES
from chalicelib.serve.pages.scripts import isolate
from chalicelib.serve.schema_words import latin_isolated

# Groups worded in the page's language: type names, and the roles of a person.
TYPES = ("types", "got_types")
ROLES = "roles"


@functools.cache
def catalogue(lang: str) -> dict[str, Any]:
    document = json.loads((CATALOGUES / f"problems.{lang}.json").read_text(encoding="utf-8"))
    document["compiled"] = [
        (entry["keyword"], re.compile(entry["en"], re.S), entry[lang])
        for entry in document["problems"]
    ]
    return document


def worded(problem: Any, words: Any) -> str | Markup:
    """``problem`` (a ``Violation``) as the page of ``words`` says it: English as it is."""
    if words.lang == "en":
        return problem.message
    said = catalogue(words.lang)
    field = _field_name(problem.pointer, words)
    for keyword, shape, translation in said["compiled"]:
        found = shape.fullmatch(problem.message) if keyword == problem.keyword else None
        if found:
            values = {
                name: _value(name, text, said, words) for name, text in found.groupdict().items()
            }
            return latin_isolated(translation).format(field=field, **values)
    lead = latin_isolated(said["otherwise"]).format(field=field)
    return lead + Markup(' <span lang="en" dir="ltr">{}</span>').format(problem.message)


def _field_name(pointer: str, words: Any) -> Markup:
    """The field a pointer names, by its name in the page's language, with its pointer."""
    names = [part for part in pointer.split("/") if part and not part.isdigit()]
    shown = isolate(pointer or "/", words.lang, "id")
    if not names:
        return shown
    named = words.get("field_" + names[-1], "")
    return Markup("«{}» ({})").format(named, shown) if named else shown


def _value(name: str, text: str, said: dict[str, Any], words: Any) -> Markup:
    if name in TYPES:
        types = said["types"]
        return Markup(f" {types['or']} ").join(
            types.get(part) or isolate(part, words.lang) for part in text.split(" or ")
        )
    if name == ROLES:
        return Markup("، ").join(
            words.get("category_" + role, "") or isolate(role, words.lang)
            for role in text.split(", ")
        )
    # What was typed, or an id: one word (a reference, a date) never breaks across lines.
    return isolate(text, words.lang, "" if any(c.isspace() for c in text) else "id")
