"""Validation of records: the two stages run in turn, and the report they make.

The stages are modules of their own: ``schema_stage`` (each record against its schema) and
``cross_record`` (each record against the others); ``report`` holds what they report.

One implementation serves the CLI, the release build and ``POST /validate``. Both
stages always run: a record that fails its schema is still checked for references,
dates and duplicates wherever its shape allows, so a contributor sees every problem
in one pass rather than one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.checks.catalog import Catalog
from chalicelib.checks.cross_record import cross_record_problems, lookups, reused_ids
from chalicelib.checks.harm import shown_in_other_records
from chalicelib.checks.placeholders import holds_placeholder, placeholders_in
from chalicelib.checks.report import MESSAGE_LIMIT, Item, Report, Spread, Violation
from chalicelib.checks.schema_stage import kind_of, schema_problems, unknown_kind_message
from chalicelib.model.kinds import BY_NAME
from chalicelib.model.schemas import SchemaSet

__all__ = [
    "MESSAGE_LIMIT",
    "Item",
    "Report",
    "Spread",
    "Violation",
    "cross_record_problems",
    "schema_problems",
    "validate",
]


def _here(work: Callable[[Sequence[Any]], list[Any]], items: Sequence[Any]) -> list[Any]:
    return work(items)


def validate(
    items: list[Item], schemas: SchemaSet, catalog: Catalog | None = None, *, spread: Spread = _here
) -> Report:
    """Validate ``items`` against the schemas, then against ``catalog`` plus the items.

    ``catalog`` holds the records already known (the rest of ``data/``, or the current
    release); the batch overlays it, so a batch may add records that refer to each other.
    ``spread`` lets the build check the items on every core.
    """
    known = Catalog.overlay(catalog, (i for i in items if not i.errors))
    checked = []
    for item in items:
        if item.errors:
            continue
        if item.kind in BY_NAME:
            checked.append(item)
        else:
            item.errors.append(Violation("", "kind", unknown_kind_message(item.kind)))
            item.record = None
    known.prefetch(lambda: lookups(checked, schemas))
    found = spread(
        lambda part: [_problems(item, reuse, schemas, known) for item, reuse in part],
        list(zip(checked, reused_ids(checked))),
    )
    for item, (errors, warnings) in zip(checked, found):
        item.errors.extend(errors)
        item.warnings.extend(warnings)
    live = [i for i in checked if isinstance(i.record, dict) and not i.is_tombstone]
    for position, problem in shown_in_other_records(
        [(f"{i.collection}/{i.record_id}", kind_of(i), i.record) for i in live]
    ):
        live[position].errors.append(Violation(*problem))
    return Report(items)


def _problems(
    item: Item, reuse: Violation | None, schemas: SchemaSet, known: Catalog
) -> tuple[list[Violation], list[Violation]]:
    """The errors and warnings of both stages for one readable item of a known kind.

    Pure, so that it may run in another process: the caller adds them to the item.
    """
    errors = schema_problems(item, schemas)
    if reuse is not None:
        errors.append(reuse)
    if not isinstance(item.record, dict):
        return errors, []
    found, warnings = cross_record_problems(item, schemas, known)
    if found:
        # A pointer the schema stage already faulted is not reported twice.
        faulted = {p.pointer for p in errors}
        errors += [p for p in found if p.pointer not in faulted]
    if item.may_hold_blanks:
        errors = _blanks_first(item.record, errors)
    return errors, warnings


def _blanks_first(record: dict[str, Any], errors: list[Violation]) -> list[Violation]:
    """Each placeholder left by ``new`` as "fill in: …", instead of the errors under it."""
    if not holds_placeholder(record):
        return errors
    blanks = [
        Violation(p, "placeholder", f"fill in: {what}") for p, what in placeholders_in(record)
    ]
    if not blanks:
        return errors
    blanked = tuple(b.pointer for b in blanks)
    return blanks + [
        e
        for e in errors
        if not any(e.pointer == b or e.pointer.startswith(b + "/") for b in blanked)
    ]
