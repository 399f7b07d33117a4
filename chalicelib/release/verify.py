"""Checking a copy of a release against its signed manifest: a folder, one downloaded file,
an offline edition, a whole store (the fixity audit), or the API.

Each check is the same two steps: the manifest's signature against the known keys
(``chalicelib.release.signing``), then every file's bytes against the manifest's sha256.
Every problem found is reported, each of one kind, and each kind has its exit code
(``PROBLEMS``): a user told "exit 4" knows a file is missing without reading the text.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.errors import ObjectMissing, StoreError
from chalicelib.release.layout import (
    CURRENT_KEY,
    MANIFEST,
    OFFLINE_EDITION,
    REDACTIONS_KEY,
    RELEASES_KEY,
    RELEASES_PREFIX,
    release_prefix,
    sha256_hex,
)
from chalicelib.release.redactions import parse_register, withdrawals
from chalicelib.release.signing import SUFFIX, KnownKey, SignatureError, signature_path
from chalicelib.release.signing import verify as verify_signature
from chalicelib.store import Store

# Each kind of problem, its exit code and what it means. When several are found, the exit
# code is that of the first kind in this order: a signature that fails says more than a file.
PROBLEMS = {
    "bad-signature": (6, "a signature does not hold over the bytes it signs"),
    "unknown-key": (7, "a signature made by a key KEYS does not list"),
    "unsigned": (8, "a file that should be signed has no signature"),
    "stale": (9, "the signed listing of releases disagrees with what is published"),
    "changed": (3, "a file's bytes differ from the sha256 its manifest names"),
    "missing": (4, "a file the manifest names is not there"),
    "extra": (5, "a file is there that the manifest does not name"),
}
USAGE_EXIT = 2


@dataclass(frozen=True)
class VerifyProblem:
    kind: str
    where: str  # a path, or a store key, or a URL
    message: str


@dataclass
class VerifyReport:
    target: str
    checked: int = 0  # files re-hashed
    signatures: int = 0  # signatures that held
    problems: list[VerifyProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, where: str, message: str) -> None:
        self.problems.append(VerifyProblem(kind, where, message))

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        kinds = {p.kind for p in self.problems}
        return next((PROBLEMS[k][0] for k in PROBLEMS if k in kinds), 0)


# -- where the bytes come from -----------------------------------------------------------------


class Source:
    """A release's files, by release path: a folder, a store prefix or the API."""

    name: str

    def read(self, path: str) -> bytes | None:
        raise NotImplementedError

    def paths(self) -> set[str] | None:
        """Every path present, or None where the source cannot list (the API)."""
        raise NotImplementedError


class FolderSource(Source):
    def __init__(self, root: Path):
        self.root = root
        self.name = str(root)

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def paths(self) -> set[str]:
        return {p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()}


class StoreSource(Source):
    def __init__(self, store: Store, prefix: str):
        self.store, self.prefix = store, prefix
        self.name = prefix

    def read(self, path: str) -> bytes | None:
        try:
            return self.store.get(self.prefix + path)
        except ObjectMissing:
            return None

    def paths(self) -> set[str]:
        return {key[len(self.prefix) :] for key in self.store.list(self.prefix)}


# -- one release -------------------------------------------------------------------------------


def check_signature(
    report: VerifyReport, where: str, body: bytes, signature: bytes | None, keys: list[KnownKey]
) -> None:
    if signature is None:
        report.add("unsigned", where, f"there is no {where}{SUFFIX} beside it")
        return
    try:
        verify_signature(body, signature, keys)
    except SignatureError as exc:
        report.add(exc.kind, where + SUFFIX, exc.message)
        return
    report.signatures += 1


def verify_release(
    source: Source,
    keys: list[KnownKey] | None,
    report: VerifyReport,
    *,
    withdrawn: Iterable[str] = (),
    only: Callable[[str], bool] | None = None,
    manifest_sha256: str | None = None,
) -> dict[str, Any] | None:
    """Check one release (or offline edition) whose manifest is ``manifest.json`` in
    ``source``; add what is wrong to ``report``; return the manifest (None if unreadable).

    ``withdrawn`` paths were purged for a redaction: their absence is right, their presence a
    problem. ``only`` picks the files to re-hash (a sample); ``keys`` None skips signatures.
    """
    label = source.name.rstrip("/") + "/" if source.name else ""
    body = source.read(MANIFEST)
    if body is None:
        report.add("missing", label + MANIFEST, "the release has no manifest.json")
        return None
    if manifest_sha256 is not None and sha256_hex(body) != manifest_sha256:
        report.add(
            "changed",
            label + MANIFEST,
            f"its sha256 {sha256_hex(body)[:12]}… is not the {manifest_sha256[:12]}… "
            "the listing of releases names",
        )
    if keys is not None:
        check_signature(report, label + MANIFEST, body, source.read(signature_path(MANIFEST)), keys)
    try:
        manifest = json.loads(body)
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        report.add("changed", label + MANIFEST, "the manifest is not a release manifest")
        return None
    gone = set(withdrawn)
    present = source.paths()
    if keys is not None:
        edition = source.read(OFFLINE_EDITION) if present and OFFLINE_EDITION in present else None
        if edition is not None:
            where = label + OFFLINE_EDITION
            check_signature(
                report, where, edition, source.read(signature_path(OFFLINE_EDITION)), keys
            )
    if present is not None:
        own = {MANIFEST, signature_path(MANIFEST), OFFLINE_EDITION, signature_path(OFFLINE_EDITION)}
        for path in sorted(present - set(files) - own):
            report.add("extra", label + path, "the manifest does not name this file")
        for path in sorted(gone & present):
            report.add(
                "extra",
                label + path,
                "withdrawn for a redaction, yet still stored: purge every version of it",
            )
    for path in sorted(files):
        if path in gone or (only is not None and not only(path)):
            continue
        if present is not None and path not in present:
            report.add("missing", label + path, "the manifest names this file; it is not there")
            continue
        data = source.read(path)
        if data is None:
            report.add("missing", label + path, "the manifest names this file; it cannot be had")
            continue
        report.checked += 1
        expected = files[path]["sha256"]
        actual = sha256_hex(data)
        if actual != expected:
            report.add(
                "changed",
                label + path,
                f"sha256 {actual[:12]}… is not the manifest's {expected[:12]}…"
                f" ({len(data)} bytes; the manifest says {files[path].get('bytes')})",
            )
    return manifest


def verify_file(
    path: Path, manifest_path: Path, keys: list[KnownKey] | None, report: VerifyReport
) -> None:
    """One downloaded file against the (signed) manifest it came with, found by its name."""
    body = manifest_path.read_bytes()
    if keys is not None:
        sig = manifest_path.with_name(manifest_path.name + SUFFIX)
        check_signature(
            report, str(manifest_path), body, sig.read_bytes() if sig.is_file() else None, keys
        )
    try:
        files = json.loads(body)["files"]
    except (ValueError, KeyError, TypeError):
        report.add("changed", str(manifest_path), "this is not a release manifest")
        return
    matches = sorted(p for p in files if p == path.name or p.endswith("/" + path.name))
    if not matches:
        report.add("extra", str(path), f"the manifest names no file called {path.name}")
        return
    data = path.read_bytes()
    report.checked += 1
    digest = sha256_hex(data)
    if not any(files[p]["sha256"] == digest for p in matches):
        report.add(
            "changed",
            str(path),
            f"sha256 {digest[:12]}… is not the manifest's {files[matches[0]]['sha256'][:12]}… "
            f"for {matches[0]}",
        )


# -- a whole store: the fixity audit ------------------------------------------------------------


def _chosen_in(chosen: set[tuple[str, str]], version: str) -> Callable[[str], bool]:
    """Whether a path of release ``version`` is one of the ``chosen`` (version, path) pairs."""
    return lambda path: (version, path) in chosen


def verify_store(
    store: Store,
    keys: list[KnownKey] | None,
    *,
    sample: int | None = None,
    seed: int = 0,
    label: str = "",
) -> VerifyReport:
    """Every published release of ``store`` against its manifest, and the store's own signed
    documents against each other. ``sample`` re-hashes that many files, chosen with ``seed``
    over every release, instead of all of them; the signatures and the listing are always
    checked, and so is that every file is present."""
    report = VerifyReport(label or repr(store))
    docs: dict[str, bytes] = {}
    for key in (RELEASES_KEY, CURRENT_KEY, REDACTIONS_KEY):
        body = _get(store, key)
        if body is None:
            continue
        docs[key] = body
        if keys is not None:
            check_signature(report, key, docs[key], _get(store, signature_path(key)), keys)
    if keys is None:
        report.notes.append("signatures not checked (no keys given)")
    listing = _listing(docs.get(RELEASES_KEY), report)
    listed = {r["version"]: r["manifest_sha256"] for r in listing}
    if CURRENT_KEY in docs:
        try:
            current = json.loads(docs[CURRENT_KEY])
            named = (current["version"], current["manifest_sha256"])
        except (ValueError, KeyError, TypeError):
            report.add("changed", CURRENT_KEY, "current.json is not a pointer to a release")
        else:
            if listed.get(named[0]) != named[1]:
                report.add(
                    "stale",
                    CURRENT_KEY,
                    f"current.json names {named[0]}, which the listing of releases "
                    + ("gives another manifest" if named[0] in listed else "does not list"),
                )
    gone: dict[str, set[str]] = {}
    if REDACTIONS_KEY in docs:
        try:
            gone = {
                version: set(paths)
                for version, paths in withdrawals(parse_register(docs[REDACTIONS_KEY])).items()
            }
        except StoreError as exc:
            report.add("changed", REDACTIONS_KEY, str(exc))
    stored = {key[len(RELEASES_PREFIX) :].split("/", 1)[0] for key in store.list(RELEASES_PREFIX)}
    for version in sorted(stored - set(listed)):
        report.add(
            "extra",
            release_prefix(version),
            "a release the listing of releases does not name (withdrawn from the listing, or "
            "left by a failed publish)",
        )
    chosen = _sampler(store, listed, gone, sample, seed, report)
    for version in sorted(listed):
        verify_release(
            StoreSource(store, release_prefix(version)),
            keys,
            report,
            withdrawn=gone.get(version, ()),
            only=None if chosen is None else _chosen_in(chosen, version),
            manifest_sha256=listed[version],
        )
    report.notes.append(f"{len(listed)} releases listed")
    return report


def _get(store: Store, key: str) -> bytes | None:
    return StoreSource(store, "").read(key)


def _listing(body: bytes | None, report: VerifyReport) -> list[dict[str, Any]]:
    if body is None:
        return []
    try:
        releases = json.loads(body)["releases"]
        return [r for r in releases if {"version", "manifest_sha256"} <= set(r)]
    except (ValueError, KeyError, TypeError):
        report.add("changed", RELEASES_KEY, "releases.json does not list releases")
        return []


def _sampler(
    store: Store,
    listed: dict[str, str],
    gone: dict[str, set[str]],
    sample: int | None,
    seed: int,
    report: VerifyReport,
) -> set[tuple[str, str]] | None:
    """``sample`` (release, path) pairs drawn with ``seed``; None for every file."""
    if sample is None:
        return None
    everything = []
    for version in sorted(listed):
        manifest = _get(store, release_prefix(version) + MANIFEST)
        try:
            paths = json.loads(manifest)["files"] if manifest else {}
        except (ValueError, KeyError, TypeError):
            continue
        everything += [(version, p) for p in sorted(paths) if p not in gone.get(version, ())]
    chosen = random.Random(seed).sample(everything, min(sample, len(everything)))
    report.notes.append(f"a sample of {len(chosen)} of {len(everything)} files, seed {seed}")
    return set(chosen)


# -- reports -------------------------------------------------------------------------------------


def as_text(report: VerifyReport) -> str:
    verdict = "verified" if report.ok else "FAILED"
    lines = [
        f"{report.target}: {verdict}: {report.checked} files re-hashed, "
        f"{report.signatures} signatures held; {len(report.problems)} problems"
        + "".join(f"; {note}" for note in report.notes)
    ]
    lines += [f"  error   {p.where} [{p.kind}] {p.message}" for p in report.problems]
    return "\n".join(lines)


def as_json(report: VerifyReport) -> dict[str, Any]:
    return {
        "target": report.target,
        "valid": report.ok,
        "exit_code": report.exit_code,
        "checked": report.checked,
        "signatures": report.signatures,
        "notes": report.notes,
        "problems": [
            {"kind": p.kind, "where": p.where, "message": p.message} for p in report.problems
        ],
    }


def as_github(report: VerifyReport) -> str:
    from chalicelib.checks.reporting import escape_data, escape_property

    return "\n".join(
        f"::error file={escape_property(p.where)},title={p.kind}::{escape_data(p.message)}"
        for p in report.problems
    )
