"""The downloads of a release (``files/``): JSON Lines, CSV, SQLite, the data package and the changes.

Every file is a pure function of the release's records and schemas (and, for
``changes.json``, of the previous release), written byte for byte the same on every
build: canonical JSON, gzip without a timestamp or file name, CSV rows in id order.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any, Protocol

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.compiled import CompiledCollection, Spool
from chalicelib.release.history import ACTIONS
from chalicelib.release.manifest import DATASET_NAME, LICENSE, QUOTATION_NOTE, TITLE, iso_time
from chalicelib.release.sqlite import METADATA_FILE, SQLITE_FILE, metadata_bytes, write_sqlite
from chalicelib.release.tables import (
    ClaimSourceTable,
    Column,
    columns_for,
    csv_bytes,
    header_bytes,
    row_writer,
    table_schema,
    tombstone_columns,
)
from chalicelib.release.victims import VICTIMS_FILE, write_victims
from chalicelib.release.victims import columns as victim_columns

CHANGE_KINDS = ACTIONS
ALL_FILE = "all.jsonl.gz"
CLAIMS_SOURCES_FILE = "claims-sources.csv"
TOMBSTONES_FILE = "tombstones.csv"
CHANGES_FILE = "changes.json"
DIGESTS_FILE = "digests.csv"
DATAPACKAGE_FILE = "datapackage.json"


def pretty_json(value: Any) -> bytes:
    """Indented, key-sorted JSON for the files people open by hand."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


class Sink(Protocol):
    """Where the downloads go: ``open(name)`` gives a file to ``write`` bytes to, whose
    ``close()`` returns its size and sha256."""

    def open(self, name: str) -> Any: ...


class _Gzipped:
    """A gzip stream into ``out``: the bytes ``gzip.compress(..., compresslevel=6, mtime=0)``
    gives for all that is written (no time and no file name in the header, so equal input
    gives equal bytes)."""

    def __init__(self, out: Any):
        # wbits 31 writes zlib's own gzip header, as gzip.compress does with mtime 0.
        self._out, self._zip = out, zlib.compressobj(6, zlib.DEFLATED, 31)
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        self._pending.append(data)
        self._size += len(data)
        if self._size >= 1 << 20:
            self._drain()

    def _drain(self) -> None:
        self._out.write(self._zip.compress(b"".join(self._pending)))
        self._pending, self._size = [], 0

    def close(self) -> tuple[int, str]:
        self._drain()
        self._out.write(self._zip.flush())
        return self._out.close()


def write_downloads(
    sink: Sink,
    schemas: SchemaSet,
    collections: Mapping[str, CompiledCollection],
    spool: Spool,
    *,
    changes: dict[str, Any],
) -> None:
    """Write the record files of ``files/`` into ``sink``: JSON Lines, CSV, claims-sources,
    tombstones, digests and changes (``write_database`` writes the SQLite file, and
    ``datapackage_bytes`` describes them all).

    ``<collection>.jsonl.gz`` holds that collection's live records, one canonical
    record per line; ``all.jsonl.gz`` holds every live record as ``{"kind", "record"}``,
    the shape that ``validate -`` and ``POST /validate`` take. Tombstones are in
    ``tombstones.csv`` and ``changes.json``, not among the records. Each file is streamed
    from the spooled records, one at a time, so none is ever whole in memory.
    """
    every = _Gzipped(sink.open(ALL_FILE))
    sources_csv = sink.open(CLAIMS_SOURCES_FILE)
    sources_csv.write(header_bytes(ClaimSourceTable.from_schemas(schemas).columns))
    for kind in KINDS:
        lines = _Gzipped(sink.open(f"{kind.collection}.jsonl.gz"))
        table = sink.open(f"{kind.collection}.csv")
        table.write(header_bytes(columns_for(schemas, kind.schema_file)))
        prefix = b'{"kind":"' + kind.name.encode() + b'","record":'
        for record in collections[kind.collection].live(spool, features=False):
            lines.write(record.body + b"\n")
            every.write(prefix + record.body + b"}\n")
            table.write(record.csv_row)
            if record.source_rows:
                sources_csv.write(record.source_rows)
        lines.close()
        table.close()
    every.close()
    sources_csv.close()
    write_victims(sink.open(VICTIMS_FILE), collections, spool)

    tombstones = [
        {"collection": kind.collection, **entry.record}
        for kind in KINDS
        for entry in collections[kind.collection].tombstones
    ]
    _whole(sink, TOMBSTONES_FILE, csv_bytes(tombstone_columns(schemas), tombstones))

    # What a mirror checks its copy against: every id's digest (a record's canonical bytes,
    # or its tombstone's), as the directory and the history index hold it.
    digest_columns = _digest_columns()
    table = sink.open(DIGESTS_FILE)
    table.write(header_bytes(digest_columns))
    row = row_writer(digest_columns)
    for kind in KINDS:
        for record_id, entry in collections[kind.collection].entries().items():
            tombstone = entry.get("tombstone")
            state = tombstone["action"] if tombstone is not None else "live"
            table.write(
                row(
                    {
                        "collection": kind.collection,
                        "id": record_id,
                        "state": state,
                        "sha256": entry["sha256"],
                    }
                )
            )
    table.close()
    _whole(sink, CHANGES_FILE, pretty_json(changes))


def write_database(
    sink: Sink,
    schemas: SchemaSet,
    collections: Mapping[str, CompiledCollection],
    spool: Spool,
    *,
    version: str,
) -> None:
    """Write Datasette's file and its metadata (chalicelib.release.sqlite) into ``sink``:
    a part of its own, since it costs about as much as all the other downloads."""
    database = sink.open(SQLITE_FILE)
    write_sqlite(database, schemas, collections, spool)
    database.close()
    _whole(sink, METADATA_FILE, metadata_bytes(schemas, version))


def resources(schemas: SchemaSet) -> list[dict[str, Any]]:
    """What ``datapackage.json`` says of each download, but its size and hash."""
    found: list[dict[str, Any]] = []
    for kind in KINDS:
        columns = columns_for(schemas, kind.schema_file)
        found.append(
            _table(f"{kind.collection}.csv", kind.description, table_schema(columns, ["id"]))
        )
        found.append(
            _lines(f"{kind.collection}.jsonl.gz", f"{kind.description} One JSON record per line.")
        )
    found.append(
        _lines(
            ALL_FILE,
            'Every live record, one per line, as {"kind": <schema name>, "record": {...}}.',
        )
    )
    found.append(
        _table(
            CLAIMS_SOURCES_FILE,
            (
                "One row per claim and citation: who claims what about whom, in which source, "
                "where in it, and in which words."
            ),
            table_schema(ClaimSourceTable.from_schemas(schemas).columns),
        )
    )
    found.append(
        _table(
            VICTIMS_FILE,
            (
                "One row per victim (a person in the category victim): the names in each "
                "script, and what the claims about the victim say of the death, the age, the "
                "affiliation and the lists that name them, each group of cells with the ids of "
                "its claims. Made from the records and claims of the release."
            ),
            table_schema(victim_columns(), ["id"]),
        )
    )
    found.append(
        _table(
            TOMBSTONES_FILE,
            (
                "Ids that were withdrawn (the API answers 410) or merged into another record "
                "(the API answers 308)."
            ),
            table_schema(tombstone_columns(schemas), ["collection", "id"]),
        )
    )
    found.append(
        _table(
            DIGESTS_FILE,
            "Every id of the release with the sha256 of its bytes, so that a mirror can check "
            "its copy record by record.",
            table_schema(_digest_columns(), ["collection", "id"]),
        )
    )
    found.append(
        {
            "name": "changes",
            "path": CHANGES_FILE,
            "type": "json",
            "format": "json",
            "mediatype": "application/json",
            "description": (
                "Ids added, changed, removed, withdrawn and merged since the previous release."
            ),
        }
    )
    found.append(
        {
            "name": "all-sqlite",
            "path": SQLITE_FILE,
            "type": "file",
            "format": "sqlite",
            "mediatype": "application/vnd.sqlite3",
            "description": (
                "Every live record as SQLite tables (one per collection, with the CSV columns, "
                "plus claims_sources), with foreign keys and FTS5 search; open it with "
                "Datasette and metadata.json."
            ),
        }
    )
    found.append(
        {
            "name": "datasette-metadata",
            "path": METADATA_FILE,
            "type": "json",
            "format": "json",
            "mediatype": "application/json",
            "description": (
                "Datasette metadata for all.sqlite: title, licence, source, a description of "
                "each table, suggested facets and the search tables "
                "(datasette all.sqlite -m metadata.json)."
            ),
        }
    )
    return found


def datapackage_bytes(
    schemas: SchemaSet, version: str, epoch: int, digests: Mapping[str, tuple[int, str]]
) -> bytes:
    """``datapackage.json``: every download described, with its size and sha256 from
    ``digests`` (by file name), made once the downloads are written."""
    described = resources(schemas)
    for resource in described:
        size, sha256 = digests[resource["path"]]
        resource["bytes"] = size
        resource["hash"] = "sha256:" + sha256
    return pretty_json(
        {
            "name": DATASET_NAME,
            "title": TITLE,
            "version": version,
            "created": iso_time(epoch),
            "description": QUOTATION_NOTE,
            "licenses": [LICENSE],
            "resources": described,
        }
    )


def _digest_columns() -> list[Column]:
    return [
        Column("collection", ("collection",), "scalar", description="The collection."),
        Column("id", ("id",), "scalar", description="The record's id."),
        Column("state", ("state",), "scalar", description="live, withdrawn or merged."),
        Column(
            "sha256",
            ("sha256",),
            "scalar",
            description="sha256 of the record's canonical JSON (what the API serves), or of "
            "the tombstone's.",
        ),
    ]


def _whole(sink: Sink, name: str, body: bytes) -> tuple[int, str]:
    out = sink.open(name)
    out.write(body)
    return out.close()


def _resource_name(path: str) -> str:
    return path.replace(".jsonl.gz", "-jsonl").replace(".csv", "-csv").replace(".", "-")


def _table(path: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _resource_name(path),
        "path": path,
        "type": "table",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": description,
        "schema": schema,
    }


def _lines(path: str, description: str) -> dict[str, Any]:
    # 'file', not 'table': a record nests lists and objects, which a table cannot hold.
    return {
        "name": _resource_name(path),
        "path": path,
        "type": "file",
        "format": "jsonl",
        "compression": "gz",
        "mediatype": "application/jsonl+gzip",
        "description": description,
    }


def changes_document(
    version: str,
    previous_version: str | None,
    entries: Mapping[str, Mapping[str, dict]],
    previous: Mapping[str, Mapping[str, dict]] | None,
) -> dict[str, Any]:
    """What changed since ``previous`` (directory entries by collection and id).

    - added: live now, and not live before (new, or restored from a tombstone);
    - changed: live before and now, with different bytes;
    - removed: present before (live or tombstone), and gone without a tombstone;
    - withdrawn / merged: a tombstone that is new, or different, in this release.

    Without a previous release, every live record is added and every tombstone listed.
    """
    document: dict[str, Any] = {"version": version, "previous": previous_version}
    lists: dict[str, dict[str, list]] = {name: {} for name in CHANGE_KINDS}
    for kind in KINDS:
        now = entries.get(kind.collection, {})
        before = (previous or {}).get(kind.collection, {})
        found: dict[str, list] = {name: [] for name in CHANGE_KINDS}
        for record_id, entry in now.items():
            old = before.get(record_id)
            tombstone = entry.get("tombstone")
            if tombstone is not None:
                if old is None or old["sha256"] != entry["sha256"]:
                    found[tombstone["action"]].append({"id": record_id, **tombstone})
            elif old is None or "tombstone" in old:
                found["added"].append(record_id)
            elif old["sha256"] != entry["sha256"]:
                found["changed"].append(record_id)
        found["removed"] = [record_id for record_id in before if record_id not in now]
        for name in CHANGE_KINDS:
            lists[name][kind.collection] = sorted(
                found[name], key=lambda x: x["id"] if isinstance(x, dict) else x
            )
    document["summary"] = {name: sum(len(v) for v in lists[name].values()) for name in CHANGE_KINDS}
    document.update(lists)
    return document


def summary_line(changes: Mapping[str, Any]) -> str:
    """'+3 ~1 -0, 2 withdrawn, 0 merged', for the releases listing."""
    s = changes.get("summary", {})
    return (
        f"+{s.get('added', 0)} ~{s.get('changed', 0)} -{s.get('removed', 0)}, "
        f"{s.get('withdrawn', 0)} withdrawn, {s.get('merged', 0)} merged"
    )
