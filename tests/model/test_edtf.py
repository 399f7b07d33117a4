"""Tests for chalicelib.model.edtf: syntax, calendar checks, bounds, and the portable pattern."""

import dataclasses
import datetime
import json
import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.errors import EDTFError
from chalicelib.model import edtf
from chalicelib.model.edtf import EDTF_PATTERN, EDTFDate, EDTFInterval, bounds, is_reversed, parse
from support.examples import examples

GOOD = {
    "1988": ("1988-01-01", "1988-12-31"),
    "1988-07": ("1988-07-01", "1988-07-31"),
    "1988-07-28": ("1988-07-28", "1988-07-28"),
    "1988-02": ("1988-02-01", "1988-02-29"),  # leap year
    "1900-02": ("1900-02-01", "1900-02-28"),  # century, not leap
    "2000-02-29": ("2000-02-29", "2000-02-29"),  # 400-year leap
    "1988-04": ("1988-04-01", "1988-04-30"),
    "1988-21": ("1988-03-01", "1988-05-31"),
    "1988-22": ("1988-06-01", "1988-08-31"),
    "1988-23": ("1988-09-01", "1988-11-30"),
    "1988-24": ("1988-12-01", "1989-02-28"),
    "1987-24": ("1987-12-01", "1988-02-29"),  # winter ends in a leap February
    "198X": ("1980-01-01", "1989-12-31"),
    "19XX": ("1900-01-01", "1999-12-31"),
    "198X-XX": ("1980-01-01", "1989-12-31"),
    "19XX-XX-XX": ("1900-01-01", "1999-12-31"),
    "1988-XX": ("1988-01-01", "1988-12-31"),
    "1988-XX-XX": ("1988-01-01", "1988-12-31"),
    "1988-07-XX": ("1988-07-01", "1988-07-31"),
    "1988?": ("1988-01-01", "1988-12-31"),
    "1988-07~": ("1988-07-01", "1988-07-31"),
    "1988-07-28%": ("1988-07-28", "1988-07-28"),
    "1988-22?": ("1988-06-01", "1988-08-31"),
    "198X~": ("1980-01-01", "1989-12-31"),
    "1988-07/1988-09": ("1988-07-01", "1988-09-30"),
    "1988-07-28/1988-09-05?": ("1988-07-28", "1988-09-05"),
    "1988-07/..": ("1988-07-01", None),
    "../1988-09": (None, "1988-09-30"),
    "1988/": ("1988-01-01", None),
    "/1988": (None, "1988-12-31"),
    "1988-22/1988-24": ("1988-06-01", "1989-02-28"),
    "1988-09/1988-07": ("1988-09-01", "1988-07-31"),  # reversed, but well-formed
    "0000": ("0000-01-01", "0000-12-31"),
    "9999-12-31": ("9999-12-31", "9999-12-31"),
}

# Strings the pattern itself rejects.
BAD_SYNTAX = [
    "",
    " ",
    "1988 ",
    " 1988",
    "1988\n",
    "88",
    "19888",
    "-1988",
    "-0001",
    "+1988",
    "Y12345",
    "1988-7",
    "1988-7-28",
    "1988-00",
    "1988-13",
    "1988-20",
    "1988-25",
    "1988-07-00",
    "1988-07-32",
    "1988-07-28T10:00",
    "1988/07/28",
    "28-07-1988",
    "1988-21-05",
    "1988-XX-15",
    "198X-07",
    "19XX-07-28",
    "1XXX",
    "XXXX",
    "198x",
    "1988-xx",
    "1988??",
    "1988?~",
    "?1988",
    "~1988",
    "1988-07//1988-09",
    "1988/1989/1990",
    "/",
    "../..",
    "../",
    "/..",
    "..",
    "...",
    "1988/...",
    "1988 /1989",
    "1988-07-28Z",
    "١٩٨٨",
    "۱۳۶۷",
    "1988-",
    "1988-07-",
    "[1988,1989]",
    "{1988..1989}",
]
# Strings the pattern lets through but the calendar forbids.
BAD_CALENDAR = {
    "1988-02-30": "'1988-02-30' is not a valid EDTF date: day 30 does not exist in 1988-02",
    "1989-02-29": "day 29 does not exist in 1989-02",
    "1900-02-29": "day 29 does not exist in 1900-02",
    "1988-04-31": "day 31 does not exist in 1988-04",
    "1988-02-30/1989": "day 30 does not exist",
    "1987/1988-06-31?": "day 31 does not exist in 1988-06",
    "9999-24": "ends in year 10000",
}


@pytest.mark.parametrize("text,expected", GOOD.items())
def test_good_bounds(text, expected):
    assert re.fullmatch(EDTF_PATTERN, text)
    assert bounds(text) == expected
    parsed = parse(text)
    assert str(parsed) == text
    assert (parsed.earliest, parsed.latest) == expected


@pytest.mark.parametrize("text", BAD_SYNTAX)
def test_bad_syntax(text):
    assert not re.fullmatch(EDTF_PATTERN, text)
    for fn in (parse, bounds, is_reversed):
        with pytest.raises(EDTFError) as info:
            fn(text)
        assert repr(text) in str(info.value)
        assert "is not a valid EDTF date: " in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("text,message", BAD_CALENDAR.items())
def test_bad_calendar(text, message):
    assert re.fullmatch(EDTF_PATTERN, text)  # only the calendar rules it out
    for fn in (parse, bounds, is_reversed):
        with pytest.raises(EDTFError, match=re.escape(message)):
            fn(text)


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "it is empty"),
        ("-1988", "negative years are not supported"),
        ("1988-13", "month 13 does not exist"),
        ("1988-7", "two digits"),
        ("1988-07-32", "day 32 does not exist"),
        ("1988-21-05", "a season has no day"),
        ("198X-07", "may only end a date"),
        ("198x", "capital X"),
        ("19888", "four digits"),
        ("1988??", "at most one qualifier"),
        ("1988/1989/1990", "exactly one '/'"),
        ("../..", "a date on at least one side"),
        ("1988 ", "whitespace"),
    ],
)
def test_error_messages_name_the_problem(text, reason):
    with pytest.raises(EDTFError, match=re.escape(reason)):
        parse(text)


@pytest.mark.parametrize("value", [None, 1988, b"1988", ["1988"]])
def test_non_strings_are_rejected(value):
    with pytest.raises(EDTFError, match="must be a string"):
        parse(value)
    with pytest.raises(EDTFError):
        is_reversed(value)


def test_errors_are_not_cached_away():
    for _ in range(3):
        with pytest.raises(EDTFError):
            bounds("1988-02-30")


def test_parse_structures():
    assert parse("1988-07-28?") == EDTFDate("1988", "07", "28", "?", "1988-07-28", "1988-07-28")
    assert parse("1988-22") == EDTFDate("1988", "22", None, None, "1988-06-01", "1988-08-31")
    assert parse("198X") == EDTFDate("198X", None, None, None, "1980-01-01", "1989-12-31")
    interval = parse("1988-07/..")
    assert isinstance(interval, EDTFInterval)
    assert interval.start == parse("1988-07") and interval.end is None
    assert interval.open_end and not interval.open_start
    unknown = parse("/1988")
    assert unknown.start is None and not unknown.open_start
    assert (unknown.earliest, unknown.latest) == (None, "1988-12-31")
    with pytest.raises(dataclasses.FrozenInstanceError):
        interval.start = None


def test_qualifiers_do_not_widen_bounds():
    for q in "?~%":
        assert bounds("1988-07" + q) == bounds("1988-07")
        assert bounds(f"1988-07{q}/1988-09{q}") == bounds("1988-07/1988-09")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1988-09/1988-07", True),
        ("1989/1988", True),
        ("1988-07-29/1988-07-28", True),
        ("1988-07/1988-09", False),
        ("1988-07-28/1988-07-28", False),
        ("1988/1988-03", False),  # overlapping imprecise ends are not reversed
        ("1988-07-15/1988-07", False),
        ("1988-24/1989-01", False),  # winter 1988 runs into 1989
        ("1989-03/1988-24", True),
        ("1988", False),
        ("1988-09/..", False),
        ("../1988", False),
        ("1990/", False),
        ("/1980", False),
    ],
)
def test_is_reversed(text, expected):
    assert is_reversed(text) is expected


# --- The pattern is the contract shared with JSON Schema: check it against parse(). ---------------


def _calendar_impossible(text: str) -> bool:
    """An independent oracle, using datetime, for why a pattern match may fail to parse."""
    for side in text.split("/"):
        side = side.rstrip("?~%")
        if side in ("", ".."):
            continue
        if side[5:7] == "24" and side[:4] == "9999":
            return True
        if len(side) == 10 and "X" not in side:
            year = int(side[:4]) or 400  # datetime has no year 0; 400 has the same leap rule
            try:
                datetime.date(year, int(side[5:7]), int(side[8:10]))
            except ValueError:
                return True
    return False


@settings(max_examples=examples(1500), deadline=None)
@given(st.from_regex(EDTF_PATTERN, fullmatch=True))
def test_everything_the_pattern_matches_parses_unless_the_calendar_forbids(text):
    try:
        parsed = parse(text)
    except EDTFError:
        assert _calendar_impossible(text), text
        return
    assert not _calendar_impossible(text)
    assert str(parsed) == text
    earliest, latest = bounds(text)
    assert (earliest, latest) == (parsed.earliest, parsed.latest)
    dates = (
        [parsed] if isinstance(parsed, EDTFDate) else [d for d in (parsed.start, parsed.end) if d]
    )
    for d in dates:
        assert d.earliest <= d.latest
        for day in (d.earliest, d.latest):
            y, m, dd = day.split("-")
            datetime.date(int(y) or 400, int(m), int(dd))  # a real day


_ALPHABET = st.sampled_from(
    list("0123456789X-/.?~%x ") + ["19", "198", "1988", "-0", "-1", "-2", ".."]
)


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(_ALPHABET, max_size=12).map("".join))
def test_parse_accepts_only_what_the_pattern_matches(text):
    matches = re.fullmatch(EDTF_PATTERN, text) is not None
    try:
        parse(text)
        accepted = True
    except EDTFError:
        accepted = False
    assert accepted == (matches and not _calendar_impossible(text))


def test_pattern_is_portable_syntax():
    assert EDTF_PATTERN.startswith("^") and EDTF_PATTERN.endswith("$")
    for construct in ("(?<", "(?P", "(?i", "(?=", "(?!", "\\Z", "\\z", "\\A", "\\d", "\\w", "\\b"):
        assert construct not in EDTF_PATTERN
    assert re.fullmatch(r"[\^$0-9A-Za-z\[\]\-(){}|?:~%/\\.,]*", EDTF_PATTERN)


_SAMPLES = list(GOOD) + BAD_SYNTAX + list(BAD_CALENDAR) + ["1988-07/1988-09~", "/1988-24%"]


def test_pattern_agrees_in_rust_jsonschema():
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": EDTF_PATTERN})
    for text in _SAMPLES:
        if text.endswith("\n"):
            continue  # "$" before a final newline differs between engines; parse() rejects it
        assert validator.is_valid(text) == bool(re.fullmatch(EDTF_PATTERN, text)), text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_pattern_agrees_in_ecmascript():
    script = (
        "const [p, xs] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const r = new RegExp(p, 'u');"
        "process.stdout.write(JSON.stringify(xs.map(x => r.test(x))));"
    )
    out = subprocess.run(
        ["node", "-e", script],
        input=json.dumps([EDTF_PATTERN, _SAMPLES]),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    for text, ok in zip(_SAMPLES, json.loads(out)):
        assert ok == bool(re.fullmatch(EDTF_PATTERN, text)), text


def test_bounds_is_cached_and_fast():
    bounds.cache_clear()
    bounds("1988-07-28")
    bounds("1988-07-28")
    assert bounds.cache_info().hits >= 1
    raw = bounds.__wrapped__
    days = [f"1988-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)] * 60
    import time

    # CPU time, not wall time: the suite runs in parallel beside other work on a shared machine.
    start = time.process_time()
    for text in days:
        raw(text)
    per_call = (time.process_time() - start) / len(days)
    assert per_call < 20e-6  # uncached; a build does ~1M of these and mostly hits the cache


def test_module_docs_name_the_hemisphere():
    assert "northern" in edtf.__doc__


# -- the calendar pattern: exactly what parse accepts, for API parameters --------------------


@settings(max_examples=examples(1500), deadline=None)
@given(st.from_regex(EDTF_PATTERN, fullmatch=True))
def test_the_calendar_pattern_matches_exactly_what_parses(text):
    try:
        parse(text)
        parsed = True
    except EDTFError:
        parsed = False
    assert bool(re.fullmatch(edtf.EDTF_CALENDAR_PATTERN, text)) == parsed, text
    assert len(text) <= edtf.EDTF_MAX_LENGTH


@settings(max_examples=examples(1000), deadline=None)
@given(st.from_regex(edtf.EDTF_CALENDAR_PATTERN, fullmatch=True))
def test_everything_the_calendar_pattern_matches_has_bounds(text):
    bounds(text)  # raises EDTFError for anything the server would refuse
    assert re.fullmatch(EDTF_PATTERN, text)


@pytest.mark.parametrize(
    "text,ok",
    [
        ("1988-02-29", True),
        ("2000-02-29", True),
        ("0000-02-29", True),
        ("1900-02-29", False),
        ("1989-02-29", False),
        ("1988-02-30", False),
        ("1988-04-31", False),
        ("1988-07-31", True),
        ("9998-24", True),
        ("9999-24", False),
        ("1988/9999-24", False),
        ("1988-07-28%/1989-07-28%", True),
    ],
)
def test_the_calendar_pattern_on_the_calendar_edges(text, ok):
    assert bool(re.fullmatch(edtf.EDTF_CALENDAR_PATTERN, text)) is ok
    validator = pytest.importorskip("jsonschema_rs").validator_for(
        {"type": "string", "pattern": edtf.EDTF_CALENDAR_PATTERN}
    )
    assert validator.is_valid(text) is ok
