"""A new record file with every required field in place: ``python -m chalicelib new``.

The skeleton is read from the kind's schema, so a field the schema adds shows up here
without a change: each required field gets a placeholder ("<fill in: …>", see
``chalicelib.checks.placeholders``) made from the field's own description, and the
validator refuses the file until every one is filled in. What the contributor gave on
the command line (the name, a claim's subject, property and claimant) is written as is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.checks.placeholders import placeholder
from chalicelib.checks.slugs import unique_id
from chalicelib.model.kinds import BY_NAME, KINDS, Kind
from chalicelib.model.schemas import SchemaSet

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"^[\x00-\u024f\u1e00-\u1eff]+$")
_DEF_REF = re.compile(r"#/\$defs/(\w+)$")


class ScaffoldError(ValueError):
    """A request for a new record that cannot be met, with what to do instead."""


@dataclass(frozen=True)
class Claimed:
    """What ``new claim`` was told about the claim; any part may be left to fill in."""

    subject: str | None = None
    property: str | None = None
    claimed_by: str | None = None


def new_record(
    kind_name: str,
    name: str,
    data_dir: Path,
    schemas: SchemaSet,
    claimed: Claimed = Claimed(),
) -> tuple[Path, dict[str, Any]]:
    """The path a new record of ``kind_name`` called ``name`` goes to, and its skeleton."""
    kind = BY_NAME.get(kind_name)
    if kind is None:
        raise ScaffoldError(
            f"unknown kind {kind_name[:40]!r}; give one of: {', '.join(k.name for k in KINDS)}"
        )
    if not name.strip():
        raise ScaffoldError('the name is empty; give the record\'s name, e.g. "Jane Example"')
    if kind.name != "claim" and claimed != Claimed():
        raise ScaffoldError("--subject, --property and --claimed-by are for claims only")
    folder = data_dir / kind.collection
    record_id = unique_id(name, lambda i: (folder / f"{i}.json").exists(), fallback=kind.name)
    skeleton = Skeleton(schemas)
    record = skeleton.record(kind, record_id, name.strip())
    if kind.name == "claim":
        _fill_claim(record, claimed, schemas, skeleton)
    return folder / f"{record_id}.json", record


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write ``record`` as the dataset writes records: 2-space JSON, UTF-8, final newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # never overwrite: ids are made unique
        out.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")


class Skeleton:
    """Placeholders for the values a schema asks for, read from the schema itself."""

    def __init__(self, schemas: SchemaSet):
        self.schemas = schemas
        self.defs = schemas.documents["defs.schema.json"]["$defs"]

    def record(self, kind: Kind, record_id: str, name: str) -> dict[str, Any]:
        schema = self.schemas.document(kind.name)
        record: dict[str, Any] = {}
        for field in schema["required"]:
            if field == "id":
                record["id"] = record_id
            elif field == kind.title_field and kind.name != "claim":
                record[field] = _display_name(name, schema["properties"][field])
            elif field == "names":
                record["names"] = [_spelling(name)]
            else:
                record[field] = self.value(schema["properties"][field])
        return record

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """``schema`` with its ``$ref`` into the shared definitions followed, its own
        description kept (it says what this field is, the definition only what shape)."""
        ref = schema.get("$ref")
        match = _DEF_REF.search(ref) if ref else None
        if not match:
            return schema
        resolved = self.resolve(self.defs[match.group(1)])
        description = schema.get("description") or resolved["description"]
        if match.group(1) in self.schemas.reference_defs or match.group(1) == "edtf":
            # The shape is not in the words 'the source cited': an example shows it.
            description = f"{description.rstrip('.')}, such as '{resolved['examples'][0]}'"
        return {**resolved, "description": description}

    def value(self, schema: dict[str, Any]) -> Any:
        schema = self.resolve(schema)
        what = schema.get("description", "a value")
        if "enum" in schema:
            return placeholder(f"one of {', '.join(map(str, schema['enum']))}")
        kind = schema.get("type")
        if kind == "array":
            return [self.value(schema["items"])]
        if kind == "object":
            required = schema.get("required") or [
                name for option in schema.get("anyOf", []) for name in option.get("required", [])
            ]
            return {field: self.value(schema["properties"][field]) for field in required}
        return placeholder(_lower_first(what))


def _fill_claim(
    record: dict[str, Any], claimed: Claimed, schemas: SchemaSet, skeleton: Skeleton
) -> None:
    if claimed.subject is not None:
        _check_shape("--subject", claimed.subject, skeleton.defs["reference"])
        record["subject"] = claimed.subject
    if claimed.claimed_by is not None:
        _check_shape("--claimed-by", claimed.claimed_by, skeleton.defs["agentRef"])
        record["claimed_by"] = claimed.claimed_by
    if claimed.property is None:
        return
    types = schemas.claim_value_types
    if claimed.property not in types:
        raise ScaffoldError(
            f"--property {claimed.property[:40]!r} is not in the vocabulary; use one of: "
            f"{', '.join(types)}"
        )
    record["property"] = claimed.property
    shape = types[claimed.property]
    record["value"] = skeleton.value(
        {
            "$ref": f"defs.schema.json#/$defs/{shape}",
            "description": f"the {claimed.property} value: "
            + _lower_first(skeleton.defs[shape]["description"]),
        }
    )


def _check_shape(option: str, value: str, definition: dict[str, Any]) -> None:
    if not re.fullmatch(definition["pattern"].lstrip("^").rstrip("$"), value):
        raise ScaffoldError(
            f"{option} {value[:80]!r} is not {_lower_first(definition['description'])} "
            f"(e.g. {definition['examples'][0]!r})"
        )


def _display_name(name: str, schema: dict[str, Any]) -> str:
    # The display name is in English: a name given in another script is only a spelling.
    if _LATIN.match(name):
        return name
    return placeholder(_lower_first(schema.get("description", "the display name")))


def _spelling(name: str) -> dict[str, str]:
    if _ARABIC_SCRIPT.search(name):
        return {"name": name, "lang": "fa", "script": "Arab"}
    if _LATIN.match(name):
        return {"name": name, "lang": "en", "script": "Latn"}
    return {"name": name, "lang": placeholder("the language of this spelling, such as 'fa'")}


def _lower_first(text: str) -> str:
    # "The display name, in English." reads as "fill in: the display name, in English".
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]
