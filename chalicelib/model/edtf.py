"""EDTF dates (ISO 8601-2 / Library of Congress EDTF, level 0 and most of level 1).

Accepted syntax (``EDTF_PATTERN`` is the single definition; ``parse`` gates on it):

* a year ``1988``, a month ``1988-07`` or a day ``1988-07-28``;
* a season ``1988-21`` .. ``1988-24``: 21 spring (Mar-May), 22 summer (Jun-Aug), 23 autumn
  (Sep-Nov), 24 winter (Dec of that year to Feb of the next). These are northern-hemisphere
  seasons, because every place in this dataset is in the northern hemisphere;
* unspecified digits, only as a suffix: ``198X``, ``19XX``, ``1988-XX``, ``1988-XX-XX``,
  ``1988-07-XX``, ``198X-XX``. Once a part is unspecified, every later part must be too, because
  "some day in July of an unknown year of the 1980s" has no useful bounds and is not level 1;
* one qualifier ``?`` (uncertain), ``~`` (approximate) or ``%`` (both) after a date;
* intervals ``A/B`` whose ends are dates, ``..`` (open: no bound) or empty (unknown), with at least
  one end a date.

Years are four digits, 0000-9999. Bounds are ISO day strings, which sort in time order as plain
strings, so callers compare them without building ``datetime`` objects.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from chalicelib.errors import EDTFError as EDTFError  # re-exported: callers catch edtf.EDTFError

__all__ = [
    "EDTF_CALENDAR_PATTERN",
    "EDTF_MAX_LENGTH",
    "EDTF_PATTERN",
    "EDTFDate",
    "EDTFInterval",
    "bounds",
    "is_reversed",
    "parse",
]

# [0-9] rather than \d: in Python and Rust \d also matches Arabic-Indic and other digits.
_YEAR = (
    "(?:[0-9]{4}(?:-(?:(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]|XX))?|2[1-4]|XX(?:-XX)?))?"
)
_PARTIAL = "|[0-9]{3}X(?:-XX(?:-XX)?)?|[0-9]{2}XX(?:-XX(?:-XX)?)?)"
_DATE = _YEAR + _PARTIAL + "[?~%]?"

#: Portable regular expression (ECMA-262, Python ``re``, Rust ``regex``) for a JSON Schema
#: ``pattern``. It accepts a few calendar impossibilities (``1988-02-30``) that ``parse`` rejects.
EDTF_PATTERN = f"^(?:{_DATE}|{_DATE}/(?:{_DATE}|\\.\\.)?|(?:\\.\\.)?/{_DATE})$"

# The same syntax, less the calendar impossibilities ``parse`` refuses, for an API parameter that
# must refuse exactly what the server refuses: a day exists in its month (29 February in leap
# years only, Gregorian, year 0000 included), and no winter of 9999 ends in year 10000.
_MONTH_DAY = (
    "(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31"
)
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_CALENDAR_DATE = (
    "(?:[0-9]{4}(?:-(?:(?:0[1-9]|1[0-2])(?:-XX)?|" + _MONTH_DAY + "|2[1-3]|XX(?:-XX)?))?"
    "|(?:[0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-24"
    "|" + _LEAP_YEAR + "-02-29" + _PARTIAL + "[?~%]?"
)
#: ``EDTF_PATTERN`` without the calendar impossibilities: matches exactly what ``parse`` accepts.
EDTF_CALENDAR_PATTERN = (
    f"^(?:{_CALENDAR_DATE}|{_CALENDAR_DATE}/(?:{_CALENDAR_DATE}|\\.\\.)?"
    f"|(?:\\.\\.)?/{_CALENDAR_DATE})$"
)
#: The longest text either pattern matches: two qualified days and a slash.
EDTF_MAX_LENGTH = len("1988-07-28%/1989-07-28%")

# fullmatch, not match: in Python ``$`` also matches before a trailing newline.
_FULL = re.compile(EDTF_PATTERN)
_ONE_DATE = re.compile(_DATE)

# Season code -> (first month, last month, last month is in the next year).
_SEASONS = {
    "21": ("03", "05", False),
    "22": ("06", "08", False),
    "23": ("09", "11", False),
    "24": ("12", "02", True),
}
_SEASON_NAMES = {"21": "spring", "22": "summer", "23": "autumn", "24": "winter"}
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # Hand-rolled rather than calendar.monthrange, which rejects ISO year 0000.
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


@dataclass(frozen=True, slots=True)
class EDTFDate:
    """One EDTF date. ``month`` may be a season code 21-24; unspecified parts keep their ``X``."""

    year: str
    month: str | None
    day: str | None
    qualifier: str | None
    earliest: str
    latest: str

    def __str__(self) -> str:
        parts = "-".join(p for p in (self.year, self.month, self.day) if p is not None)
        return parts + (self.qualifier or "")


@dataclass(frozen=True, slots=True)
class EDTFInterval:
    """``start/end``. An end that is None is open (``..``) if its ``open_*`` flag is set, else unknown."""

    start: EDTFDate | None
    end: EDTFDate | None
    open_start: bool = False
    open_end: bool = False

    @property
    def earliest(self) -> str | None:
        return self.start.earliest if self.start else None

    @property
    def latest(self) -> str | None:
        return self.end.latest if self.end else None

    def __str__(self) -> str:
        def side(date: EDTFDate | None, is_open: bool) -> str:
            return str(date) if date else (".." if is_open else "")

        return side(self.start, self.open_start) + "/" + side(self.end, self.open_end)


def _date_bounds(whole: str, date: str) -> tuple[str, str]:
    """Day bounds of one date already known to match ``_DATE``; ``whole`` is for messages."""
    # The syntax is fixed-width, so slicing is cheaper than regex groups.
    if date[-1] in "?~%":
        date = date[:-1]
    year = date[:4]
    if "X" in year:
        return year.replace("X", "0") + "-01-01", year.replace("X", "9") + "-12-31"
    month = date[5:7]
    if not month or month == "XX":
        return year + "-01-01", year + "-12-31"
    if month in _SEASONS:
        first, last, next_year = _SEASONS[month]
        end_year = int(year) + 1 if next_year else int(year)
        if end_year > 9999:
            raise EDTFError(
                f"{whole!r} is not a valid EDTF date: the {_SEASON_NAMES[month]} of "
                f"{year} ends in year {end_year}, beyond four-digit years"
            )
        return (
            f"{year}-{first}-01",
            f"{end_year:04d}-{last}-{_days_in_month(end_year, int(last)):02d}",
        )
    last_day = _days_in_month(int(year), int(month))
    day = date[8:10]
    if not day or day == "XX":
        return f"{year}-{month}-01", f"{year}-{month}-{last_day:02d}"
    if int(day) > last_day:
        raise EDTFError(
            f"{whole!r} is not a valid EDTF date: day {int(day)} does not exist in {year}-{month}"
        )
    return date, date


def _diagnose(text: str) -> str:
    """A plain reason why ``text`` does not match the syntax (only called on failure)."""
    if text == "":
        return "it is empty"
    if text != text.strip():
        return "it has leading or trailing whitespace"
    if text.startswith("-"):
        return "negative years are not supported"
    if text.count("/") > 1:
        return "an interval has exactly one '/'"
    if "/" in text and all(side in ("", "..") for side in text.split("/")):
        return "an interval needs a date on at least one side"
    for side in text.split("/"):
        if side in ("", "..") or _ONE_DATE.fullmatch(side):
            continue
        m = re.fullmatch(r"([0-9Xx]+)(?:-([0-9Xx]+))?(?:-([0-9Xx]+))?([?~%]*)", side, re.ASCII)
        if not m:
            return f"{side!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
        year, month, day, qualifiers = m.groups()
        if "x" in side:
            return "unspecified digits are written with a capital X"
        if len(year) != 4:
            return "years must have exactly four digits"
        if len(qualifiers) > 1:
            return "a date takes at most one qualifier (? ~ or %)"
        if any(part is not None and len(part) != 2 for part in (month, day)):
            return "months and days have exactly two digits"
        if month is not None and not re.fullmatch(r"0[1-9]|1[0-2]|2[1-4]|XX", month):
            return f"month {month} does not exist (01-12, or 21-24 for seasons)"
        if day is not None and month in _SEASONS:
            return "a season has no day"
        if day is not None and not re.fullmatch(r"0[1-9]|[12][0-9]|3[01]|XX", day):
            return f"day {day} does not exist"
        return "unspecified digits (X) may only end a date, e.g. 198X, 1988-XX, 1988-07-XX"
    return "it is not EDTF syntax"


def _check(text: object) -> str:
    if not isinstance(text, str):
        raise EDTFError(f"an EDTF date must be a string, not {type(text).__name__}")
    if _FULL.fullmatch(text) is None:
        raise EDTFError(f"{text!r} is not a valid EDTF date: {_diagnose(text)}")
    return text


def _make_date(whole: str, date: str) -> EDTFDate:
    earliest, latest = _date_bounds(whole, date)
    qualifier = date[-1] if date[-1] in "?~%" else None
    core = date[:-1] if qualifier else date
    return EDTFDate(core[:4], core[5:7] or None, core[8:10] or None, qualifier, earliest, latest)


def parse(text: str) -> EDTFDate | EDTFInterval:
    """Parse an EDTF date or interval; raise :class:`EDTFError` saying what is wrong.

    Accepts exactly the strings ``EDTF_PATTERN`` matches, less calendar impossibilities
    (``1988-02-30``, and ``9999-24`` whose winter would end in year 10000).
    """
    _check(text)
    if "/" not in text:
        return _make_date(text, text)
    left, right = text.split("/")
    return EDTFInterval(
        start=_make_date(text, left) if left not in ("", "..") else None,
        end=_make_date(text, right) if right not in ("", "..") else None,
        open_start=left == "..",
        open_end=right == "..",
    )


@functools.lru_cache(maxsize=65536)
def bounds(text: str) -> tuple[str | None, str | None]:
    """Earliest and latest possible day of ``text`` as ``'YYYY-MM-DD'`` strings.

    For an interval, the earliest day of its start and the latest day of its end; an open (``..``)
    or unknown (empty) end gives None on that side. Qualifiers do not widen the bounds: ``1988?``
    says we are unsure the year is right, not that the event spans more than 1988, so widening
    would invent an extent no source gives. Raises :class:`EDTFError` for invalid input.
    Cached, because a build asks for the same few thousand dates across a million records.
    """
    _check(text)
    if "/" not in text:
        return _date_bounds(text, text)
    left, right = text.split("/")
    start = _date_bounds(text, left)[0] if left not in ("", "..") else None
    # The start is still validated when the end is a date, so "1988-02-30/1989" fails.
    end = _date_bounds(text, right)[1] if right not in ("", "..") else None
    return start, end


def is_reversed(text: str) -> bool:
    """True when ``text`` is an interval whose start can only fall after its end.

    Defined as ``start.earliest > end.latest``, so overlapping imprecise ends such as
    ``1988/1988-03`` are not reversed; dates and intervals with an open or unknown end never are.
    Raises :class:`EDTFError` for invalid input.
    """
    if "/" not in _check(text):
        bounds(text)
        return False
    left, right = text.split("/")
    if left in ("", "..") or right in ("", ".."):
        bounds(text)
        return False
    return _date_bounds(text, left)[0] > _date_bounds(text, right)[1]
