"""The command-line tool: ``python -m chalicelib <command>``.

Exit codes: 0 when all is well, 1 when records are invalid (or a publish is refused),
2 for a usage error such as an unknown option or an unreadable input.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .catalog import Catalog
from .intake import DATA_DIR, PayloadError, items_from_payload, load_paths
from .jsonio import JSONInputError, parse
from .schemas import SchemaSet
from .validate import Report, validate

STDIN_MAX_BYTES = 256 * 1024 * 1024
STDIN_MAX_ITEMS = 1_000_000


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Validate, build and publish the 1988 prison massacres dataset."""


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, as POST /validate answers.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              default=DATA_DIR, show_default=True, help="The dataset that references resolve against.")
def validate_command(paths: tuple[Path, ...], as_json: bool, data_dir: Path) -> None:
    """Validate record files or folders (default: data/), or items on stdin with '-'.

    Records are checked against their schema, then against the whole of the dataset
    for references, dates and duplicate claims.
    """
    schemas = SchemaSet.from_dir()
    if not paths:
        paths = (data_dir,)
    if any(str(p) == "-" for p in paths):
        if len(paths) > 1:
            raise click.UsageError("'-' (items on stdin) cannot be combined with paths")
        items = _stdin_items()
        label = "stdin"
    else:
        items = load_paths(paths)
        label = ", ".join(str(p) for p in paths)
    whole = paths == (data_dir,)
    catalog = None if whole else Catalog.from_items(load_paths([data_dir])) if data_dir.is_dir() else None
    report = validate(items, schemas, catalog)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(report, label))
    sys.exit(0 if report.valid else 1)


def _stdin_items():
    raw = sys.stdin.buffer.read()
    try:
        return items_from_payload(parse(raw, max_bytes=STDIN_MAX_BYTES, what="stdin"),
                                  max_items=STDIN_MAX_ITEMS)
    except (JSONInputError, PayloadError) as exc:
        raise click.UsageError(f"stdin: {exc.message}") from None


def render(report: Report, label: str) -> str:
    """A summary line with counts per collection, then one line per problem."""
    counts = ", ".join(f"{collection} {n}" for collection, n in report.counts().items())
    total = len(report.items)
    verdict = "valid" if report.valid else "INVALID"
    lines = [f"{label}: {verdict}: {total} records ({counts}); "
             f"{report.error_count} errors, {report.warning_count} warnings"]
    for item in report.items:
        for problem in item.errors:
            lines.append(f"  error   {_where(item.origin, problem.pointer)} [{problem.keyword}] {problem.message}")
        for problem in item.warnings:
            lines.append(f"  warning {_where(item.origin, problem.pointer)} [{problem.keyword}] {problem.message}")
    return "\n".join(lines)


def _where(origin: str, pointer: str) -> str:
    # A URI fragment is the standard way to point into a JSON document: file.json#/names/0
    return f"{origin}#{pointer}" if pointer else origin
