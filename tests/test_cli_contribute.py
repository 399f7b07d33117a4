"""The contributor's commands: `new`, and `validate` with positions and --format github."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert result.output == f"{path}\n"  # absolute here: the folder is not under the cwd
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


# A broken place, written by hand so that every position below can be read off the text.
BROKEN_PLACE = """{
  "id": "evin-prison",
  "name": "Evin Prison",
  "names": [
    {"name": "اوین", "lang": "fa", "scrpt": "Arab"}
  ],
  "type": "jail",
  "within": "places/shiraz",
  "sources": [{"source": "sources/amnesty-2018-report"}]
}
"""
# (line, column, keyword, pointer) of each error, in the validator's order.
BROKEN_AT = [
    (5, 45, "additionalProperties", "/names/0/scrpt"),
    (7, 11, "enum", "/type"),
    (8, 13, "reference", "/within"),
]


@pytest.fixture
def broken(data):
    path = data / "places" / "evin-prison.json"
    path.write_text(BROKEN_PLACE, encoding="utf-8")
    return path


def test_the_known_positions_are_where_the_values_are():
    lines = BROKEN_PLACE.splitlines()
    starts = [lines[line - 1][column - 1 :] for line, column, _, _ in BROKEN_AT]
    assert starts == ['"Arab"}', '"jail",', '"places/shiraz",']


def test_format_github_prints_an_annotation_on_each_line_at_fault(data, broken):
    result = CliRunner().invoke(
        main, ["validate", str(broken), "--data", str(data), "--format", "github"]
    )
    assert result.exit_code == 1
    annotations = result.stdout.splitlines()
    assert len(annotations) == len(BROKEN_AT)
    for annotation, (line, column, keyword, pointer) in zip(annotations, BROKEN_AT):
        head, message = annotation.split("::", 2)[1:]
        assert head == (
            f"error file={broken},line={line},col={column},title={keyword} at {pointer}"
        )
        assert message
    assert "places/shiraz does not exist" in annotations[2]
    assert "INVALID" in result.stderr  # the summary is for the log, not an annotation


def test_github_annotations_escape_what_would_end_a_command():
    from chalicelib.checks.reporting import escape_data, escape_property

    assert escape_data("50% of\nthem") == "50%25 of%0Athem"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_text_and_json_give_the_same_positions(data, broken):
    text = cli("validate", str(broken), "--data", str(data)).output.splitlines()[1:]
    assert [line.split()[1] for line in text] == [
        f"{broken}:{ln}:{col}" for ln, col, _, _ in BROKEN_AT
    ]
    report = json.loads(
        cli("validate", str(broken), "--data", str(data), "--format", "json").output
    )
    result = report["results"][0]
    assert result["file"] == str(broken)
    assert [
        (e["line"], e["column"], e["keyword"], e["pointer"]) for e in result["errors"]
    ] == BROKEN_AT


def test_a_file_that_is_not_json_is_placed_where_the_parser_stopped(data):
    path = data / "places" / "tehran.json"
    path.write_text('{\n  "id": "tehran",\n  "name": "Tehran"\n  "type": "city"\n}\n')
    result = cli("validate", str(path), "--data", str(data), "--format", "github")
    assert result.output.startswith(f"::error file={path},line=4,col=3,title=json::")


def test_items_on_stdin_have_no_file_and_no_position(data):
    item = {"kind": "place", "record": {"id": "x"}}
    result = CliRunner().invoke(
        main, ["validate", "-", "--data", str(data), "--format", "github"], input=json.dumps(item)
    )
    assert result.stdout.splitlines()[0].startswith("::error file=item 0,title=")


def test_a_new_record_validated_reports_each_placeholder_at_its_line(data):
    path = cli("new", "person", "Jane Example", "--data", str(data)).output.strip()
    result = cli("validate", path, "--data", str(data))
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for problem in result.output.splitlines()[1:]:
        where = problem.split()[1]
        line, column = map(int, where.rsplit(":", 2)[1:])
        assert lines[line - 1][column - 1 :].startswith('"<fill in: ')


def test_new_prints_the_path_relative_to_where_it_runs(data, monkeypatch):
    monkeypatch.chdir(data.parent)
    result = cli("new", "person", "Jane Example", "--data", "data")
    assert result.output == "data/people/jane-example.json\n"


def test_a_warning_is_a_warning_annotation_at_its_file(data):
    # The same claim a second time: a duplicate, which the validator warns about.
    original = data / "claims" / "amnesty-period.json"
    copy = data / "claims" / "amnesty-period-again.json"
    record = json.loads(original.read_text())
    copy.write_text(json.dumps({**record, "id": "amnesty-period-again"}, indent=2))
    result = CliRunner().invoke(
        main, ["validate", str(copy), "--data", str(data), "--format", "github"]
    )
    assert result.exit_code == 0  # warnings do not fail the check
    (annotation,) = result.stdout.splitlines()
    assert annotation.startswith(f"::warning file={copy},line=1,col=1,title=duplicateClaim::")
    assert "claims/amnesty-period already makes the same claim" in annotation
