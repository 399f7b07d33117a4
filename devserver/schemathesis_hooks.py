"""What schemathesis must know about this API that JSON Schema cannot say (schemathesis.toml
loads this module).

A list's ``cursor`` is signed: it is only ever valid when copied from a page's ``next``, for the
same query and release. OpenAPI gives its exact shape (``CURSOR_PATTERN``) and says so in its
description, but no schema can generate a valid signature, so a generated cursor would make
every positive test of a list a 400, which is right. Positive cases therefore start from the
first page; negative cases keep whatever cursor they carry, and must still be refused.

Two more things the document states in its own terms, which schemathesis does not act on: a
parameter that needs another (``x-requires``), and a string that holds JSON of a given shape
(``contentMediaType`` and ``contentSchema``: /reconcile's ``queries``, in the query or the form).
"""

from __future__ import annotations

import json

import schemathesis
from schemathesis.core.parameters import ParameterLocation


@schemathesis.hook
def before_call(context, case, **kwargs):
    _without_generated_cursor(case)
    _without_unmet_requirements(case)
    _json_text_as_declared(case)


def _without_generated_cursor(case) -> None:
    if not case.query or "cursor" not in case.query:
        return
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.QUERY):
        return
    del case.query["cursor"]


def _without_unmet_requirements(case) -> None:
    """A query parameter the document marks ``x-requires`` (``limit`` and ``cursor`` of
    /dataset/changes need ``since``) is left out of a positive case that lacks what it needs:
    parameters that depend on each other are what OpenAPI cannot express."""
    if not case.query:
        return
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.QUERY):
        return
    for parameter in case.operation.definition.raw.get("parameters", []):
        name = parameter.get("name")
        needs = parameter.get("x-requires", [])
        unmet = any(other not in case.query for other in needs)
        if parameter.get("in") == "query" and name in case.query and unmet:
            del case.query[name]


def _json_text_as_declared(case) -> None:
    """A positive case's string that must hold JSON of ``contentSchema`` gets the document's
    example when what schemathesis made is not such JSON: it generates the string, not its
    content. Negative cases keep what they carry, and must still be refused."""
    definition = case.operation.definition.raw
    declared = {
        p["name"]: p.get("schema", {})
        for p in definition.get("parameters", [])
        if p.get("in") == "query"
    }
    form = (definition.get("requestBody") or {}).get("content", {})
    for content in form.values():
        declared.update(content.get("schema", {}).get("properties", {}))
    for values, location in (
        (case.query, ParameterLocation.QUERY),
        (case.body, ParameterLocation.BODY),
    ):
        if not isinstance(values, dict):
            continue
        if case.meta is not None and case.meta.is_negative_at(location):
            continue
        for name, schema in declared.items():
            wanted = schema.get("contentSchema")
            if wanted and name in values and not _holds(values[name], wanted):
                values[name] = schema["examples"][0]


def _holds(text, schema: dict) -> bool:
    from jsonschema import Draft202012Validator

    try:
        return Draft202012Validator(schema).is_valid(json.loads(text))
    except (TypeError, ValueError):
        return False
