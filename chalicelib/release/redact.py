"""Redaction in the release: the one place withheld values are taken out.

The build hands every record through ``public_record`` before anything else sees it, so the
compiled record is already the redacted one, and the indexes, the downloads, the data package,
the API and the pages made from it cannot carry what it lacks. What the build keeps of the
withheld values themselves is ``Withheld.texts``, which only the publisher reads: to find
older releases that still hold them (chalicelib.release.redactions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.model import redaction
from chalicelib.model.folding import text_forms, written_forms
from chalicelib.model.kinds import Kind

# Letters that Persian and Arabic write differently, and sources mix: a search for a withheld
# name must try every spelling a file could hold it in.
LETTER_PAIRS = (("ي", "ی"), ("ك", "ک"))


def public_record(kind: Kind, record: Any) -> Any:
    """``record`` as every output of the release holds it: its withheld values removed."""
    return redaction.redact(record, kind.title_field)


@dataclass(frozen=True)
class Withheld:
    """What one record withholds: public (reference, pointer, reason), and the texts (never
    public) that the publisher searches older releases for."""

    reference: str  # 'people/x'
    marks: tuple[tuple[str, str], ...]  # (pointer, reason)
    texts: tuple[str, ...]

    def __repr__(self) -> str:  # never print a withheld value in a log or a traceback
        return f"Withheld({self.reference!r}, {self.marks!r}, <{len(self.texts)} texts>)"


def withheld_of(collection: str, record: Any) -> Withheld | None:
    """What ``record`` (as ``data/`` has it) withholds, or None if nothing."""
    marks = redaction.entries(record)
    if not marks:
        return None
    return Withheld(
        f"{collection}/{record['id']}",
        tuple((m["pointer"], m["reason"]) for m in marks),
        tuple(redaction.withheld_texts(record)),
    )


def search_forms(text: str) -> set[str]:
    """Every form in which a file could hold ``text``: as written, as the search indexes keep
    it (folded and loosened) or as all.sqlite's full-text index writes it, with each
    Persian/Arabic letter variant, and as JSON escapes it."""
    forms = {*written_forms(text), *text_forms(text)}
    for arabic, persian in LETTER_PAIRS:
        forms |= {f.replace(arabic, persian) for f in forms} | {
            f.replace(persian, arabic) for f in forms
        }
    forms |= {f.replace("\\", "\\\\").replace('"', '\\"') for f in forms}
    forms |= {f.replace('"', '""') for f in forms}  # as CSV quotes it
    return {f for f in forms if len(f) >= redaction.MIN_TEXT}


def needles(texts: tuple[str, ...] | list[str]) -> list[bytes]:
    """The byte strings that no file of a release may contain, for ``texts``."""
    return sorted({form.encode("utf-8") for text in texts for form in search_forms(text)})
