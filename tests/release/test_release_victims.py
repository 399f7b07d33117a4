"""victims.csv and the filters derived from claims: which lists name a victim, and the age."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from chalicelib.model.kinds import BY_COLLECTION
from chalicelib.release.build import build_release
from chalicelib.release.index import CollectionIndex
from chalicelib.release.victims import VICTIMS_FILE, columns, quantity_text
from support.listdata import PMOI_LIST, UN_LIST, VICTIMS, list_dataset


@pytest.fixture
def release(write_data, release_time, tmp_path) -> Path:
    build_release(write_data(list_dataset()), tmp_path / "out")
    return tmp_path / "out"


def victims(release: Path) -> dict[str, dict[str, str]]:
    text = (release / "files" / VICTIMS_FILE).read_text(encoding="utf-8")
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def people_index(release: Path) -> CollectionIndex:
    folder = release / "index" / "people"
    return CollectionIndex.load(BY_COLLECTION["people"], lambda name: (folder / name).read_bytes())


def ids(index: CollectionIndex, param: str, value: str) -> list[str]:
    return [index.id_at(o) for o in index.posting(param, value)]


def test_one_row_per_victim_in_id_order_and_no_other_person(release):
    assert list(victims(release)) == list(VICTIMS)


def test_a_row_gives_the_names_by_script_and_each_group_with_its_claims(release):
    row = victims(release)["ali-both"]
    assert row["names_latn"] == "Ali Both"
    assert row["names_arab"] == "علی دو"
    assert row["died"] == "1988"
    assert row["death_claims"] == "ali-both-killed-at"
    assert row["death_places"] == "places/evin-prison"
    assert row["death_place_names"] == "Evin Prison"
    assert row["death_dates"] == "1988-08"
    assert row["death_claimed_by"] == "organizations/amnesty-international"
    assert row["age_at_alleged_offense"] == "16"
    assert row["age_at_alleged_offense_claims"] == "ali-both-age"
    # Aligned: the n-th list is what the n-th claim says, the claims in id order.
    assert row["list_claims"] == "ali-both-on-pmoi | ali-both-on-un"
    assert row["lists"] == f"{PMOI_LIST} | {UN_LIST}"
    assert row["list_titles"].startswith("Crime against humanity | Report on")
    assert (row["list_count"], row["under_18_at_alleged_offense"]) == ("2", "true")


def test_only_claims_that_assert_and_are_not_retracted_fill_a_row(release):
    rows = victims(release)
    cyrus, dara = rows["cyrus-pmoi"], rows["dara-none"]
    assert (cyrus["lists"], cyrus["list_count"]) == (PMOI_LIST, "1")  # the UN's is denied
    assert cyrus["affiliations"] == "organizations/stockholm-district-court"
    assert cyrus["affiliation_claims"] == "cyrus-pmoi-member"
    assert (dara["list_claims"], dara["list_count"]) == ("", "0")  # retracted
    assert (dara["age_at_alleged_offense"], dara["under_18_at_alleged_offense"]) == ("", "false")


def test_an_age_under_18_is_its_upper_bound_under_18(release):
    rows = victims(release)
    assert rows["bahram-un"]["age_at_alleged_offense"] == ">=16"
    assert rows["cyrus-pmoi"]["age_at_alleged_offense"] == "17-19"
    assert [i for i, r in rows.items() if r["under_18_at_alleged_offense"] == "true"] == [
        "ali-both"
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"min": 16, "max": 16}, "16"),
        ({"min": 16, "max": 17}, "16-17"),
        ({"min": 16}, ">=16"),
        ({"max": 16}, "<=16"),
        ({"min": 16, "max": 16, "approx": True}, "~16"),
        ({}, ""),
    ],
)
def test_quantity_text(value, text):
    assert quantity_text(value) == text


def test_the_people_index_answers_which_lists_name_whom(release):
    index = people_index(release)
    assert ids(index, "named_on_list", UN_LIST) == ["ali-both", "bahram-un"]
    assert ids(index, "named_on_list", PMOI_LIST) == ["ali-both", "cyrus-pmoi"]
    assert ids(index, "list_count", "2") == ["ali-both"]
    assert ids(index, "list_count", "1") == ["bahram-un", "cyrus-pmoi"]
    assert ids(index, "list_count", "0") == ["dara-none", "mostafa-pour-mohammadi"]
    assert ids(index, "under_18_at_alleged_offense", "true") == ["ali-both"]


def test_the_data_package_describes_victims_csv_with_its_column_types(release):
    package = json.loads((release / "files" / "datapackage.json").read_bytes())
    resource = next(r for r in package["resources"] if r["path"] == VICTIMS_FILE)
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert list(fields) == [c.name for c in columns()]
    assert fields["list_count"]["type"] == "integer"
    assert fields["under_18_at_alleged_offense"]["type"] == "boolean"
    assert resource["schema"]["primaryKey"] == ["id"]
    assert all(f.get("description") for f in fields.values())


def test_frictionless_reads_victims_csv_as_its_schema_says(release):
    from frictionless import validate

    report = validate(str(release / "files" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


def test_victims_csv_is_the_same_bytes_on_every_build(write_data, release_time, tmp_path):
    data = write_data(list_dataset())
    bodies = []
    for n in (1, 2):
        build_release(data, tmp_path / f"build-{n}")
        bodies.append((tmp_path / f"build-{n}" / "files" / VICTIMS_FILE).read_bytes())
    assert bodies[0] == bodies[1]
    assert b"ali-both" in bodies[0]
