"""Redacting past releases: the register of redactions, and how a publish fills it.

Releases are immutable, but a value that an older release published and ``data/`` now
withholds must stop being served from it. Publishing a release that withholds something
new therefore also:

1. searches every file of every older release for the withheld texts, in every form a file
   could hold them (chalicelib.release.redact.search_forms), gzip members decompressed. A
   collection's search and list indexes hold derived forms (trigrams) no byte search can
   see, so when any of its index files matches, all of them are withdrawn;
2. records each new redaction in ``redactions.json`` (the register): the record, the pointer,
   the reason, when, the release that carries the redacted form, and the files of each older
   release withdrawn for it; never the value;
3. names the register's digest in ``current.json``, which is how readers notice it, and only
   then deletes each withdrawn object with every earlier version of it.

The reader answers a withdrawn file with 410 naming the release that replaced it, and a
record whose chunk was withdrawn from the release that carries the redacted form.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import ObjectMissing, StoreError
from chalicelib.release.layout import (
    MANIFEST,
    OFFLINE_EDITION,
    REDACTIONS_KEY,
    canonical_json,
    index_path,
    release_prefix,
)
from chalicelib.release.redact import Withheld, needles
from chalicelib.release.signing import signature_path
from chalicelib.store import Store


@dataclass(frozen=True)
class Withdrawal:
    """A file of a release withdrawn for a redaction."""

    replaced_by: str  # the release carrying the redacted form
    reason: str
    records: tuple[str, ...]  # the records whose withheld values it held ('people/x')


def parse_register(body: bytes) -> list[dict[str, Any]]:
    """The register's entries; StoreError if it is not a register."""
    try:
        document = json.loads(body)
    except ValueError:
        raise StoreError(f"{REDACTIONS_KEY} is not valid JSON") from None
    entries = document.get("redactions") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("withdrawn"), dict)
        and isinstance(e.get("redacted_in"), str)
        and isinstance(e.get("record"), str)
        for e in entries
    ):
        raise StoreError(f"{REDACTIONS_KEY} does not list redactions")
    return entries


def read_register(store: Store) -> list[dict[str, Any]]:
    try:
        return parse_register(store.get(REDACTIONS_KEY))
    except ObjectMissing:
        return []


def withdrawals(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Withdrawal]]:
    """Release version -> withdrawn path -> why, from the register's entries."""
    found: dict[str, dict[str, Withdrawal]] = {}
    for entry in entries:
        for version, paths in entry["withdrawn"].items():
            for path in paths:
                held = found.setdefault(version, {}).get(path)
                records = (held.records if held else ()) + (entry["record"],)
                found[version][path] = Withdrawal(
                    entry["redacted_in"], entry["reason"], tuple(sorted(set(records)))
                )
    return found


# -- publishing -----------------------------------------------------------------------------


def redact_past(
    store: Store,
    withheld: list[Withheld],
    version: str,
    recorded: str,
    releases: Iterable[str],
) -> tuple[bytes | None, list[str]]:
    """Search the older ``releases`` not yet searched for each value ``withheld`` withholds,
    and record what was found in the register. Return the register's new bytes (None if
    nothing changed) and the store keys to purge once readers have been told
    (``current.json`` names the register's digest).

    Each entry remembers the releases searched for it: a release published while the value
    was not withheld (consent given, then withdrawn again) is searched when it is next
    withheld.
    """
    register = read_register(store)
    by_key = {(e["record"], e["pointer"]): e for e in register}
    older = [v for v in releases if v != version]
    todo: list[tuple[Withheld, str, str, set[str]]] = []
    for w in withheld:
        for pointer, reason in w.marks:
            entry = by_key.get((w.reference, pointer))
            unsearched = set(older) - set(entry.get("searched", ()) if entry else ())
            if entry is None or unsearched:
                todo.append((w, pointer, reason, unsearched))
    if not todo:
        return None, []
    gone = withdrawals(register)
    hits: dict[str, dict[str, list[str]]] = {}  # record -> version -> paths
    for release in older:
        wanted = {w.reference: w for w, _, _, unsearched in todo if release in unsearched}
        if wanted:
            for reference, paths in _search_release(
                store, release, wanted, gone.get(release, {})
            ).items():
                hits.setdefault(reference, {})[release] = paths
    purge: set[str] = set()
    for w, pointer, reason, unsearched in todo:
        found = {v: p for v, p in hits.get(w.reference, {}).items() if v in unsearched}
        entry = by_key.get((w.reference, pointer))
        if entry is None:
            entry = by_key[(w.reference, pointer)] = {
                "record": w.reference,
                "pointer": pointer,
                "withdrawn": {},
                "searched": [],
            }
            register.append(entry)
        if found or "redacted_in" not in entry:
            entry.update(reason=reason, recorded=recorded, redacted_in=version)
        entry["withdrawn"] = dict(sorted({**entry["withdrawn"], **found}.items()))
        entry["searched"] = sorted(set(entry.get("searched", ())) | unsearched)
        purge |= {release_prefix(v) + path for v, paths in found.items() for path in paths}
        # The offline edition holds every page and download of its release: a release that
        # loses any file to a redaction loses its edition too, with the edition's signature.
        purge |= {
            release_prefix(v) + name
            for v in found
            for name in (OFFLINE_EDITION, signature_path(OFFLINE_EDITION))
            if store.exists(release_prefix(v) + name)
        }
    return canonical_json({"redactions": register}), sorted(purge)


def _search_release(
    store: Store, version: str, records: Mapping[str, Withheld], gone: Mapping[str, Withdrawal]
) -> dict[str, list[str]]:
    """For each record, the files of release ``version`` holding one of its withheld texts."""
    prefix = release_prefix(version)
    try:
        manifest = json.loads(store.get(prefix + MANIFEST))
    except ObjectMissing:
        return {}
    wanted = {reference: needles(w.texts) for reference, w in records.items()}
    found: dict[str, set[str]] = {}
    for path in sorted(manifest["files"]):
        if path in gone:
            continue
        try:
            body = store.get(prefix + path)
        except ObjectMissing:
            continue
        if path.endswith(".gz"):
            body = gzip.decompress(body)
        for reference, forms in wanted.items():
            if any(form in body for form in forms):
                found.setdefault(reference, set()).add(path)
    for paths in found.values():
        # Trigrams and sort keys are derived forms a byte search cannot see: a collection
        # whose index matched loses its whole index.
        collections = {p.split("/")[1] for p in paths if p.startswith("index/")}
        paths |= {
            p
            for p in manifest["files"]
            if any(p.startswith(index_path(c, "")) for c in collections) and p not in gone
        }
    return {reference: sorted(paths) for reference, paths in found.items()}


def public_entries(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The register as the releases listing shows it: what, why, when and where; no value."""
    return [
        {
            "record": e["record"],
            "pointer": e["pointer"],
            "reason": e["reason"],
            "recorded": e["recorded"],
            "redacted_in": e["redacted_in"],
            "withdrawn": {v: list(paths) for v, paths in e["withdrawn"].items()},
        }
        for e in entries
    ]
