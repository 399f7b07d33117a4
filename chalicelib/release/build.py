"""Compiling ``data/`` for a release: read, validate, canonicalize and version it.

``chalicelib.release.writer`` then writes the compiled release into a folder. The build is
reproducible. Records are written as canonical JSON; every file is a
pure function of the records, the schemas and the previous release; and the only
time a release carries comes from ``SOURCE_DATE_EPOCH`` or, failing that, from the
last git commit that touched ``data/``, never from the clock. The version is that
day plus a short hash of the content, so the same data always gets the same version.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from chalicelib.checks.catalog import claim_key as claim_key_of
from chalicelib.checks.intake import load_file, record_files
from chalicelib.checks.validate import Item, validate
from chalicelib.errors import BuildError, InvalidDataset
from chalicelib.model.kinds import BY_NAME, KINDS
from chalicelib.model.schemas import SCHEMA_DIR, read_schema_dir
from chalicelib.release.compiled import (
    Compiled,
    CompiledCollection,
    CompiledRecord,
    PreviousRelease,
)
from chalicelib.release.cores import gc_paused, map_shared, processes_for
from chalicelib.release.index import CHUNK_RECORDS, line_ends
from chalicelib.release.layout import canonical_json, schema_path, sha256_hex
from chalicelib.release.manifest import RELEASE_FORMAT
from chalicelib.release.precheck import PrecheckedSchemaSet
from chalicelib.release.progress import Progress
from chalicelib.release.redact import Withheld, public_record, withheld_of


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
        [item for item, _, _, _ in read],
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
        _withheld(read),
    )


def _compiled_collections(
    read: list[ReadFile],
) -> tuple[dict[str, CompiledCollection], dict[str, list[str]]]:
    """The valid records by collection, each list sorted by id and each live record placed
    in its collection's index chunks; and the live claims' ids by claim-key digest."""
    collections = {kind.collection: CompiledCollection(kind) for kind in KINDS}
    claim_keys: dict[str, list[str]] = {}
    for item, public, body, sha256 in read:
        # The catalog publishes a digest of each claim key, so a claim that withholds part of
        # its key is keyed by what it publishes.
        key = claim_key_of(public) if _withholds(item) else item.claim_key
        if key is not None and not item.is_tombstone:
            claim_keys.setdefault(sha256_hex(key.encode("utf-8")), []).append(item.record_id)
        compiled = CompiledRecord(item.record_id, public, body, sha256)
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


def _withholds(item: Item) -> bool:
    return isinstance(item.record, dict) and not item.is_tombstone and "withheld" in item.record


def _withheld(read: list[ReadFile]) -> list[Withheld]:
    """What the records withhold, by reference: for the publisher alone."""
    found = []
    for item, _, _, _ in read:
        if _withholds(item):
            withheld = withheld_of(BY_NAME[item.kind].collection, item.record)
            if withheld is not None:
                found.append(withheld)
    return sorted(found, key=lambda w: w.reference)


# A record file read: its item, and for a JSON object the record as released (its withheld
# values removed: chalicelib.release.redact), that record's canonical JSON and its sha256.
ReadFile = tuple[Item, Any, bytes | None, str | None]


def _read_files(files: Sequence[tuple[int, tuple[Path, str | None]]]) -> list[ReadFile]:
    """Each numbered record file as an item, with the record as released, its canonical JSON
    and that JSON's sha256.

    Everything here is per file, so it runs on every core (chalicelib.release.cores.map_shared); the
    claim key is worked out here for the same reason. Redaction happens here, once: every
    output of the release is made from the released record, never from ``item.record``.
    """
    read = []
    for index, (path, collection) in files:
        item = load_file(path, collection, index)
        item.claim_key  # noqa: B018 - cached on the item, which carries it back
        if isinstance(item.record, dict):
            kind = BY_NAME.get(item.kind or "")
            public = (
                public_record(kind, item.record)
                if kind is not None and not item.is_tombstone
                else item.record
            )
            body = canonical_json(public)
            read.append((item, public, body, sha256_hex(body)))
        else:
            read.append((item, item.record, None, None))
    return read


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
