"""Object storage for published releases: one ``Store`` interface, two backends.

``DirStore`` (``folder.py``) keeps objects as files under a folder (``make serve``,
``build --out``); ``S3Store`` (``s3.py``) keeps them in a bucket under an optional prefix
(production). Both speak the same '/'-separated relative keys, e.g.
``releases/20261127-3f9a1c2b/manifest.json``, and keep the interface of ``base.py``.
``open_store`` opens either from a URL or a folder path.
"""

from __future__ import annotations

import re

from chalicelib.store.base import PRESIGN_SECONDS, Store
from chalicelib.store.folder import DirStore
from chalicelib.store.s3 import FAIL_FAST_SECONDS, S3Store, classify_client_error

__all__ = [
    "FAIL_FAST_SECONDS",
    "PRESIGN_SECONDS",
    "DirStore",
    "S3Store",
    "Store",
    "classify_client_error",
    "open_store",
]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def open_store(url: str) -> Store:
    """Open ``s3://bucket/prefix`` as an S3Store, or a folder path as a DirStore.

    Opening never touches storage: no client is created and no folder is made.
    Other URL schemes (``http://``, ``gs://``, …) raise ValueError.
    """
    if not url:
        raise ValueError("a store URL or folder path is required")
    match = _SCHEME.match(url)
    if match is None:
        return DirStore(url)
    scheme = match.group(1).lower()
    if scheme != "s3":
        raise ValueError(f"unsupported store URL scheme {scheme!r}: use s3:// or a folder path")
    bucket, _, prefix = url[match.end() :].partition("/")
    if not bucket:
        raise ValueError("an s3:// store URL needs a bucket name")
    return S3Store(bucket, prefix, url=url)
