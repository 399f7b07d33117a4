"""Where things live in a published release, and how their bytes are made.

The build writes this layout, the publisher uploads it and the reader finds objects
through it, so each key and each encoding rule is stated once, here::

    current.json                          the pointer: {version, manifest_sha256, published}
    releases.json                         every release, newest first, with its change summary
    releases/<version>/manifest.json      version, counts, licence, citation, every file's digest
    releases/<version>/schemas/<name>     the JSON Schemas the release was validated against
    releases/<version>/records/<c>/<id>.json   one record (or tombstone), canonical JSON
    releases/<version>/directory/<c>/<n>.json  id -> {sha256[, tombstone]} for one hash shard
    releases/<version>/catalog/claim-keys/<n>.json   duplicate-claim lookups for POST /validate
    releases/<version>/index/<c>/<name>   the query indexes (chalicelib.index)
    releases/<version>/files/<name>       the downloads

Records are not listed in the manifest, so it stays small at any dataset size; each
record is verified through the directory shard that names its sha256, and each shard
through the manifest.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

CURRENT_KEY = "current.json"
RELEASES_KEY = "releases.json"
RELEASES_PREFIX = "releases/"
MANIFEST = "manifest.json"

VERSION = re.compile(r"^[0-9]{8}-[0-9a-f]{8}$")
# Ids per directory shard on average. Shards are assigned by hash, so a shard rarely
# holds more than twice this; reading one stays cheap at any collection size.
SHARD_TARGET = 256


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no whitespace, UTF-8, no NaN.

    Floats use Python's shortest round-trip repr, which is the same on every platform,
    so the same record always gives the same bytes and the same sha256.
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def release_prefix(version: str) -> str:
    return f"{RELEASES_PREFIX}{version}/"


def record_path(collection: str, record_id: str) -> str:
    return f"records/{collection}/{record_id}.json"


def schema_path(file_name: str) -> str:
    return f"schemas/{file_name}"


def index_path(collection: str, name: str) -> str:
    return f"index/{collection}/{name}"


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
