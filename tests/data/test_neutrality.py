"""The dataset's own voice stays neutral: no record's name, spelling or description passes
judgement. Words like "mass grave" or "perpetrator" belong in what a source says (a claim's
value or a quote, attributed to whoever says it), never in what the dataset says itself.
"""

from __future__ import annotations

import re

import pytest

from support.dataset import RECORDS, assert_each

# Words that pass judgement when the dataset uses them in its own voice.
JUDGING = ("mass grave", "perpetrator", "murderer", "butcher", "terrorist", "regime")
PATTERN = re.compile(r"\b(" + "|".join(re.escape(w) for w in JUDGING) + r")s?\b", re.IGNORECASE)

# Established proper names that may be used as they are, wherever they stand in a text: the
# checker leaves them out before it looks. Each entry says why.
ALLOWED = {
    # The event's common name, the words of Amnesty International's report title. None of the
    # judging words is in it today; it is listed so that a longer list of words never renames
    # the event.
    "1988 prison massacres": "the event's established common name",
    # A report's title, named as a title in source descriptions: the words are Amnesty
    # International's and Justice for Iran's, not the dataset's.
    "Criminal cover-up: Iran destroying mass graves of victims of 1988 killings": "a report's title",
}


def own_voice(record: dict) -> list[str]:
    """The texts in which the dataset speaks for itself: name, each names[].name, description."""
    texts = [record.get("name"), record.get("description")]
    texts += [n.get("name") for n in record.get("names", [])]
    return [t for t in texts if isinstance(t, str)]


def judging_words(text: str) -> list[str]:
    for name in ALLOWED:
        text = text.replace(name, " ")
    return [m.group(0) for m in PATTERN.finditer(text)]


def _no_record_passes_judgement_in_its_own_voice(key):
    found = {t: judging_words(t) for t in own_voice(RECORDS[key])}
    assert not {t: w for t, w in found.items() if w}, f"{'/'.join(key)} judges in its own voice"


def test_no_record_passes_judgement_in_its_own_voice():
    assert_each(sorted(RECORDS), _no_record_passes_judgement_in_its_own_voice, "/".join)


@pytest.mark.parametrize("word", JUDGING)
def test_every_judging_word_is_caught(word):
    assert judging_words(f"A {word.title()} site in a name"), word
    assert judging_words(f"{word}s, plural"), word


def test_words_inside_other_words_are_not_caught():
    assert not judging_words("A regimental museum; a perpetration")


def test_an_allowed_name_is_left_out_but_the_rest_of_the_text_is_read():
    title = "Criminal cover-up: Iran destroying mass graves of victims of 1988 killings"
    assert not judging_words(f"The report '{title}'.")
    assert judging_words(f"The report '{title}' on a mass grave site") == ["mass grave"]


def test_every_allowed_name_says_why_and_is_used():
    used = {t for r in RECORDS.values() for t in own_voice(r)}
    for name, why in ALLOWED.items():
        assert why.strip(), name
        assert any(name in text for text in used), f"{name!r} is allowed but unused: drop it"
