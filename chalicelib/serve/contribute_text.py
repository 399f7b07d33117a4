"""The words of the contribution page: the shared catalogue's ``contribute_*`` strings.

The field names and their descriptions come from the schemas, which are in English; the page
around them, each field's name where the catalogue has it, and each description where the
schemas' catalogue has it (chalicelib.serve.schema_words) are in the page's language.
"""

from __future__ import annotations

LANGUAGES = ("en", "fa")
DIRECTION = {"en": "ltr", "fa": "rtl"}


class PageWords:
    """``t.intro`` is the catalogue's ``contribute_intro`` in the page's language."""

    def __init__(self, words):
        self._words = words

    def __getattr__(self, name: str) -> str:
        return self._words("contribute_" + name)


def kind_name(kind: str, words) -> str:
    return words.get("kind_" + kind, kind)
