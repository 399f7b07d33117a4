"""Withheld values: how a record in ``data/`` marks values the public must never get.

A record may carry ``withheld``: a list of ``{pointer, reason}``, each a JSON Pointer (RFC 6901)
into the record as it is kept in ``data/``, and one of the reasons ``defs.schema.json`` lists.
The value stays in ``data/``, where maintainers need it. The release build calls ``redact`` once
per record, and everything a release holds is made from what it returns, so no output can carry
a withheld value.

Redacting removes each withheld value: an array element is dropped, an object member is deleted.
The record's title (``name``, or ``title`` for a source) is required by every output, so it is
replaced by ``PLACEHOLDER`` instead. The public record keeps ``withheld`` as ``{pointer, reason}``:
where something was withheld and why, never what. Its pointers name places in the record as
``data/`` keeps it, so ``/names/1`` is the second spelling even though the public list no longer
holds it.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

# The id is public in every reference to the record; ``withheld`` is what the public is told.
UNWITHHOLDABLE = ("/id", "/withheld")
PLACEHOLDER = "[withheld]"
# A person in one of these categories, with no date of death, is treated as living.
LIVING_CATEGORIES = ("survivor", "witness", "family-member")
# The members of a withheld object (a spelling, a citation, a participant) whose texts say who
# someone is. The others are codes ('en', 'Latn'), references or notes such as 'alias', which
# are everywhere: searching for them would find every file. Withhold such a member by its own
# pointer to have it searched for.
TEXT_MEMBERS = frozenset({"name", "quote", "title", "description", "value", "speaks_publicly_as"})
# A withheld text shorter than this identifies nobody on its own, and searching older
# releases for it would match nearly every file.
MIN_TEXT = 4


class PointerError(ValueError):
    """A JSON Pointer that is malformed or names nothing in the record."""


def pointer_tokens(pointer: str) -> list[str]:
    """The reference tokens of ``pointer``, unescaped; PointerError if it is malformed."""
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise PointerError("a JSON Pointer starts with '/', such as /names/1")
    if re.search(r"~(?![01])", pointer):
        raise PointerError("in a JSON Pointer '~' is written only as ~0 (for ~) or ~1 (for /)")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def resolve(record: Any, pointer: str) -> Any:
    """The value ``pointer`` names in ``record``; PointerError if it names nothing."""
    node = record
    for depth, token in enumerate(pointer_tokens(pointer)):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and re.fullmatch(r"0|[1-9][0-9]*", token):
            if int(token) >= len(node):
                raise PointerError(f"{pointer} names item {token}, but there are {len(node)}")
            node = node[int(token)]
        else:
            where = "/".join([""] + pointer[1:].split("/")[: depth + 1])
            raise PointerError(f"{pointer} names nothing: the record has no {where}")
    return node


def entries(record: Any) -> list[dict[str, str]]:
    """The record's ``withheld`` entries shaped like one: a string pointer and reason (the
    schema reports the others, and a wrong reason), leaving out the id and ``withheld``
    itself, which are never withheld (the validator says so)."""
    found = record.get("withheld") if isinstance(record, dict) else None
    if not isinstance(found, list):
        return []
    return [
        e
        for e in found
        if isinstance(e, dict)
        and isinstance(e.get("pointer"), str)
        and isinstance(e.get("reason"), str)
        and not any(e["pointer"] == u or e["pointer"].startswith(u + "/") for u in UNWITHHOLDABLE)
    ]


def is_withheld(pointer: str, withheld: list[str]) -> bool:
    """True if ``pointer`` or a value containing it is among the ``withheld`` pointers."""
    return any(pointer == w or pointer.startswith(w + "/") for w in withheld)


def redact(record: Any, title_field: str) -> Any:
    """The record as the public gets it: every withheld value removed, ``withheld`` public.

    A record that withholds nothing is returned as it is, the same object, so that its
    release bytes are exactly what they would be without this step.
    """
    marked = entries(record)
    if not marked:
        return record
    public = copy.deepcopy(record)
    # Deepest first, and the last element of an array before the earlier ones, so that each
    # removal leaves the places the remaining pointers name where they were.
    targets = sorted(
        {tuple(pointer_tokens(e["pointer"])) for e in marked if _resolves(record, e["pointer"])},
        key=lambda tokens: [(1, int(t), "") if t.isdigit() else (0, 0, t) for t in tokens],
        reverse=True,
    )
    for tokens in targets:
        parent = public
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if isinstance(parent, list):
            del parent[int(last)]
        elif list(tokens) == [title_field]:
            parent[last] = PLACEHOLDER
        else:
            del parent[last]
    public["withheld"] = [{"pointer": e["pointer"], "reason": e["reason"]} for e in marked]
    return public


def _resolves(record: Any, pointer: str) -> bool:
    try:
        resolve(record, pointer)
    except PointerError:
        return False
    return True


def withheld_texts(record: Any) -> list[str]:
    """Every text the record withholds, as ``data/`` has it: what must appear in no output.

    Of a withheld object, only the members in ``TEXT_MEMBERS`` count; texts shorter than
    ``MIN_TEXT`` are left out.
    """
    found: list[str] = []
    for entry in entries(record):
        if _resolves(record, entry["pointer"]):
            for text in _texts(resolve(record, entry["pointer"])):
                if len(text) >= MIN_TEXT and text not in found:
                    found.append(text)
    return found


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in TEXT_MEMBERS:
                yield from _texts(item)


def is_living(record: Any) -> bool:
    """A survivor, witness or family member with no date of death."""
    if not isinstance(record, dict) or "died" in record:
        return False
    categories = record.get("categories")
    return isinstance(categories, list) and any(c in LIVING_CATEGORIES for c in categories)


# Persian and Arabic spellings of the same letters, which sources mix freely.
_LETTER_VARIANTS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه"})


def comparable(text: str) -> str:
    """``text`` reduced for comparing names: case, accents, letter variants and spacing."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTER_VARIANTS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def slug(text: str) -> str:
    """``text`` as an id would spell it: ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))
