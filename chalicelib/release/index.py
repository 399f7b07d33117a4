"""The per-collection list index: built once per release, loaded by the API.

A list page must be answered without one storage read per record, so the release carries, for
each collection, everything a page needs under ``index/<collection>/``:

``meta.json``
    format, kind, record count, chunk size and the names of every other file.
``records-NNNNN.jsonl``
    the records' canonical JSON (``layout.canonical_json``: the bytes the single-record route
    serves, by a ranged read that the record's directory entry locates), one per line,
    ``CHUNK_RECORDS`` per file in id order. Chunked so a cold Lambda reads a megabyte for its
    first page rather than the whole collection.
``records.bin``
    where each record's line ends inside its chunk (uint32).
``ids.bin``
    the ids, sorted, for ``ordinal_of``.
``sort-<key>.bin``
    for each sort key besides ``id``: ``perm`` (ordinals in ascending order) and ``rank``
    (each ordinal's position in ``perm``). ``id`` needs no file: ordinals are in id order.
``filter-<param>.bin``
    for each filter: sorted values (header) and, per value, a sorted run of ordinals.
``span.bin``
    each record's date span (``lo``, ``hi``: YYYYMMDD integers), and the dated records grouped
    by the magnitude of their span's width, each group sorted by start, for ``date_from/to``.
``search.bin``
    a ``TrigramIndex`` over the kind's search fields and title.

The ``.bin`` files share one container: an 8-byte magic, a uint32 header length, a JSON header
naming the arrays, then the arrays as little-endian 4-byte integers, each 8-aligned, and an
optional raw tail. Arrays load as zero-copy memoryviews, so loading costs a read, not a parse.
"""

from __future__ import annotations

import functools
import json
import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from chalicelib.errors import EDTFError
from chalicelib.model import edtf
from chalicelib.model.kinds import Kind
from chalicelib.model.ordering import OPEN_END, OPEN_START, day_number, sort_key
from chalicelib.release.cache import Memo
from chalicelib.release.layout import chunk_name
from chalicelib.release.textsearch import TrigramBuilder, TrigramIndex, folded_texts

FORMAT = 1
CHUNK_RECORDS = 1024
# A record with no date gets an empty span (start after end), so no date filter can match it.
NO_SPAN = (2**31 - 1, -1)

_MAGIC = b"IR88IDX\x01"
_HEAD = struct.Struct("<8sI")


# --- container --------------------------------------------------------------------------------


def _pad(n: int) -> bytes:
    return b"\0" * (-n % 8)


def _le(a: array) -> bytes:
    if sys.byteorder == "little":
        return a.tobytes()
    b = array(a.typecode, a)  # pragma: no cover - big-endian hosts only
    b.byteswap()  # pragma: no cover
    return b.tobytes()  # pragma: no cover


def pack(header: Mapping[str, Any], arrays: Mapping[str, array], tail: bytes = b"") -> bytes:
    """One container file: header JSON, then ``arrays`` in the given order, then ``tail``."""
    head = dict(
        header, arrays=[[name, a.typecode, len(a)] for name, a in arrays.items()], tail=len(tail)
    )
    text = json.dumps(head, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    parts = [_HEAD.pack(_MAGIC, len(text)), text, _pad(_HEAD.size + len(text))]
    for a in arrays.values():
        if a.itemsize != 4:  # pragma: no cover - 'i'/'I' are 4 bytes wherever Lambda runs
            raise RuntimeError(f"array({a.typecode!r}) is not 4 bytes on this platform")
        raw = _le(a)
        parts += [raw, _pad(len(raw))]
    parts.append(tail)
    return b"".join(parts)


def unpack(data: bytes) -> tuple[dict, dict[str, Sequence[int]], memoryview]:
    """(header, arrays by name, tail) of a ``pack`` output; arrays and tail are views, not copies."""
    if len(data) < _HEAD.size:
        raise ValueError("index container is truncated")
    magic, size = _HEAD.unpack_from(data)
    if magic != _MAGIC:
        raise ValueError("not an index container (bad magic)")
    header = json.loads(data[_HEAD.size : _HEAD.size + size])
    pos = _HEAD.size + size
    pos += -pos % 8
    view = memoryview(data)
    arrays: dict[str, Sequence[int]] = {}
    for name, typecode, count in header.pop("arrays"):
        raw = view[pos : pos + 4 * count]
        if len(raw) != 4 * count:
            raise ValueError(f"index container is truncated in array {name!r}")
        if sys.byteorder == "little":
            arrays[name] = raw.cast(typecode)
        else:  # pragma: no cover
            swapped = array(typecode, raw.tobytes())
            swapped.byteswap()
            arrays[name] = swapped
        pos += 4 * count + (-4 * count % 8)
    tail = view[pos : pos + header.pop("tail")]
    return header, arrays, tail


# --- build ------------------------------------------------------------------------------------


@functools.cache
def _getter(path: tuple[str, ...]) -> Callable[[Any], list[str]]:
    """A function giving the string values at ``path`` (as ``kinds.values_at`` finds them).

    The build reads a dozen paths of every record; skipping the JSON Pointers that values_at
    builds for error messages, and the generic walk for paths without ``*``, makes it several
    times faster.
    """
    if "*" not in path:

        def plain(record: Any) -> list[str]:
            node = record
            for step in path:
                node = node.get(step) if isinstance(node, dict) else None
            return [node] if isinstance(node, str) else []

        return plain

    def walk(record: Any) -> list[str]:
        nodes = [record]
        for step in path:
            if step == "*":
                nodes = [item for node in nodes if isinstance(node, list) for item in node]
            else:
                nodes = [node[step] for node in nodes if isinstance(node, dict) and step in node]
        return [v for v in nodes if isinstance(v, str)]

    return walk


def record_span(kind: Kind, record: dict) -> tuple[int, int]:
    """(start, end) day numbers: the earliest lower and latest upper bound of the span fields."""
    lows, highs = [], []
    for text in [v for path in kind.span_fields for v in _getter(path)(record)]:
        try:
            lo, hi = edtf.bounds(text)
        except EDTFError:
            continue  # the validator reports it; an index must still build
        lows.append(day_number(lo, OPEN_START))
        highs.append(day_number(hi, OPEN_END))
    return (min(lows), max(highs)) if lows else NO_SPAN


def _values(get: Callable[[Any], list[str]], record: Any) -> list[str]:
    values = get(record)
    return values if len(values) < 2 else sorted(set(values))


def _postings(runs: dict[str, array]) -> bytes:
    values = sorted(runs)
    starts, flat = array("I", [0]), array("I")
    for value in values:
        flat.extend(runs[value])
        starts.append(len(flat))
    return pack({"values": values}, {"starts": starts, "ordinals": flat})


def _sort_file(key: str, keys: list) -> bytes:
    # Ordinals are in id order, so the ordinal is the id tie-breaker; missing values sort last.
    perm = array("I", sorted(range(len(keys)), key=lambda o: (keys[o] is None, keys[o] or (), o)))
    rank = array("I", bytes(4 * len(perm)))
    for position, ordinal in enumerate(perm):
        rank[ordinal] = position
    return pack({"key": key}, {"perm": perm, "rank": rank})


def _span_file(lo: array, hi: array) -> bytes:
    # Spans are grouped by the order of magnitude of their width (days, months, years, decades,
    # open), and each group is sorted by start. A span reaching day d then starts at most its
    # group's widest width before d, so each group is answered by a bisect on starts plus a check
    # of the ends, with few candidates wasted, instead of a scan of every record.
    groups: dict[int, list[int]] = {}
    for o in range(len(lo)):
        if lo[o] <= hi[o]:
            groups.setdefault(len(str(hi[o] - lo[o])), []).append(o)
    widths, arrays = [], {"lo": lo, "hi": hi}
    for g, members in enumerate(groups[k] for k in sorted(groups)):
        members.sort(key=lambda o: (lo[o], o))
        widths.append(max(hi[o] - lo[o] for o in members))
        arrays[f"by_start_{g}"] = array("I", members)
        arrays[f"starts_{g}"] = array("i", (lo[o] for o in members))
    return pack({"widths": widths}, arrays)


def index_features(kind: Kind) -> Callable[[dict], tuple]:
    """The function giving what the index of ``kind`` keeps of one record: its id, its values
    of each filter, its key of each sort, its date span and its folded search texts.

    A build works it out where it reads the records, on every core, so that the index is then
    built from these alone, with no record held in memory.
    """
    filters = [_getter(f.path) for f in kind.filters]
    sorts = [sort_key(kind, key) for key in kind.sorts]
    spans = bool(kind.span_fields)
    search = [_getter(p) for p in kind.search_fields + ((kind.title_field,),)]

    def features(record: dict) -> tuple:
        return (
            record["id"],
            tuple(_values(get, record) for get in filters),
            tuple(key(record) for key in sorts),
            record_span(kind, record) if spans else None,
            folded_texts([v for get in search for v in get(record)]),
        )

    return features


class IndexBuilder:
    """Builds ``index/<collection>/`` from records given one at a time, in id order.

    Each record comes as its ``index_features`` and its canonical JSON. A chunk of records
    is handed out as soon as it is full, and only what the other files need is kept: ids,
    line ends, postings, sort keys, spans and the search index.
    """

    def __init__(self, kind: Kind):
        self.kind = kind
        self._last_id: str | None = None
        self._id_blob = bytearray()  # the ids as ids.bin holds them, not a string each
        self._id_ends = array("I", (0,))
        self._ends = array("I")
        self._chunk: list[bytes] = []
        self._runs: list[dict[str, array]] = [{} for _ in kind.filters]
        self._keys: list[list] = [[] for _ in kind.sorts]
        self._distinct: dict = {}  # equal sort keys share one object: a million keys, few values
        self._lo, self._hi = array("i"), array("i")
        self._search = TrigramBuilder()
        self.count = 0

    def add(self, features: tuple, body: bytes) -> Iterator[tuple[str, bytes]]:
        """Take the next record; yield the chunk file it completes, if it completes one."""
        record_id, values, keys, span, texts = features
        ordinal = self.count
        if self._last_id is not None and record_id <= self._last_id:
            raise ValueError(
                f"{self.kind.collection} records must be sorted by id, without duplicates"
            )
        self._last_id = record_id
        self._id_blob += record_id.encode("ascii")
        self._id_ends.append(len(self._id_blob))
        self._chunk.append(body)
        previous = self._ends[-1] + 1 if ordinal % CHUNK_RECORDS else 0
        self._ends.append(previous + len(body))
        for runs, found in zip(self._runs, values):
            for value in found:
                run = runs.get(value)
                if run is None:
                    run = runs[value] = array("I")
                run.append(ordinal)
        distinct = self._distinct
        for column, key in zip(self._keys, keys):
            column.append(distinct.setdefault(key, key) if key is not None else None)
        if span is not None:
            self._lo.append(span[0])
            self._hi.append(span[1])
        self._search.add(ordinal, texts)
        self.count += 1
        if len(self._chunk) == CHUNK_RECORDS:
            yield self._flush()

    def _flush(self) -> tuple[str, bytes]:
        name = chunk_name((self.count - 1) // CHUNK_RECORDS)
        body = b"\n".join(self._chunk) + b"\n"
        self._chunk = []
        return name, body

    def finish(self) -> Iterator[tuple[str, Any]]:
        """Yield the remaining files: the last chunk, then the rest, ``meta.json`` last. A
        file's body is bytes, or a list of byte strings to be written one after the other."""
        names = [chunk_name(c) for c in range(-(-self.count // CHUNK_RECORDS))]
        if self._chunk:
            yield self._flush()
        kind = self.kind
        yield "records.bin", pack({"chunk": CHUNK_RECORDS}, {"ends": self._ends})
        yield "ids.bin", pack({}, {"ends": self._id_ends}, bytes(self._id_blob))
        self._id_blob = bytearray()
        names += ["records.bin", "ids.bin"]
        for f, runs in zip(kind.filters, self._runs):
            names.append(f"filter-{f.param}.bin")
            yield names[-1], _postings(runs)
        self._runs = []
        for key, keys in zip(kind.sorts, self._keys):
            names.append(f"sort-{key}.bin")
            yield names[-1], _sort_file(key, keys)
        self._keys, self._distinct = [], {}
        if kind.span_fields:
            names.append("span.bin")
            yield names[-1], _span_file(self._lo, self._hi)
        names.append("search.bin")
        yield names[-1], self._search.build().to_chunks()
        meta = {
            "format": FORMAT,
            "kind": kind.name,
            "collection": kind.collection,
            "count": self.count,
            "chunk": CHUNK_RECORDS,
            "files": sorted(names),
        }
        yield "meta.json", json.dumps(meta, sort_keys=True, separators=(",", ":")).encode() + b"\n"


# --- load -------------------------------------------------------------------------------------


class CollectionIndex:
    """A loaded collection index. Each file is read on first use, so a cold start pays only for
    what its first request touches."""

    def __init__(self, kind: Kind, read: Callable[[str], bytes], meta: dict):
        self.kind, self._read, self.meta = kind, read, meta
        self.count: int = meta["count"]
        self._chunk_size: int = meta["chunk"]
        self._chunks: list[bytes | None] = [None] * -(-self.count // self._chunk_size)
        self._parts: dict[str, Any] = {}
        self.memo = Memo()

    @classmethod
    def load(cls, kind: Kind, read: Callable[[str], bytes]) -> CollectionIndex:
        """Open the index of ``kind``; ``read(name)`` returns one verified file of it."""
        meta = json.loads(read("meta.json"))
        if meta.get("format") != FORMAT or meta.get("kind") != kind.name:
            raise ValueError(
                f"expected a format-{FORMAT} {kind.name} index, found a format-"
                f"{meta.get('format')} {meta.get('kind')} index"
            )
        return cls(kind, read, meta)

    def _part(self, name: str) -> Any:
        part = self._parts.get(name)
        if part is None:
            part = self._parts[name] = unpack(self._read(name))
        return part

    # records and ids

    def record_bytes(self, ordinal: int) -> bytes:
        """The canonical JSON bytes of the record at ``ordinal`` (its position in id order)."""
        return self.records((ordinal,))[0]

    def records(self, ordinals: Iterable[int]) -> list[bytes]:
        """The JSON bytes of several records, in the order given."""
        ends, size, chunks = self._part("records.bin")[1]["ends"], self._chunk_size, self._chunks
        out = []
        for o in ordinals:  # record_bytes inlined: this loop is most of a page's cost
            chunk = chunks[o // size]
            if chunk is None:
                chunk = self._load_chunk(o // size)
            out.append(chunk[ends[o - 1] + 1 if o % size else 0 : ends[o]])
        return out

    def _load_chunk(self, c: int) -> bytes:
        chunk = self._chunks[c] = self._read(chunk_name(c))
        return chunk

    def id_at(self, ordinal: int) -> str:
        """The id of the record at ``ordinal``."""
        _, arrays, blob = self._part("ids.bin")
        ends = arrays["ends"]
        return str(blob[ends[ordinal] : ends[ordinal + 1]], "ascii")

    def ordinal_of(self, record_id: str) -> int | None:
        """The ordinal of ``record_id``, or None when it is not a live record here."""
        lo, hi = 0, self.count
        while lo < hi:  # bisect over the blob, so no list of a million ids is ever built
            mid = (lo + hi) // 2
            if self.id_at(mid) < record_id:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < self.count and self.id_at(lo) == record_id else None

    # filters, sorts, dates, search

    def posting(self, param: str, value: str) -> Sequence[int]:
        """Sorted ordinals of records whose ``param`` filter field holds exactly ``value``."""
        name = f"filter-{param}.bin"
        part = self._parts.get(name)
        if part is None:
            header, arrays, _ = unpack(self._read(name))
            slots = {v: i for i, v in enumerate(header["values"])}
            part = self._parts[name] = (slots, arrays["starts"], arrays["ordinals"])
        slots, starts, ordinals = part
        i = slots.get(value)
        return ordinals[starts[i] : starts[i + 1]] if i is not None else ()

    def filter_values(self, param: str) -> list[str]:
        """Every value the ``param`` filter field holds in this collection, in index order."""
        self.posting(param, "")  # loads the filter's file once
        return list(self._parts[f"filter-{param}.bin"][0])

    def order(self, sort: str) -> Sequence[int] | None:
        """Ordinals in ascending ``sort`` order; None for 'id', whose order is the ordinals'."""
        return None if sort == "id" else self._part(f"sort-{sort}.bin")[1]["perm"]

    def rank_of(self, sort: str, ordinal: int) -> int:
        """The position of ``ordinal`` in ascending ``sort`` order."""
        return ordinal if sort == "id" else self._part(f"sort-{sort}.bin")[1]["rank"][ordinal]

    def ranks(self, sort: str) -> Sequence[int]:
        """Every ordinal's position in ascending ``sort`` order (not for 'id')."""
        return self._part(f"sort-{sort}.bin")[1]["rank"]

    def overlapping(self, start: int, end: int) -> list[int]:
        """Sorted ordinals whose date span overlaps ``[start, end]`` (day numbers, inclusive)."""
        header, a, _ = self._part("span.bin")
        hi, found = a["hi"], []
        for g, width in enumerate(header["widths"]):
            starts = a[f"starts_{g}"]
            i = bisect_left(starts, start - width)
            j = bisect_right(starts, end, i)
            found += [o for o in a[f"by_start_{g}"][i:j] if hi[o] >= start]
        found.sort()
        return found

    def trigrams(self) -> TrigramIndex:
        """The loaded trigram index over the folded names and texts (read on first use)."""
        trigrams = self._parts.get("search.bin")
        if trigrams is None:
            trigrams = self._parts["search.bin"] = TrigramIndex.from_bytes(self._read("search.bin"))
        return trigrams

    def search(self, q: str, limit: int | None = None) -> list[int]:
        """Ascending ordinals whose folded names or texts contain folded ``q``."""
        return self.trigrams().search(q, limit)
