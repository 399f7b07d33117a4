"""Compiling ``data/`` for a release: read, validate, canonicalize and version it.

``chalicelib.writer`` then writes the compiled release into a folder. The build is
reproducible. Records are written as canonical JSON; every file is a
pure function of the records, the schemas and the previous release; and the only
time a release carries comes from ``SOURCE_DATE_EPOCH`` or, failing that, from the
last git commit that touched ``data/``, never from the clock. The version is that
day plus a short hash of the content, so the same data always gets the same version.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, ContextManager, Mapping

from .errors import DatasetError
from .intake import load_paths
from .kinds import BY_NAME, KINDS, Kind
from .layout import canonical_json, record_path, schema_path, sha256_hex
from .manifest import RELEASE_FORMAT
from .schemas import SCHEMA_DIR, SchemaSet, read_schema_dir
from .validate import Report, validate

# A progress reporter: progress(label, length) gives a context manager whose value
# has update(n). The CLI passes click progress bars when stderr is a terminal.
Progress = Callable[[str, int], ContextManager[Any]]


class _NoBar:
    def update(self, n: int) -> None:
        pass


def no_progress(label: str, length: int) -> ContextManager[Any]:
    """The progress reporter that reports nothing."""
    return contextlib.nullcontext(_NoBar())


class BuildError(DatasetError):
    """The release cannot be built for a reason other than invalid records."""


class InvalidDataset(DatasetError):
    """Some record is invalid; ``report`` says which and why."""

    def __init__(self, report: Report):
        super().__init__(f"{report.error_count} errors in the dataset; nothing was built")
        self.report = report


@dataclass(slots=True)
class CompiledRecord:
    """One record (or tombstone) as the release holds it."""

    id: str
    record: dict
    body: bytes   # canonical JSON: the exact bytes the API serves
    sha256: str

    @property
    def entry(self) -> dict[str, Any]:
        """Its directory-shard entry: the digest, plus the tombstone for a tombstone."""
        if "tombstone" in self.record:
            return {"sha256": self.sha256, "tombstone": self.record["tombstone"]}
        return {"sha256": self.sha256}


@dataclass
class CompiledCollection:
    kind: Kind
    live: list[CompiledRecord] = field(default_factory=list)        # sorted by id
    tombstones: list[CompiledRecord] = field(default_factory=list)  # sorted by id

    def entries(self) -> dict[str, dict[str, Any]]:
        """Directory entries of every id, live and tombstone, sorted by id."""
        merged = sorted(self.live + self.tombstones, key=lambda r: r.id)
        return {r.id: r.entry for r in merged}


@dataclass
class PreviousRelease:
    """What changes.json compares against: a version and its directory entries."""

    version: str
    entries: Mapping[str, Mapping[str, dict]]


@dataclass
class Compiled:
    """``data/`` read, validated and canonicalized: everything but the writing."""

    schemas: SchemaSet
    schema_bytes: dict[str, bytes]
    collections: dict[str, CompiledCollection]
    report: Report
    epoch: int
    content_sha256: str

    @property
    def version(self) -> str:
        return time.strftime("%Y%m%d", time.gmtime(self.epoch)) + "-" + self.content_sha256[:8]

    @cached_property
    def entries(self) -> dict[str, dict[str, dict]]:
        return {c: coll.entries() for c, coll in self.collections.items()}

    def record_count(self) -> int:
        return sum(len(c.live) + len(c.tombstones) for c in self.collections.values())


def source_date_epoch(data_dir: Path) -> int:
    """The release time: ``SOURCE_DATE_EPOCH``, else the last commit touching ``data_dir``."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit():
            raise BuildError("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC")
        return int(raw)
    try:
        git = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "."], cwd=data_dir,
                             capture_output=True, text=True, timeout=60, check=False)
        stamp = git.stdout.strip() if git.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        stamp = ""
    if not stamp.isdigit():
        raise BuildError(
            f"cannot tell the release time: commit {data_dir} to git or set SOURCE_DATE_EPOCH "
            "(a release takes its time from the last commit that touched the data, never "
            "from the clock, so that rebuilding it gives the same bytes)")
    return int(stamp)


def compile_data(data_dir: Path, *, epoch: int | None = None,
                 schema_dir: Path = SCHEMA_DIR) -> Compiled:
    """Read and validate every record under ``data_dir``; raise InvalidDataset if any fails."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise BuildError(f"{data_dir} is not a folder of records")
    schema_bytes = read_schema_dir(schema_dir)
    schemas = PrecheckedSchemaSet(schema_bytes)
    items = load_paths([data_dir])
    report = validate(items, schemas)
    if not report.valid:
        raise InvalidDataset(report)
    if epoch is None:
        epoch = source_date_epoch(data_dir)
    collections = {kind.collection: CompiledCollection(kind) for kind in KINDS}
    for item in items:
        body = canonical_json(item.record)
        compiled = CompiledRecord(item.record_id, item.record, body, sha256_hex(body))
        collection = collections[BY_NAME[item.kind].collection]
        (collection.tombstones if item.is_tombstone else collection.live).append(compiled)
    listing = [f"format {RELEASE_FORMAT}"]
    listing += [f"{schema_path(name)} {sha256_hex(body)}" for name, body in schema_bytes.items()]
    for name, collection in collections.items():
        collection.live.sort(key=lambda r: r.id)
        collection.tombstones.sort(key=lambda r: r.id)
        listing += [f"{record_path(name, r.id)} {r.sha256}"
                    for r in collection.live + collection.tombstones]
    content = hashlib.sha256("".join(line + "\n" for line in sorted(listing)).encode("utf-8"))
    return Compiled(schemas, schema_bytes, collections, report, epoch, content.hexdigest())


def build_release(data_dir: Path, out_dir: Path, *, previous: PreviousRelease | None = None,
                  epoch: int | None = None, progress: Progress | None = None) -> tuple[Compiled, dict]:
    """Compile ``data_dir`` and write the release into ``out_dir``; return it and its manifest."""
    from .writer import write_release

    compiled = compile_data(data_dir, epoch=epoch)
    return compiled, write_release(compiled, out_dir, previous, progress)


# -- the schema stage, sped up -------------------------------------------------------

class _Prechecked:
    """A validator that lets a fast, independent 2020-12 implementation accept records.

    jsonschema_rs and jsonschema must agree on every record (tests/test_schemas.py
    holds them to it), so a record the fast one accepts needs no second look; only
    rejected records go through jsonschema, whose errors the report explains.
    """

    __slots__ = ("fast", "full")

    def __init__(self, fast: Any, full: Any):
        self.fast, self.full = fast, full

    def is_valid(self, instance: Any) -> bool:
        return self.fast.is_valid(instance)

    def iter_errors(self, instance: Any):
        return iter(()) if self.fast.is_valid(instance) else self.full.iter_errors(instance)


class PrecheckedSchemaSet(SchemaSet):
    """A SchemaSet whose validators precheck with jsonschema_rs when it is installed.

    The build validates every record of the dataset; jsonschema alone manages a few
    thousand records a second, short of the 10k/s build target. Without jsonschema_rs
    (it is a development dependency) this is a plain SchemaSet.
    """

    @cached_property
    def validators(self) -> dict[str, Any]:
        full = SchemaSet.validators.func(self)
        try:
            import jsonschema_rs
        except ImportError:
            return full
        registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in self.documents.values()])
        return {name: _Prechecked(jsonschema_rs.Draft202012Validator(
                    self.documents[f"{name}.schema.json"], registry=registry,
                    validate_formats=True, ignore_unknown_formats=False), validator)
                for name, validator in full.items()}
