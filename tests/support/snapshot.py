"""A release published once per worker, and copied into each fresh store a test needs.

Building and publishing even the mini dataset costs more than most tests that read it, and
many tests only need a store holding it, untouched by others. ``Snapshot.of`` publishes once
into a folder store, noting the content type publish gave each object; ``restore`` copies
that into a new store: the folder file for file (the lock publish leaves beside
releases.json included), a bucket object by object with its content type. What a store
holds after ``restore`` is what it holds after ``publish``
(tests/release/test_snapshot.py holds it to that).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from chalicelib.store import DirStore, Store


class _Noting(DirStore):
    """A folder store that notes the content type of each object written to it."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.types: dict[str, str] = {}

    def put(self, key, body, content_type="application/json"):
        self.types[key] = content_type
        super().put(key, body, content_type)

    def put_if_absent(self, key, body, content_type="application/json"):
        self.types.setdefault(key, content_type)
        return super().put_if_absent(key, body, content_type)

    def put_if_tag(self, key, body, tag, content_type="application/json"):
        written = super().put_if_tag(key, body, tag, content_type)
        if written:
            self.types[key] = content_type
        return written


@dataclass(frozen=True)
class Snapshot:
    """A published store to copy from; never written to after ``of``."""

    folder: Path
    types: dict[str, str]  # key -> content type, of every object publish left
    version: str

    @classmethod
    def of(cls, data_dir: Path, folder: Path, epoch: int) -> Snapshot:
        """Publish ``data_dir`` (with its time fixed at ``epoch``) into a new ``folder``."""
        from chalicelib.release.publish import publish

        noting = _Noting(folder)
        version = publish(noting, data_dir, epoch=epoch).version
        keys = set(noting.list())
        assert keys <= set(noting.types), keys - set(noting.types)
        return cls(folder, {key: noting.types[key] for key in sorted(keys)}, version)

    def restore(self, store: Store) -> Store:
        """Copy the release into ``store``, which must hold nothing yet; return it."""
        if isinstance(store, DirStore):
            shutil.copytree(self.folder, store.root)
        else:
            assert next(iter(store.list()), None) is None, f"{store} is not empty"
            source = DirStore(self.folder)
            for key, content_type in self.types.items():
                store.put(key, source.get(key), content_type)
        return store
