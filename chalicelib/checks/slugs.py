"""Record ids from names: lowercase ASCII words joined by hyphens, in any script.

Latin letters lose their accents (Ca\u0301rdenas -> cardenas). Persian and Arabic letters are
transliterated by a plain letter table: short vowels are not written in the script, so the
result ("mostafa" comes out as "mstfi") is a stable, readable handle rather than a
spelling; the display name and every real spelling belong in ``name`` and ``names``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from chalicelib.model.kinds import ID_MAX_LENGTH

# Letters as they sound in Persian; Arabic forms of the same letters map alike.
_PERSIAN = {
    "\u0627": "a", "\u0622": "a", "\u0623": "a", "\u0625": "e", "\u0671": "a",
    "\u0628": "b", "\u067e": "p", "\u062a": "t", "\u062b": "s", "\u062c": "j",
    "\u0686": "ch", "\u062d": "h", "\u062e": "kh", "\u062f": "d", "\u0630": "z",
    "\u0631": "r", "\u0632": "z", "\u0698": "zh", "\u0633": "s", "\u0634": "sh",
    "\u0635": "s", "\u0636": "z", "\u0637": "t", "\u0638": "z", "\u0639": "",
    "\u063a": "gh", "\u0641": "f", "\u0642": "gh", "\u06a9": "k", "\u0643": "k",
    "\u06af": "g", "\u0644": "l", "\u0645": "m", "\u0646": "n", "\u0647": "h",
    "\u0629": "h", "\u06c0": "eh", "\u0621": "", "\u0626": "", "\u0624": "o",
    "\u064e": "a", "\u064f": "o", "\u0650": "e", "\u0651": "", "\u0652": "",
    "\u064b": "an", "\u064c": "on", "\u064d": "en", "\u0640": "",
    "\u200c": "",  # the zero-width non-joiner splits a word visually, not in sound
}  # fmt: skip
# Vaav and yeh are consonants at the start of a word and vowels inside it.
_INITIAL = {"\u0648": "v", "\u06cc": "y", "\u064a": "y"}
_MEDIAL = {"\u0648": "u", "\u06cc": "i", "\u064a": "i", "\u0649": "a"}


def _transliterate(text: str) -> str:
    out = []
    previous = " "
    for char in text:
        if char in _INITIAL:
            out.append(_INITIAL[char] if not previous.isalpha() else _MEDIAL[char])
        elif char in _MEDIAL:
            out.append(_MEDIAL[char])
        elif char in _PERSIAN:
            out.append(_PERSIAN[char])
        elif unicodedata.category(char) == "Nd":
            out.append(str(unicodedata.digit(char, 0)))  # Persian and Arabic-Indic digits
        else:
            out.append(char)
        previous = char
    return "".join(out)


def slug(name: str) -> str:
    """The id a record named ``name`` would get, before it is made unique; '' if nothing fits."""
    text = unicodedata.normalize("NFKD", _transliterate(unicodedata.normalize("NFC", name)))
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", text.lower().replace("\u00df", "ss"))
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > ID_MAX_LENGTH:
            break
        out = candidate
    return out or "-".join(words)[:ID_MAX_LENGTH].strip("-")


def unique_id(name: str, taken: Callable[[str], bool], fallback: str = "record") -> str:
    """``slug(name)``, or the same with -2, -3 … appended, whichever ``taken`` does not refuse."""
    base = slug(name) or fallback
    candidate, n = base, 2
    while taken(candidate):
        suffix = f"-{n}"
        candidate = base[: ID_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        n += 1
    return candidate
