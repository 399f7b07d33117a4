"""Tests for chalicelib.model.folding: which spellings of a name are the same name."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.model import folding
from chalicelib.model.folding import finds, fold, loose, query_forms, text_forms, written_forms

# --- fold -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,b",
    [
        ("Pour-Mohammadi", "pourmohammadi"),
        ("Pour Mohammadi", "pourmohammadi"),
        ("POUR–MOHAMMADI", "pourmohammadi"),  # en dash
        ("Agnès", "agnes"),
        ("Ḥusayn", "husayn"),
        ("Moʿtamedi", "motamedi"),  # modifier-letter ayn in a transliteration
        ("O'Brien", "obrien"),
        ("Straße", "strasse"),
        ("علي", "علی"),  # Arabic yeh -> Persian yeh
        ("على", "علی"),  # alef maksura
        ("كريمي", "کریمی"),  # Arabic kaf
        ("فاطمة", "فاطمه"),  # teh marbuta
        ("خانۀ", "خانه"),  # heh with yeh above
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهیم"),
        ("ٱلله", "الله"),
        ("آزاده", "ازاده"),
        ("مؤمن", "مومن"),
        ("رئیس", "رییس"),
        ("می\u200cرود", "میرود"),  # ZWNJ
        ("ز\u200dن", "زن"),  # ZWJ
        ("محـــمد", "محمد"),  # tatweel
        ("مُحَمَّد", "محمد"),  # harakat
        ("۱۳۶۷", "1367"),
        ("١٩٨٨", "1988"),  # Persian and Arabic-Indic digits
        ("ﻋﻠﻲ", "علی"),  # presentation forms
        ("１９８８", "1988"),  # fullwidth
    ],
)
def test_fold_equivalences(a, b):
    assert fold(a) == fold(b)


def test_fold_examples():
    assert (
        fold("Pour-Mohammadi") == fold("pourmohammadi") == fold("Pour Mohammadi") == "pourmohammadi"
    )
    assert fold("Agnès") == "agnes"
    assert fold("علي") == fold("علی") == "علی"
    assert fold("می\u200cرود") == fold("میرود") == "میرود"
    assert fold("---") == fold("") == fold(" \u200c\u0640 ") == ""
    assert fold("1988-07-28") == "19880728"


def test_fold_keeps_distinct_letters_distinct():
    assert fold("Karimi") != fold("Kerimi")
    assert fold("پ") != fold("ب")  # Persian letters are not folded to Arabic look-alikes
    assert fold("ک") != fold("گ")


@given(st.text())
def test_fold_is_idempotent_and_keeps_only_letters_and_ascii_digits(text):
    folded = fold(text)
    assert fold(folded) == folded
    for ch in folded:
        assert (ch.isascii() and ch.isdigit()) or unicodedata.category(ch).startswith("L")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_matches_general_path(text):
    general = unicodedata.normalize("NFKD", text).translate(folding._TABLE)
    assert fold(text) == general


def test_fold_cache_is_bounded():
    table = folding._FoldTable()
    table._LIMIT = 10
    "".join(chr(c) for c in range(0x4E00, 0x4E00 + 50)).translate(table)
    assert len(table) == 10
    assert "\u4e30".translate(table) == "\u4e30"


# --- loose: Latin transliterations ------------------------------------------------------------

# Pairs of spellings the pages data/ cites use for one name (or that a user types for it), each
# pair differing by one of the transliteration choices folding forgives.
TRANSLITERATIONS = [
    ("Nayyeri", "Nayeri"),  # doubled consonant
    ("Pour-Mohammadi", "Purmohammadi"),  # ou/u, hyphen
    ("Pour Mohammadi", "Pourmohamadi"),  # space, doubled consonant
    ("Avaei", "Avayi"),  # the hamza between vowels
    ("Avaee", "Avai"),
    ("Raisi", "Reisi"),  # ai/ei
    ("Raeesi", "Raisi"),  # ee/i
    ("Khomeini", "Khomeyni"),  # ey/ei
    ("Mousavi", "Moosavi"),  # oo/ou
    ("Musavi", "Mousavi"),
    ("Khavaran", "Khaavaran"),  # aa/a
    ("Vahabzadeh", "Wahabzadeh"),  # w/v
    ("Eshraghi", "Eshraqi"),  # gh/q
    ("Ghezel Hesar", "Qezelhesar"),
    ("Hosseini", "Hoseyni"),
]


@pytest.mark.parametrize("a,b", TRANSLITERATIONS)
def test_loose_forgives_transliteration(a, b):
    assert loose(fold(a)) == loose(fold(b))
    assert finds(a, b) and finds(b, a)


def test_loose_keeps_names_apart():
    assert loose(fold("Karimi")) != loose(fold("Kerimi"))
    assert loose(fold("Raisi")) != loose(fold("Rasi"))
    assert loose(fold("1988")) == "1988"  # digits are never collapsed
    assert loose(fold("11")) == "11"


def test_text_forms_are_the_folded_and_the_loose_form_once():
    assert text_forms("Hossein Ali Nayyeri") == ["hosseinalinayyeri", "hoseinalineieri"]
    assert text_forms("Evin") == ["evin"]
    assert text_forms("--") == []


def test_a_prefix_still_finds_through_the_folded_form():
    # The loose form changes letters ("Raisi" -> "reisi"), so what a user has typed so far is
    # found through the strict form.
    assert finds("Ra", "Ebrahim Raisi") and finds("Nay", "Nayyeri") and finds("Po", "Pour")


# --- place and body names with or without their common noun -----------------------------------


@pytest.mark.parametrize(
    "query,name",
    [
        ("زندان اوین", "اوین"),
        ("اوین", "زندان اوین"),
        ("زندان اوین", "زندان اوین"),
        ("Evin Prison", "Evin"),
        ("Evin", "Evin Prison"),
        ("گورستان خاوران", "خاوران"),
        ("خاوران", "گورستان خاوران"),
        ("عفو بین‌الملل", "سازمان عفو بین‌الملل"),
        ("عفو بين الملل", "عفو بین‌الملل"),  # Arabic yeh, a space for the ZWNJ
    ],
)
def test_a_place_is_found_with_or_without_its_common_noun(query, name):
    assert finds(query, name)


def test_a_common_noun_alone_is_still_searched_for():
    assert query_forms("زندان") == [fold("زندان")]
    assert query_forms("Prison") == ["prison"]
    assert not finds("زندان اوین", "زندان قصر")


# --- written_forms: for an index that cannot fold --------------------------------------------


def test_written_forms_hold_the_letter_forms_a_page_may_use():
    forms = written_forms("ابراهیم ریيسی")
    assert "ابراهيم رييسي" in forms  # Arabic yeh
    assert "ابراهیم رئیسی" in forms  # hamza seat
    assert "ابراهیم رییسی" in forms
    assert written_forms("Pour-Mohammadi") == ["Pour-Mohammadi"]
    assert written_forms("کاظمی")[:2] == ["کاظمی", "كاظمي"]


@given(st.text(), st.text())
def test_finds_is_a_form_of_one_inside_a_form_of_the_other(query, text):
    found = finds(query, text)
    if fold(query) and fold(query) in fold(text):
        assert found  # what the strict fold finds, search still finds
    if not fold(query):
        assert not found
