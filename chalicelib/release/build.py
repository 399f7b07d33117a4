"""Compiling ``data/`` for a release: read, validate, canonicalize and version it.

``chalicelib.release.writer`` then writes the compiled release into a folder. The build is
reproducible. Records are written as canonical JSON; every file is a
pure function of the records, the schemas and the previous release; and the only
time a release carries comes from ``SOURCE_DATE_EPOCH`` or, failing that, from the
last git commit that touched ``data/``, never from the clock. The version is that
day plus a short hash of the content, so the same data always gets the same version.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import itertools
import os
import subprocess
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from chalicelib.checks.intake import load_file
from chalicelib.checks.validate import Report, validate
from chalicelib.errors import BuildError, InvalidDataset
from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SCHEMA_DIR, read_schema_dir
from chalicelib.release.compiled import (
    ClaimKeys,
    Compiled,
    CompiledCollection,
    CompiledTombstone,
    PreviousRelease,
    Spool,
)
from chalicelib.release.cores import gc_paused, map_shared, processes_for
from chalicelib.release.derived import ClaimFact, DerivedValues
from chalicelib.release.layout import schema_path, sha256_hex
from chalicelib.release.manifest import RELEASE_FORMAT
from chalicelib.release.precheck import PrecheckedSchemaSet
from chalicelib.release.progress import Progress
from chalicelib.release.readahead import ReadAhead
from chalicelib.release.readahead import available as readahead_available
from chalicelib.release.records import (
    Facts,
    Listing,
    ReadChunk,
    check_part,
    check_parts,
    read_chunk,
    warned_items,
)
from chalicelib.release.redact import Withheld


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
    """Read and validate every record under ``data_dir``; raise InvalidDataset if any fails.

    The records go through two passes shared over every core (chalicelib.release.records):
    reading (with the schema stage), then the cross-record stage. What the release needs of
    each live record is spooled to a temporary folder, which the Compiled holds until it is
    closed. Should any record fail, the dataset is validated again as ``validate`` does it,
    and that report is raised.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise BuildError(f"{data_dir} is not a folder of records")
    schema_bytes = read_schema_dir(schema_dir)
    schemas = PrecheckedSchemaSet(schema_bytes)
    schemas.validators  # noqa: B018 - built once here, and shared with the forked readers
    listing = Listing([data_dir])
    processes = processes_for(len(listing))
    spool = Spool()
    try:
        with _read_ahead(listing, processes) as ahead:
            chunks = map_shared(
                lambda part: [
                    read_chunk(listing, schemas, spool, files, ahead.reading) for files in part
                ],
                listing.chunks(),
                processes,
                chunk=1,
            )
        # A string per file: freed before the next fork (rebuilt on failure). Set to None, not
        # deleted, because the reading lambda above closes over it.
        listing = None  # type: ignore[assignment]
        if any(c.failed for c in chunks):
            _refuse(data_dir, schemas, processes)
        collections, keys, sources, reused = _compiled_collections(chunks)
        del chunks
        if reused:
            _refuse(data_dir, schemas, processes)
        facts = Facts(collections, keys.checked, sources)
        originals = keys.originals
        found_by_part = map_shared(
            lambda part: [
                check_part(collections, schemas, spool, facts, originals, p) for p in part
            ],
            check_parts(collections),
            processes,
            chunk=1,
        )
        # The catalog is no longer needed: freed before writing (the lambda above closes over it).
        facts = sources = None  # type: ignore[assignment]
        findings = [found for part in found_by_part for found in part]
        del found_by_part
        if any(errors for _, _, errors, _ in findings):
            _refuse(data_dir, schemas, processes)
        report = Report(warned_items(data_dir, collections, spool, originals, findings))
        if epoch is None:
            epoch = source_date_epoch(data_dir)
    except BaseException:
        spool.close()
        raise
    return Compiled(
        schemas,
        schema_bytes,
        collections,
        report,
        epoch,
        _content_sha256(schema_bytes, collections),
        keys.published,
        spool,
        keys.withheld,
        DerivedValues(keys.claim_facts),
    )


class _NoReadAhead:
    def __enter__(self) -> _NoReadAhead:
        return self

    def __exit__(self, *_) -> None:
        pass

    def reading(self, index: int) -> None:
        pass


def _read_ahead(listing: Listing, processes: int) -> ReadAhead | _NoReadAhead:
    """A read-ahead of the record files (chalicelib.release.readahead) for a build that is
    spread over processes: one too small to fork for is read before it would help."""
    if processes <= 1 or not readahead_available():
        return _NoReadAhead()
    return ReadAhead(len(listing), listing.origin)


def _refuse(data_dir: Path, schemas: PrecheckedSchemaSet, processes: int) -> None:
    """Raise InvalidDataset with the report ``validate`` gives for the whole dataset."""
    listing = Listing([data_dir])
    items = map_shared(
        lambda part: [load_file(*listing[index], index) for index in part],
        range(len(listing)),
        processes,
    )
    report = validate(items, schemas, spread=lambda work, part: map_shared(work, part, processes))
    if report.valid:  # pragma: no cover - both passes run the validator's own checks
        raise BuildError("the build found an error that the validator does not; this is a bug")
    raise InvalidDataset(report)


@dataclass
class _Withholding:
    """The claim keys, as the checks read them (from data/) and as the catalog publishes
    them (from the released records); the records that withhold something, as data/ has
    them, by (collection, id); and what they withhold."""

    checked: ClaimKeys
    published: ClaimKeys
    originals: dict[tuple[str, str], dict]
    withheld: list[Withheld]
    claim_facts: list[ClaimFact]


def _compiled_collections(
    chunks: list[ReadChunk],
) -> tuple[dict[str, CompiledCollection], _Withholding, dict[str, tuple], bool]:
    """The valid records by collection, live ones in id order and tombstones too; the live
    claims by claim-key digest and the withholding records; the sources' facts by id; and
    whether an id was taken twice in a collection. Each chunk is emptied once taken."""
    collections = {kind.collection: CompiledCollection(kind) for kind in KINDS}
    key_digests, key_ids = bytearray(), []
    public_digests, public_ids = bytearray(), []
    originals: dict[tuple[str, str], dict] = {}
    withheld: list[Withheld] = []
    sources: dict[str, tuple] = {}
    claim_facts: list[ClaimFact] = []
    for chunk in chunks:
        for position, record_id in enumerate(chunk.ids):
            kind = KINDS[chunk.kinds[position]]
            collection = collections[kind.collection]
            digest = chunk.digests[32 * position : 32 * position + 32]
            tombstone = chunk.tombstones.get(position)
            if tombstone is not None:
                collection.tombstones.append(CompiledTombstone(record_id, tombstone, digest.hex()))
                continue
            collection.ids.append(record_id)
            collection.digests += digest
            collection.pids.append(chunk.pids[position])
            collection.offsets.append(chunk.offsets[position])
            collection.sizes.extend(chunk.sizes[4 * position : 4 * position + 4])
            key = chunk.claim_keys.get(position)
            if key is not None:
                key_digests += key
                key_ids.append(record_id)
            public = chunk.published_keys.get(position, key)
            if public is not None:
                public_digests += public
                public_ids.append(record_id)
            original = chunk.originals.get(position)
            if original is not None:
                originals[(kind.collection, record_id)] = original
            facts = chunk.sources.get(position)
            if facts is not None:
                sources[record_id] = facts
        withheld += chunk.withheld
        claim_facts += chunk.claim_facts
        ReadChunk.__init__(chunk, chunk.start)  # free it: only the collections hold the records now
    reused = False
    for collection in collections.values():
        _sort_by_id(collection)
        collection.tombstones.sort(key=lambda t: t.id)
        reused = reused or _reuses_an_id(collection)
    checked = ClaimKeys(bytes(key_digests), key_ids)
    published = (
        checked
        if key_ids == public_ids and key_digests == public_digests
        else ClaimKeys(bytes(public_digests), public_ids)
    )
    withholding = _Withholding(
        checked, published, originals, sorted(withheld, key=lambda w: w.reference), claim_facts
    )
    return collections, withholding, sources, reused


def _reuses_an_id(collection: CompiledCollection) -> bool:
    """Whether two records of the collection, live or tombstone, have one id."""
    ids, tombstones = collection.ids, [t.id for t in collection.tombstones]
    if any(a == b for a, b in itertools.pairwise(ids)):
        return True
    if any(a == b for a, b in itertools.pairwise(tombstones)):
        return True
    for record_id in tombstones:
        o = bisect.bisect_left(ids, record_id)
        if o < len(ids) and ids[o] == record_id:
            return True
    return False


def _sort_by_id(collection: CompiledCollection) -> None:
    """Put the live records in id order (file names sort '-' before '.', ids do not)."""
    ids = collection.ids
    if all(a <= b for a, b in itertools.pairwise(ids)):
        return
    order = sorted(range(len(ids)), key=ids.__getitem__)
    collection.ids = [ids[o] for o in order]
    d, s = collection.digests, collection.sizes
    collection.digests = bytearray(b"".join(d[32 * o : 32 * o + 32] for o in order))
    collection.pids = array("I", (collection.pids[o] for o in order))
    collection.offsets = array("Q", (collection.offsets[o] for o in order))
    collection.sizes = array("I", (v for o in order for v in s[4 * o : 4 * o + 4]))


def _lines(name: str, collection: CompiledCollection) -> Iterator[str]:
    for record_id, entry in collection.entries().items():
        yield f"{name}/{record_id} {entry['sha256']}"


def _content_sha256(
    schema_bytes: Mapping[str, bytes], collections: Mapping[str, CompiledCollection]
) -> str:
    """The sha256 of the sorted lines naming every schema and record with its sha256.

    The lines of one collection are in id order already (an id holds only a-z, 0-9 and
    '-', all after the space that ends it), so they are merged rather than sorted whole.
    """
    head = [f"format {RELEASE_FORMAT}"]
    head += [f"{schema_path(name)} {sha256_hex(body)}" for name, body in schema_bytes.items()]
    streams = [sorted(head)] + [_lines(name, c) for name, c in collections.items()]
    digest = hashlib.sha256()
    for line in heapq.merge(*streams):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


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
    with compiled:
        return compiled, write_release(compiled, out_dir, previous, progress)
