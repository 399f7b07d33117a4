"""The downloads of a release (``files/``): JSON Lines, CSV, SQLite, the data package and the changes.

Every file is a pure function of the release's records and schemas (and, for
``changes.json``, of the previous release), written byte for byte the same on every
build: canonical JSON, gzip without a timestamp or file name, CSV rows in id order.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from typing import Any

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.compiled import CompiledCollection
from chalicelib.release.layout import sha256_hex
from chalicelib.release.manifest import DATASET_NAME, LICENSE, QUOTATION_NOTE, TITLE, iso_time
from chalicelib.release.tables import (
    ClaimSourceTable,
    Column,
    columns_for,
    csv_bytes,
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


def release_downloads(
    schemas: SchemaSet,
    collections: Mapping[str, CompiledCollection],
    *,
    version: str,
    epoch: int,
    changes: dict[str, Any],
) -> dict[str, bytes]:
    """Every file of ``files/``, by name, ending with ``datapackage.json``.

    ``<collection>.jsonl.gz`` holds that collection's live records, one canonical
    record per line; ``all.jsonl.gz`` holds every live record as ``{"kind", "record"}``,
    the shape that ``validate -`` and ``POST /validate`` take. Tombstones are in
    ``tombstones.csv`` and ``changes.json``, not among the records.
    """
    files: dict[str, bytes] = {}
    resources: list[dict[str, Any]] = []
    every: list[bytes] = []
    for kind in KINDS:
        collection = collections[kind.collection]
        lines = [entry.body for entry in collection.live]
        files[f"{kind.collection}.jsonl.gz"] = gzipped(b"".join(line + b"\n" for line in lines))
        prefix = b'{"kind":"' + kind.name.encode() + b'","record":'
        every.extend(prefix + line + b"}\n" for line in lines)
        columns = columns_for(schemas, kind.schema_file)
        files[f"{kind.collection}.csv"] = csv_bytes(columns, (e.record for e in collection.live))
        resources.append(
            _table(f"{kind.collection}.csv", kind.description, table_schema(columns, ["id"]))
        )
        resources.append(
            _lines(f"{kind.collection}.jsonl.gz", f"{kind.description} One JSON record per line.")
        )
    files[ALL_FILE] = gzipped(b"".join(every))
    resources.append(
        _lines(
            ALL_FILE,
            'Every live record, one per line, as {"kind": <schema name>, "record": {...}}.',
        )
    )

    claim_sources = ClaimSourceTable.from_schemas(schemas)
    files[CLAIMS_SOURCES_FILE] = claim_sources.csv(e.record for e in collections["claims"].live)
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
    files[TOMBSTONES_FILE] = csv_bytes(columns, tombstones)
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
    digest_columns = [
        Column("collection", ("collection",), "scalar", description="The collection."),
        Column("id", ("id",), "scalar", description="The record's id."),
        Column(
            "state",
            ("state",),
            "scalar",
            description="live, withdrawn or merged.",
        ),
        Column(
            "sha256",
            ("sha256",),
            "scalar",
            description="sha256 of the record's canonical JSON (what the API serves), or of "
            "the tombstone's.",
        ),
    ]
    digests = [
        {
            "collection": kind.collection,
            "id": entry.id,
            "state": entry.record["tombstone"]["action"] if "tombstone" in entry.record else "live",
            "sha256": entry.sha256,
        }
        for kind in KINDS
        for entry in sorted(
            collections[kind.collection].live + collections[kind.collection].tombstones,
            key=lambda e: e.id,
        )
    ]
    files[DIGESTS_FILE] = csv_bytes(digest_columns, digests)
    resources.append(
        _table(
            DIGESTS_FILE,
            "Every id of the release with the sha256 of its bytes, so that a mirror can check "
            "its copy record by record.",
            table_schema(digest_columns, ["collection", "id"]),
        )
    )

    files[CHANGES_FILE] = pretty_json(changes)
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
    from chalicelib.release.sqlite import METADATA_FILE, SQLITE_FILE, sqlite_downloads

    files.update(
        sqlite_downloads(
            schemas,
            {
                kind.collection: [e.record for e in collections[kind.collection].live]
                for kind in KINDS
            },
            version,
        )
    )
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
        body = files[resource["path"]]
        resource["bytes"] = len(body)
        resource["hash"] = "sha256:" + sha256_hex(body)
    files[DATAPACKAGE_FILE] = pretty_json(
        {
            "name": DATASET_NAME,
            "title": TITLE,
            "version": version,
            "created": iso_time(epoch),
            "description": QUOTATION_NOTE,
            "licenses": [LICENSE],
            "resources": resources,
        }
    )
    return files


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
