"""Do no harm: the checks that keep people safe, on one record at a time.

- every ``withheld`` pointer names a value of the record, and nothing withheld shows through
  elsewhere in it (another spelling, the description, the id);
- a living survivor, witness or family member is named only with evidence of consent: a
  citation of a source in which they speak publicly under that name;
- a text that looks like a phone number, an email address or a street address is a warning.

Each check reads the record alone, so the CLI, the build and ``POST /validate`` run it alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from chalicelib.model import redaction
from chalicelib.model.kinds import Kind


class HarmFinding(NamedTuple):
    """What a check found; the validator reports it as one of its own problems."""

    pointer: str
    keyword: str
    message: str


def withheld_problems(kind: Kind, record: dict[str, Any]) -> Iterator[HarmFinding]:
    """Pointers that name nothing or the unwithholdable, twice-given ones, and withheld texts
    that the record still publishes elsewhere."""
    raw = record.get("withheld")
    if not isinstance(raw, list):
        return
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        pointer = entry.get("pointer") if isinstance(entry, dict) else None
        if not isinstance(pointer, str):
            continue  # the schema stage says what is wrong with it
        at = f"/withheld/{index}/pointer"
        if pointer in seen:
            yield HarmFinding(at, "withheld", f"{pointer} is withheld twice; give it once")
            continue
        seen.add(pointer)
        if any(pointer == u or pointer.startswith(u + "/") for u in redaction.UNWITHHOLDABLE):
            yield HarmFinding(
                at,
                "withheld",
                f"{pointer} cannot be withheld: the id is public in every reference to the "
                "record (give the record an id that says nothing it withholds), and "
                "withheld itself is what the public is told",
            )
            continue
        try:
            redaction.resolve(record, pointer)
        except redaction.PointerError as exc:
            yield HarmFinding(at, "withheld", f"{exc}; a withheld pointer must name a value")
    yield from _shown_elsewhere(kind, record)


def _shown_elsewhere(kind: Kind, record: dict[str, Any]) -> Iterator[HarmFinding]:
    """A withheld text that the public record still holds, in another field or in the id."""
    texts = {redaction.comparable(t): t for t in redaction.withheld_texts(record)}
    if not texts:
        return
    public = redaction.redact(record, kind.title_field)
    for pointer, value in _strings(public, ""):
        if pointer.startswith("/withheld/") or pointer == "/id":
            continue
        shown = redaction.comparable(value)
        for folded in texts:
            if folded and folded in shown:
                yield HarmFinding(
                    pointer,
                    "withheld",
                    "this text repeats a value the record withholds; withhold it too, or reword it",
                )
                break
    record_id = record.get("id")
    if isinstance(record_id, str):
        for text in texts.values():
            spelled = redaction.slug(text)
            if len(spelled) >= redaction.MIN_TEXT and spelled in record_id:
                yield HarmFinding(
                    "/id",
                    "withheld",
                    "the id spells a withheld value, and ids are public; give the record an "
                    "id that does not (and a tombstone for this one if it was published)",
                )
                break


def consent_problems(kind: Kind, record: dict[str, Any]) -> Iterator[HarmFinding]:
    """For a living survivor, witness or family member: every published name needs consent."""
    if kind.name != "person" or not redaction.is_living(record):
        return
    names = _names(record)
    known = {redaction.comparable(n) for _, n in names}
    consented = False
    for index, citation in enumerate(record.get("sources") or ()):
        speaks_as = citation.get("speaks_publicly_as") if isinstance(citation, dict) else None
        if not isinstance(speaks_as, str):
            continue
        at = f"/sources/{index}/speaks_publicly_as"
        if redaction.comparable(speaks_as) not in known:
            yield HarmFinding(
                at, "consent", "this is none of the record's names; give the name they speak under"
            )
        elif not citation.get("locator"):
            yield HarmFinding(
                f"/sources/{index}/locator",
                "consent",
                "evidence of consent says where in the source they speak publicly: give a locator",
            )
        else:
            consented = True
    if consented:
        return
    withheld = [e["pointer"] for e in redaction.entries(record)]
    roles = ", ".join(c for c in record.get("categories", ()) if c in redaction.LIVING_CATEGORIES)
    for pointer, _ in names:
        if not redaction.is_withheld(pointer, withheld):
            yield HarmFinding(
                pointer,
                "consent",
                f"this person is a living {roles} (no 'died' date): their name is published "
                "only with evidence of consent, a citation in sources[] of a source in which "
                "they speak publicly under that name (speaks_publicly_as, with a locator); "
                f'without it, withhold the name: {{"pointer": "{pointer}", '
                '"reason": "no-consent"}',
            )


def _names(record: dict[str, Any]) -> list[tuple[str, str]]:
    found = [("/name", record["name"])] if isinstance(record.get("name"), str) else []
    for index, spelling in enumerate(record.get("names") or ()):
        if isinstance(spelling, dict) and isinstance(spelling.get("name"), str):
            found.append((f"/names/{index}", spelling["name"]))
    return found


# -- personal data ----------------------------------------------------------------------------

# Fields whose strings are identifiers or addresses of documents, not prose.
NOT_PROSE = frozenset({"id", "url", "pointer"})
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_OTHER_DIGIT = re.compile("[۰-۹٠-٩]")
# Every repetition is bounded, so that a 100,000-character text costs linear time, not quadratic.
EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,4}\.[A-Za-z]{2,24}\b"
)
# International (+98 21 1234 5678, 0098…) or national with a trunk 0 ((021) 123-4567); the
# look-arounds keep dates, page ranges and document numbers (MDE 13/9421/2018) out.
PHONE = re.compile(
    r"(?<![\w/.-])(?:(?:\+|00)[1-9][0-9]{0,3}[ .-]?(?:\(?[0-9]{1,4}\)?[ .-]?){2,4}[0-9]{2,4}"
    r"|\(?0[0-9]{2,4}\)?[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,4})(?![\w/])"
)
STREET = re.compile(
    r"\b[0-9]{1,5}[A-Za-z]?,?\s{1,3}(?:[A-Z][\w'.-]{0,30}\s{1,3}){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Alley|Square|Sq|Way)\b"
    r"|\b(?:No\.?|Number)\s{0,3}[0-9]{1,5},?\s{1,3}(?:[A-Z][\w'.-]{0,30}\s{1,3}){1,4}"
    r"(?:Street|Avenue|Alley|Road)\b"
    r"|(?:پلاک|پ\.)\s{0,3}[0-9]{1,5}"
    r"|(?:خیابان|کوچه|بلوار)\s{1,3}\S{1,30}(?:\s{1,3}\S{1,30}){0,6}\s{1,3}[0-9]{1,5}"
)
# Each alternative of STREET holds one of these ("St" stands for Street too, "Sq" for Square,
# and so on): a text with none of them is not searched.
STREET_WORDS = (
    "St", "Ave", "Rd", "Road", "Boulevard", "Blvd", "Lane", "Ln", "Dr", "Alley", "Sq", "Way",
    "پلاک", "پ.", "خیابان", "کوچه", "بلوار",
)  # fmt: skip
PERSONAL_DATA = (
    (EMAIL, "an email address"),
    (PHONE, "a phone number"),
    (STREET, "a street address"),
)


def personal_data_warnings(record: dict[str, Any]) -> Iterator[HarmFinding]:
    """A warning for each text field that looks like it holds contact details (a withheld
    one excepted: withholding is how such a value is kept from the public)."""
    if not _may_hold_personal_data(record):
        return
    withheld = [e["pointer"] for e in redaction.entries(record)]
    for pointer, value in _strings(record, ""):
        if redaction.is_withheld(pointer, withheld):
            continue
        text = _western_digits(value)
        for pattern, what in PERSONAL_DATA:
            if _found(pattern, what, text):
                yield HarmFinding(
                    pointer,
                    "personalData",
                    f"this text looks like it holds {what}; contact details and home addresses "
                    "do not belong in the dataset (withhold the value if it must stay)",
                )
                break


def _western_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits made 0-9, as the patterns read them.
    Translating a non-ASCII text costs several times more than looking for such a digit
    first, and most Persian texts hold none."""
    if text.isascii() or _OTHER_DIGIT.search(text) is None:
        return text
    return text.translate(_DIGITS)


# Where PHONE can start: its international form opens with "+" or "00" and a digit 1-9, its
# national one with "0" and two more digits. Most texts with eight digits (two years) have
# neither, and this search costs a tenth of PHONE's.
_PHONE_START = re.compile(r"\+[1-9]|0[0-9]{2}")


def _found(pattern: re.Pattern[str], what: str, text: str) -> bool:
    """Whether ``pattern`` finds ``what`` in ``text`` (its digits made 0-9). What each match
    must hold is checked first: the searches cost far more than counting does."""
    if what == "an email address":
        return "@" in text and pattern.search(text) is not None
    digits = sum(map(text.count, "0123456789"))
    if digits == 0 or (what == "a phone number" and digits < 8):
        return False  # PHONE and STREET need a digit; a phone number needs 8
    if what == "a street address" and not any(word in text for word in STREET_WORDS):
        return False
    if what == "a phone number":
        if _PHONE_START.search(text) is None:
            return False
        return any(_digit_count(m.group()) >= 8 for m in pattern.finditer(text))
    return pattern.search(text) is not None


# Joins a record's texts so that the patterns search them all at once: a character that is
# not a word character, a space or in any class of EMAIL and PHONE, so that a match inside one
# text is a match in the joined texts, with every look-around and \b seeing what it sees at
# the text's ends, and an email or a phone number never spans two texts.
_JOIN = "\x00"


def _may_hold_personal_data(record: Any) -> bool:
    """False when no text of ``record`` can hold a match: what most records are, found with
    one search of each pattern over all their texts rather than one per text (the build
    checks every record). True can be a false alarm (STREET's \\S crosses a join); the
    caller then searches text by text."""
    if not isinstance(record, (dict, list)):
        return True
    texts: list[str] = []
    _texts_in(record, texts)
    joined = _JOIN.join(texts)
    joined = _western_digits(joined)
    return any(_found(pattern, what, joined) for pattern, what in PERSONAL_DATA)


def _texts_in(node: Any, out: list[str]) -> None:
    """Append every string in ``node`` to ``out``, skipping ids, URLs and pointers, as
    ``_strings`` walks them, without making their pointers."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, item in items:
        if key in NOT_PROSE:
            continue
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (dict, list)):
            _texts_in(item, out)


def _digit_count(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _strings(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """Every string in ``node`` with its pointer, skipping ids, URLs and pointers."""
    if isinstance(node, str):
        yield pointer, node
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, f"{pointer}/{index}")
    elif isinstance(node, dict):
        for key, item in node.items():
            if key not in NOT_PROSE:
                token = key.replace("~", "~0").replace("/", "~1")
                yield from _strings(item, f"{pointer}/{token}")


# -- across records -------------------------------------------------------------------------

# A withheld text is looked for in other records only if it could name someone: a date or a
# number ("1988") shows up everywhere for reasons of its own.
MIN_NAME_TEXT = 6


def shown_in_other_records(
    records: list[tuple[str, Kind, dict[str, Any]]],
) -> Iterator[tuple[int, HarmFinding]]:
    """(position, problem) for each text in a record of ``records`` (reference, kind, record)
    that repeats a name-like text another record withholds; the value itself is not echoed."""
    withheld: list[tuple[str, str]] = []  # (comparable text, the withholding record)
    for reference, _, record in records:
        for text in redaction.withheld_texts(record):
            if len(text) >= MIN_NAME_TEXT and any(c.isalpha() for c in text):
                withheld.append((redaction.comparable(text), reference))
    if not withheld:
        return
    for position, (reference, kind, record) in enumerate(records):
        public = redaction.redact(record, kind.title_field)
        for pointer, value in _strings(public, ""):
            if pointer.startswith("/withheld/"):
                continue
            shown = redaction.comparable(value)
            owner = next((o for t, o in withheld if o != reference and t in shown), None)
            if owner is not None:
                yield (
                    position,
                    HarmFinding(
                        pointer,
                        "withheld",
                        f"this text repeats a value that {owner} withholds; withhold it here "
                        "too, or reword it",
                    ),
                )
