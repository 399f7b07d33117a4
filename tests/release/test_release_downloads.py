"""The downloads in files/: JSON Lines, CSV, claims × citations, the data package."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.build import build_release
from chalicelib.release.layout import sha256_hex
from chalicelib.release.tables import columns_for


@pytest.fixture
def files(data_dir, tmp_path) -> Path:
    """The files/ folder of a release built from the tombstoned mini dataset."""
    build_release(data_dir, tmp_path / "out")
    return tmp_path / "out" / "files"


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def test_frictionless_validate_reports_the_data_package_valid(files):
    from frictionless import validate

    report = validate(str(files / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    assert len(report.tasks) == 20  # every resource: all.sqlite, metadata.json, victims.csv too


def test_frictionless_validate_catches_a_changed_byte(files):
    from frictionless import validate

    places = files / "places.csv"
    places.write_bytes(places.read_bytes().replace(b"Tehran", b"Tehrun"))
    report = validate(str(files / "datapackage.json"))
    assert not report.valid
    assert [e[0] for e in report.flatten(["type"])] == ["hash-count"]


def test_data_package_gives_every_other_file_its_sha256_and_size(files):
    package = json.loads((files / "datapackage.json").read_bytes())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    by_path = {r["path"]: r for r in package["resources"]}
    assert set(by_path) == {p.name for p in files.iterdir()} - {"datapackage.json"}
    for path, resource in by_path.items():
        body = (files / path).read_bytes()
        assert resource["hash"] == "sha256:" + sha256_hex(body)
        assert resource["bytes"] == len(body)


def test_gzip_files_carry_no_timestamp_or_file_name(files):
    header = (files / "claims.jsonl.gz").read_bytes()[:10]
    assert header[3] == 0  # FLG: no FNAME, no comment
    assert header[4:8] == b"\0\0\0\0"  # MTIME 0


def test_collection_lines_are_the_canonical_records_in_id_order(files, tmp_path):
    claims = files / "claims.jsonl.gz"
    assert [c["id"] for c in lines(claims)] == [
        "amnesty-period",
        "amnesty-victim-count",
        "pour-mohammadi-member",
    ]
    first = gzip.decompress(claims.read_bytes()).splitlines()[0]
    assert (
        first
        == (tmp_path / "out" / "index" / "claims" / "records-00000.jsonl")
        .read_bytes()
        .splitlines()[0]
    )


def test_all_lines_are_kind_and_record_items_of_every_live_record(files):
    items = lines(files / "all.jsonl.gz")
    assert len(items) == 11
    assert items[0]["kind"] == "person" and items[0]["record"]["id"] == "mostafa-pour-mohammadi"
    assert {item["kind"] for item in items} == {kind.name for kind in KINDS}


def test_csv_columns_follow_each_schema_in_declared_order():
    schemas = SchemaSet.from_dir()
    for kind in KINDS:
        declared = list(schemas.document(kind.name)["properties"])
        names = [c.name.split(".")[0] for c in columns_for(schemas, kind.schema_file)]
        assert list(dict.fromkeys(names)) == declared, kind.name


def test_names_are_written_as_name_with_their_other_fields_joined_by_bars(files):
    person = rows(files / "people.csv")[0]
    assert person["names"] == (
        "Mostafa Pour Mohammadi [lang=en; script=Latn] | "
        "Pourmohammadi [lang=en; script=Latn] | "
        "مصطفی پورمحمدی [lang=fa; script=Arab]"
    )
    assert person["categories"] == "official"
    assert person["sources"] == (
        "sources/amnesty-2018-report [locator=p. 4; quote=extrajudicially "
        "executed thousands of imprisoned political dissidents]"
    )


def test_nested_objects_become_dotted_columns(files):
    claims = {r["id"]: r for r in rows(files / "claims.csv")}
    assert claims["amnesty-victim-count"]["value"] == ""
    assert claims["amnesty-victim-count"]["value.min"] == "5000"
    assert claims["amnesty-period"]["value"] == "1988-07/1988-09"
    assert claims["pour-mohammadi-member"]["qualifiers.role"] == "an example role"
    assert claims["pour-mohammadi-member"]["qualifiers.date"] == "1988"


def test_csv_holds_live_records_only(files):
    assert [r["id"] for r in rows(files / "places.csv")] == ["evin-prison", "tehran"]


def test_claims_sources_has_one_row_per_claim_and_citation(data_dir, write_data, dataset, tmp_path):
    claim = next(c for c in dataset["claims"] if c["id"] == "amnesty-victim-count")
    claim["sources"].append(
        {
            "source": "sources/verdict-2022",
            "locator": "para. 12",
            "quote": "at least 5,000",
            "accessed": "2026-11-20",
        }
    )
    build_release(write_data(dataset), tmp_path / "two")
    table = rows(tmp_path / "two" / "files" / "claims-sources.csv")
    assert list(table[0]) == [
        "claim_id",
        "subject",
        "property",
        "value",
        "claimed_by",
        "stance",
        "status",
        "confidence",
        "source",
        "locator",
        "quote",
        "accessed",
    ]
    assert [(r["claim_id"], r["source"]) for r in table] == [
        ("amnesty-period", "sources/amnesty-2018-report"),
        ("amnesty-victim-count", "sources/amnesty-2018-report"),
        ("amnesty-victim-count", "sources/verdict-2022"),
        ("pour-mohammadi-member", "sources/amnesty-2018-report"),
    ]
    second = table[2]
    assert second["value"] == '{"min":5000}'
    assert (second["locator"], second["quote"], second["accessed"]) == (
        "para. 12",
        "at least 5,000",
        "2026-11-20",
    )


def test_digests_give_every_id_the_sha256_of_the_bytes_the_api_serves(files, tmp_path):
    from chalicelib.release.layout import canonical_json

    found = {
        (r["collection"], r["id"]): (r["state"], r["sha256"]) for r in rows(files / "digests.csv")
    }
    records = {
        (kind.collection, record["id"]): record
        for kind in KINDS
        for record in lines(files / f"{kind.collection}.jsonl.gz")
    }
    live = {key: value for key, value in found.items() if value[0] == "live"}
    assert set(live) == set(records)
    for key, (_, sha256) in live.items():
        assert sha256 == sha256_hex(canonical_json(records[key]))
    assert sorted(state for state, _ in found.values() if state != "live") == [
        "merged",
        "withdrawn",
    ]


# pandas, as a user loads the downloads: each CSV column as the data package declares it.
PANDAS_TYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "string",  # parsed below, as read_csv's parse_dates does
}


def csv_resources(files: Path) -> list[dict]:
    package = json.loads((files / "datapackage.json").read_text(encoding="utf-8"))
    return [r for r in package["resources"] if r["path"].endswith(".csv")]


def test_pandas_reads_every_csv_column_as_the_data_package_declares_it(files):
    import pandas as pd

    for resource in csv_resources(files):
        fields = resource["schema"]["fields"]
        frame = pd.read_csv(
            files / Path(resource["path"]).name,
            dtype={f["name"]: PANDAS_TYPES[f["type"]] for f in fields},
            parse_dates=[f["name"] for f in fields if f["type"] == "date"],
        )
        assert list(frame.columns) == [f["name"] for f in fields], resource["name"]
        for field in fields:
            column = frame[field["name"]]
            if field["type"] == "date":
                assert pd.api.types.is_datetime64_any_dtype(column), field["name"]
            else:
                assert str(column.dtype) == PANDAS_TYPES[field["type"]] or (
                    PANDAS_TYPES[field["type"]] == "string" and column.dtype == "str"
                ), (resource["name"], field["name"], column.dtype)


def test_a_column_empty_in_every_row_is_still_text_and_booleans_stay_booleans(files):
    """The failure users met: pandas took an empty text column for floats, and a boolean column
    for True/NaN objects; typed as the package declares, neither happens."""
    import pandas as pd

    (claims,) = [r for r in csv_resources(files) if r["name"] == "claims-csv"]
    types = {f["name"]: f["type"] for f in claims["schema"]["fields"]}
    assert types["value.approx"] == "boolean" and types["withheld"] == "string"
    frame = pd.read_csv(files / "claims.csv", dtype={n: PANDAS_TYPES[t] for n, t in types.items()})
    assert set(frame["value.approx"].dropna()) <= {True, False}
    assert str(frame["value.approx"].dtype) == "boolean"
    assert frame["withheld"].dtype != "float64"


def test_frictionless_reads_every_csv_into_pandas_with_the_declared_types(files):
    import pandas as pd
    from frictionless import Package

    package = Package(str(files / "datapackage.json"))
    for resource in package.resources:
        if resource.format != "csv":
            continue
        frame = resource.to_pandas()
        for field in resource.schema.fields:
            in_index = field.name not in frame.columns  # the primary key is the index
            column = frame.index.get_level_values(field.name) if in_index else frame[field.name]
            present = column.dropna()
            if field.type == "integer":
                assert all(pd.api.types.is_integer(v) for v in present), field.name
            elif field.type == "boolean":
                assert set(present) <= {True, False}, field.name
            elif field.type == "string":
                assert all(isinstance(v, str) for v in present), field.name


def test_pandas_reads_every_download_by_its_suffix_with_no_options(files):
    import pandas as pd

    for path in sorted(files.iterdir()):
        if path.name.endswith(".csv"):
            assert len(pd.read_csv(path)) == len(rows(path)), path.name
        elif path.name.endswith(".jsonl.gz"):  # gzip inferred from the suffix
            assert len(pd.read_json(path, lines=True)) == len(lines(path)), path.name
