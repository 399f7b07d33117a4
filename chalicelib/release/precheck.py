"""Schema validation sped up: jsonschema_rs accepts records, jsonschema explains rejections."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet


class _Prechecked:
    """A validator that lets a fast, independent 2020-12 implementation accept records.

    jsonschema_rs and jsonschema must agree on every record (tests/test_schemas.py
    holds them to it), so a record the fast one accepts needs no second look; only
    rejected records go through jsonschema, whose errors the report explains.
    """

    __slots__ = ("_full", "fast")

    def __init__(self, fast: Any, full: Callable[[], Any]):
        self.fast, self._full = fast, full

    def is_valid(self, instance: Any) -> bool:
        return self.fast.is_valid(instance)

    def iter_errors(self, instance: Any):
        return iter(()) if self.fast.is_valid(instance) else self._full().iter_errors(instance)


class PrecheckedSchemaSet(SchemaSet):
    """A SchemaSet whose validators precheck with jsonschema_rs when it is installed.

    The build validates every record of the dataset, and jsonschema alone is too slow for the
    build's throughput target (benchmarks/RESULTS.md compares them). Without jsonschema_rs
    (it is a development dependency) this is a plain SchemaSet.
    """

    @cached_property
    def validators(self) -> dict[str, Any]:
        try:
            import jsonschema_rs
        except ImportError:
            return self._explaining
        registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in self.documents.values()])
        fast = {}
        for name in [kind.name for kind in KINDS] + ["tombstone"]:
            schema = self.documents[f"{name}.schema.json"]
            jsonschema_rs.meta.validate(schema)  # as jsonschema's check_schema would
            fast[name] = jsonschema_rs.Draft202012Validator(
                schema, registry=registry, validate_formats=True, ignore_unknown_formats=False
            )
        return {
            name: _Prechecked(validator, self._explainer(name)) for name, validator in fast.items()
        }

    def _explainer(self, name: str) -> Callable[[], Any]:
        return lambda: self._explaining[name]

    @cached_property
    def _explaining(self) -> dict[str, Any]:
        # Built, and jsonschema imported (slow to import), only once a record fails.
        return self.jsonschema_validators()
