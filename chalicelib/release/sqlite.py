"""``all.sqlite``: every live record as SQLite tables, ready for Datasette; and its metadata.

- One table per collection, with the flat columns of its CSV (``tables.columns_for``), typed
  where the schema says a column is a number, with ``id`` as primary key. A list (names,
  sources, categories…) is a JSON array, not the CSV's `` | ``-joined text: Datasette shows
  it as JSON and SQLite's ``json_each`` queries it, whatever characters its items hold.
- ``claims_sources``: one row per claim and citation, as ``claims-sources.csv``.
- Foreign keys where references resolve: for each single-valued reference field (a claim's
  ``subject``, ``value`` and ``claimed_by``, a place's ``within``, …) a column
  ``<field>_<collection>_id`` per collection it may point into (``<field>_id`` when there is
  only one), holding the bare id when the reference points there and the record is live, and
  declared ``REFERENCES <collection>(id)``; Datasette turns it into a link.
- ``<collection>_fts``, an FTS5 table per named collection (trigram tokenizer) over every name
  and title (a source's title and identifiers): in ``names`` as written, and as a page may
  write them otherwise (``folding.written_forms``: Arabic or Persian yeh and kaf, رئیس or
  رییس), so that Datasette's ``_search``, which does not fold, finds ``Pour-Mohammadi``,
  ``رئیسی`` and ``ابراهيم``; in ``folded`` as ``q=`` folds them (``folding.text_forms``), so
  that a folded query matches as ``q=`` does: ``purmohamadi`` finds every spelling that folds
  to it. Its rowid is the record's rowid. Descriptions are left out: they would double the cost of
  the index for matches nobody reconciles on.

The file is a pure function of the records: a fixed page size, rows inserted in id order, no
timestamp anywhere, the FTS index optimized into one segment, then VACUUM. Two builds with the
same SQLite library give the same bytes. ``metadata.json`` is Datasette's metadata: title,
licence, source, a description of each table and column, suggested facets and the FTS tables.
"""

from __future__ import annotations

import bisect
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.model.folding import text_forms, written_forms
from chalicelib.model.kinds import BY_COLLECTION, KINDS, Kind, split_reference
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.compiled import CompiledCollection, Spool, Spooled
from chalicelib.release.manifest import LICENSE, QUOTATION_NOTE, TITLE
from chalicelib.release.tables import ClaimSourceTable, Column, columns_for

SQLITE_FILE = "all.sqlite"
METADATA_FILE = "metadata.json"
DATABASE = "all"  # what Datasette calls the database it opens from all.sqlite
PAGE_SIZE = 4096
BATCH = 1000  # rows held before they are inserted
CLAIMS_SOURCES = "claims_sources"
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
LIST_SHAPES = ("list", "items")  # held as JSON arrays
SOURCE = (
    "Compiled from public reports, court judgments, UN documents and news articles; every "
    "record and claim names its sources (the sources table and claims_sources)."
)


@dataclass(frozen=True)
class ForeignKey:
    """A column holding the bare id a single-valued reference field points to in ``target``."""

    name: str
    path: tuple[str, ...]
    target: str


def foreign_keys(kind: Kind) -> list[ForeignKey]:
    """The reference columns of ``kind``'s table, from the registry's references and filters."""
    fields: dict[tuple[str, ...], tuple[str, ...]] = {}
    for ref in kind.references:
        fields.setdefault(ref.path, ref.targets)
    for f in kind.filters:  # a claim's value points where its property says: any collection
        if f.references and f.derived is None:
            fields.setdefault(f.path, f.references)
    keys = []
    for path, targets in fields.items():
        if "*" in path:
            continue  # a list of references is not one column
        base = ".".join(path)
        for target in targets:
            name = f"{base}_id" if len(targets) == 1 else f"{base}_{target}_id"
            keys.append(ForeignKey(name, path, target))
    return keys


def reference_maker(
    keys: Sequence[ForeignKey], live: Mapping[str, Container[str]] | None
) -> Callable[[dict], list[str | None]]:
    """The values of ``keys`` for one record: each reference parsed once, whatever the number
    of collections it may point into. Without ``live``, every id is kept, live or not: the
    read pass, which cannot know yet, leaves that to the writer."""
    paths = list(dict.fromkeys(k.path for k in keys))
    slots = {(k.path, k.target): i for i, k in enumerate(keys)}
    getters = [(path, _plain_getter(path)) for path in paths]

    def values(record: dict) -> list[str | None]:
        out: list[str | None] = [None] * len(keys)
        for path, get in getters:
            found = get(record)
            reference = split_reference(found) if found else None
            if reference is not None and (live is None or reference[1] in live[reference[0]]):
                slot = slots.get((path, reference[0]))
                if slot is not None:
                    out[slot] = reference[1]
        return out

    return values


def _plain_getter(path: tuple[str, ...]) -> Callable[[dict], str | None]:
    def get(record: dict) -> str | None:
        node: Any = record
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        return node if isinstance(node, str) else None

    return get


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _converter(column: Column) -> Callable[[str], Any]:
    """How a cell's text is stored: NULL when empty, a number where the schema says so."""
    sql_type = SQL_TYPES.get(column.type)
    if sql_type is None:
        return lambda text: text or None

    def number(text: str) -> Any:
        if text == "":
            return None
        try:
            if sql_type == "REAL":
                return float(text)
            return 1 if text == "true" else 0 if text == "false" else int(text)
        except ValueError:
            return text

    return number


def _json_converter(column: Column) -> Callable[[dict], Any]:
    """A list column's value as a JSON array, from the record (NULL when it has none)."""
    path = column.path

    def read(record: dict) -> Any:
        value: Any = record
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, list) or not value:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    return read


def _cells_to_values(columns: Sequence[Column]) -> Callable[[dict, list[str]], list[Any]]:
    """One row's SQL values from its record and CSV cells: lists from the record, as JSON."""
    plan: list[tuple[bool, Callable[[Any], Any]]] = [
        (True, _json_converter(c)) if c.shape in LIST_SHAPES else (False, _converter(c))
        for c in columns
    ]

    def values(record: dict, cells: list[str]) -> list[Any]:
        return [
            convert(record) if whole else convert(cell)
            for (whole, convert), cell in zip(plan, cells, strict=True)
        ]

    return values


def _sql_type(column: Column) -> str:
    return SQL_TYPES.get(column.type, "TEXT")


def name_texts(kind: Kind, record: dict) -> list[str]:
    """The names and titles of a record, as the ``q=`` index reads them: its kind's search
    fields but the description, and its title (a source's title and identifiers)."""
    from chalicelib.release.index import _getter

    paths = [p for p in kind.search_fields if p != ("description",)] + [(kind.title_field,)]
    return [v for path in dict.fromkeys(paths) for v in _getter(path)(record)]


def _fts_texts(kind: Kind, record: dict) -> tuple[str, str]:
    # One line per distinct text: the names as pages may write them, and as the q= index
    # keeps them.
    texts = name_texts(kind, record)
    written = dict.fromkeys(form for text in texts for form in written_forms(text))
    folded = dict.fromkeys(form for text in texts for form in text_forms(text))
    return "\n".join(written), "\n".join(folded)


NAMED = tuple(kind for kind in KINDS if kind.collection != "claims")  # claims have no name


class _SortedIds:
    """``in`` over a collection's live ids, sorted: no set of a million strings."""

    def __init__(self, ids: Sequence[str]):
        self._ids = ids

    def __contains__(self, record_id: object) -> bool:
        if not isinstance(record_id, str):
            return False
        o = bisect.bisect_left(self._ids, record_id)
        return o < len(self._ids) and self._ids[o] == record_id


def write_sqlite(
    out: Any, schemas: SchemaSet, collections: Mapping[str, CompiledCollection], spool: Spool
) -> None:
    """Write the bytes of ``all.sqlite`` to ``out`` (a file-like ``write``).

    The database is made in a temporary file, not in memory (at a million records it is
    larger than the build may hold), from the spooled records, one at a time, in id order.
    """
    ids = {name: _SortedIds(c.ids) for name, c in collections.items()}
    with tempfile.TemporaryDirectory(prefix="release-sqlite-") as folder:
        path = os.path.join(folder, SQLITE_FILE)
        db = sqlite3.connect(path)
        try:
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            # A scratch file: nothing to recover if the build stops, so no journal and no sync.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA foreign_keys = OFF")  # declared for readers; checked by the build
            with db:
                for kind in KINDS:
                    spooled = collections[kind.collection].live(spool)
                    _collection_table(db, schemas, kind, spooled, ids)
            db.execute("VACUUM")
        finally:
            db.close()
        _clear_header_counters(path)
        with open(path, "rb") as database:
            while block := database.read(1 << 20):
                out.write(block)


def _clear_header_counters(path: str) -> None:
    """Zero the header's file change counter (offset 24), its version-valid-for number (92)
    and the SQLite version that last wrote the file (96), as a database serialized from
    memory has them: they count writes and name the library, so they would make two builds
    of the same records differ. Equal counters keep the header's page count valid."""
    with open(path, "r+b") as database:
        database.seek(24)
        database.write(bytes(4))
        database.seek(92)
        database.write(bytes(8))


def sql_rows(schemas: SchemaSet, kind: Kind) -> Callable[[dict, list[str], list], tuple]:
    """For the read pass: a function giving one record's rows of ``all.sqlite`` from the record
    and its CSV cells (``cells``, and a claim's ``claims_sources`` cells), so that no cell is
    read twice and the writer parses no record: (its table's values, the ids its foreign keys
    name, live or not, and its FTS row (title, names, folded) or its claims_sources rows (values,
    the source's id))."""
    converters = _cells_to_values(columns_for(schemas, kind.schema_file))
    references = reference_maker(foreign_keys(kind), None)
    if kind in NAMED:
        title = _getter_of(kind.title_field)

        def side(record: dict, source_cells: list) -> Any:  # a named record cites no source
            return (title(record) or [record["id"]])[0], *_fts_texts(kind, record)
    else:
        table = ClaimSourceTable.from_schemas(schemas)
        head, claim, cited = (
            len(table.claim_columns),
            _cells_to_values(table.claim_columns),
            _cells_to_values(table.citation_columns),
        )

        def side(record: dict, source_cells: list) -> Any:
            rows = []
            for cells, citation in zip(source_cells, record.get("sources", []), strict=True):
                found = split_reference(citation.get("source", ""))
                values = claim(record, cells[:head]) + cited(citation, cells[head:])
                rows.append((values, found[1] if found else None))
            return rows

    def rows(record: dict, cells: list[str], source_cells: list) -> tuple:
        values = converters(record, cells)
        return values, references(record), side(record, source_cells)

    return rows


def _collection_table(db, schemas, kind: Kind, spooled: Iterable[Spooled], ids) -> None:
    """The table of ``kind``, then its FTS table (named kinds), or for claims the
    ``claims_sources`` table, filled in one pass over the spooled records (in id order)."""
    columns = columns_for(schemas, kind.schema_file)
    keys = foreign_keys(kind)
    table = _quote(kind.collection)
    definitions = [
        f"{_quote(c.name)} {_sql_type(c)}" + (" PRIMARY KEY NOT NULL" if c.name == "id" else "")
        for c in columns
    ] + [f"{_quote(k.name)} TEXT REFERENCES {_quote(k.target)}(id)" for k in keys]
    db.execute(f"CREATE TABLE {table} ({', '.join(definitions)})")
    holes = ", ".join("?" * (len(columns) + len(keys)))
    insert = f"INSERT INTO {table} VALUES ({holes})"
    targets = [ids[k.target] for k in keys]
    named = kind in NAMED
    if named:
        fts = _quote(f"{kind.collection}_fts")
        db.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(title, names, folded, tokenize = 'trigram')"
        )
        side = f"INSERT INTO {fts} (rowid, title, names, folded) VALUES (?, ?, ?, ?)"
    else:
        side = _claims_sources(db, schemas)
    sources = ids["sources"]
    # Rows go in in id order, so rowid n is the n-th record by id, in every build. The
    # reference columns get no index: it would cost more to build than a scan costs Datasette.
    # A reference is kept only where it names a live record.
    rows: list[list[Any]] = []
    more: list[Any] = []
    for rowid, record in enumerate(spooled, start=1):
        values, named_ids, extra = record.sql
        rows.append(
            values
            + [
                found if found is not None and found in live else None
                for found, live in zip(named_ids, targets, strict=True)
            ]
        )
        if named:
            more.append((rowid, *extra))
        else:
            more += [cells + [s if s is not None and s in sources else None] for cells, s in extra]
        if len(rows) >= BATCH:
            db.executemany(insert, rows)
            db.executemany(side, more)
            rows, more = [], []
    db.executemany(insert, rows)
    db.executemany(side, more)
    if named:
        # One segment, whatever the insert batches were: smaller, and the same in every build.
        db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")
    else:
        db.execute(f"CREATE INDEX claims_sources_claim ON {CLAIMS_SOURCES} (claim_id)")
        db.execute(f"CREATE INDEX claims_sources_source ON {CLAIMS_SOURCES} (source_id)")


def _getter_of(field: str) -> Callable[[Any], list[str]]:
    from chalicelib.release.index import _getter

    return _getter((field,))


def _claims_sources(db, schemas) -> str:
    """Create ``claims_sources``; return its insert."""
    columns = ClaimSourceTable.from_schemas(schemas).columns
    definitions = [
        f"{_quote(c.name)} {_sql_type(c)}"
        + (" REFERENCES claims(id)" if c.name == "claim_id" else "")
        for c in columns
    ] + [f"{_quote('source_id')} TEXT REFERENCES sources(id)"]
    db.execute(f"CREATE TABLE {CLAIMS_SOURCES} ({', '.join(definitions)})")
    holes = ", ".join("?" * (len(columns) + 1))
    return f"INSERT INTO {CLAIMS_SOURCES} VALUES ({holes})"


# -- Datasette metadata ------------------------------------------------------------------------


def facets(kind: Kind) -> list[str]:
    """Suggested facets: the kind's filters on a single-valued field (type, status, …)."""
    return [".".join(f.path) for f in kind.filters if "*" not in f.path and f.derived is None]


def datasette_metadata(schemas: SchemaSet, version: str) -> dict[str, Any]:
    """Datasette's ``metadata.json`` for ``all.sqlite`` (serve it with ``datasette all.sqlite
    -m metadata.json``)."""
    tables: dict[str, Any] = {}
    for kind in KINDS:
        columns = {
            c.name: c.description + (" A JSON array." if c.shape in LIST_SHAPES else "")
            for c in columns_for(schemas, kind.schema_file)
        }
        for key in foreign_keys(kind):
            columns[key.name] = (
                f"The id of the {BY_COLLECTION[key.target].name} that '{'.'.join(key.path)}' "
                f"refers to, when it refers to a live record in {key.target}."
            )
        tables[kind.collection] = {
            "description": kind.description,
            "facets": facets(kind),
            "label_column": kind.title_field if kind in NAMED else "id",
            "columns": {name: text for name, text in columns.items() if text},
        }
        if kind not in NAMED:
            continue
        tables[kind.collection].update(fts_table=f"{kind.collection}_fts", fts_pk="rowid")
        tables[f"{kind.collection}_fts"] = {
            "description": (
                f"Full-text index of the names and titles of {kind.collection}: in 'names' "
                "as written and with Arabic or Persian letter forms (ي/ی, ك/ک, رئیس/رییس), in "
                "'folded' as the API's q= folds them (case, diacritics, spaces and punctuation "
                "removed; doubled letters, ou/u, ee/i, ei/ai, w/v made one). Search with three "
                "characters at least: Pour-Mohammadi, or folded, purmohamadi."
            ),
            "hidden": True,
        }
    tables[CLAIMS_SOURCES] = {
        "description": (
            "One row per claim and citation: who claims what about whom, in which source, "
            "where in it, and in which words."
        ),
        "facets": ["property", "status", "claimed_by"],
    }
    return {
        "title": TITLE,
        "description": f"Release {version}. {QUOTATION_NOTE}",
        "license": LICENSE["name"],
        "license_url": LICENSE["path"],
        "source": SOURCE,
        "databases": {DATABASE: {"tables": tables}},
    }


def metadata_bytes(schemas: SchemaSet, version: str) -> bytes:
    return (
        json.dumps(datasette_metadata(schemas, version), ensure_ascii=False, indent=2) + "\n"
    ).encode("utf-8")
