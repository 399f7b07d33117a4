"""The command line: `python -m chalicelib validate`, its output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from chalicelib.cli import main
from support.minidata import mini, record, write


@pytest.fixture
def data(tmp_path):
    return write(mini(), tmp_path / "data")


def run(*args, input=None):
    return CliRunner().invoke(main, ["validate", *args], input=input, catch_exceptions=False)


def test_valid_folder_prints_one_summary_line_and_exits_0(data):
    result = run(str(data), "--data", str(data))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{data}: valid: 11 records (people 1, organizations 2, places 2, events 1, "
        "sources 2, claims 3); 0 errors, 0 warnings"
    ]


def test_invalid_record_prints_a_line_per_problem_and_exits_1(data):
    path = data / "places" / "evin-prison.json"
    rec = json.loads(path.read_text())
    rec["within"] = "places/shiraz"
    rec["colour"] = "grey"
    path.write_text(json.dumps(rec, indent=2))
    result = run(str(data), "--data", str(data))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "INVALID" in lines[0] and "2 errors" in lines[0]
    # Each problem is placed at its value, line:column, as editors and terminals open it.
    text = path.read_text().splitlines()
    colour = next(n for n, line in enumerate(text, 1) if '"colour"' in line)
    within = next(n for n, line in enumerate(text, 1) if '"within"' in line)
    assert f"  error   {path}:{colour}:13 #/colour [additionalProperties]" in lines[1]
    assert lines[2] == (
        f"  error   {path}:{within}:13 #/within [reference] places/shiraz does not exist"
    )


def test_one_file_is_checked_against_the_rest_of_the_data(data):
    result = run(str(data / "claims" / "amnesty-period.json"), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "1 records" in result.output


def test_json_output_has_the_shape_of_post_validate(data):
    result = run(str(data / "places"), "--data", str(data), "--json")
    report = json.loads(result.output)
    assert report["valid"] is True
    assert [r["id"] for r in report["results"]] == ["evin-prison", "tehran"]
    assert set(report["results"][0]) == {"index", "id", "kind", "valid", "errors", "warnings"}


def test_stdin_items_are_validated_against_the_data(data):
    items = [
        {"kind": "place", "record": dict(record("places", "tehran"), id="karaj")},
        {"kind": "planet", "record": {"id": "mars"}},
    ]
    result = run("-", "--data", str(data), "--json", input=json.dumps(items))
    assert result.exit_code == 1
    results = json.loads(result.output)["results"]
    assert results[0]["valid"] is True
    assert results[1]["errors"][0]["keyword"] == "kind"


@pytest.mark.parametrize("stdin", ["", "not json", "[" * 100 + "]" * 100])
def test_unreadable_stdin_is_a_usage_error(data, stdin):
    result = run("-", "--data", str(data), input=stdin)
    assert result.exit_code == 2
    assert "stdin:" in result.output


def test_unknown_option_is_a_usage_error():
    assert run("--colour").exit_code == 2


def test_the_repository_dataset_is_valid():
    """`python -m chalicelib validate` on data/ exits 0 with counts per collection."""
    done = subprocess.run(
        [sys.executable, "-m", "chalicelib", "validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.splitlines()[0]
    assert ": valid: " in summary and "0 errors, 0 warnings" in summary
    for collection in ("people", "organizations", "places", "events", "sources", "claims"):
        assert f"{collection} " in summary
