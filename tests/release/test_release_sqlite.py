"""``all.sqlite`` and Datasette's ``metadata.json``: byte-identical rebuilds, the CSV columns,
claims_sources, foreign keys, and FTS5 search that finds what ``q=`` finds."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from chalicelib.model.folding import finds, fold, query_forms
from chalicelib.model.kinds import KINDS, split_reference
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.build import build_release
from chalicelib.release.layout import sha256_hex
from chalicelib.release.sqlite import LIST_SHAPES, NAMED, foreign_keys, name_texts
from chalicelib.release.tables import columns_for
from support.apidata import SPELLINGS, api_dataset


@pytest.fixture
def built(write_data, release_time, tmp_path) -> Path:
    """A release of the API tests' dataset (tombstones, every spelling, generated records)."""
    build_release(write_data(api_dataset()), tmp_path / "out")
    return tmp_path / "out"


@pytest.fixture
def db(built):
    connection = sqlite3.connect(f"file:{built / 'files' / 'all.sqlite'}?mode=ro", uri=True)
    yield connection
    connection.close()


def live_record(collection: str, record_id: str) -> dict:
    (record,) = [r for r in live(collection) if r["id"] == record_id]
    return record


def live(collection: str) -> list[dict]:
    records = [r for r in api_dataset()[collection] if "tombstone" not in r]
    return sorted(records, key=lambda r: r["id"])


def csv_rows(built: Path, name: str) -> list[list[str]]:
    text = (built / "files" / name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_two_builds_give_byte_identical_sqlite_files_named_in_the_manifest(
    write_data, release_time, tmp_path
):
    data = write_data(api_dataset())
    build_release(data, tmp_path / "a")
    build_release(data, tmp_path / "b")
    first = (tmp_path / "a" / "files" / "all.sqlite").read_bytes()
    assert first == (tmp_path / "b" / "files" / "all.sqlite").read_bytes()
    assert first.startswith(b"SQLite format 3\0")
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_bytes())
    for name in ("all.sqlite", "metadata.json"):
        body = (tmp_path / "a" / "files" / name).read_bytes()
        assert manifest["files"][f"files/{name}"] == {
            "bytes": len(body),
            "sha256": sha256_hex(body),
        }


def test_each_collection_is_a_table_with_the_csv_columns_and_rows(built, db):
    for kind in KINDS:
        header, *rows = csv_rows(built, f"{kind.collection}.csv")
        table = [row[1] for row in db.execute(f'PRAGMA table_info("{kind.collection}")')]
        assert table == header + [k.name for k in foreign_keys(kind)], kind.collection
        stored = db.execute(
            f'SELECT {", ".join(json.dumps(h) for h in header)} FROM "{kind.collection}" '
            "ORDER BY rowid"
        ).fetchall()
        lists = {
            i: c.path
            for i, c in enumerate(columns_for(SchemaSet.from_dir(), kind.schema_file))
            if c.shape in LIST_SHAPES
        }
        assert lists or kind.collection == "claims"
        for row, csv_row, record in zip(stored, rows, live(kind.collection), strict=True):
            for i, value in enumerate(row):
                if i in lists:  # a list is a JSON array of the record's own items
                    held = record
                    for key in lists[i]:
                        held = held.get(key) if isinstance(held, dict) else None
                    assert (json.loads(value) if value else None) == (held or None)
                else:
                    assert (
                        ""
                        if value is None
                        else str(value)
                        if isinstance(value, str)
                        else repr(value)
                    ) == csv_row[i]
        assert [r[0] for r in stored] == [r["id"] for r in live(kind.collection)]


def test_lists_are_json_that_sqlite_queries_and_datasette_shows(db):
    """A name holding ' | ' or '[' stays one item: JSON, not packed text."""
    rows = db.execute(
        "SELECT p.id, n.value ->> 'name' FROM people p, json_each(p.names) n "
        "WHERE p.id = 'mostafa-pour-mohammadi'"
    ).fetchall()
    names = [n["name"] for n in live_record("people", "mostafa-pour-mohammadi")["names"]]
    assert [r[1] for r in rows] == names


def test_claims_sources_is_the_csv_with_a_source_id(built, db):
    header, *rows = csv_rows(built, "claims-sources.csv")
    stored = db.execute("SELECT * FROM claims_sources ORDER BY rowid").fetchall()
    assert len(stored) == len(rows) == sum(len(c["sources"]) for c in live("claims"))
    for row, (claim_id, *_rest) in zip(stored, rows, strict=True):
        assert row[0] == claim_id
        assert row[-1] == split_reference(row[header.index("source")])[1]


def test_foreign_keys_hold_the_ids_references_resolve_to(db):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    declared = {
        (row[2], row[3]) for row in db.execute("PRAGMA foreign_key_list(claims)").fetchall()
    }
    assert ("people", "subject_people_id") in declared
    assert ("organizations", "value_organizations_id") in declared
    for claim in live("claims"):
        row = dict(
            zip(
                ("subject_people_id", "subject_events_id", "value_organizations_id"),
                db.execute(
                    "SELECT subject_people_id, subject_events_id, value_organizations_id "
                    "FROM claims WHERE id = ?",
                    (claim["id"],),
                ).fetchone(),
                strict=True,
            )
        )
        subject = split_reference(claim["subject"])
        assert row["subject_people_id"] == (subject[1] if subject[0] == "people" else None)
        assert row["subject_events_id"] == (subject[1] if subject[0] == "events" else None)
        value = claim["value"] if isinstance(claim["value"], str) else ""
        expected = value.partition("/")[2] if value.startswith("organizations/") else None
        assert row["value_organizations_id"] == expected


@pytest.mark.parametrize("query", [*SPELLINGS, "مصطفي پورمحمدي", "evin", "Gohardasht", "org-0"])
def test_fts_finds_exactly_the_names_that_hold_the_folded_query(db, query):
    match = "folded : (" + " OR ".join(f'"{f}"' for f in query_forms(query)) + ")"
    for kind in NAMED:
        found = db.execute(
            f'SELECT t.id FROM "{kind.collection}_fts" f JOIN "{kind.collection}" t '
            f'ON t.rowid = f.rowid WHERE "{kind.collection}_fts" MATCH ? ORDER BY t.id',
            (match,),
        ).fetchall()
        expected = [
            r["id"]
            for r in live(kind.collection)
            if any(finds(query, t) for t in name_texts(kind, r))
        ]
        assert [row[0] for row in found] == expected, (kind.collection, query)
    person = db.execute(
        "SELECT p.id FROM people_fts f JOIN people p ON p.rowid = f.rowid WHERE people_fts MATCH ?",
        (fold("مصطفي پورمحمدي"),),
    ).fetchall()
    assert person == [("mostafa-pour-mohammadi",)]


def test_datasette_metadata_describes_tables_columns_and_facets_that_exist(built, db):
    metadata = json.loads((built / "files" / "metadata.json").read_bytes())
    assert metadata["license"] == "CC-BY-4.0" and metadata["title"] and metadata["source"]
    tables = metadata["databases"]["all"]["tables"]
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(tables) <= names
    for name, table in tables.items():
        columns = {row[1] for row in db.execute(f'PRAGMA table_info("{name}")')}
        assert table["description"], name
        assert set(table.get("facets", [])) <= columns, name
        assert set(table.get("columns", {})) <= columns, name
        if "fts_table" in table:
            assert table["fts_table"] in names and table["label_column"] in columns
    assert tables["claims"]["facets"] == [
        "subject",
        "property",
        "value",
        "claimed_by",
        "status",
        "stance",
        "confidence",
        "qualifiers.in_reply_to",  # replies to a claim: a facet like the other filters
    ]


def test_datasette_serves_the_file_and_searches_it(built):
    from datasette import app as datasette_app  # pinned: the test runs, never skips

    metadata = json.loads((built / "files" / "metadata.json").read_bytes())
    ds = datasette_app.Datasette(
        immutables=[str(built / "files" / "all.sqlite")], metadata=metadata
    )

    async def ask(path: str) -> dict:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        return response.json()

    people = asyncio.run(ask("/all/people.json?_shape=objects&_search=pourmohammadi"))
    assert [row["id"] for row in people["rows"]] == ["mostafa-pour-mohammadi"]
    claims = asyncio.run(ask("/all/claims.json?_shape=objects&_facet=status&_size=1"))
    assert {f["value"] for f in claims["facet_results"]["status"]["results"]} >= {"alleged"}
