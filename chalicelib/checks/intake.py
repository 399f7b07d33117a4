"""Turning record files and submitted payloads into validation items.

Record files live at ``data/<collection>/<id>.json``: the folder gives the kind and
the file name gives the id. Submitted payloads (stdin, ``POST /validate``) say the
kind themselves: one item, a list of items, or ``{"items": [...]}``, where an item is
``{"kind": "person", "record": {...}}``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from chalicelib.checks.jsonio import JSONInputError, parse
from chalicelib.checks.placeholders import MARK
from chalicelib.checks.validate import Item, Violation
from chalicelib.model.kinds import BY_COLLECTION, KINDS, Kind
from chalicelib.text import clip, escape_pointer

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
MAX_RECORD_BYTES = 1024 * 1024
MAX_ITEMS = 1000


class PayloadError(ValueError):
    """A payload whose overall shape is wrong, so no item can be read from it."""

    def __init__(self, keyword: str, message: str):
        super().__init__(message)
        self.keyword = keyword
        self.message = message


def load_paths(paths: Iterable[Path]) -> list[Item]:
    """Items for every record file under ``paths`` (files or folders), in a stable order."""
    return [
        load_file(file, collection, index)
        for index, (file, collection) in enumerate(record_files(paths))
    ]


def record_files(paths: Iterable[Path]) -> list[tuple[Path, str | None]]:
    """Every record file under ``paths`` with the collection its folder names, in a stable order."""
    return list(iter_record_files(paths))


def iter_record_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str | None]]:
    """``record_files``, one at a time: a build keeps a million of them more compactly."""
    for path in paths:
        yield from _record_files(Path(path))


def _record_files(path: Path) -> Iterable[tuple[Path, str | None]]:
    if path.is_file():
        yield path, path.parent.name
        return
    if not path.is_dir():
        yield path, None
        return
    if path.name in BY_COLLECTION:
        yield from _json_files(path)
        return
    for child in sorted(p for p in path.iterdir() if p.is_dir()):
        yield from _json_files(child)


def _json_files(folder: Path) -> Iterable[tuple[Path, str]]:
    # What sorted(folder.glob("*.json")) gives, without a Path parse and compare per file:
    # a dataset folder holds up to a million of them.
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            yield folder / name, folder.name


def load_file(path: Path, collection: str | None, index: int = 0) -> Item:
    """Read one record file into an item; every reading problem becomes an error on it."""
    origin = str(path)
    kind = BY_COLLECTION.get(collection or "")
    item = Item(kind.name if kind else None, None, origin, index, expected_id=path.stem)
    try:
        if kind is None or path.suffix != ".json":
            _refuse_misplaced(path, kind)
        raw = _read_at_most(path, MAX_RECORD_BYTES)
        if len(raw) > MAX_RECORD_BYTES:
            raise JSONInputError(
                "maxBytes",
                (
                    f"the file is {path.stat().st_size:,} bytes; a record file may be at most "
                    f"{MAX_RECORD_BYTES:,}"
                ),
            )
        item.record = parse(raw, what="the file")
        item.may_hold_blanks = MARK in raw
    except (FileNotFoundError, NotADirectoryError):
        item.errors.append(Violation("", "file", f"{origin} does not exist"))
    except JSONInputError as exc:
        item.errors.append(Violation(exc.pointer, exc.keyword, exc.message))
    return item


def _refuse_misplaced(path: Path, kind: Kind | None) -> None:
    """Raise the error of a file that exists but is no record file: wrong folder or type."""
    if not path.exists():
        raise FileNotFoundError(path)
    if kind is None:
        folders = ", ".join(k.collection for k in KINDS)
        raise JSONInputError(
            "folder",
            (f"{path.parent.name!r} is not a collection folder; put records in one of: {folders}"),
        )
    raise JSONInputError("file", f"{path} is not a .json file")


def _read_at_most(path: Path, limit: int) -> bytes:
    """The file's first ``limit + 1`` bytes: enough to tell that it is too long."""
    # os-level calls: a buffered file object costs more than the read of a small record.
    fd = os.open(path, os.O_RDONLY)
    try:
        parts = []
        left = limit + 1
        while left > 0:
            part = os.read(fd, left)
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return b"".join(parts)
    finally:
        os.close(fd)


def items_from_payload(payload: Any, max_items: int = MAX_ITEMS) -> list[Item]:
    """Items from a parsed payload; raises ``PayloadError`` if its shape is wrong overall."""
    if isinstance(payload, dict) and "items" in payload and "record" not in payload:
        extra = sorted(set(payload) - {"items"})
        if extra:
            raise PayloadError(
                "additionalProperties", f"unexpected key {clip(extra[0], 80)!r} beside 'items'"
            )
        payload = payload["items"]
        if not isinstance(payload, list):
            raise PayloadError("type", "'items' must be an array of {kind, record} objects")
    entries = payload if isinstance(payload, list) else [payload]
    if not entries:
        raise PayloadError("minItems", "there are no items to validate")
    if len(entries) > max_items:
        raise PayloadError(
            "maxItems",
            (f"{len(entries):,} items were sent; at most {max_items:,} may be validated at once"),
        )
    return [_payload_item(entry, index) for index, entry in enumerate(entries)]


def _payload_item(entry: Any, index: int) -> Item:
    origin = f"item {index}"
    if not isinstance(entry, dict):
        return Item(
            None,
            None,
            origin,
            index,
            errors=[
                Violation(
                    "", "type", ('each item must be an object {"kind": ..., "record": {...}}')
                )
            ],
        )
    extra = sorted(set(entry) - {"kind", "record"})
    kind = entry.get("kind")
    item = Item(kind if isinstance(kind, str) else None, entry.get("record"), origin, index)
    if extra:
        key = clip(extra[0], 80)  # echoed in the report: never a 100,000-character key whole
        item.errors.append(
            Violation(
                "/" + escape_pointer(key),
                "additionalProperties",
                f"unexpected key {key!r}; an item has only 'kind' and 'record'",
            )
        )
    if "record" not in entry:
        item.errors.append(Violation("/record", "required", "'record' is required"))
    if item.errors:
        item.record = None
    elif kind is None or not isinstance(kind, str):
        item.kind = None if kind is None else str(kind)[:40]
    return item
