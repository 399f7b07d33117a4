"""Per-record history and the changes between releases, as indexes built when a release is made.

Each release carries, under ``history/``, everything since the first release built with this
index, so that ``/<collection>/<id>/history`` and ``/dataset/changes?since=`` read a few files of
the release they answer from and never an older release:

``history/chain.json``
    the releases the history covers, oldest first: ``{"format", "releases": [{version,
    previous, events}], "shards": {collection: n}}``.
``history/changes/<version>.json``
    what one release of the chain did: ``{"version", "previous", "events": [...]}``, an event
    being ``{collection, id, action, sha256}`` plus ``fields`` (the top-level fields that
    differ) for ``changed`` and ``merged_into`` for ``merged``. Copied forward from release to
    release, so the newest release holds the whole chain.
``history/records/<collection>/<shard>.json``
    each id's events, oldest first, each with its ``release``; ids are spread over hash shards
    as the directory's are.

Actions: ``added`` (live now, not live before), ``changed`` (live before and now, other
bytes), ``removed`` (gone without a tombstone), ``withdrawn`` and ``merged`` (a new or changed
tombstone). ``sha256`` is the digest of the record's canonical bytes in that release (of the
tombstone for a withdrawal or merge; null when removed). Deterministic: a pure function of the
records and of the previous release's history.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from chalicelib.model.kinds import KINDS
from chalicelib.release.layout import canonical_json, shard_bodies, shard_count

FORMAT = 1
CHAIN = "history/chain.json"
# What can happen to a record in a release: the actions above, as changes.json counts them too.
ACTIONS = ("added", "changed", "removed", "withdrawn", "merged")
ORDER = {kind.collection: i for i, kind in enumerate(KINDS)}


def changes_path(version: str) -> str:
    return f"history/changes/{version}.json"


def records_path(collection: str, shard: int) -> str:
    return f"history/records/{collection}/{shard}.json"


Event = dict[str, Any]
# Reads a history file of the previous release by path; None when it has none (a release made
# before this index existed: the history then starts with the release being built).
ReadPrevious = Callable[[str], bytes | None]
# The previous release's record, for the fields a change touched; None when it has none.
ReadRecord = Callable[[str, str], dict | None]
# The events of one collection in the release being built, in id order (``collection_events``).
EventsOf = Callable[[str], Iterator[Event]]


class Files(Protocol):
    """Where the history goes: ``write(path, body)`` a whole file, or ``open(path)`` one to
    ``write`` a piece at a time and ``close``."""

    def write(self, path: str, body: bytes) -> None: ...

    def open(self, path: str) -> Any: ...


def collection_events(
    collection: str,
    entries: Mapping[str, dict],
    records: Callable[[str, str], dict],
    previous_entries: Mapping[str, dict] | None,
    previous_record: ReadRecord | None,
) -> Iterator[Event]:
    """What the release with directory ``entries`` (of one collection, iterated in id order
    as ``Compiled.entries`` are) did to ``collection`` since ``previous_entries``, in id order.
    Made one event at a time: at a million records, the list took hundreds of megabytes."""
    for record_id, entry, old in _paired(entries, previous_entries or {}):
        event = _event(collection, record_id, entry, old, records, previous_record)
        if event is not None:
            yield event


def _paired(now: Mapping[str, dict], before: Mapping[str, dict]) -> Iterator[tuple]:
    """(id, entry now or None, entry before or None) for every id of either, in id order."""
    earlier = sorted(before)
    i = 0
    for record_id, entry in now.items():
        while i < len(earlier) and earlier[i] < record_id:
            yield earlier[i], None, before[earlier[i]]
            i += 1
        old = None
        if i < len(earlier) and earlier[i] == record_id:
            old = before[record_id]
            i += 1
        yield record_id, entry, old
    for record_id in earlier[i:]:
        yield record_id, None, before[record_id]


def _event(collection, record_id, entry, old, records, previous_record) -> Event | None:
    base = {"collection": collection, "id": record_id}
    if entry is None:
        return {**base, "action": "removed", "sha256": None}
    tombstone = entry.get("tombstone")
    if tombstone is not None:
        if old is not None and old["sha256"] == entry["sha256"]:
            return None
        event = {**base, "action": tombstone["action"], "sha256": entry["sha256"]}
        if tombstone.get("merged_into"):
            event["merged_into"] = tombstone["merged_into"]
        return event
    if old is None or "tombstone" in old:
        return {**base, "action": "added", "sha256": entry["sha256"]}
    if old["sha256"] == entry["sha256"]:
        return None
    event = {**base, "action": "changed", "sha256": entry["sha256"]}
    before = previous_record(collection, record_id) if previous_record else None
    if before is not None:
        after = records(collection, record_id)
        event["fields"] = sorted(
            key for key in set(before) | set(after) if before.get(key) != after.get(key)
        )
    return event


def write_history(
    files: Files,
    version: str,
    previous_version: str | None,
    events_of: EventsOf,
    read_previous: ReadPrevious | None,
) -> None:
    """Write the ``history/`` files of release ``version``: the previous release's, plus its
    events (``events_of(collection)``, asked for twice per collection).

    Streamed: the changes file is written an event at a time, and the records' shards a
    collection at a time, so that at most one collection's history is held, serialized.
    """
    earlier = _json(read_previous, CHAIN) if read_previous else None
    chain: list[dict[str, Any]] = []
    held_shards: dict[str, int] = {}
    if earlier is not None and read_previous is not None:
        chain, held_shards = earlier["releases"], earlier["shards"]
        for step in chain:
            body = read_previous(changes_path(step["version"]))
            if body is None:
                raise ValueError(f"the previous release lacks {changes_path(step['version'])}")
            files.write(changes_path(step["version"]), body)
    collections = list(dict.fromkeys([kind.collection for kind in KINDS] + list(held_shards)))

    # Pass 1: the release's changes file, and how many ids each collection's history holds.
    held_ids = {c: set(_held(read_previous, c, held_shards.get(c, 0))) for c in collections}
    ids = dict.fromkeys(collections, 0)
    out = files.open(changes_path(version))
    out.write(b'{"events":[')
    count = 0
    for collection in collections:
        for event in events_of(collection) if collection in ORDER else ():
            out.write((b"," if count else b"") + canonical_json(event))
            count += 1
            ids[collection] += event["id"] not in held_ids[collection]
        ids[collection] += len(held_ids[collection])
    out.write(
        b'],"previous":'
        + canonical_json(previous_version)
        + b',"version":'
        + canonical_json(version)
        + b"}"
    )
    out.close()
    held_ids = {}

    # Pass 2: each collection's shards, its earlier history and its events merged by id.
    shards = {}
    for collection in collections:
        held = _held(read_previous, collection, held_shards.get(collection, 0))
        events = events_of(collection) if collection in ORDER else iter(())
        shards[collection] = shard_count(ids[collection])
        histories = _histories(held, events, version)
        for number, body in shard_bodies(ids[collection], histories):
            files.write(records_path(collection, number), body)
    chain = [*chain, {"version": version, "previous": previous_version, "events": count}]
    files.write(CHAIN, canonical_json({"format": FORMAT, "releases": chain, "shards": shards}))


def _held(read_previous: ReadPrevious | None, collection: str, shards: int) -> dict[str, list]:
    """The previous release's history of ``collection``, by id."""
    held: dict[str, list] = {}
    if read_previous is None:
        return held
    for shard in range(shards):
        held.update(_json(read_previous, records_path(collection, shard)) or {})
    return held


def _histories(
    held: dict[str, list], events: Iterator[Event], version: str
) -> Iterator[tuple[str, list]]:
    """(id, its events, oldest first) for every id of ``held`` or ``events``, in id order."""
    earlier = sorted(held)
    i = 0
    for event in events:
        record_id = event["id"]
        while i < len(earlier) and earlier[i] < record_id:
            yield earlier[i], held[earlier[i]]
            i += 1
        steps = held.get(record_id, [])
        if i < len(earlier) and earlier[i] == record_id:
            i += 1
        step = {k: v for k, v in event.items() if k not in ("collection", "id")}
        yield record_id, [*steps, {"release": version, **step}]
    for record_id in earlier[i:]:
        yield record_id, held[record_id]


def _json(read: ReadPrevious, path: str) -> Any:
    body = read(path)
    return None if body is None else json.loads(body)


# -- answering from a release's history ---------------------------------------------------------


def net_changes(chain: list[dict], read_changes: Callable[[str], dict], since: str) -> list[Event]:
    """Every record touched in the releases after ``since``, once, with its last event: what a
    mirror at ``since`` must fetch (``sha256`` set) or delete (``sha256`` null, or a tombstone's
    action). Sorted by collection (registry order) and id. ``since`` must be in ``chain``."""
    versions = [step["version"] for step in chain]
    last: dict[tuple[str, str], Event] = {}
    for version in versions[versions.index(since) + 1 :]:
        for event in read_changes(version)["events"]:
            key = (event["collection"], event["id"])
            first = last.get(key)
            if first is not None and first["action"] == "added" and event["action"] == "changed":
                event = {**event, "action": "added"}  # new to the mirror, whatever came after
            last[key] = {**event, "release": version}
    return [last[key] for key in sorted(last, key=lambda k: (ORDER[k[0]], k[1]))]
