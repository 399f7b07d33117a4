"""The W3C Reconciliation Service API 0.2's own JSON Schemas, as the specification publishes
them (tests/support/reconciliation-0.2/, unmodified; NOTICE.md there gives their source and
licence), loaded as validators for the answers of /reconcile and its services.

The schemas declare no draft of their own (``http://json-schema.org/schema#``); the
specification's tests run them with ajv's default, draft-07, and so do these. Their
cross-file ``$ref`` (``type.json``) resolves to the vendored copy: nothing is fetched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

FOLDER = Path(__file__).resolve().parent / "reconciliation-0.2"
# What each answer is checked against: the specification's file for it.
MANIFEST = "manifest"
QUERY_BATCH = "reconciliation-query-batch"
RESULT_BATCH = "reconciliation-result-batch"
SUGGEST_ENTITIES = "suggest-entities-response"
SUGGEST_TYPES = "suggest-types-response"
SUGGEST_PROPERTIES = "suggest-properties-response"
EXTENSION_QUERY = "data-extension-query"
EXTENSION_RESPONSE = "data-extension-response"
PROPERTY_PROPOSAL = "data-extension-property-proposal"


def _documents() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text("utf-8")) for path in FOLDER.glob("*.json")}


@cache
def validator(name: str) -> Draft7Validator:
    documents = _documents()
    registry = Registry().with_resources(
        (document["$id"], Resource.from_contents(document, default_specification=DRAFT7))
        for document in documents.values()
    )
    return Draft7Validator(documents[name], registry=registry)


def errors(name: str, answer) -> list[str]:
    """What the specification's schema ``name`` finds wrong in ``answer`` (none if valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator(name).iter_errors(answer)
    ]


def conforms(name: str, answer):
    """``answer``, after asserting that the specification's schema ``name`` holds of it."""
    found = errors(name, answer)
    assert found == [], found[:3]
    return answer
