"""The contributor's commands: `new`, and `validate` with positions and --format github."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chalicelib.cli import main
from support.minidata import mini, write


@pytest.fixture
def data(tmp_path):
    return write(mini(), tmp_path / "data")


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_new_person_writes_the_file_prints_its_path_and_validate_refuses_it(data):
    result = cli("new", "person", "Jane Example", "--data", str(data))
    assert result.exit_code == 0, result.output
    path = data / "people" / "jane-example.json"
    assert result.output == f"{path}\n"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["id"] == "jane-example" and record["name"] == "Jane Example"
    checked = cli("validate", str(path), "--data", str(data))
    assert checked.exit_code == 1
    problems = checked.output.splitlines()[1:]
    assert len(problems) == 2
    assert all("[placeholder] fill in: " in line for line in problems)


def test_new_twice_makes_a_second_id(data):
    first = cli("new", "place", "Gohardasht Prison", "--data", str(data)).output.strip()
    second = cli("new", "place", "Gohardasht Prison", "--data", str(data)).output.strip()
    assert first.endswith("gohardasht-prison.json") and second.endswith("gohardasht-prison-2.json")


def test_new_claim_fills_in_what_it_is_told(data):
    result = cli(
        "new", "claim", "Amnesty Evin burials", "--data", str(data),
        "--subject", "places/evin-prison", "--property", "victim_count",
        "--claimed-by", "organizations/amnesty-international",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads((data / "claims" / "amnesty-evin-burials.json").read_text())
    assert record["subject"] == "places/evin-prison" and set(record["value"]) == {"min", "max"}


def test_new_with_a_bad_option_is_a_usage_error_naming_it(data):
    result = cli("new", "claim", "x", "--data", str(data), "--subject", "evin")
    assert result.exit_code == 2
    assert "--subject 'evin' is not a reference" in result.output
    assert not (data / "claims" / "x.json").exists()
