"""What a release says about itself: title, licence, how to cite it, and its manifest.

The manifest is the release's table of contents and its root of trust below
``current.json``: it names the sha256 and size of every file in the release. Each
record is a line of an index chunk, and the directory shard that names its sha256
and byte range is one of those files.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

# Bump when the build writes different bytes for the same data (a new file, a changed
# CSV rule): it is part of the content hash, so the new output gets a new version
# instead of being refused as different content under a published one.
# 2: records are no longer objects of their own, but byte ranges of the index chunks.
# 3: all.sqlite and Datasette's metadata.json among the downloads.
RELEASE_FORMAT = 3

DATASET_NAME = "iran-1988-prison-massacres"
TITLE = "The 1988 prison massacres in Iran: an open, sourced record"
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
QUOTATION_NOTE = (
    "Short quotations from third-party sources remain under their own terms. Text quoted "
    "from Amnesty International's report Blood-soaked secrets (MDE 13/9421/2018) is "
    "licensed by Amnesty International under CC BY-NC-ND 4.0; it is quoted briefly, with "
    "attribution, and never copied in bulk."
)


def iso_time(epoch: int) -> str:
    """``epoch`` (seconds, UTC) as an RFC 3339 timestamp: 2026-11-27T10:00:00Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def citation(version: str, epoch: int) -> dict[str, str]:
    """How to cite one release: a ready-made string, and the version to quote."""
    day = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    return {
        "text": f"{TITLE}. Dataset, release {version} ({day}). Licensed under CC BY 4.0.",
        "version": version,
        "note": "Cite the release you used; pin API requests to it with ?release=" + version + ".",
    }


def manifest_document(
    *,
    version: str,
    epoch: int,
    previous: str | None,
    content_sha256: str,
    counts: Mapping[str, Mapping[str, int]],
    shards: Mapping[str, Any],
    files: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """The manifest of one release. ``files`` maps each release path to {bytes, sha256}."""
    return {
        "version": version,
        "published": iso_time(epoch),
        "previous": previous,
        "format": RELEASE_FORMAT,
        "content_sha256": content_sha256,
        "title": TITLE,
        "counts": {collection: dict(n) for collection, n in counts.items()},
        "license": {**LICENSE, "note": QUOTATION_NOTE},
        "cite": citation(version, epoch),
        "shards": dict(shards),
        "files": {path: dict(files[path]) for path in sorted(files)},
    }
