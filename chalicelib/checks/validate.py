"""Validation of records: the schema stage and the cross-record stage.

One implementation serves the CLI, the release build and ``POST /validate``. Both
stages always run: a record that fails its schema is still checked for references,
dates and duplicates wherever its shape allows, so a contributor sees every problem
in one pass rather than one at a time.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.checks.catalog import Catalog
from chalicelib.checks.catalog import claim_key as claim_key_of
from chalicelib.checks.harm import (
    consent_problems,
    personal_data_warnings,
    shown_in_other_records,
    withheld_problems,
)
from chalicelib.checks.placeholders import placeholders_in
from chalicelib.errors import EDTFError
from chalicelib.model import edtf
from chalicelib.model.kinds import ALL_COLLECTIONS, BY_NAME, KINDS, Kind, split_reference, values_at
from chalicelib.model.schemas import SchemaSet
from chalicelib.text import clip, escape_pointer

if TYPE_CHECKING:
    from jsonschema import ValidationError

MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class Problem:
    """One error or warning: where (JSON Pointer), which rule (keyword), and what, plainly."""

    pointer: str
    keyword: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "keyword": self.keyword, "message": self.message}


@dataclass
class Item:
    """A record to validate, with where it came from.

    ``kind`` is the schema name, or None when it could not be told. ``expected_id`` is
    the id the file name promises. ``errors`` may already hold problems found while
    reading the item, in which case its record is None.
    """

    kind: str | None
    record: Any
    origin: str
    index: int = 0
    expected_id: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # False when the item's raw text was read and holds no "<fill in: …>" placeholder
    # (chalicelib.checks.placeholders.MARK): the record is then not walked looking for one.
    may_hold_blanks: bool = True

    @property
    def collection(self) -> str | None:
        kind = BY_NAME.get(self.kind or "")
        return kind.collection if kind else None

    @property
    def record_id(self) -> str | None:
        record_id = self.record.get("id") if isinstance(self.record, dict) else None
        return record_id if isinstance(record_id, str) else None

    @property
    def is_tombstone(self) -> bool:
        return isinstance(self.record, dict) and "tombstone" in self.record

    @cached_property
    def claim_key(self) -> str | None:
        """A claim's claim key (chalicelib.checks.catalog.claim_key), worked out once; None for
        other kinds. The catalog, the duplicate check and the release all need it."""
        return claim_key_of(self.record) if self.kind == "claim" else None

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.record_id,
            "kind": self.kind,
            "valid": self.valid,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


@dataclass
class Report:
    """The outcome of validating a batch: one result per item, in input order."""

    items: list[Item]

    @property
    def valid(self) -> bool:
        return all(item.valid for item in self.items)

    @property
    def error_count(self) -> int:
        return sum(len(item.errors) for item in self.items)

    @property
    def warning_count(self) -> int:
        return sum(len(item.warnings) for item in self.items)

    def counts(self) -> dict[str, int]:
        """Records per collection, in registry order; unknown kinds count under '?'."""
        counts = {kind.collection: 0 for kind in KINDS}
        for item in self.items:
            key = item.collection or "?"
            counts[key] = counts.get(key, 0) + 1
        return {k: v for k, v in counts.items() if v or k != "?"}

    def to_dict(self) -> dict[str, Any]:
        """The same shape that ``POST /validate`` answers with."""
        return {"valid": self.valid, "results": [item.to_dict() for item in self.items]}


# Runs work(items), which gives one result per item, possibly over parts of the items in
# other processes (chalicelib.release.cores.map_shared); the results come back in the items' order.
Spread = Callable[[Callable[[Sequence[Any]], list[Any]], Sequence[Any]], list[Any]]


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
            item.errors.append(Problem("", "kind", _unknown_kind_message(item.kind)))
            item.record = None
    known.prefetch(lambda: _lookups(checked, schemas))
    found = spread(
        lambda part: [_problems(item, reuse, schemas, known) for item, reuse in part],
        list(zip(checked, _reused_ids(checked))),
    )
    for item, (errors, warnings) in zip(checked, found):
        item.errors.extend(errors)
        item.warnings.extend(warnings)
    live = [i for i in checked if isinstance(i.record, dict) and not i.is_tombstone]
    for position, problem in shown_in_other_records(
        [(f"{i.collection}/{i.record_id}", _kind_of(i), i.record) for i in live]
    ):
        live[position].errors.append(Problem(*problem))
    return Report(items)


def _problems(
    item: Item, reuse: Problem | None, schemas: SchemaSet, known: Catalog
) -> tuple[list[Problem], list[Problem]]:
    """The errors and warnings of both stages for one readable item of a known kind.

    Pure, so that it may run in another process: the caller adds them to the item.
    """
    errors = _schema_problems(item, schemas)
    if reuse is not None:
        errors.append(reuse)
    if not isinstance(item.record, dict):
        return errors, []
    found, warnings = _cross_record_problems(item, schemas, known)
    if found:
        # A pointer the schema stage already faulted is not reported twice.
        faulted = {p.pointer for p in errors}
        errors += [p for p in found if p.pointer not in faulted]
    if item.may_hold_blanks:
        errors = _blanks_first(item.record, errors)
    return errors, warnings


def _blanks_first(record: dict[str, Any], errors: list[Problem]) -> list[Problem]:
    """Each placeholder left by ``new`` as "fill in: …", instead of the errors under it."""
    blanks = [Problem(p, "placeholder", f"fill in: {what}") for p, what in placeholders_in(record)]
    if not blanks:
        return errors
    blanked = tuple(b.pointer for b in blanks)
    return blanks + [
        e
        for e in errors
        if not any(e.pointer == b or e.pointer.startswith(b + "/") for b in blanked)
    ]


def schema_problems(item: Item, schemas: SchemaSet) -> list[Problem]:
    """The schema stage's errors for one readable item of a known kind: what ``validate``
    finds before it looks at other records. The build runs it where it reads each record."""
    return _schema_problems(item, schemas)


def cross_record_problems(
    item: Item, schemas: SchemaSet, known: Catalog
) -> tuple[list[Problem], list[Problem]]:
    """The cross-record stage's errors and warnings for one item whose record is a JSON
    object that passed the schema stage, against ``known``."""
    return _cross_record_problems(item, schemas, known)


# -- schema stage ---------------------------------------------------------------------


def _schema_problems(item: Item, schemas: SchemaSet) -> list[Problem]:
    if not isinstance(item.record, dict):
        return [
            Problem(
                "",
                "type",
                f"expected a JSON object holding one {item.kind} record, "
                f"got {_json_type(item.record)}",
            )
        ]
    validator = schemas.validators["tombstone" if item.is_tombstone else _kind_of(item).name]
    problems = [
        problem
        for error in validator.iter_errors(item.record)
        for problem in _explain(error, schemas)
    ]
    if problems and not item.is_tombstone:
        other = _kind_it_fits(item, schemas)
        if other:
            problems = [
                Problem(
                    "",
                    "kind",
                    (
                        f"this looks like a {other.name} record, but it is given as a {item.kind}; "
                        f"move it to data/{other.collection}/"
                    ),
                )
            ]
    if (
        item.expected_id is not None
        and item.record_id is not None
        and item.record_id != item.expected_id
        and not any(p.pointer == "/id" for p in problems)
    ):
        problems.append(
            Problem(
                "/id",
                "fileName",
                (
                    f"the id {item.record_id!r} does not match the file name "
                    f"{item.expected_id + '.json'!r}; rename the file or fix the id"
                ),
            )
        )
    return problems


def _kind_of(item: Item) -> Kind:
    """The kind of an item the stages check: ``validate`` has set aside those of no known kind."""
    kind = BY_NAME.get(item.kind or "")
    if kind is None:
        raise ValueError(f"{item.origin}: {_unknown_kind_message(item.kind)}")
    return kind


def _kind_it_fits(item: Item, schemas: SchemaSet) -> Kind | None:
    """The other kind whose schema the record satisfies, to explain a record in the wrong place."""
    for kind in KINDS:
        if kind.name != item.kind and schemas.validators[kind.name].is_valid(item.record):
            return kind
    return None


def _explain(error: ValidationError, schemas: SchemaSet) -> Iterable[Problem]:
    """Turn one jsonschema error into problems that point at the field at fault."""
    pointer = "".join("/" + escape_pointer(str(p)) for p in error.absolute_path)
    # An error that iter_errors raised always carries its keyword, value and schema; the
    # stubs also allow jsonschema's Unset, which only an error built by hand holds.
    keyword = str(error.validator)
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        yield Problem(f"{pointer}/{missing}", keyword, f"{missing!r} is required")
        return
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(_schema_of(error).get("properties", {}))
        for name in error.instance:
            if name not in allowed:
                # Clip first: difflib on a hostile 100k-character key costs megabytes.
                hint = difflib.get_close_matches(name[:80], allowed, n=1)
                suffix = (
                    f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(allowed)}"
                )
                yield Problem(
                    f"{pointer}/{clip(name, 80)}",
                    keyword,
                    f"{clip(name, 80)!r} is not a known field{suffix}",
                )
        return
    yield Problem(pointer, keyword, clip(_message(error, schemas), MESSAGE_LIMIT))


def _schema_of(error: ValidationError) -> Mapping[str, Any]:
    return error.schema if isinstance(error.schema, Mapping) else {}


def _message(error: ValidationError, schemas: SchemaSet) -> str:
    keyword, value, schema = error.validator, error.instance, _schema_of(error)
    rule: Any = error.validator_value
    shown = clip(json.dumps(value, ensure_ascii=False), 80)
    if keyword == "pattern":
        collections = schemas.describe_reference_pattern(rule)
        if collections:
            return (
                f"expected a reference to {collections}, such as "
                f"'{collections.split(' or ')[0]}/<id>'; got {shown}"
            )
        defs = schemas.documents["defs.schema.json"]["$defs"]
        if rule == defs["id"]["pattern"]:
            return f"{shown} is not a valid id: use lowercase a-z, 0-9 and single hyphens"
        if rule == defs["edtf"]["pattern"]:
            return (
                f"{shown} is not an EDTF date; write e.g. 1988, 1988-07, 1988-07-28, "
                "1988-22 (summer) or 1988-07/1988-09"
            )
        if "quote" in str(error.absolute_path[-1] if error.absolute_path else ""):
            return (
                "a quote is verbatim and at most 40 words; shorten it or move a paraphrase to note"
            )
        return f"{shown} does not match the pattern {schema.get('pattern')}"
    if keyword == "enum":
        return f"{shown} is not one of: {', '.join(map(str, rule))}"
    if keyword == "type":
        expected = rule
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {expected}, got {_json_type(value)}"
    if keyword == "anyOf" and error.absolute_path and error.absolute_path[-1] == "value":
        return f"{shown} is not a quantity with at least one of min or max"
    return error.message


def _json_type(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


def _unknown_kind_message(kind: Any) -> str:
    names = ", ".join(k.name for k in KINDS)
    if kind is None:
        return f"the kind is missing; give one of: {names}"
    return f"unknown kind {clip(str(kind), 40)!r}; give one of: {names}"


# -- cross-record stage ---------------------------------------------------------------


def _reused_ids(items: list[Item]) -> list[Problem | None]:
    """For each item, the error of an id that an earlier item of its collection has taken."""
    first_seen: dict[tuple[str, str], Item] = {}
    found: list[Problem | None] = []
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
            else Problem(
                "/id",
                "uniqueId",
                (
                    f"the id {item.record_id!r} is already used by {first.origin} "
                    f"in {item.collection}"
                ),
            )
        )
    return found


def _cross_record_problems(
    item: Item, schemas: SchemaSet, known: Catalog
) -> tuple[list[Problem], list[Problem]]:
    """The errors and warnings of the cross-record stage."""
    kind = _kind_of(item)
    record = item.record
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if item.is_tombstone:
        problems += _tombstone_problems(item, known)
    else:
        problems += [Problem(*p) for p in withheld_problems(kind, record)]
        problems += [Problem(*p) for p in consent_problems(kind, record)]
        warnings += [Problem(*p) for p in personal_data_warnings(record)]
        for pointer, reference, targets in _references(kind, record, schemas):
            problems += _reference_problems(pointer, reference, targets, known)
        problems += _date_problems(kind, record, schemas)
        if kind.name == "claim":
            problems += _claim_problems(record, schemas, known)
            duplicate = _duplicate_of(item, known)
            if duplicate:
                warnings.append(
                    Problem(
                        "",
                        "duplicateClaim",
                        (
                            f"claims/{duplicate} already makes the same claim (same subject, property, "
                            "value and claimed_by); cite both sources in one claim instead"
                        ),
                    )
                )
    return problems, warnings


def _lookups(items: Sequence[Item], schemas: SchemaSet) -> tuple[set[tuple[str, str]], set[str]]:
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
        for _, reference, targets in _references(_kind_of(item), item.record, schemas):
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
) -> Iterator[Problem]:
    if not isinstance(reference, str):
        return
    parts = split_reference(reference)
    if parts is None or parts[0] not in targets:
        return  # the schema stage names the expected collection
    collection, record_id = parts
    tombstone = known.tombstone(collection, record_id)
    if tombstone is not None:
        if tombstone.get("action") == "merged":
            yield Problem(
                pointer,
                "reference",
                (
                    f"{reference} was merged into {tombstone.get('merged_into')}; refer to that instead"
                ),
            )
        else:
            yield Problem(
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
    yield Problem(pointer, "reference", f"{reference} does not exist{hint}")


def _date_fields(
    kind: Kind, record: dict[str, Any], schemas: SchemaSet
) -> Iterator[tuple[str, Any]]:
    for path in kind.date_fields:
        yield from values_at(record, path)
    if kind.name == "claim" and schemas.claim_value_is_date(str(record.get("property"))):
        yield "/value", record.get("value")


def _date_problems(kind: Kind, record: dict[str, Any], schemas: SchemaSet) -> Iterator[Problem]:
    for pointer, value in _date_fields(kind, record, schemas):
        if not isinstance(value, str):
            continue
        try:
            if edtf.is_reversed(value):
                yield Problem(
                    pointer,
                    "interval",
                    (f"the interval {value!r} is reversed: it starts after it ends"),
                )
        except EDTFError as exc:
            yield Problem(pointer, "edtf", str(exc))


def _claim_problems(
    record: dict[str, Any], schemas: SchemaSet, known: Catalog
) -> Iterator[Problem]:
    yield from _reply_problems(record)
    value = record.get("value")
    if (
        isinstance(value, dict)
        and isinstance(value.get("min"), int)
        and isinstance(value.get("max"), int)
        and value["min"] > value["max"]
    ):
        yield Problem(
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
        yield Problem(
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
                yield Problem(
                    pointer,
                    "claimDate",
                    (
                        f"the claim is dated {date}, after sources/{source_id} was published "
                        f"({published[0]}); a source cannot state what had not happened"
                    ),
                )


# A reply answers a claim; asserting the very claim it answers would be no reply.
REPLY_STANCES = ("denies", "disputes", "justifies")


def _reply_problems(record: dict[str, Any]) -> Iterator[Problem]:
    """A reply (``qualifiers.in_reply_to``) answers another claim by denying, disputing or
    justifying it. That the claim it names exists is the reference check's job."""
    qualifiers = record.get("qualifiers")
    answered = qualifiers.get("in_reply_to") if isinstance(qualifiers, dict) else None
    if not isinstance(answered, str):
        return
    if answered == f"claims/{record.get('id')}":
        yield Problem("/qualifiers/in_reply_to", "inReplyTo", "a claim cannot be a reply to itself")
    stance = record.get("stance")
    if stance not in REPLY_STANCES:
        yield Problem(
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


def _tombstone_problems(item: Item, known: Catalog) -> Iterator[Problem]:
    tombstone = item.record.get("tombstone")
    if not isinstance(tombstone, dict) or tombstone.get("action") != "merged":
        return
    target = tombstone.get("merged_into")
    parts = split_reference(target) if isinstance(target, str) else None
    if parts is None:
        return
    pointer = "/tombstone/merged_into"
    if parts[0] != item.collection:
        yield Problem(
            pointer,
            "mergedInto",
            (
                f"a record can only be merged into one of its own collection ({item.collection}), "
                f"not {parts[0]}"
            ),
        )
    elif parts[1] == item.record_id:
        yield Problem(pointer, "mergedInto", "a record cannot be merged into itself")
    elif known.tombstone(*parts) is not None:
        yield Problem(
            pointer,
            "mergedInto",
            f"{target} is itself a tombstone; merge into its canonical record",
        )
    elif not known.exists(*parts):
        yield Problem(pointer, "reference", f"{target} does not exist")
