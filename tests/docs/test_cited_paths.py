"""Every repository path the docs cite exists, and every test they cite by name is defined.

A doc cites a path in backticks (`chalicelib/store.py`, `tests/serve/test_faults.py::test_x`)
or as a relative link. A path counts as the repository's when its first folder is one of the
repository's top-level entries (release files such as `current.json`, or record ids such as
`people/x`, are not); a bare module name (`test_faults.py`) must name a file somewhere in the
repository. `file::test_name` must name a test defined in that file (`*` matches any run of
characters, `[...]` parameters are ignored), and `::test_name` continues the file cited last.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(
    {
        ROOT / "README.md",
        ROOT / "RELIABILITY.md",
        *ROOT.glob("CONTRIBUTING*.md"),
        *(ROOT / "docs").glob("*.md"),
        ROOT / "data" / "README.md",
    }
)
# Made by a command, not kept in the repository: make package and deploy, make serve, make bench.
GENERATED = ("build/", ".chalice/deployments/", ".serve/", "benchmarks/out/")
# Paths a doc shows as an example of what a command writes.
EXAMPLES = {"data/people/jane-example.json"}  # README: `python -m chalicelib new person …`
# Installed packages, caches and what commands write: never a doc's subject.
SKIPPED_FOLDERS = {
    ".git",
    ".venv",
    ".checkov-venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".import_linter_cache",
    ".serve",
}
CITED = re.compile(r"`([^`\n]+)`|\]\(([^)\s]+)\)")
PATH = re.compile(r"[\w.*/-]+")
FILE_NAME = re.compile(r"[\w-]+\.(py|md|yml|yaml|toml|ini|cfg|sh)")  # bare .json: a release file


@cache
def files_by_name() -> dict[str, tuple[Path, ...]]:
    """Every file of the repository by its name, read in one walk that never enters a skipped
    folder (a walk per name went through all of .venv each time)."""
    found: dict[str, list[Path]] = {}
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = sorted(set(subfolders) - SKIPPED_FOLDERS)
        for name in names:
            found.setdefault(name, []).append(Path(folder) / name)
    return {name: tuple(paths) for name, paths in found.items()}


def files_named(pattern: str) -> tuple[Path, ...]:
    """The repository's files whose name matches ``pattern`` (``*`` matches any run)."""
    return tuple(
        path
        for name, paths in files_by_name().items()
        if fnmatch.fnmatchcase(name, pattern)
        for path in paths
    )


def citations(text: str, folder: Path) -> list[tuple[str, str | None]]:
    """(path, test name or None) for each repository path a doc cites, in order; ``folder``
    is the doc's, which its links are relative to."""
    top = {entry.name for entry in ROOT.iterdir()}
    found: list[tuple[str, str | None]] = []
    last_file = None
    for match in CITED.finditer(text):
        if match.group(2):  # a link, relative to the doc's folder
            target = match.group(2).split("#")[0]
            if target and not re.match(r"[a-z]+:", target):
                path = (folder / target).resolve().relative_to(ROOT).as_posix()
                found.append((path, None))
            continue
        path, _, name = match.group(1).strip().partition("::")
        if not path and name and last_file:
            path = last_file
        if not PATH.fullmatch(path) or path.startswith(GENERATED) or path in EXAMPLES:
            continue
        if "/" in path.rstrip("/") and path.split("/")[0] in top:
            pass
        elif not FILE_NAME.fullmatch(path):
            continue  # not a path of this repository (a release file, a record, a media type)
        test = name.split("[")[0]
        if name and not re.fullmatch(r"[\w*]+", test):
            continue  # `::error file=…`: a workflow command, not a test
        found.append((path, test or None))
        if path.endswith(".py"):
            last_file = path
    return found


def resolve(path: str) -> tuple[Path, ...]:
    if "/" in path.rstrip("/"):
        return (ROOT / path,) if (ROOT / path).exists() else ()
    return files_named(path)


def defines(files: tuple[Path, ...], pattern: str) -> bool:
    names = {
        name
        for path in files
        for name in re.findall(r"^\s*def (\w+)\(", path.read_text(encoding="utf-8"), re.M)
    }
    return any(fnmatch.fnmatchcase(name, pattern) for name in names)


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_every_path_a_doc_cites_exists_and_every_cited_test_is_defined(doc):
    stale = []
    for path, name in citations(doc.read_text(encoding="utf-8"), doc.parent):
        files = resolve(path)
        if not files:
            stale.append(path)
        elif name and not defines(files, name):
            stale.append(f"{path}::{name}")
    assert stale == [], f"{doc.relative_to(ROOT)} cites what is not there: {stale}"


def test_the_citation_reader_finds_paths_names_and_links_and_skips_the_rest():
    text = (
        "`chalicelib/store.py`, `tests/serve/test_faults.py::test_x[dir]` and `::test_y*`; "
        "`current.json`, `people/x`, `application/json`, `build/package/sam.json`; "
        "[guide](../CONTRIBUTING.md#top), [site](https://example.org/)"
    )
    assert citations(text, ROOT / "docs") == [
        ("chalicelib/store.py", None),
        ("tests/serve/test_faults.py", "test_x"),
        ("tests/serve/test_faults.py", "test_y*"),
        ("CONTRIBUTING.md", None),
    ]
