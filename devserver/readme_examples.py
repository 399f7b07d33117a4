"""The README's examples, run against the local server, as ``cog`` runs a README's snippets.

Every ```sh block of ``curl`` commands to ``http://127.0.0.1:8000`` that an output block
follows is run by ``bash`` against ``make serve``'s server (``data/`` published to a fresh
folder store, served by ``devserver``), and the output block becomes what the commands print,
condensed as the README says: long lists and strings are cut, and ``…`` marks each cut. A
block the README marks ``<!-- readme-examples: skip, <why> -->`` is left alone.

    python -m devserver.readme_examples           rewrite README.md's outputs
    python -m devserver.readme_examples --check   exit 1, naming them, if any is out of date

``tests/docs/test_readme_examples.py`` runs the check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ADDRESS = "http://127.0.0.1:8000"
EXAMPLE = re.compile(
    r"(?P<skip><!-- readme-examples: skip[^>]*-->\n)?"
    r"```sh\n(?P<commands>[^`]*?)```\n(?P<gap>\n?)```(?P<lang>\w*)\n(?P<output>.*?)```",
    re.S,
)
ASSIGNMENT = re.compile(r"^[A-Z]\w*=")
SEPARATOR = "@@readme-example@@"
WIDTH = 100  # a condensed line is at most this long, where it can be cut
ITEMS = 2  # a list shows this many items, then …
KEYS = 6  # an object shows this many members, then …
TEXT = 80  # a string is cut after this many characters
LINES = 24  # an output shows this many lines, then …
HEADERS = ("content-type", "etag", "cache-control", "location", "allow", "retry-after")
CUT = object()


def condensed_json(value: Any) -> str:
    """``value`` as indented JSON, cut to size: at most ITEMS items of a list, KEYS members of
    an object and TEXT characters of a string, each cut marked ``…``; a part that fits on one
    line of WIDTH stays on one line."""
    lines = _render(_cut(value), 0).split("\n")
    return "\n".join(lines[:LINES] + (["…"] if len(lines) > LINES else []))


def _cut(value: Any) -> Any:
    if isinstance(value, list):
        kept = [_cut(v) for v in value[:ITEMS]]
        return kept + [CUT] if len(value) > ITEMS else kept
    if isinstance(value, dict):
        items = list(value.items())
        kept_items = {k: _cut(v) for k, v in items[:KEYS]}
        if len(items) > KEYS:
            kept_items["…"] = CUT
        return kept_items
    if isinstance(value, str) and len(value) > TEXT:
        return value[:TEXT] + "…"
    return value


def _one_line(value: Any) -> str:
    if value is CUT:
        return "…"
    if isinstance(value, list):
        return "[" + ", ".join(_one_line(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(_member(k, v) for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _member(key: str, value: Any) -> str:
    return "…" if value is CUT else f"{json.dumps(key, ensure_ascii=False)}: {_one_line(value)}"


def _render(value: Any, indent: int) -> str:
    line = _one_line(value)
    if indent + len(line) <= WIDTH or not isinstance(value, (list, dict)) or not value:
        return line
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, list):
        parts = ["…" if v is CUT else _render(v, indent + 2) for v in value]
        return "[\n" + ",\n".join(inner + p for p in parts) + "\n" + pad + "]"
    parts = [
        "…" if v is CUT else f"{json.dumps(k, ensure_ascii=False)}: {_render(v, indent + 2)}"
        for k, v in value.items()
    ]
    return "{\n" + ",\n".join(inner + p for p in parts) + "\n" + pad + "}"


def condensed(output: str) -> str:
    """One command's output as the README shows it: JSON condensed; a response with headers
    (``curl -i``) as its status line and the headers that matter, then its body; any other
    text as its first LINES lines, each cut to TEXT characters."""
    text = output.strip("\n")
    if text.startswith("HTTP/"):
        head, _, body = text.replace("\r\n", "\n").partition("\n\n")
        status, *fields = head.split("\n")
        kept = [f for f in fields if f.split(":", 1)[0].strip().lower() in HEADERS]
        shown = "\n".join([status, *kept, "…"])
        return shown + ("\n\n" + condensed(body) if body.strip() else "")
    try:
        return condensed_json(json.loads(text))
    except ValueError:
        pass
    lines = [line if len(line) <= TEXT else line[:TEXT] + "…" for line in text.split("\n")]
    return "\n".join(lines[:LINES] + (["…"] if len(lines) > LINES else []))


def run_example(commands: str, assignments: list[str], base: str, cwd: Path) -> str:
    """The condensed outputs of ``commands``, one per command that prints, blank-line apart."""
    lines = [line for line in commands.strip().split("\n") if line.strip()]
    script = "\n".join(
        [*assignments, *(f"{line}\necho; echo {SEPARATOR}" for line in lines)]
    ).replace(ADDRESS, base)
    done = subprocess.run(
        ["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"an example failed ({done.returncode}):\n{commands}\n{done.stderr}")
    outputs = [part.strip("\n") for part in done.stdout.split(SEPARATOR)[:-1]]
    shown = [condensed(part).replace(base, ADDRESS) for part in outputs if part.strip()]
    return "\n\n".join(shown) + "\n"


def regenerated(readme: str, base: str, cwd: Path) -> str:
    """``readme`` with every example's output block rewritten from the server at ``base``."""
    assignments: list[str] = []
    pieces, last = [], 0
    for match in EXAMPLE.finditer(readme):
        commands = match.group("commands")
        mine = [line for line in commands.split("\n") if ASSIGNMENT.match(line)]
        if match.group("skip") or ADDRESS not in commands or "curl" not in commands:
            assignments += mine
            continue
        output = run_example(commands, assignments, base, cwd)
        assignments += mine
        start, end = match.span("output")
        pieces += [readme[last:start], output]
        last = end
    return "".join(pieces) + readme[last:]


@contextmanager
def local_server() -> Iterator[tuple[str, Path]]:
    """``make serve`` without make: data/ published to a fresh folder store and served on a
    free port; yields (base URL, a scratch folder for files the commands write)."""
    with tempfile.TemporaryDirectory(prefix="readme-examples-") as scratch:
        store = Path(scratch) / "store"
        subprocess.run(
            [sys.executable, "-m", "chalicelib", "publish", "--to", str(store)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "devserver", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "DATASET_STORE": str(store)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base, server)
            yield base, Path(scratch)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_for(base: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"devserver exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"devserver did not answer in {seconds} s") from None
            time.sleep(0.2)


# What names a release rather than what it says: its version (from the time of the last commit
# to data/), the time it was published, the cursors, digests and ETags made from them. Any commit
# to data/ changes them all, so the check compares outputs with these masked: a changed count,
# field or answer is still stale; a new release id alone is not.
RELEASE_IDENTITY = re.compile(
    r"\b\d{8}-[0-9a-f]{8}\b"  # a release version
    r"|\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"  # a publication time
    r"|cursor=[A-Za-z0-9_-]+"  # a signed cursor
    r"|\b[0-9a-f]{16,64}\b"  # a digest or an ETag
)


def masked(output: str) -> str:
    """``output`` with the release's identity masked (RELEASE_IDENTITY)."""
    return RELEASE_IDENTITY.sub("…", output)


def stale_examples(before: str, after: str) -> list[str]:
    """The first command of each example whose output differs between the two READMEs, beyond
    the release's identity."""
    old = {m.start(): m for m in EXAMPLE.finditer(before)}
    new = list(EXAMPLE.finditer(after))
    return [
        m.group("commands").strip().split("\n")[0]
        for m, n in zip(old.values(), new, strict=True)
        if masked(m.group("output")) != masked(n.group("output"))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if an output is out of date")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    with local_server() as (base, scratch):
        current = regenerated(readme, base, scratch)
    if args.check:
        stale = stale_examples(readme, current)
        for command in stale:
            print(f"README.md: the output of `{command}` is out of date", file=sys.stderr)
        if stale:
            print("run: python -m devserver.readme_examples", file=sys.stderr)
        return 1 if stale else 0
    README.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
