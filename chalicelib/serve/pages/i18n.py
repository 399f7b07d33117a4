"""The interface's words, one catalogue per language (``catalogues/<lang>.json``).

Templates name a string by its key and never hold words of their own, so a translation is one
file. A key missing from a catalogue is a bug the tests catch (every catalogue has every key of
the English one); at run time it falls back to English rather than showing a key.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from markupsafe import Markup, escape

CATALOGUES = Path(__file__).with_name("catalogues")
DIRECTION = {"en": "ltr", "fa": "rtl"}
OTHER = {"en": "fa", "fa": "en"}


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))


class Words:
    """The strings of one language: ``words("key", n=3)`` formats ``{n}`` placeholders."""

    def __init__(self, lang: str):
        self.lang = lang
        self.dir = DIRECTION[lang]
        self.other = OTHER[lang]
        self._own, self._english = catalogue(lang), catalogue("en")

    def __call__(self, key: str, **values) -> str:
        text = self._own.get(key) or self._english.get(key) or key
        return text.format(**values) if values else text

    def html(self, key: str, **values: Markup) -> Markup:
        """A catalogue string with markup put into its placeholders (and the rest escaped).

        What ``Markup.format`` gives, without its escaping formatter: each value is escaped
        first (markup stays as it is), and the catalogue's placeholders are plain names.
        """
        escaped = {name: escape(value) for name, value in values.items()}
        return Markup(str(escape(self(key))).format(**escaped))

    def get(self, key: str, default: str) -> str:
        """A vocabulary word (a field, a property, a status) if the catalogue has it."""
        return self._own.get(key) or self._english.get(key) or default

    def number(self, n: int | float) -> str:
        text = f"{n:,}"
        if self.lang == "fa":
            text = text.translate(PERSIAN_DIGITS).replace(",", "٬")
        return text


PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
