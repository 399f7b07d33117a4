"""The JSON Schemas: loading them, one compiled validator per kind, and the claim vocabulary.

The schemas live in ``schemas/`` in the repository and travel inside every release,
so the same documents validate data at build time and in Lambda, where the repository
is not on disk. jsonschema is imported only when a validator is first needed, because
most API routes never validate anything and Lambda pays for every import at cold start.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.model.kinds import KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jsonschema import Draft202012Validator
    from jsonschema.protocols import Validator
    from referencing import Registry

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
DEFS_FILE = "defs.schema.json"
TOMBSTONE_FILE = "tombstone.schema.json"
REF_DEF = re.compile(r"defs\.schema\.json#/\$defs/(\w+)$")


def schema_files() -> list[str]:
    """Every schema file a release carries: shared definitions, the tombstone, one per kind."""
    return [DEFS_FILE, TOMBSTONE_FILE] + [kind.schema_file for kind in KINDS]


def read_schema_dir(directory: Path = SCHEMA_DIR) -> dict[str, bytes]:
    """The raw bytes of every schema file in ``directory``, by file name."""
    return {name: (directory / name).read_bytes() for name in schema_files()}


class SchemaSet:
    """The schemas of one release, with validators compiled once and reused."""

    def __init__(self, documents: Mapping[str, bytes | dict[str, Any]]):
        self.documents: dict[str, dict[str, Any]] = {
            name: json.loads(doc) if isinstance(doc, (bytes, str)) else doc
            for name, doc in documents.items()
        }

    @classmethod
    def from_dir(cls, directory: Path = SCHEMA_DIR) -> SchemaSet:
        return cls(read_schema_dir(directory))

    def document(self, kind_name: str) -> dict[str, Any]:
        return self.documents[f"{kind_name}.schema.json"]

    @cached_property
    def _registry(self) -> Registry[Any]:
        from referencing import Registry, Resource

        return Registry().with_resources(
            (doc["$id"], Resource.from_contents(doc)) for doc in self.documents.values()
        )

    @cached_property
    def validators(self) -> dict[str, Any]:
        """A ``Draft202012Validator`` per kind name (and 'tombstone'), format checking on."""
        return self.jsonschema_validators()

    def jsonschema_validators(self) -> dict[str, Any]:
        """``validators``, built anew: a subclass that answers ``validators`` otherwise can
        still reach jsonschema's."""
        from jsonschema import Draft202012Validator

        portable = ecma_pattern_validator()
        checker = Draft202012Validator.FORMAT_CHECKER
        validators: dict[str, Any] = {}
        for name in [kind.name for kind in KINDS] + ["tombstone"]:
            schema = self.documents[f"{name}.schema.json"]
            Draft202012Validator.check_schema(schema)
            validators[name] = portable(schema, registry=self._registry, format_checker=checker)
        return validators

    @cached_property
    def reference_defs(self) -> dict[str, tuple[str, ...]]:
        """Each reference definition in defs ('organizationRef') and the collections it allows."""
        defs = self.documents[DEFS_FILE]["$defs"]
        found: dict[str, tuple[str, ...]] = {}
        for name, definition in defs.items():
            pattern = definition.get("pattern", "")
            match = re.match(r"^\^\(\?:([a-z|]+)\)/|^\^([a-z]+)/", pattern)
            if match and definition.get("type") == "string":
                found[name] = tuple((match.group(1) or match.group(2)).split("|"))
        return found

    @cached_property
    def claim_value_types(self) -> dict[str, str]:
        """Claim property -> the defs name its value must match ('placeRef', 'quantity', …).

        Read from the claim schema's if/then rules, which are the single statement of
        the vocabulary.
        """
        types: dict[str, str] = {}
        for rule in self.document("claim").get("allOf", []):
            properties = rule["if"]["properties"]["property"]
            names = properties.get("enum") or [properties["const"]]
            ref = rule["then"]["properties"]["value"]["$ref"]
            target = REF_DEF.search(ref)
            if target is None:
                raise ValueError(f"a claim rule's value must $ref a defs entry, not {ref!r}")
            for name in names:
                types[name] = target.group(1)
        return types

    @cached_property
    def filter_vocabularies(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """Kind name -> {filter param: its allowed values} for every list filter whose field
        the schemas close with an ``enum`` (a claim's ``stance``, a place's ``type``…)."""
        return filter_vocabularies(self.documents)

    def claim_value_targets(self, prop: str) -> tuple[str, ...] | None:
        """The collections a claim's value may reference for ``prop``; None if not a reference."""
        return self.reference_defs.get(self.claim_value_types.get(prop, ""))

    def claim_value_is_date(self, prop: str) -> bool:
        return self.claim_value_types.get(prop) == "edtf"

    def describe_reference_pattern(self, pattern: str) -> str | None:
        """Name the collections a reference pattern allows, for a readable error message."""
        for name, collections in self.reference_defs.items():
            if self.documents[DEFS_FILE]["$defs"][name]["pattern"] == pattern:
                return " or ".join(collections)
        return None


def filter_vocabularies(
    documents: Mapping[str, dict[str, Any]],
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Kind name -> {filter param: allowed values}, read from the schema ``documents`` at each
    filter's path, so that the vocabulary is stated once, in the schemas."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind in KINDS:
        for flt in kind.filters:
            if not flt.path or flt.references:
                continue
            node: Any = documents[kind.schema_file]
            for step in flt.path:
                node = _resolve(documents, node)
                node = node.get("items") if step == "*" else node.get("properties", {}).get(step)
                if node is None:
                    break
            values = _resolve(documents, node).get("enum") if node is not None else None
            if values:
                found.setdefault(kind.name, {})[flt.param] = tuple(values)
    return found


def _resolve(documents: Mapping[str, dict[str, Any]], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, or the shared definition its ``$ref`` names."""
    target = REF_DEF.search(node.get("$ref", ""))
    return documents[DEFS_FILE]["$defs"][target.group(1)] if target else node


def ecma_pattern_validator() -> type[Draft202012Validator]:
    """``Draft202012Validator`` with ECMA-262 semantics for ``$`` in ``pattern``, and each
    ``$ref`` looked up once.

    JSON Schema patterns are ECMA-262 regular expressions, where ``$`` matches only at
    the very end. Python's ``re`` also lets ``$`` match before a final newline, so stock
    jsonschema would accept the id ``"tehran\\n"`` that every other implementation
    rejects. Translating a final ``$`` to ``\\Z`` keeps our verdicts identical to theirs.

    jsonschema looks a ``$ref`` up again each time a record reaches it: it joins the URI to
    the base and walks the pointer through the registry, a third of the validator's time on
    our records. What a ``$ref`` names depends only on the base URI it is read against and
    on the registry, and the schemas hold no ``$dynamicRef`` (whose answer would depend on
    the dynamic scope too), so each (base, ``$ref``) is looked up once per class. A class is
    made for one registry (``SchemaSet.jsonschema_validators``); the errors, their paths and
    messages included, are the stock keyword's (``tests/model/test_schemas.py``).
    """
    from jsonschema import Draft202012Validator, ValidationError, validators
    from referencing.exceptions import Unresolvable

    @cache
    def compiled(pattern: str) -> re.Pattern[str]:
        if pattern.endswith("$") and not pattern.endswith("\\$"):
            pattern = pattern[:-1] + r"\Z"
        return re.compile(pattern)

    def pattern_keyword(
        validator: Validator, pattern: str, instance: object, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        # isinstance is what is_type(instance, "string") answers, and lets the type checker see it.
        if isinstance(instance, str) and not compiled(pattern).search(instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    looked_up: dict[tuple[str, str], Any] = {}

    def ref_keyword(
        validator: Any, ref: str, instance: object, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        resolver = validator._resolver
        key = (resolver._base_uri, ref)
        resolved = looked_up.get(key)
        if resolved is None:
            try:
                resolved = resolver.lookup(ref)
            except Unresolvable:  # the stock keyword raises it as jsonschema's own error
                yield from validator._validate_reference(ref=ref, instance=instance)
                return
            looked_up[key] = resolved
        yield from validator.descend(instance, resolved.contents, resolver=resolved.resolver)

    extended: type[Draft202012Validator] = validators.extend(
        Draft202012Validator, {"pattern": pattern_keyword, "$ref": ref_keyword}
    )
    return extended
