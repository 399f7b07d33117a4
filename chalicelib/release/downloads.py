"""The downloads of a release (``files/``): JSON Lines, CSV, SQLite, the data package and the changes.

Every file is a pure function of the release's records and schemas (and, for
``changes.json``, of the previous release), written byte for byte the same on every
build: canonical JSON, gzip without a timestamp or file name, CSV rows in id order.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping
from typing import Any, Protocol

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.compiled import CompiledCollection, Spool
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

CHANGE_KINDS = ("added", "changed", "removed", "withdrawn", "merged")
ALL_FILE = "all.jsonl.gz"
CLAIMS_SOURCES_FILE = "claims-sources.csv"
TOMBSTONES_FILE = "tombstones.csv"
CHANGES_FILE = "changes.json"
DIGESTS_FILE = "digests.csv"
DATAPACKAGE_FILE = "datapackage.json"


def gzipped(body: bytes) -> bytes:
    """gzip with mtime 0 and no file name in the header, so equal input gives equal bytes."""
    return gzip.compress(body, compresslevel=6, mtime=0)


def pretty_json(value: Any) -> bytes:
    """Indented, key-sorted JSON for the files people open by hand."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


class Sink(Protocol):
    """Where the downloads go: ``open(name)`` gives a file to ``write`` bytes to, whose
    ``close()`` returns its size and sha256."""

    def open(self, name: str) -> Any: ...


class _Gzipped:
    """A gzip stream into ``out``: the bytes ``gzipped`` gives for all that is written."""

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
    version: str,
    epoch: int,
    changes: dict[str, Any],
) -> None:
    """Write every file of ``files/`` into ``sink``, ending with ``datapackage.json``.

    ``<collection>.jsonl.gz`` holds that collection's live records, one canonical
    record per line; ``all.jsonl.gz`` holds every live record as ``{"kind", "record"}``,
    the shape that ``validate -`` and ``POST /validate`` take. Tombstones are in
    ``tombstones.csv`` and ``changes.json``, not among the records. Each file is streamed
    from the spooled records, one at a time, so none is ever whole in memory.
    """
    digests: dict[str, tuple[int, str]] = {}
    resources: list[dict[str, Any]] = []
    every = _Gzipped(sink.open(ALL_FILE))
    claim_sources = ClaimSourceTable.from_schemas(schemas)
    sources_csv = sink.open(CLAIMS_SOURCES_FILE)
    sources_csv.write(header_bytes(claim_sources.columns))
    for kind in KINDS:
        collection = collections[kind.collection]
        lines = _Gzipped(sink.open(f"{kind.collection}.jsonl.gz"))
        columns = columns_for(schemas, kind.schema_file)
        table = sink.open(f"{kind.collection}.csv")
        table.write(header_bytes(columns))
        prefix = b'{"kind":"' + kind.name.encode() + b'","record":'
        for record in collection.live(spool, features=False):
            lines.write(record.body + b"\n")
            every.write(prefix + record.body + b"}\n")
            table.write(record.csv_row)
            if record.source_rows:
                sources_csv.write(record.source_rows)
        digests[f"{kind.collection}.jsonl.gz"] = lines.close()
        digests[f"{kind.collection}.csv"] = table.close()
        resources.append(
            _table(f"{kind.collection}.csv", kind.description, table_schema(columns, ["id"]))
        )
        resources.append(
            _lines(f"{kind.collection}.jsonl.gz", f"{kind.description} One JSON record per line.")
        )
    digests[ALL_FILE] = every.close()
    resources.append(
        _lines(
            ALL_FILE,
            'Every live record, one per line, as {"kind": <schema name>, "record": {...}}.',
        )
    )

    digests[CLAIMS_SOURCES_FILE] = sources_csv.close()
    resources.append(
        _table(
            CLAIMS_SOURCES_FILE,
            (
                "One row per claim and citation: who claims what about whom, in which source, "
                "where in it, and in which words."
            ),
            table_schema(claim_sources.columns),
        )
    )

    columns = tombstone_columns(schemas)
    tombstones = [
        {"collection": kind.collection, **entry.record}
        for kind in KINDS
        for entry in collections[kind.collection].tombstones
    ]
    digests[TOMBSTONES_FILE] = _whole(sink, TOMBSTONES_FILE, csv_bytes(columns, tombstones))
    resources.append(
        _table(
            TOMBSTONES_FILE,
            (
                "Ids that were withdrawn (the API answers 410) or merged into another record "
                "(the API answers 308)."
            ),
            table_schema(columns, ["collection", "id"]),
        )
    )

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
    digests[DIGESTS_FILE] = table.close()
    resources.append(
        _table(
            DIGESTS_FILE,
            "Every id of the release with the sha256 of its bytes, so that a mirror can check "
            "its copy record by record.",
            table_schema(digest_columns, ["collection", "id"]),
        )
    )

    digests[CHANGES_FILE] = _whole(sink, CHANGES_FILE, pretty_json(changes))
    resources.append(
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

    # Datasette's file and its metadata (chalicelib.release.sqlite).
    database = sink.open(SQLITE_FILE)
    write_sqlite(database, schemas, collections, spool)
    digests[SQLITE_FILE] = database.close()
    digests[METADATA_FILE] = _whole(sink, METADATA_FILE, metadata_bytes(schemas, version))
    resources.append(
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
    resources.append(
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

    for resource in resources:
        size, sha256 = digests[resource["path"]]
        resource["bytes"] = size
        resource["hash"] = "sha256:" + sha256
    _whole(
        sink,
        DATAPACKAGE_FILE,
        pretty_json(
            {
                "name": DATASET_NAME,
                "title": TITLE,
                "version": version,
                "created": iso_time(epoch),
                "description": QUOTATION_NOTE,
                "licenses": [LICENSE],
                "resources": resources,
            }
        ),
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
        found = {name: [] for name in CHANGE_KINDS}
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
