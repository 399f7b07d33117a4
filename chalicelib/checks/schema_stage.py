"""The schema stage of validation: each record against its kind's JSON Schema, explained in
plain words at a JSON Pointer."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.model.kinds import BY_NAME, KINDS, Kind
from chalicelib.model.schemas import SchemaSet
from chalicelib.text import clip, escape_pointer

if TYPE_CHECKING:
    from jsonschema import ValidationError

from chalicelib.checks.report import MESSAGE_LIMIT, Item, Violation


def schema_problems(item: Item, schemas: SchemaSet) -> list[Violation]:
    if not isinstance(item.record, dict):
        return [
            Violation(
                "",
                "type",
                f"expected a JSON object holding one {item.kind} record, "
                f"got {_json_type(item.record)}",
            )
        ]
    validator = schemas.validators["tombstone" if item.is_tombstone else kind_of(item).name]
    problems = [
        problem
        for error in validator.iter_errors(item.record)
        for problem in _explain(error, schemas)
    ]
    if problems and not item.is_tombstone:
        other = _kind_it_fits(item, schemas)
        if other:
            problems = [
                Violation(
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
            Violation(
                "/id",
                "fileName",
                (
                    f"the id {item.record_id!r} does not match the file name "
                    f"{item.expected_id + '.json'!r}; rename the file or fix the id"
                ),
            )
        )
    return problems


def kind_of(item: Item) -> Kind:
    """The kind of an item the stages check: ``validate`` has set aside those of no known kind."""
    kind = BY_NAME.get(item.kind or "")
    if kind is None:
        raise ValueError(f"{item.origin}: {unknown_kind_message(item.kind)}")
    return kind


def _kind_it_fits(item: Item, schemas: SchemaSet) -> Kind | None:
    """The other kind whose schema the record satisfies, to explain a record in the wrong place."""
    for kind in KINDS:
        if kind.name != item.kind and schemas.validators[kind.name].is_valid(item.record):
            return kind
    return None


def _explain(error: ValidationError, schemas: SchemaSet) -> Iterable[Violation]:
    """Turn one jsonschema error into problems that point at the field at fault."""
    pointer = "".join("/" + escape_pointer(str(p)) for p in error.absolute_path)
    # An error that iter_errors raised always carries its keyword, value and schema; the
    # stubs also allow jsonschema's Unset, which only an error built by hand holds.
    keyword = str(error.validator)
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        yield Violation(f"{pointer}/{missing}", keyword, f"{missing!r} is required")
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
                yield Violation(
                    f"{pointer}/{clip(name, 80)}",
                    keyword,
                    f"{clip(name, 80)!r} is not a known field{suffix}",
                )
        return
    yield Violation(pointer, keyword, clip(_message(error, schemas), MESSAGE_LIMIT))


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


def unknown_kind_message(kind: Any) -> str:
    names = ", ".join(k.name for k in KINDS)
    if kind is None:
        return f"the kind is missing; give one of: {names}"
    return f"unknown kind {clip(str(kind), 40)!r}; give one of: {names}"
