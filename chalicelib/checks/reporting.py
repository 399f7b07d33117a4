"""A validation report as people and machines read it: text, JSON and GitHub annotations.

Each problem found in a file is placed at the line and column of the value its pointer
names (``chalicelib.checks.positions``), so the text output reads
``data/people/x.json:7:14``, which terminals and editors open at that spot, and
``--format github`` prints workflow commands that GitHub shows on the pull request's
diff, on that line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.checks.positions import Positions
from chalicelib.checks.validate import Item, Report, Violation

# jsonio's message for a file that is not JSON already says where: keep that spot.
_PARSE_SPOT = re.compile(r" at line (\d+) column (\d+)$")


@dataclass(frozen=True)
class Finding:
    """One problem of one item, with where it is in the item's file when it has one."""

    severity: str  # 'error' or 'warning'
    item: Item
    problem: Violation
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"{self.item.origin}:{self.line}:{self.column}"
        pointer = self.problem.pointer
        # A URI fragment is the standard way to point into a JSON document: file.json#/names/0
        return f"{self.item.origin}#{pointer}" if pointer else self.item.origin


def findings(report: Report) -> Iterator[Finding]:
    """Every problem in ``report``, in order, placed in its file where there is one."""
    for item in report.items:
        if not item.errors and not item.warnings:
            continue
        positions = _positions_of(item)
        for severity, problems in (("error", item.errors), ("warning", item.warnings)):
            for problem in problems:
                spot = None if positions is None else _spot(positions, problem)
                yield Finding(severity, item, problem, *(spot or (None, None)))


def _positions_of(item: Item) -> Positions | None:
    path = Path(item.origin)
    if not item.origin.endswith(".json") or not path.is_file():
        return None  # an item of a payload (stdin), or a file that is not there
    try:
        return Positions(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError:
        return None


def _spot(positions: Positions, problem: Violation) -> tuple[int, int]:
    parse_spot = _PARSE_SPOT.search(problem.message)
    if parse_spot:
        return int(parse_spot.group(1)), int(parse_spot.group(2))
    return positions.of(problem.pointer)


def as_text(report: Report, label: str) -> str:
    """A summary line with counts per collection, then one line per problem."""
    counts = ", ".join(f"{collection} {n}" for collection, n in report.counts().items())
    verdict = "valid" if report.valid else "INVALID"
    lines = [
        f"{label}: {verdict}: {len(report.items)} records ({counts}); "
        f"{report.error_count} errors, {report.warning_count} warnings"
    ]
    for found in findings(report):
        pointer = f" #{found.problem.pointer}" if found.line and found.problem.pointer else ""
        lines.append(
            f"  {found.severity:<7} {found.where}{pointer} [{found.problem.keyword}] "
            f"{found.problem.message}"
        )
    return "\n".join(lines)


def as_json(report: Report) -> dict[str, Any]:
    """The shape ``POST /validate`` answers with; an item read from a file also gives the
    file, and each of its problems the line and column."""
    out = report.to_dict()
    for item, result in zip(report.items, out["results"]):
        positions = _positions_of(item) if item.errors or item.warnings else None
        if positions is None:
            continue
        result["file"] = item.origin
        for key, problems in (("errors", item.errors), ("warnings", item.warnings)):
            for problem, shown in zip(problems, result[key]):
                shown["line"], shown["column"] = _spot(positions, problem)
    return out


def as_github(report: Report) -> str:
    """GitHub Actions workflow commands, one per problem, then the summary as a notice."""
    lines = []
    for found in findings(report):
        properties = {"file": found.item.origin}
        if found.line is not None:
            properties |= {"line": str(found.line), "col": str(found.column)}
        properties["title"] = f"{found.problem.keyword}" + (
            f" at {found.problem.pointer}" if found.problem.pointer else ""
        )
        attributes = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
        lines.append(f"::{found.severity} {attributes}::{escape_data(found.problem.message)}")
    return "\n".join(lines)


def escape_data(text: str) -> str:
    # As the Actions runner unescapes them: %, CR and LF in a command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
