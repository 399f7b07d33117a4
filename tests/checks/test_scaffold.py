"""New records: ids from names in any script, skeletons from the schemas, placeholders the
validator refuses with "fill in: …"."""

from __future__ import annotations

import json

import pytest

from chalicelib.checks.placeholders import (
    holds_placeholder,
    placeholder,
    placeholders_in,
    what_to_fill,
)
from chalicelib.checks.scaffold import Claimed, ScaffoldError, new_record, write_record
from chalicelib.checks.slugs import slug, unique_id
from chalicelib.checks.validate import Item, validate
from chalicelib.model.kinds import ID_MAX_LENGTH, KINDS
from chalicelib.model.schemas import SchemaSet
from support.minidata import items, mini, write

SCHEMAS = SchemaSet.from_dir()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jane Example", "jane-example"),
        ("  Cárdenas   Núñez (judge) ", "cardenas-nunez-judge"),
        ("Ebrahim Raisi", "ebrahim-raisi"),
        ("مصطفی پورمحمدی", "mstfi-purmhmdi"),
        ("حسین\u200cعلی منتظری", "hsinli-mntzri"),
        ("وحید", "vhid"),
        ("اعدام ۱۳۶۷", "adam-1367"),
        ("Straße 1988", "strasse-1988"),
        ("Страсбург", ""),
    ],
)
def test_slug_is_lowercase_ascii_words_joined_by_hyphens(name, expected):
    assert slug(name) == expected


def test_a_long_name_is_cut_at_a_word_within_the_id_limit():
    made = slug("word " * 40)
    assert len(made) <= ID_MAX_LENGTH and made.endswith("word") and "--" not in made


def test_unique_id_counts_up_past_ids_taken():
    taken = {"jane-example", "jane-example-2"}
    assert unique_id("Jane Example", taken.__contains__) == "jane-example-3"
    assert unique_id("Страсбург", set().__contains__, fallback="place") == "place"


def test_placeholders_are_found_with_their_pointers():
    record = {"a": [1, {"b/c": placeholder("the thing.")}], "d": "<fill in: x"}
    assert list(placeholders_in(record)) == [("/a/1/b~1c", "the thing")]
    assert what_to_fill("fill in: y") is None


@pytest.mark.parametrize(
    ("node", "looks"),
    [
        ({"a": [1, {"b/c": placeholder("the thing.")}]}, True),
        ([[[placeholder("deep")]]], True),
        (placeholder("the whole record"), True),
        ({"d": "<fill in: x", "e": [None, 2.5, True, "plain"]}, True),  # looks, is not one
        ({"<fill in: a key>": "keys are never blanks"}, False),
        ({"e": [None, 2.5, True, "plain"]}, False),
    ],
)
def test_the_quick_look_for_blanks_misses_none_the_walk_finds(node, looks):
    # validate skips the walk when the quick look finds nothing, so it must never miss one.
    assert holds_placeholder(node) is looks
    assert looks or not list(placeholders_in(node))


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_each_kind_gets_every_required_field_and_fails_only_on_its_blanks(kind, tmp_path):
    path, record = new_record(kind, "Jane Example", tmp_path, SCHEMAS)
    required = SCHEMAS.document(kind)["required"]
    assert list(record) == required
    assert path == tmp_path / path.parent.name / "jane-example.json"
    blanks = dict(placeholders_in(record))
    assert blanks, "a new record always has something to fill in"
    report = validate(
        [Item(kind, record, str(path), expected_id="jane-example")] + items(mini()), SCHEMAS
    )
    errors = report.items[0].errors
    assert [(e.pointer, e.keyword) for e in errors] == [(p, "placeholder") for p in blanks]
    assert all(e.message.startswith("fill in: ") for e in errors)
    assert all(item.valid for item in report.items[1:])


def test_filling_in_the_blanks_makes_a_valid_person(tmp_path):
    _, record = new_record("person", "Jane Example", tmp_path, SCHEMAS)
    record["categories"] = ["researcher"]
    record["sources"] = [{"source": "sources/amnesty-2018-report"}]
    report = validate([Item("person", record, "x")] + items(mini()), SCHEMAS)
    assert report.valid, report.to_dict()


def test_a_persian_name_is_a_persian_spelling_and_leaves_the_english_name_blank(tmp_path):
    path, record = new_record("person", "مصطفی پورمحمدی", tmp_path, SCHEMAS)
    assert path.name == "mstfi-purmhmdi.json"
    assert record["names"] == [{"name": "مصطفی پورمحمدی", "lang": "fa", "script": "Arab"}]
    assert what_to_fill(record["name"]) == "the display name, in English"


def test_the_id_is_made_unique_against_the_files_there(tmp_path):
    data = write(mini(), tmp_path / "data")
    path, record = new_record("place", "Evin Prison", data, SCHEMAS)
    assert record["id"] == "evin-prison-2" and path == data / "places" / "evin-prison-2.json"


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("victim_count", {"min": "the lowest figure", "max": "the highest figure"}),
        ("killed_at", "the killed_at value: a reference to a place"),
        ("occurred_on", "the occurred_on value: a date in the extended date/time format"),
        ("stated", "the stated value: free text"),
    ],
)
def test_a_claim_takes_its_value_shape_from_the_property(prop, value, tmp_path):
    claimed = Claimed("people/jane-example", prop, "organizations/amnesty-international")
    _, record = new_record("claim", "amnesty jane", tmp_path, SCHEMAS, claimed)
    assert record["subject"] == "people/jane-example"
    assert record["claimed_by"] == "organizations/amnesty-international"
    assert record["property"] == prop
    if isinstance(value, dict):
        assert set(record["value"]) == set(value)
        for key, start in value.items():
            assert what_to_fill(record["value"][key]).startswith(start)
    else:
        assert what_to_fill(record["value"]).lower().startswith(value)
    if prop == "killed_at":
        assert "places/" in what_to_fill(record["value"])


@pytest.mark.parametrize(
    ("kind", "claimed", "message"),
    [
        ("persona", Claimed(), "unknown kind 'persona'; give one of: person,"),
        ("person", Claimed(subject="people/x"), "for claims only"),
        ("claim", Claimed(property="killed"), "'killed' is not in the vocabulary"),
        ("claim", Claimed(subject="jane"), "--subject 'jane' is not a reference"),
        ("claim", Claimed(claimed_by="places/evin"), "--claimed-by 'places/evin' is not"),
    ],
)
def test_bad_requests_are_refused_by_name(kind, claimed, message, tmp_path):
    with pytest.raises(ScaffoldError, match=message.replace("(", r"\(")):
        new_record(kind, "x", tmp_path, SCHEMAS, claimed)


def test_an_empty_name_is_refused(tmp_path):
    with pytest.raises(ScaffoldError, match="the name is empty"):
        new_record("person", "  ", tmp_path, SCHEMAS)


def test_write_record_never_overwrites(tmp_path):
    path = tmp_path / "people" / "x.json"
    write_record(path, {"id": "x", "name": "ایران"})
    assert (
        path.read_text(encoding="utf-8")
        == json.dumps({"id": "x", "name": "ایران"}, ensure_ascii=False, indent=2) + "\n"
    )
    with pytest.raises(FileExistsError):
        write_record(path, {"id": "x"})


def test_a_file_is_walked_for_placeholders_only_when_its_bytes_hold_one(tmp_path):
    from chalicelib.checks.intake import load_file

    folder = tmp_path / "people"
    folder.mkdir()
    plain = folder / "a.json"
    plain.write_text(json.dumps({"id": "a", "name": "A <b>"}))
    # A writer that escapes '<' (as Go's does) still leaves the words: the blank is found.
    escaped = folder / "b.json"
    escaped.write_text('{"id": "b", "name": "\\u003cfill in: the display name>"}')
    assert load_file(plain, "people").may_hold_blanks is False
    item = load_file(escaped, "people")
    assert item.may_hold_blanks is True
    report = validate([item], SCHEMAS)
    assert ("/name", "placeholder") in [(p.pointer, p.keyword) for p in report.items[0].errors]
