"""Compiling ``data/`` for a release: read, validate, canonicalize and version it.

``chalicelib.release.writer`` then writes the compiled release into a folder. The build is
reproducible. Records are written as canonical JSON; every file is a
pure function of the records, the schemas and the previous release; and the only
time a release carries comes from ``SOURCE_DATE_EPOCH`` or, failing that, from the
last git commit that touched ``data/``, never from the clock. The version is that
day plus a short hash of the content, so the same data always gets the same version.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from chalicelib.checks.intake import load_file, record_files
from chalicelib.checks.validate import Item, Report, validate
from chalicelib.errors import DatasetError
from chalicelib.model.kinds import BY_NAME, KINDS, Kind
from chalicelib.model.schemas import SCHEMA_DIR, SchemaSet, read_schema_dir
from chalicelib.release.cores import map_shared, processes_for
from chalicelib.release.index import CHUNK_RECORDS, line_ends
from chalicelib.release.layout import canonical_json, schema_path, sha256_hex
from chalicelib.release.manifest import RELEASE_FORMAT

# A progress reporter: progress(label, length) gives a context manager whose value
# has update(n). The CLI passes click progress bars when stderr is a terminal.
Progress = Callable[[str, int], AbstractContextManager[Any]]


class _NoBar:
    def update(self, n: int) -> None:
        pass


def no_progress(label: str, length: int) -> AbstractContextManager[Any]:
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
    body: bytes  # canonical JSON: the exact bytes the API serves
    sha256: str
    chunk: int = -1  # a live record's place in index/<collection>/: chunk number and offset
    start: int = 0

    @property
    def entry(self) -> dict[str, Any]:
        """Its directory-shard entry: the digest, plus the tombstone for a tombstone, or
        where its bytes are for a live record."""
        if "tombstone" in self.record:
            return {"sha256": self.sha256, "tombstone": self.record["tombstone"]}
        return {
            "sha256": self.sha256,
            "chunk": self.chunk,
            "start": self.start,
            "bytes": len(self.body),
        }


@dataclass
class CompiledCollection:
    kind: Kind
    live: list[CompiledRecord] = field(default_factory=list)  # sorted by id
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
    claim_keys: dict[str, list[str]]  # sha256 of a claim key -> its live claims' ids, by digest

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
            raise BuildError(
                "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC"
            )
        return int(raw)
    try:
        git = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=data_dir,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        stamp = git.stdout.strip() if git.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        stamp = ""
    if not stamp.isdigit():
        raise BuildError(
            f"cannot tell the release time: commit {data_dir} to git or set SOURCE_DATE_EPOCH "
            "(a release takes its time from the last commit that touched the data, never "
            "from the clock, so that rebuilding it gives the same bytes)"
        )
    return int(stamp)


def compile_data(
    data_dir: Path, *, epoch: int | None = None, schema_dir: Path = SCHEMA_DIR
) -> Compiled:
    """Read and validate every record under ``data_dir``; raise InvalidDataset if any fails."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise BuildError(f"{data_dir} is not a folder of records")
    schema_bytes = read_schema_dir(schema_dir)
    schemas = PrecheckedSchemaSet(schema_bytes)
    files = record_files([data_dir])
    processes = processes_for(len(files))
    read = map_shared(_read_files, list(enumerate(files)), processes)
    report = validate(
        [item for item, _, _ in read],
        schemas,
        spread=lambda work, part: map_shared(work, part, processes),
    )
    if not report.valid:
        raise InvalidDataset(report)
    if epoch is None:
        epoch = source_date_epoch(data_dir)
    collections, claim_keys = _compiled_collections(read)
    return Compiled(
        schemas,
        schema_bytes,
        collections,
        report,
        epoch,
        _content_sha256(schema_bytes, collections),
        claim_keys,
    )


def _compiled_collections(
    read: list[ReadFile],
) -> tuple[dict[str, CompiledCollection], dict[str, list[str]]]:
    """The valid records by collection, each list sorted by id and each live record placed
    in its collection's index chunks; and the live claims' ids by claim-key digest."""
    collections = {kind.collection: CompiledCollection(kind) for kind in KINDS}
    claim_keys: dict[str, list[str]] = {}
    for item, body, sha256 in read:
        if item.claim_key is not None and not item.is_tombstone:
            claim_keys.setdefault(sha256_hex(item.claim_key.encode("utf-8")), []).append(
                item.record_id
            )
        compiled = CompiledRecord(item.record_id, item.record, body, sha256)
        collection = collections[BY_NAME[item.kind].collection]
        (collection.tombstones if item.is_tombstone else collection.live).append(compiled)
    for collection in collections.values():
        collection.live.sort(key=lambda r: r.id)
        collection.tombstones.sort(key=lambda r: r.id)
        ends = line_ends([r.body for r in collection.live])
        for ordinal, record in enumerate(collection.live):
            record.chunk, record.start = ordinal // CHUNK_RECORDS, ends[ordinal] - len(record.body)
    return collections, {digest: sorted(ids) for digest, ids in sorted(claim_keys.items())}


def _content_sha256(
    schema_bytes: Mapping[str, bytes], collections: Mapping[str, CompiledCollection]
) -> str:
    """The sha256 of the sorted lines naming every schema and record with its sha256."""
    listing = [f"format {RELEASE_FORMAT}"]
    listing += [f"{schema_path(name)} {sha256_hex(body)}" for name, body in schema_bytes.items()]
    for name, collection in collections.items():
        listing += [f"{name}/{r.id} {r.sha256}" for r in collection.live + collection.tombstones]
    return hashlib.sha256(
        "".join(line + "\n" for line in sorted(listing)).encode("utf-8")
    ).hexdigest()


# A record file read: its item, and for a JSON object its canonical JSON and that JSON's sha256.
ReadFile = tuple[Item, bytes | None, str | None]


def _read_files(files: Sequence[tuple[int, tuple[Path, str | None]]]) -> list[ReadFile]:
    """Each numbered record file as an item, with its canonical JSON and that JSON's sha256.

    Everything here is per file, so it runs on every core (chalicelib.release.cores.map_shared); the
    claim key is worked out here for the same reason.
    """
    read = []
    for index, (path, collection) in files:
        item = load_file(path, collection, index)
        item.claim_key  # noqa: B018 - cached on the item, which carries it back
        if isinstance(item.record, dict):
            body = canonical_json(item.record)
            read.append((item, body, sha256_hex(body)))
        else:
            read.append((item, None, None))
    return read


@contextlib.contextmanager
def gc_paused():
    """Run the block with the cyclic garbage collector off.

    A build makes millions of objects (records, entries, index postings) that live until it
    ends, and forms no cycles worth collecting; the collector would walk all of them again
    and again as they accumulate, which costs a fifth of the build.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@gc_paused()
def build_release(
    data_dir: Path,
    out_dir: Path,
    *,
    previous: PreviousRelease | None = None,
    epoch: int | None = None,
    progress: Progress | None = None,
) -> tuple[Compiled, dict]:
    """Compile ``data_dir`` and write the release into ``out_dir``; return it and its manifest."""
    from chalicelib.release.writer import write_release

    compiled = compile_data(data_dir, epoch=epoch)
    return compiled, write_release(compiled, out_dir, previous, progress)


# -- the schema stage, sped up -------------------------------------------------------


class _Prechecked:
    """A validator that lets a fast, independent 2020-12 implementation accept records.

    jsonschema_rs and jsonschema must agree on every record (tests/test_schemas.py
    holds them to it), so a record the fast one accepts needs no second look; only
    rejected records go through jsonschema, whose errors the report explains.
    """

    __slots__ = ("_full", "fast")

    def __init__(self, fast: Any, full: Callable[[], Any]):
        self.fast, self._full = fast, full

    def is_valid(self, instance: Any) -> bool:
        return self.fast.is_valid(instance)

    def iter_errors(self, instance: Any):
        return iter(()) if self.fast.is_valid(instance) else self._full().iter_errors(instance)


class PrecheckedSchemaSet(SchemaSet):
    """A SchemaSet whose validators precheck with jsonschema_rs when it is installed.

    The build validates every record of the dataset; jsonschema alone manages a few
    thousand records a second, short of the 10k/s build target. Without jsonschema_rs
    (it is a development dependency) this is a plain SchemaSet.
    """

    @cached_property
    def validators(self) -> dict[str, Any]:
        try:
            import jsonschema_rs
        except ImportError:
            return self._explaining
        registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in self.documents.values()])
        fast = {}
        for name in [kind.name for kind in KINDS] + ["tombstone"]:
            schema = self.documents[f"{name}.schema.json"]
            jsonschema_rs.meta.validate(schema)  # as jsonschema's check_schema would
            fast[name] = jsonschema_rs.Draft202012Validator(
                schema, registry=registry, validate_formats=True, ignore_unknown_formats=False
            )
        return {
            name: _Prechecked(validator, lambda name=name: self._explaining[name])
            for name, validator in fast.items()
        }

    @cached_property
    def _explaining(self) -> dict[str, Any]:
        # Built, and jsonschema imported (a tenth of a second), only once a record fails.
        return SchemaSet.validators.func(self)
