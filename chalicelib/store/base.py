"""The one interface every store keeps (``Store``), and the rules both backends share: which
keys are safe, what a byte range must be, and how long a presigned URL lives."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from pathlib import Path

from chalicelib.errors import ObjectTruncated

# How long a presigned download URL lives: long enough to start a large download, short
# enough that a leaked link soon stops working.
PRESIGN_SECONDS = 900


def _check_key(key: str, *, prefix: bool = False) -> str:
    """Return ``key`` if it is a safe relative key, else raise ValueError.

    Both stores apply the same rules, so a key that works locally works on S3 and a
    key that could escape a DirStore root (``..``, absolute, NUL, backslash) never
    reaches the file system. A ``prefix`` may be empty and may end with '/'.
    """
    if not isinstance(key, str):
        raise ValueError("a store key must be a string")
    body = key[:-1] if prefix and key.endswith("/") else key
    if prefix and body == "":
        return key
    if "\x00" in key or "\\" in key:
        raise ValueError(f"store key {key!r} contains a NUL or a backslash")
    if key.startswith("/"):
        raise ValueError(f"store key {key!r} must be relative, not absolute")
    if any(part in ("", ".", "..") for part in body.split("/")):
        raise ValueError(f"store key {key!r} has an empty, '.' or '..' segment")
    return key


def _check_range(start: int, length: int) -> None:
    if start < 0 or length < 1:
        raise ValueError(f"a byte range needs start >= 0 and length >= 1, not {start}, {length}")


def _whole_range(key: str, body: bytes, length: int) -> bytes:
    # S3 answers a range running past the end with the bytes there are, a file read the
    # same: either way the object is not what the range was taken from.
    if len(body) != length:
        raise ObjectTruncated(key)
    return body


class Store(abc.ABC):
    """Where releases live. Keys are '/'-separated and relative to the store."""

    url: str
    reads: int  # incremented by every get(), so tests can assert "no storage call"

    @abc.abstractmethod
    def get(self, key: str) -> bytes:
        """Return the object's bytes; raise ObjectMissing if there is none."""

    @abc.abstractmethod
    def get_range(self, key: str, start: int, length: int) -> bytes:
        """Return ``length`` bytes of the object from offset ``start``, counted as one read.

        Raises ObjectMissing if there is no object, and ObjectTruncated if it ends before
        ``start + length``: a caller asks for a range it was told the object holds.
        """

    @abc.abstractmethod
    def put(self, key: str, body: bytes, content_type: str = "application/json") -> None:
        """Write the object atomically: readers see the old bytes or the new, never half."""

    @abc.abstractmethod
    def put_if_absent(self, key: str, body: bytes, content_type: str = "application/json") -> bool:
        """Write once: True if written, False if identical bytes are already there.

        Raises ObjectExists if the key holds different bytes: releases are immutable.
        """

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Return whether an object is stored under ``key``."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with ``prefix``, in sorted (code point) order."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object if present (used to clean up a failed publish)."""

    def purge(self, key: str) -> None:
        """Remove the object and every earlier version of it, so that nothing can restore
        it (a redaction: docs/do-no-harm.md). A store without versions just deletes it."""
        self.delete(key)

    def get_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The object's bytes and a tag that changes whenever they do, or None if absent;
        pass the tag to ``put_if_tag`` to write only if nobody wrote in between."""
        raise NotImplementedError

    def put_if_tag(
        self, key: str, body: bytes, tag: str | None, content_type: str = "application/json"
    ) -> bool:
        """Write only if the object still has ``tag`` (``None``: only if there is none).

        False when another writer got there first: read it again, and decide again.
        """
        raise NotImplementedError

    def presigned_url(self, key: str, expires_in: int = PRESIGN_SECONDS) -> str | None:
        """Return a short-lived URL to download ``key`` directly, or None if unsupported."""
        return None

    def local_path(self, key: str) -> Path | None:
        """Return the file holding ``key`` if the store is a folder, else None."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"
