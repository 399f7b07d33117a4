"""EDTF dates in Persian with the Solar Hijri calendar: reference days and each precision."""

from __future__ import annotations

import pytest

from chalicelib.serve.pages import hijri
from chalicelib.serve.pages.hijri import solar


def persian(text):
    """The shown text with its no-break spaces and word joiners as plain spaces, to compare."""
    shown = hijri.persian(text)
    return None if shown is None else shown.replace("\u00a0", " ").replace("\u2060", "")


@pytest.mark.parametrize(
    ("gregorian", "solar_day"),
    [
        ("1979-02-11", (1357, 11, 22)),  # 22 Bahman 1357, the revolution's anniversary
        ("1979-04-01", (1358, 1, 12)),  # 12 Farvardin 1358, the referendum's anniversary
        ("1988-03-21", (1367, 1, 1)),  # Nowruz 1367
        ("1988-03-20", (1366, 12, 30)),  # 1366 is a leap year: Esfand has 30 days
        ("2024-03-20", (1403, 1, 1)),  # Nowruz 1403
    ],
)
def test_solar_matches_reference_conversions(gregorian, solar_day):
    day = solar(gregorian)
    assert (day.year, day.month, day.day) == solar_day


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1988-08", "مرداد–شهریور ۱۳۶۷ (اوت ۱۹۸۸)"),
        ("1988-08-28", "۶ شهریور ۱۳۶۷ (۲۸ اوت ۱۹۸۸)"),
        ("1988", "۱۳۶۶–۱۳۶۷ (۱۹۸۸)"),
        ("1988-22", "خرداد–شهریور ۱۳۶۷ (تابستان ۱۹۸۸)"),
        ("1988-03", "اسفند ۱۳۶۶–فروردین ۱۳۶۷ (مارس ۱۹۸۸)"),
        ("1988-07-XX", "تیر–مرداد ۱۳۶۷ (ژوئیه ۱۹۸۸)"),
        ("198X", "۱۳۵۸–۱۳۶۸ (۱۹۸۰–۱۹۸۹)"),
    ],
)
def test_a_date_is_shown_at_exactly_its_precision(text, shown):
    assert persian(text) == shown


def test_qualifiers_do_not_change_the_span():
    assert persian("1988-08?") == persian("1988-08~") == persian("1988-08")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1988-07-25/1988-09", "۳ مرداد ۱۳۶۷ (۲۵ ژوئیه ۱۹۸۸) تا شهریور–مهر ۱۳۶۷ (سپتامبر ۱۹۸۸)"),
        ("2016-08-10/..", "از ۲۰ مرداد ۱۳۹۵ (۱۰ اوت ۲۰۱۶) به بعد"),
        ("1988-07-25/", "از ۳ مرداد ۱۳۶۷ (۲۵ ژوئیه ۱۹۸۸)، پایان نامعلوم"),
        ("../1989", "تا ۱۳۶۷–۱۳۶۸ (۱۹۸۹)"),
        ("/1989", "تا ۱۳۶۷–۱۳۶۸ (۱۹۸۹)، آغاز نامعلوم"),
    ],
)
def test_intervals_name_both_ends_or_say_which_is_open(text, shown):
    assert persian(text) == shown


@pytest.mark.parametrize("text", ["August 1988", "1988-02-30", "", None])
def test_what_is_not_edtf_gives_none(text):
    assert persian(text) is None


def test_one_date_never_breaks_inside():
    shown = hijri.persian("1988-08")
    assert " " not in shown and "–\u2060" in shown
