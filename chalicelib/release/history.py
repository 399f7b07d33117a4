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
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.model.kinds import KINDS
from chalicelib.release.layout import canonical_json, shard_count, shard_of

FORMAT = 1
CHAIN = "history/chain.json"
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


def release_events(
    entries: Mapping[str, Mapping[str, dict]],
    records: Callable[[str, str], dict],
    previous_entries: Mapping[str, Mapping[str, dict]] | None,
    previous_record: ReadRecord | None,
) -> list[Event]:
    """What the release with directory ``entries`` did since ``previous_entries``, sorted by
    collection (in the registry's order) and id."""
    events: list[Event] = []
    for kind in KINDS:
        now = entries.get(kind.collection, {})
        before = (previous_entries or {}).get(kind.collection, {})
        for record_id in sorted(set(now) | set(before)):
            entry, old = now.get(record_id), before.get(record_id)
            event = _event(kind.collection, record_id, entry, old, records, previous_record)
            if event is not None:
                events.append(event)
    return events


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


def history_files(
    version: str,
    previous_version: str | None,
    events: list[Event],
    read_previous: ReadPrevious | None,
) -> dict[str, bytes]:
    """The ``history/`` files of release ``version``: the previous release's, plus its events."""
    chain: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}
    by_record: dict[str, dict[str, list[Event]]] = {kind.collection: {} for kind in KINDS}
    earlier = _json(read_previous, CHAIN) if read_previous else None
    if earlier is not None:
        chain = earlier["releases"]
        for step in chain:
            body = read_previous(changes_path(step["version"]))
            if body is None:
                raise ValueError(f"the previous release lacks {changes_path(step['version'])}")
            files[changes_path(step["version"])] = body
        for collection, shards in earlier["shards"].items():
            for shard in range(shards):
                held = _json(read_previous, records_path(collection, shard)) or {}
                by_record.setdefault(collection, {}).update(held)
    chain = [*chain, {"version": version, "previous": previous_version, "events": len(events)}]
    files[changes_path(version)] = canonical_json(
        {"version": version, "previous": previous_version, "events": events}
    )
    for event in events:
        step = {k: v for k, v in event.items() if k not in ("collection", "id")}
        by_record[event["collection"]].setdefault(event["id"], []).append(
            {"release": version, **step}
        )
    shards = {}
    for collection, records in by_record.items():
        count = shards[collection] = shard_count(len(records))
        buckets: list[dict[str, list[Event]]] = [{} for _ in range(count)]
        for record_id in sorted(records):
            buckets[shard_of(record_id, count)][record_id] = records[record_id]
        for shard, bucket in enumerate(buckets):
            files[records_path(collection, shard)] = canonical_json(bucket)
    files[CHAIN] = canonical_json({"format": FORMAT, "releases": chain, "shards": shards})
    return dict(sorted(files.items()))


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
