"""``DirStore``: a store kept as files under a folder (``make serve``, ``build --out``)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from chalicelib.errors import ObjectExists, ObjectMissing, StoreUnavailable
from chalicelib.store.base import Store, _check_key, _check_range, _whole_range

# DirStore stages writes in hidden files with this prefix; listings skip them.
_TEMP_PREFIX = ".tmp-"


@contextlib.contextmanager
def _file_errors(key: str):
    """Re-raise file system errors inside the block as domain errors about ``key``."""
    try:
        yield
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise ObjectMissing(key) from None
    except OSError:
        # EIO, EMFILE, EACCES: the disk, not the request, is at fault, and may recover.
        raise StoreUnavailable() from None


class DirStore(Store):
    """A store kept in a local folder; the folder is created on first write."""

    def __init__(self, root: str | os.PathLike, url: str | None = None):
        self.root = Path(root)
        self.url = url if url is not None else str(root)
        self.reads = 0

    def local_path(self, key: str) -> Path:
        """Return the path of ``key`` under the root, rejecting keys that would escape it."""
        return self.root.joinpath(*_check_key(key).split("/"))

    def get(self, key: str) -> bytes:
        path = self.local_path(key)
        self.reads += 1
        with _file_errors(key):
            return path.read_bytes()

    def get_range(self, key: str, start: int, length: int) -> bytes:
        _check_range(start, length)
        path = self.local_path(key)
        self.reads += 1
        with _file_errors(key), path.open("rb") as handle:
            handle.seek(start)
            body = handle.read(length)
        return _whole_range(key, body, length)

    def _stage(self, path: Path, body: bytes) -> Path:
        # Staging in the destination folder keeps the final rename/link on one file
        # system, which is what makes it atomic. No fsync: atomicity for readers is the
        # contract, and builds write many thousands of objects.
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.parent / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return temp

    def put(self, key: str, body: bytes, content_type: str = "application/json") -> None:
        """Write the object atomically (temp file in the same folder, then os.replace)."""
        path = self.local_path(key)
        temp = self._stage(path, body)
        try:
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def put_if_absent(self, key: str, body: bytes, content_type: str = "application/json") -> bool:
        """Write once: os.link refuses an existing name, so of two writers only one wins."""
        path = self.local_path(key)
        temp = self._stage(path, body)
        try:
            os.link(temp, path)
            return True
        except FileExistsError:
            if path.read_bytes() == body:
                return False
            raise ObjectExists(key) from None
        finally:
            temp.unlink(missing_ok=True)

    def get_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The bytes and their sha256 (a folder has no ETag; the digest serves as one)."""
        try:
            body = self.get(key)
        except ObjectMissing:
            return None
        return body, hashlib.sha256(body).hexdigest()

    def put_if_tag(
        self, key: str, body: bytes, tag: str | None, content_type: str = "application/json"
    ) -> bool:
        """Compare and swap under an exclusive lock on a sidecar file (released if the
        process dies), so that of two publishes on this host only one writes on a given
        read; readers never lock, and see the old bytes or the new (os.replace)."""
        import fcntl

        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = self._stage(path, body)
        try:
            with open(path.with_name(f"{_TEMP_PREFIX}lock-{path.name}"), "a+b") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                found = self.get_tagged(key)
                if (found[1] if found else None) != tag:
                    return False
                os.replace(temp, path)
                return True
        finally:
            temp.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.local_path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with ``prefix``, sorted, skipping staged temp files."""
        _check_key(prefix, prefix=True)
        # Walk only the deepest folder the prefix names, then filter as S3 would
        # ('releases/2026' matches 'releases/20261127-…/…' as well).
        folder = self.root.joinpath(*prefix.split("/")[:-1])
        keys: list[str] = []
        for dirpath, _dirs, files in os.walk(folder):
            rel = Path(dirpath).relative_to(self.root).as_posix()
            base = "" if rel == "." else rel + "/"
            keys.extend(base + name for name in files if not name.startswith(_TEMP_PREFIX))
        return iter(sorted(key for key in keys if key.startswith(prefix)))

    def delete(self, key: str) -> None:
        self.local_path(key).unlink(missing_ok=True)
