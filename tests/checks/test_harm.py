"""Do no harm in the validator: withheld pointers, consent for the living, personal data."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.checks import harm
from chalicelib.checks.validate import validate
from chalicelib.cli import main
from chalicelib.model.schemas import SchemaSet
from support.examples import examples
from support.harmdata import WITNESS_NAME, harm_dataset, witness
from support.minidata import items, mini, write

SCHEMAS = SchemaSet.from_dir()


def problems_of(dataset, record_id, kind="errors"):
    report = validate(items(dataset), SCHEMAS)
    item = next(i for i in report.items if i.record_id == record_id)
    return [(p.pointer, p.keyword) for p in getattr(item, kind)]


def with_person(person: dict) -> dict:
    dataset = mini()
    dataset["people"].append(person)
    return dataset


def test_the_harm_dataset_is_valid_with_no_warnings():
    report = validate(items(harm_dataset()), SCHEMAS)
    assert report.valid, [(i.origin, i.errors) for i in report.items if i.errors]
    assert report.warning_count == 0


# -- consent ----------------------------------------------------------------------------------


def test_a_living_witness_named_without_consent_is_an_error_at_each_name():
    found = problems_of(with_person(witness(withheld=False)), "witness-a")
    assert found == [("/name", "consent"), ("/names/0", "consent"), ("/names/1", "consent")]


def test_the_consent_error_says_what_evidence_is_needed_and_how_to_withhold():
    report = validate(items(with_person(witness(withheld=False))), SCHEMAS)
    message = next(i for i in report.items if i.record_id == "witness-a").errors[0].message
    assert "living witness" in message and "speaks_publicly_as" in message
    assert '"reason": "no-consent"' in message


def test_a_cited_source_in_which_they_speak_publicly_is_consent():
    assert problems_of(with_person(witness(withheld=False, consent=True)), "witness-a") == []


@pytest.mark.parametrize("category", ["survivor", "witness", "family-member"])
def test_every_living_category_needs_consent(category):
    person = witness(withheld=False)
    person["categories"] = [category]
    assert ("/name", "consent") in problems_of(with_person(person), "witness-a")


def test_a_person_with_a_date_of_death_is_not_living():
    person = witness(withheld=False)
    person["died"] = "1988"
    assert problems_of(with_person(person), "witness-a") == []


def test_consent_must_name_one_of_their_names_and_say_where_they_speak():
    person = witness(withheld=False, consent=True)
    person["sources"][0]["speaks_publicly_as"] = "Somebody Else"
    found = problems_of(with_person(person), "witness-a")
    assert ("/sources/0/speaks_publicly_as", "consent") in found
    assert ("/name", "consent") in found
    person["sources"][0]["speaks_publicly_as"] = WITNESS_NAME.upper()
    del person["sources"][0]["locator"]
    assert ("/sources/0/locator", "consent") in problems_of(with_person(person), "witness-a")


def test_a_name_withheld_for_any_reason_needs_no_consent():
    person = witness()
    person["withheld"] = [
        {"pointer": "/name", "reason": "safety"},
        {"pointer": "/names", "reason": "safety"},
    ]
    assert problems_of(with_person(person), "witness-a") == []


def test_one_name_left_unwithheld_is_still_an_error():
    person = witness()
    person["withheld"] = person["withheld"][:2]
    assert problems_of(with_person(person), "witness-a") == [("/names/1", "consent")]


# -- withheld pointers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("/names/7", ("/withheld/3/pointer", "withheld")),
        ("/nickname", ("/withheld/3/pointer", "withheld")),
        ("/id", ("/withheld/3/pointer", "withheld")),
        ("/withheld/0", ("/withheld/3/pointer", "withheld")),
        ("/name", ("/withheld/3/pointer", "withheld")),  # given twice
        ("names/0", ("/withheld/3/pointer", "pattern")),
    ],
)
def test_every_withheld_pointer_must_name_a_value_once(pointer, expected):
    person = witness()
    person["withheld"].append({"pointer": pointer, "reason": "legal"})
    assert problems_of(with_person(person), "witness-a") == [expected]


def test_the_reason_comes_from_the_fixed_list():
    person = witness()
    person["withheld"][0]["reason"] = "embarrassing"
    assert problems_of(with_person(person), "witness-a") == [("/withheld/0/reason", "enum")]


def test_a_withheld_value_repeated_elsewhere_in_the_record_is_an_error():
    person = witness()
    person["description"] = f"{WITNESS_NAME.lower()} gave testimony."
    assert problems_of(with_person(person), "witness-a") == [("/description", "withheld")]


def test_an_id_that_spells_a_withheld_name_is_an_error():
    person = witness()
    person["id"] = "zahra-kazemi-yeganeh"
    dataset = with_person(person)
    assert problems_of(dataset, "zahra-kazemi-yeganeh") == [("/id", "withheld")]


# -- personal data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Reach her on +98 21 8888 7777.",
        "Her number is 0912 345 6789.",
        "Write to witness.a@example.org for details.",
        "She lives at 12 Baker Street, London.",
        "تهران، خیابان انقلاب، کوچه ۵، پلاک ۱۲",
    ],
)
def test_personal_data_in_a_text_field_is_a_warning_with_a_pointer(text):
    dataset = mini()
    dataset["events"][0]["description"] = text
    assert problems_of(dataset, "1988-prison-massacres", "warnings") == [
        ("/description", "personalData")
    ]
    assert problems_of(dataset, "1988-prison-massacres") == []


@pytest.mark.parametrize(
    "text",
    [
        "Between 2,800 and 5,000 prisoners, July to September 1988.",
        "Amnesty index MDE 13/9421/2018, pp. 12-14.",
        "Published on 19 Mordad 1395 (2016-08-09) at 10:30.",
        "ISBN 978-0-00-000000-0",
    ],
)
def test_figures_dates_and_document_numbers_are_not_personal_data(text):
    dataset = mini()
    dataset["events"][0]["description"] = text
    assert problems_of(dataset, "1988-prison-massacres", "warnings") == []


def test_a_withheld_phone_number_is_not_warned_about():
    dataset = mini()
    event = dataset["events"][0]
    event["description"] = "Reach the family on +98 21 8888 7777."
    event["withheld"] = [{"pointer": "/description", "reason": "safety"}]
    assert problems_of(dataset, "1988-prison-massacres", "warnings") == []


# -- the command line ------------------------------------------------------------------------


def test_the_cli_reports_a_living_witness_named_without_consent_with_a_pointer(tmp_path):
    data = write(with_person(witness(withheld=False)), tmp_path / "data")
    result = CliRunner().invoke(main, ["validate", str(data), "--data", str(data)])
    assert result.exit_code == 1
    path = data / "people" / "witness-a.json"
    assert any(
        # The line and column of the value come first (contributors' editors jump to them).
        line.startswith(f"  error   {path}:3:11 #/name [consent]")
        for line in result.output.splitlines()
    ), result.output


def test_the_cli_accepts_the_same_witness_withheld(tmp_path):
    data = write(copy.deepcopy(harm_dataset()), tmp_path / "data")
    result = CliRunner().invoke(main, ["validate", str(data), "--data", str(data)])
    assert result.exit_code == 0, result.output


def test_a_name_one_record_withholds_is_an_error_where_another_record_shows_it():
    dataset = harm_dataset()
    dataset["events"][0]["description"] = f"Testimony of {WITNESS_NAME}."
    assert problems_of(dataset, "1988-prison-massacres") == [("/description", "withheld")]
    report = validate(items(dataset), SCHEMAS)
    message = next(i for i in report.items if i.record_id == "1988-prison-massacres").errors[0]
    assert "people/witness-a withholds" in message.message
    assert WITNESS_NAME not in message.message


def test_a_withheld_date_may_be_shared_by_other_records():
    dataset = harm_dataset()
    dataset["events"][0]["description"] = "Began on 1961-03-04."
    assert problems_of(dataset, "1988-prison-massacres") == []


# The personal-data search skips texts that cannot match before it runs a pattern; these hold
# the shortcuts to what the bare patterns find, on texts made of what the patterns look for.
PHONE_LIKE = st.text(
    alphabet=st.sampled_from(list("0012345689+() .-/x@aA") + ["۰", "۹", "٣"]), max_size=40
)
STREET_LIKE = st.lists(
    st.sampled_from(["12", "No.", " ", "Baker", "Street", "St", "Ave", "خیابان", "پلاک", "۵", ","]),
    max_size=12,
).map("".join)


def bare_pattern_finds(pattern, what: str, text: str) -> bool:
    if what == "a phone number":
        return any(sum(c.isdigit() for c in m.group()) >= 8 for m in pattern.finditer(text))
    return pattern.search(text) is not None


@settings(max_examples=examples(400), deadline=None)
@given(st.one_of(PHONE_LIKE, STREET_LIKE))
def test_the_shortcuts_of_the_personal_data_search_find_what_the_patterns_find(text):
    western = harm._western_digits(text)
    assert western == text.translate(harm._DIGITS)
    for pattern, what in harm.PERSONAL_DATA:
        assert harm._found(pattern, what, western) == bare_pattern_finds(pattern, what, western)
