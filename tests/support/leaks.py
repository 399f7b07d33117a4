"""The byte search every artifact of a release is held to: no withheld value, in any form
(chalicelib.release.redact.needles), in any file, gzip members decompressed."""

from __future__ import annotations

import gzip
from pathlib import Path

from chalicelib.release.redact import needles
from support.harmdata import SECRETS


def artifacts(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, each gzip member decompressed."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        body = path.read_bytes()
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        found[path.relative_to(root).as_posix()] = body
    return found


def leaks(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(file, secret) for each withheld value found in a file, in any form."""
    forms = {secret: needles([secret]) for secret in SECRETS}
    return [
        (name, secret)
        for name, body in files.items()
        for secret, variants in forms.items()
        if any(v in body for v in variants)
    ]
