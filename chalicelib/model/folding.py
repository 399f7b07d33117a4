"""Folding: the one place that says which spellings of a name are the same name.

Search (``q=``, ``/search``), reconciliation and the full-text index of ``all.sqlite`` all match
through this module, so a spelling one of them finds, the others find too.

- ``fold``: the strict form. Case, diacritics, spacing, punctuation, ZWNJ/ZWJ and tatweel go;
  Arabic letter forms become Persian ones (ي ى ئ → ی, ك → ک, ة ۀ → ه, أ إ آ → ا, ؤ → و, hamza
  dropped); every decimal digit becomes ASCII.
- ``loose``: a folded text with the Latin transliteration differences taken out as well: doubled
  or single letters, ou/oo/u, ee/i, ei/ey/ai/ay, aa/a, w/v, gh/q. Pages spell the same person
  Nayyeri and Nayeri, Pour-Mohammadi and Purmohammadi, Avaei and Avayi.
- ``text_forms`` / ``query_forms``: what an index keeps of a text, and what a query looks for:
  both forms, and for a query naming a place or body with its common noun ("زندان اوین", "Evin
  Prison"), the same without it, since a record may hold the bare name.
- ``written_forms``: the ways a file may write a Persian text (Arabic or Persian yeh and kaf, yeh
  or hamza seat before yeh), for an index that cannot fold its queries (Datasette's ``_search``).

Standard library only, so it loads fast in Lambda.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["finds", "fold", "loose", "query_forms", "text_forms", "written_forms"]

# Arabic letter variants that Persian and Arabic keyboards (and OCR) use interchangeably in names.
# Applied after NFKD, which already splits hamza and madda off أ إ ؤ ئ آ; ۀ decomposes to ە + hamza,
# hence ە. ھ is the Urdu heh that Persian text picks up from mixed keyboards.
_VARIANTS = {
    "\u064a": "\u06cc",
    "\u0649": "\u06cc",
    "\u0626": "\u06cc",  # ي ى ئ -> ی
    "\u0643": "\u06a9",  # ك -> ک
    "\u0629": "\u0647",
    "\u06c0": "\u0647",
    "\u06d5": "\u0647",
    "\u06be": "\u0647",  # ة ۀ ە ھ -> ه
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0671": "\u0627",
    "\u0622": "\u0627",  # أ إ ٱ آ -> ا
    "\u0624": "\u0648",  # ؤ -> و
}


def _is_dropped_letter(ch: str) -> bool:
    # Tatweel only stretches a word. The spacing modifier letters (ʼ ʿ ʾ ˈ …) are apostrophes and
    # ayn/hamza marks in transliterations such as "Moʿtamedi"; Unicode calls them letters, but users
    # type them inconsistently or not at all, so they must fold away like "'". A hamza on its own
    # line (ء) is written or left out as freely as the hamza above a seat, which NFKD drops.
    return ch in "\u0640\u0621" or "\u02b0" <= ch <= "\u02ff"


class _FoldTable(dict[int, str | None]):
    """Code point -> folded piece (or None to delete), computed once per distinct character.

    ``str.translate`` calls ``__missing__`` from C only for characters not seen yet, so the
    per-character Python work runs a few thousand times per process instead of per character.
    """

    _LIMIT = 1 << 16  # queries are user input: do not let odd code points grow the cache forever

    def __missing__(self, cp: int) -> str | None:
        out = []
        # NFKD again after casefold, since a few case mappings produce decomposable characters.
        for ch in unicodedata.normalize("NFKD", chr(cp).casefold()):
            ch = _VARIANTS.get(ch, ch)
            cat = unicodedata.category(ch)
            if cat == "Nd":
                out.append(str(unicodedata.decimal(ch)))  # Persian/Arabic-Indic (and any) digits
            elif cat[0] == "L" and not _is_dropped_letter(ch):
                out.append(ch)
        piece = "".join(out) or None
        if len(self) < self._LIMIT:
            self[cp] = piece
        return piece


_TABLE = _FoldTable()
_ASCII_DROP = bytes(b for b in range(128) if not chr(b).isalnum())


def fold(text: str) -> str:
    """Fold ``text`` for matching: equal for spellings that differ only in case, diacritics,
    spacing or punctuation, or in Arabic vs Persian letter forms.

    NFKD, then per character: casefold, unify Arabic/Persian variants, map decimal digits to ASCII,
    and keep only letters and digits (dropping combining marks, ZWNJ/ZWJ, tatweel, spaces, hyphens
    and apostrophes).
    """
    if text.isascii():
        # Most names are ASCII; bytes.translate deletes in C without the Unicode machinery.
        return text.encode("ascii").lower().translate(None, _ASCII_DROP).decode("ascii")
    return unicodedata.normalize("NFKD", text).translate(_TABLE)


# Rewrites of a folded Latin text, in this order: each may feed the next ("Nayyeri" -> "naiieri"
# -> "neiieri" -> "neieri", as "Nayeri"). y is a vowel in these names (ey, ay, yy), v and w are one
# Persian letter (و), gh and q two letters Persian speakers pronounce alike (غ ق).
_REWRITES = (
    ("w", "v"),
    ("y", "i"),
    ("gh", "q"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("aei", "ai"),  # Avaei, Avayi: the hamza between two vowels, written e or y or not at all
    ("ai", "ei"),  # Raisi, Reisi
)
_DOUBLED = re.compile(r"([a-z])\1+")


def loose(folded: str) -> str:
    """``folded`` (a ``fold`` result) with Latin transliteration differences taken out too."""
    for old, new in _REWRITES:
        if old in folded:
            folded = folded.replace(old, new)
    return _DOUBLED.sub(r"\1", folded)


def text_forms(text: str) -> list[str]:
    """What an index keeps of ``text``: its folded form and, when it differs, its loose one."""
    folded = fold(text)
    if not folded:
        return []
    relaxed = loose(folded)
    return [folded] if relaxed == folded else [folded, relaxed]


# Common nouns a name of a place or a body is written with or without: "زندان اوین" and "اوین",
# "Evin Prison" and "Evin". Folded, as words of a query are compared to them.
COMMON_NOUNS = frozenset(
    map(
        fold,
        (
            "زندان",
            "گورستان",
            "قبرستان",
            "آرامگاه",
            "دادگاه",
            "سازمان",
            "حزب",
            "وزارت",
            "شهر",
            "استان",
            "prison",
            "cemetery",
            "court",
            "organization",
            "organisation",
            "party",
            "ministry",
            "city",
            "province",
        ),
    )
)


def query_forms(query: str) -> list[str]:
    """The folded needles a search for ``query`` looks for, any of which may match a text's
    ``text_forms``: the query's own forms, then the same without its common nouns, if it has
    another word. Empty when the query has no letter or digit."""
    forms = text_forms(query)
    words = query.split()
    if len(words) > 1:
        rest = [w for w in words if fold(w) not in COMMON_NOUNS]
        if rest and len(rest) < len(words):
            forms += text_forms(" ".join(rest))
    return list(dict.fromkeys(forms))


# Persian text written two ways: with Arabic or Persian yeh and kaf, and with a hamza seat or a
# yeh before yeh (رئیس, رییس).
_TO_ARABIC = str.maketrans("یک", "يك")
_TO_PERSIAN = str.maketrans("يك", "یک")


def written_forms(text: str) -> list[str]:
    """``text`` and the other ways a page may write it, for an index searched without folding."""
    if text.isascii():
        return [text]
    persian = text.translate(_TO_PERSIAN)
    forms = [text, persian, persian.translate(_TO_ARABIC), persian.replace("یی", "ئی")]
    return list(dict.fromkeys(forms))


def finds(query: str, text: str) -> bool:
    """Whether a search for ``query`` finds ``text``: a form of one inside a form of the other."""
    forms = text_forms(text)
    return any(needle in form for needle in query_forms(query) for form in forms)
