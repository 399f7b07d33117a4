"""The cross-record stage of validation: references, dates, claims, replies, duplicates and
tombstones, each record against the others (the catalog of what is known, plus the batch)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from chalicelib.checks.catalog import Catalog
from chalicelib.checks.harm import (
    consent_problems,
    personal_data_warnings,
    withheld_problems,
)
from chalicelib.checks.report import Item, Violation
from chalicelib.checks.schema_stage import kind_of
from chalicelib.errors import EDTFError
from chalicelib.model import edtf
from chalicelib.model.kinds import ALL_COLLECTIONS, BY_NAME, Kind, split_reference, values_at
from chalicelib.model.schemas import SchemaSet
from chalicelib.text import clip


def reused_ids(items: list[Item]) -> list[Violation | None]:
    """For each item, the error of an id that an earlier item of its collection has taken."""
    first_seen: dict[tuple[str, str], Item] = {}
    found: list[Violation | None] = []
    for item in items:
        collection, record_id = item.collection, item.record_id
        first = (
            item
            if collection is None or record_id is None
            else first_seen.setdefault((collection, record_id), item)
        )
        found.append(
            None
            if first is item
            else Violation(
                "/id",
                "uniqueId",
                (
                    f"the id {item.record_id!r} is already used by {first.origin} "
                    f"in {item.collection}"
                ),
            )
        )
    return found


def cross_record_problems(
    item: Item, schemas: SchemaSet, known: Catalog
) -> tuple[list[Violation], list[Violation]]:
    """The errors and warnings of the cross-record stage."""
    kind = kind_of(item)
    record = item.record
    problems: list[Violation] = []
    warnings: list[Violation] = []
    if item.is_tombstone:
        problems += _tombstone_problems(item, known)
    else:
        problems += [Violation(*p) for p in withheld_problems(kind, record)]
        problems += [Violation(*p) for p in consent_problems(kind, record)]
        warnings += [Violation(*p) for p in personal_data_warnings(record)]
        for pointer, reference, targets in _references(kind, record, schemas):
            problems += _reference_problems(pointer, reference, targets, known)
        problems += _date_problems(kind, record, schemas)
        if kind.name == "claim":
            problems += _claim_problems(record, schemas, known)
            duplicate = _duplicate_of(item, known)
            if duplicate:
                warnings.append(
                    Violation(
                        "",
                        "duplicateClaim",
                        (
                            f"claims/{duplicate} already makes the same claim (same subject, property, "
                            "value and claimed_by); cite both sources in one claim instead"
                        ),
                    )
                )
    return problems, warnings


def lookups(items: Sequence[Item], schemas: SchemaSet) -> tuple[set[tuple[str, str]], set[str]]:
    """The (collection, id) pairs the cross-record stage will look up for ``items``, and their
    claim keys: what a catalog over a release can fetch all at once, before the checks."""
    references: set[tuple[str, str]] = set()
    keys: set[str] = set()
    for item in items:
        if not isinstance(item.record, dict):
            continue
        if item.is_tombstone:
            tombstone = item.record.get("tombstone")
            target = tombstone.get("merged_into") if isinstance(tombstone, dict) else None
            parts = split_reference(target) if isinstance(target, str) else None
            if parts is not None:
                references.add(parts)
            continue
        for _, reference, targets in _references(kind_of(item), item.record, schemas):
            parts = split_reference(reference) if isinstance(reference, str) else None
            if parts is not None and parts[0] in targets:
                references.add(parts)
        if item.claim_key is not None:
            keys.add(item.claim_key)
    return references, keys


def _references(
    kind: Kind, record: dict[str, Any], schemas: SchemaSet
) -> Iterator[tuple[str, Any, tuple[str, ...]]]:
    for ref_field in kind.references:
        for pointer, value in values_at(record, ref_field.path):
            yield pointer, value, ref_field.targets
    if kind.name == "claim" and isinstance(record.get("property"), str):
        targets = schemas.claim_value_targets(record["property"])
        if targets:
            yield "/value", record.get("value"), targets


def _reference_problems(
    pointer: str, reference: Any, targets: tuple[str, ...], known: Catalog
) -> Iterator[Violation]:
    if not isinstance(reference, str):
        return
    parts = split_reference(reference)
    if parts is None or parts[0] not in targets:
        return  # the schema stage names the expected collection
    collection, record_id = parts
    tombstone = known.tombstone(collection, record_id)
    if tombstone is not None:
        if tombstone.get("action") == "merged":
            yield Violation(
                pointer,
                "reference",
                (
                    f"{reference} was merged into {tombstone.get('merged_into')}; refer to that instead"
                ),
            )
        else:
            yield Violation(
                pointer,
                "reference",
                (
                    f"{reference} was withdrawn ({clip(str(tombstone.get('reason')), 120)}); "
                    "remove or replace the reference"
                ),
            )
        return
    if known.exists(collection, record_id):
        return
    elsewhere = [c for c in ALL_COLLECTIONS if c != collection and known.exists(c, record_id)]
    hint = (
        f"; did you mean {elsewhere[0]}/{record_id}? (a {collection} reference must "
        f"point into {collection})"
        if elsewhere
        else ""
    )
    yield Violation(pointer, "reference", f"{reference} does not exist{hint}")


def _date_fields(
    kind: Kind, record: dict[str, Any], schemas: SchemaSet
) -> Iterator[tuple[str, Any]]:
    for path in kind.date_fields:
        yield from values_at(record, path)
    if kind.name == "claim" and schemas.claim_value_is_date(str(record.get("property"))):
        yield "/value", record.get("value")


def _date_problems(kind: Kind, record: dict[str, Any], schemas: SchemaSet) -> Iterator[Violation]:
    for pointer, value in _date_fields(kind, record, schemas):
        if not isinstance(value, str):
            continue
        try:
            if edtf.is_reversed(value):
                yield Violation(
                    pointer,
                    "interval",
                    (f"the interval {value!r} is reversed: it starts after it ends"),
                )
        except EDTFError as exc:
            yield Violation(pointer, "edtf", str(exc))


def _claim_problems(
    record: dict[str, Any], schemas: SchemaSet, known: Catalog
) -> Iterator[Violation]:
    yield from _reply_problems(record)
    value = record.get("value")
    if (
        isinstance(value, dict)
        and isinstance(value.get("min"), int)
        and isinstance(value.get("max"), int)
        and value["min"] > value["max"]
    ):
        yield Violation(
            "/value", "quantity", (f"min ({value['min']}) is greater than max ({value['max']})")
        )
    cited = [
        (pointer, ref.split("/", 1)[1])
        for pointer, ref in values_at(record, ("sources", "*", "source"))
        if isinstance(ref, str) and ref.startswith("sources/")
    ]
    facts = {source_id: known.source_facts(source_id) for _, source_id in cited}
    if record.get("status") == "adjudicated" and not any(
        f and f[1] == "court-judgment" for f in facts.values()
    ):
        yield Violation(
            "/status",
            "adjudicated",
            (
                "an adjudicated claim must cite a court-judgment source; "
                "cite the judgment, or use 'corroborated'"
            ),
        )
    for pointer, date in _date_fields(BY_NAME["claim"], record, schemas):
        earliest = _earliest(date)
        for _, source_id in cited:
            published = facts.get(source_id)
            if earliest and published and published[0] and earliest > published[0]:
                yield Violation(
                    pointer,
                    "claimDate",
                    (
                        f"the claim is dated {date}, after sources/{source_id} was published "
                        f"({published[0]}); a source cannot state what had not happened"
                    ),
                )


# A reply answers a claim; asserting the very claim it answers would be no reply.
REPLY_STANCES = ("denies", "disputes", "justifies")


def _reply_problems(record: dict[str, Any]) -> Iterator[Violation]:
    """A reply (``qualifiers.in_reply_to``) answers another claim by denying, disputing or
    justifying it. That the claim it names exists is the reference check's job."""
    qualifiers = record.get("qualifiers")
    answered = qualifiers.get("in_reply_to") if isinstance(qualifiers, dict) else None
    if not isinstance(answered, str):
        return
    if answered == f"claims/{record.get('id')}":
        yield Violation(
            "/qualifiers/in_reply_to", "inReplyTo", "a claim cannot be a reply to itself"
        )
    stance = record.get("stance")
    if stance not in REPLY_STANCES:
        yield Violation(
            "/stance",
            "inReplyTo",
            (
                f"a reply denies, disputes or justifies the claim it answers, but its stance is "
                f"{clip(json.dumps(stance, ensure_ascii=False), 40)}; use 'denies', 'disputes' "
                "or 'justifies', or remove qualifiers.in_reply_to"
            ),
        )


def _earliest(date: Any) -> str | None:
    if not isinstance(date, str):
        return None
    try:
        return edtf.bounds(date)[0]
    except EDTFError:
        return None


def _duplicate_of(item: Item, known: Catalog) -> str | None:
    key = item.claim_key
    if key is None:
        return None
    return next((other for other in known.claims_with_key(key) if other != item.record_id), None)


def _tombstone_problems(item: Item, known: Catalog) -> Iterator[Violation]:
    tombstone = item.record.get("tombstone")
    if not isinstance(tombstone, dict) or tombstone.get("action") != "merged":
        return
    target = tombstone.get("merged_into")
    parts = split_reference(target) if isinstance(target, str) else None
    if parts is None:
        return
    pointer = "/tombstone/merged_into"
    if parts[0] != item.collection:
        yield Violation(
            pointer,
            "mergedInto",
            (
                f"a record can only be merged into one of its own collection ({item.collection}), "
                f"not {parts[0]}"
            ),
        )
    elif parts[1] == item.record_id:
        yield Violation(pointer, "mergedInto", "a record cannot be merged into itself")
    elif known.tombstone(*parts) is not None:
        yield Violation(
            pointer,
            "mergedInto",
            f"{target} is itself a tombstone; merge into its canonical record",
        )
    elif not known.exists(*parts):
        yield Violation(pointer, "reference", f"{target} does not exist")
