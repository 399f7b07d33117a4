"""EDTF dates in the Solar Hijri calendar, in Persian, with the Gregorian date beside.

A single date never breaks across lines (its spaces are no-break spaces); an interval may break
between its two ends.

A date is shown at exactly its own precision: a day is a day, and a month, season or year,
which in the Solar Hijri calendar straddles two months or two years, is shown as the months or
years it covers, ``1988-08`` → «مرداد–شهریور ۱۳۶۷ (اوت ۱۹۸۸)». The conversion is jdatetime's;
what is written here is only how the bounds are worded. Qualifiers (? ~ %) are left to the
caller, which marks them in the reader's words.
"""

from __future__ import annotations

import datetime

import jdatetime

from chalicelib.model import edtf

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
SOLAR_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
GREGORIAN_MONTHS = (
    "ژانویه",
    "فوریه",
    "مارس",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
)
SEASONS = {"21": "بهار", "22": "تابستان", "23": "پاییز", "24": "زمستان"}
# Inside one date nothing may break: no-break spaces, and a word joiner after the dash.
DASH = "–\u2060"
SPACE = "\u00a0"
UNTIL = " تا "

YEAR_DIGITS = 4  # an EDTF bound's year: '1988-07-01'


def digits(value: object) -> str:
    """Western digits as Persian ones; no thousands separator (years and days have none)."""
    return str(value).translate(PERSIAN_DIGITS)


def solar(day: str) -> jdatetime.date:
    """The Solar Hijri day of an ISO day ``YYYY-MM-DD``."""
    return jdatetime.date.fromgregorian(date=datetime.date.fromisoformat(day))


def _solar_span(first: jdatetime.date, last: jdatetime.date, precision: str) -> str:
    if precision == "day":
        return f"{digits(first.day)} {SOLAR_MONTHS[first.month - 1]} {digits(first.year)}"
    if precision == "years":
        if first.year == last.year:
            return digits(first.year)
        return f"{digits(first.year)}{DASH}{digits(last.year)}"
    first_month, last_month = SOLAR_MONTHS[first.month - 1], SOLAR_MONTHS[last.month - 1]
    if first.year != last.year:
        return f"{first_month} {digits(first.year)}{DASH}{last_month} {digits(last.year)}"
    if first.month == last.month:
        return f"{first_month} {digits(first.year)}"
    return f"{first_month}{DASH}{last_month} {digits(first.year)}"


def _gregorian(date: edtf.EDTFDate) -> str:
    year, month, day = date.year, date.month, date.day
    if "X" in year:
        return f"{digits(date.earliest[:YEAR_DIGITS])}{DASH}{digits(date.latest[:YEAR_DIGITS])}"
    if month is None or month == "XX":
        return digits(year)
    if month in SEASONS:
        return f"{SEASONS[month]} {digits(year)}"
    named = GREGORIAN_MONTHS[int(month) - 1]
    if day is None or day == "XX":
        return f"{named} {digits(year)}"
    return f"{digits(int(day))} {named} {digits(year)}"


def _precision(date: edtf.EDTFDate) -> str:
    if date.day not in (None, "XX"):
        return "day"
    if date.month not in (None, "XX"):
        return "months"
    return "years"


def one_date(date: edtf.EDTFDate) -> str:
    """One EDTF date: its Solar Hijri span, then the Gregorian date in parentheses."""
    first, last = solar(date.earliest), solar(date.latest)
    shown = f"{_solar_span(first, last, _precision(date))} ({_gregorian(date)})"
    return shown.replace(" ", SPACE)


def persian(text: str) -> str | None:
    """``text`` (EDTF) worded in Persian with both calendars, or None if it does not parse."""
    try:
        parsed = edtf.parse(text)
    except (edtf.EDTFError, TypeError, ValueError):
        return None
    if isinstance(parsed, edtf.EDTFDate):
        return one_date(parsed)
    start = one_date(parsed.start) if parsed.start else None
    end = one_date(parsed.end) if parsed.end else None
    if start and end:
        return f"{start}{UNTIL}{end}"
    if start:
        return f"از {start}" + (" به بعد" if parsed.open_end else "، پایان نامعلوم")
    return f"تا {end}" + ("" if parsed.open_start else "، آغاز نامعلوم")
