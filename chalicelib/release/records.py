"""The build's two passes over the records, a chunk of record files at a time, on every core.

1. ``read_chunk``: read and parse each file, run the schema stage, canonicalize it, and work
   out everything the release will need of it: its CSV lines and what its index keeps are
   spooled to disk (``compiled.Spool``); its id, digest, spool place and the facts the
   cross-record checks look up come back to the building process, compactly.
2. ``check_chunk``: once every chunk is read and the facts gathered (``Facts``), run the
   cross-record stage on each record again parsed from its spooled canonical JSON.

No pass keeps a parsed record beyond the file it is working on: at a million records, the
parsed records alone took gigabytes, and each forked worker added its own copy.

A chunk that finds any error stops the fast path: the build then validates the dataset
exactly as ``validate`` does, so that its report is the validator's report.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.checks.catalog import Catalog, claim_key, source_facts
from chalicelib.checks.intake import iter_record_files, load_file
from chalicelib.checks.validate import Item, Violation, cross_record_problems, schema_problems
from chalicelib.model.kinds import BY_NAME, KINDS, Kind
from chalicelib.model.schemas import SchemaSet
from chalicelib.release.compiled import ClaimKeys, CompiledCollection, Spool
from chalicelib.release.derived import ClaimFact, claim_fact
from chalicelib.release.index import index_features
from chalicelib.release.layout import canonical_json
from chalicelib.release.redact import Withheld, public_record, withheld_of
from chalicelib.release.sqlite import sql_rows
from chalicelib.release.tables import ClaimSourceTable, cells_reader, columns_for, lines_writer

KIND_NUMBER = {kind.name: number for number, kind in enumerate(KINDS)}
CHUNK_FILES = 1000


class Listing:
    """The record files under a folder, as ``checks.intake.record_files`` lists them, held
    as one string per file rather than a Path each (a tenth of the memory at a million)."""

    def __init__(self, paths: Iterable[Path]):
        self._folders: list[str] = []
        self._collections: list[str | None] = []
        self._folder_of = array("I")
        self._names: list[str] = []
        slot: dict[tuple[str, str | None], int] = {}
        for path, collection in iter_record_files(paths):
            key = (str(path.parent), collection)
            number = slot.get(key)
            if number is None:
                number = slot[key] = len(self._folders)
                self._folders.append(key[0])
                self._collections.append(collection)
            self._folder_of.append(number)
            self._names.append(path.name)

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, index: int) -> tuple[Path, str | None]:
        folder = self._folder_of[index]
        return Path(self._folders[folder], self._names[index]), self._collections[folder]

    def origin(self, index: int) -> str:
        """``str`` of the file's path, without making a Path (which costs more than a check)."""
        return os.path.join(self._folders[self._folder_of[index]], self._names[index])

    def stem(self, index: int) -> str:
        return self._names[index].rpartition(".")[0]

    def chunks(self, size: int = CHUNK_FILES) -> list[range]:
        return [range(n, min(n + size, len(self))) for n in range(0, len(self), size)]


@dataclass
class ReadChunk:
    """What the building process keeps of one chunk of record files, by position in it."""

    start: int
    failed: bool = False  # a file could not be read, or failed its schema
    kinds: array = field(default_factory=lambda: array("B"))  # KINDS number
    ids: list[str] = field(default_factory=list)
    digests: bytearray = field(default_factory=bytearray)  # sha256 of the canonical JSON
    pids: array = field(default_factory=lambda: array("I"))  # where a live record is spooled
    offsets: array = field(default_factory=lambda: array("Q"))
    sizes: array = field(default_factory=lambda: array("I"))
    tombstones: dict[int, dict] = field(default_factory=dict)  # position -> tombstone record
    sources: dict[int, tuple] = field(default_factory=dict)  # position -> source facts
    claim_keys: dict[int, bytes] = field(default_factory=dict)  # position -> sha256 of the key
    # Records that withhold something (few): the record as data/ has it, which the checks
    # read, by position; the sha256 of the claim key it publishes, where it differs (None
    # when it publishes none); and what it withholds, for the publisher.
    originals: dict[int, dict] = field(default_factory=dict)
    published_keys: dict[int, bytes | None] = field(default_factory=dict)
    withheld: list[Withheld] = field(default_factory=list)
    # What derived filters need of the live claims that give any (chalicelib.release.derived).
    claim_facts: list[ClaimFact] = field(default_factory=list)


def read_chunk(
    listing: Listing,
    schemas: SchemaSet,
    spool: Spool,
    files: range,
    reading: Callable[[int], None] | None = None,
) -> ReadChunk:
    """Read, check and spool the files numbered ``files``; see the module's docstring.
    ``reading`` is told where the chunk starts (it paces the read-ahead)."""
    if reading is not None:
        reading(files.start)
    chunk = ReadChunk(files.start)
    for index in files:
        key = None
        path, collection = listing[index]
        item = load_file(path, collection, index)
        if item.errors or schema_problems(item, schemas):
            chunk.failed = True
            break
        # load_file names the kind of every item it reads without an error.
        original, kind = item.record, BY_NAME[item.kind or ""]
        position = len(chunk.ids)
        # Redaction happens here, once: every output of the release is made from ``record``,
        # the record as released, never from what data/ holds (chalicelib.release.redact).
        record = original if "tombstone" in original else public_record(kind, original)
        body = canonical_json(record)
        chunk.kinds.append(KIND_NUMBER[kind.name])
        chunk.ids.append(record["id"])
        chunk.digests += hashlib.sha256(body).digest()
        if "tombstone" in record:
            chunk.tombstones[position] = record
            chunk.pids.append(0)
            chunk.offsets.append(0)
            chunk.sizes.extend((len(body), 0, 0, 0))
            continue
        cells, source_cells, lines, features, sql = _outputs(kind, schemas)
        row = cells(record)
        source_rows = source_cells(record) if source_cells else []
        pid, offset, *sizes = spool.put(
            body,
            lines([row]),
            lines(source_rows) if source_rows else b"",
            features(record),
            sql(record, row, source_rows),
        )
        chunk.pids.append(pid)
        chunk.offsets.append(offset)
        chunk.sizes.extend(sizes)
        if kind.collection == "sources":
            chunk.sources[position] = source_facts(original)
        elif kind.name == "claim":
            key = claim_key(original)
            if key is not None:
                chunk.claim_keys[position] = _digest(key)
            fact = claim_fact(record)
            if fact is not None:
                chunk.claim_facts.append(fact)
        if record is not original:
            chunk.originals[position] = original
            withheld = withheld_of(kind.collection, original)
            if withheld is not None:
                chunk.withheld.append(withheld)
            if kind.name == "claim" and claim_key(record) != key:
                # The catalog publishes a digest of each claim key, so a claim that withholds
                # part of its key is published under the key it shows.
                public_key = claim_key(record)
                chunk.published_keys[position] = None if public_key is None else _digest(public_key)
    spool.flush()
    return chunk


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


@functools.cache
def _outputs(kind: Kind, schemas: SchemaSet) -> tuple:
    """For ``kind``: its CSV cells, its claims-sources cells (claims only), the CSV lines of
    rows of cells, its index features, and its rows of all.sqlite (made from the cells)."""
    source_cells = (
        ClaimSourceTable.from_schemas(schemas).rows_reader() if kind.name == "claim" else None
    )
    return (
        cells_reader(columns_for(schemas, kind.schema_file)),
        source_cells,
        lines_writer(),
        index_features(kind),
        sql_rows(schemas, kind),
    )


class Facts(Catalog):
    """The catalog of a build, over its compiled collections: an id exists if it is in its
    collection's sorted ids, a claim key is looked up by its sha256 among the claim keys.
    Nothing is copied: at a million records, sets and dicts of their own took hundreds of
    megabytes, twice over once a checking process was forked."""

    def __init__(
        self,
        collections: Mapping[str, CompiledCollection],
        claim_keys: ClaimKeys,
        sources: dict[str, tuple],
    ):
        super().__init__()
        self._collections, self._keys, self._sources = collections, claim_keys, sources
        self._tombstones = {
            (name, t.id): t.record["tombstone"]
            for name, collection in collections.items()
            for t in collection.tombstones
        }

    def has_entry(self, collection: str, record_id: str) -> bool:
        return self.exists(collection, record_id) or (collection, record_id) in self._tombstones

    def exists(self, collection: str, record_id: str) -> bool:
        found = self._collections.get(collection)
        if found is None:
            return False
        ids = found.ids
        o = bisect.bisect_left(ids, record_id)
        return o < len(ids) and ids[o] == record_id

    def claims_with_key(self, key: str) -> list[str]:
        return self._keys.ids_of(hashlib.sha256(key.encode("utf-8")).digest())


# Cross-record findings: (collection, id, errors, warnings) of each record with any.
Findings = list[tuple[str, str, list[Violation], list[Violation]]]


def check_parts(collections: Mapping[str, CompiledCollection], size: int = CHUNK_FILES) -> list:
    """The work of the cross-record pass: (collection, range of live ordinals), and
    (collection, None) for its tombstones."""
    parts: list[tuple[str, range | None]] = []
    for name, collection in collections.items():
        count = collection.live_count
        parts += [(name, range(n, min(n + size, count))) for n in range(0, count, size)]
        if collection.tombstones:
            parts.append((name, None))
    return parts


def check_part(
    collections: Mapping[str, CompiledCollection],
    schemas: SchemaSet,
    spool: Spool,
    facts: Facts,
    originals: Mapping[tuple[str, str], dict],
    part: tuple[str, range | None],
) -> Findings:
    """The cross-record stage over one part, each live record parsed again from its spooled
    canonical JSON (equal to the record read, but for its keys' order, which no check reads),
    or, when it withholds something, taken from ``originals``: the checks read what data/ has."""
    name, ordinals = part
    collection = collections[name]
    kind = collection.kind
    if ordinals is None:
        records = ((t.id, t.record) for t in collection.tombstones)
    else:
        records = (
            (collection.ids[o], _checked_record(collection, spool, originals, o)) for o in ordinals
        )
    found = []
    for record_id, record in records:
        item = Item(kind.name, record, f"{name}/{record_id}.json")
        errors, warnings = cross_record_problems(item, schemas, facts)
        if errors or warnings:
            found.append((name, record_id, errors, warnings))
    return found


def _checked_record(
    collection: CompiledCollection,
    spool: Spool,
    originals: Mapping[tuple[str, str], dict],
    ordinal: int,
) -> dict:
    """The live record at ``ordinal`` as data/ has it."""
    original = originals.get((collection.kind.collection, collection.ids[ordinal]))
    if original is not None:
        return original
    return json.loads(collection.spooled(spool, ordinal, features=False).body)


def warned_items(
    data_dir: Path,
    collections,
    spool: Spool,
    originals: Mapping[tuple[str, str], dict],
    findings: Findings,
) -> list[Item]:
    """The items of the files with warnings, as ``validate`` would report them, in file order."""
    if not findings:
        return []
    listing = Listing([data_dir])
    where = {(c, record_id): (w, None) for c, record_id, _, w in findings}
    items = []
    for index in range(len(listing)):
        path, collection = listing[index]
        found = None if collection is None else where.get((collection, path.stem))
        if found is None:
            continue
        collection_records = collections[collection]
        o = bisect.bisect_left(collection_records.ids, path.stem)
        tombstone = next((t for t in collection_records.tombstones if t.id == path.stem), None)
        record = (
            tombstone.record
            if tombstone is not None
            else _checked_record(collection_records, spool, originals, o)
        )
        item = Item(collection_records.kind.name, record, str(path), index, path.stem)
        item.warnings.extend(found[0])
        items.append(item)
    return items
