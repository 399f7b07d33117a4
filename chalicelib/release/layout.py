"""Where things live in a published release, and how their bytes are made.

The build writes this layout, the publisher uploads it and the reader finds objects
through it, so each key and each encoding rule is stated once, here::

    current.json                          the pointer: {version, manifest_sha256, published}
    releases.json                         every release, newest first, with its change summary
    redactions.json                       values withheld since an older release held them, and
                                          the files of older releases withdrawn for them
    releases/<version>/manifest.json      version, counts, licence, citation, every file's digest
    releases/<version>/schemas/<name>     the JSON Schemas the release was validated against
    releases/<version>/directory/<c>/<n>.json  id -> entry, for one hash shard (below)
    releases/<version>/catalog/claim-keys/<n>.json   duplicate-claim lookups for POST /validate
    releases/<version>/index/<c>/<name>   the query indexes (chalicelib.release.index), among them
    releases/<version>/index/<c>/records-NNNNN.jsonl   the live records, canonical JSON, one a line
    releases/<version>/files/<name>       the downloads
    releases/<version>/offline.zip        the offline edition, when published (+ .sig)

A directory entry is ``{sha256, chunk, start, bytes}`` for a live record: its bytes are
``bytes`` bytes at offset ``start`` of chunk ``chunk``, so serving it is one ranged read,
checked against ``sha256``. A tombstone's entry is ``{sha256, tombstone}``: the shard
alone answers for it. There is no object per record, so a release is a few thousand
objects at any dataset size rather than one per record. Each shard is verified through
the manifest, and each record through its shard.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

CURRENT_KEY = "current.json"
RELEASES_KEY = "releases.json"
REDACTIONS_KEY = "redactions.json"
RELEASES_PREFIX = "releases/"
MANIFEST = "manifest.json"
# The offline edition of a release (chalicelib.offline), beside its manifest and, like it,
# signed; not in the manifest, since its pages are rendered from the published release.
OFFLINE_EDITION = "offline.zip"

VERSION = re.compile(r"^[0-9]{8}-[0-9a-f]{8}$")
# Ids per directory shard on average. Shards are assigned by hash, so a shard rarely
# holds more than twice this; reading one stays cheap at any collection size.
SHARD_TARGET = 256


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no whitespace, UTF-8, no NaN.

    Floats use Python's shortest round-trip repr, which is the same on every platform,
    so the same record always gives the same bytes and the same sha256.
    """
    return _CANONICAL.encode(value).encode("utf-8")


# What json.dumps does with these options, minus building an encoder on every call: it runs
# for every record and claim a build writes, several times a record.
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def sha256_hex(body: bytes | memoryview) -> str:
    return hashlib.sha256(body).hexdigest()


def release_prefix(version: str) -> str:
    return f"{RELEASES_PREFIX}{version}/"


def schema_path(file_name: str) -> str:
    return f"schemas/{file_name}"


def index_path(collection: str, name: str) -> str:
    return f"index/{collection}/{name}"


def chunk_name(number: int) -> str:
    """The file of ``index/<collection>/`` holding the records of chunk ``number``."""
    return f"records-{number:05d}.jsonl"


def chunk_path(collection: str, number: int) -> str:
    return index_path(collection, chunk_name(number))


def download_path(name: str) -> str:
    return f"files/{name}"


def directory_path(collection: str, shard: int) -> str:
    return f"directory/{collection}/{shard}.json"


def claim_key_path(shard: int) -> str:
    return f"catalog/claim-keys/{shard}.json"


def shard_count(entries: int) -> int:
    """How many shards ``entries`` ids are spread over: 1, or a power of two."""
    shards = 1
    while entries > shards * SHARD_TARGET:
        shards *= 2
    return shards


def shard_of(key: str, shards: int) -> int:
    """The shard holding ``key``: the first 32 bits of sha256(key), modulo ``shards``."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % shards


def shard_bodies(count: int, entries: Iterable[tuple[str, Any]]) -> Iterator[tuple[int, bytes]]:
    """(shard number, body) of ``count`` entries, given in key order, spread over
    ``shard_count(count)`` hash shards; every shard, even an empty one.

    Each shard is ``canonical_json`` of its entries, made a member at a time: keys arrive
    sorted, so appending ``"key":value`` keeps a shard's keys in canonical order, and only
    the serialized shards are held, never a dict per entry.
    """
    shards = shard_count(count)
    buckets = [bytearray(b"{") for _ in range(shards)]
    for key, value in entries:
        bucket = buckets[shard_of(key, shards)]
        if len(bucket) > 1:
            bucket += b","
        bucket += canonical_json(key) + b":" + canonical_json(value)
    for number, bucket in enumerate(buckets):
        bucket += b"}"
        yield number, bytes(bucket)
        buckets[number] = bytearray()
