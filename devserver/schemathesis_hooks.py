"""What schemathesis must know about this API that its document states in terms schemathesis
does not act on (schemathesis.toml loads this module).

/reconcile's ``queries`` and ``extend`` are strings holding JSON of a given shape
(``contentMediaType`` and ``contentSchema``, in the query or the form): schemathesis generates
JSON text, but not of that shape, so a positive case gets the document's own example instead.
docs/clients.md says why the document declares them so, and what a run without this hook
reports.
"""

from __future__ import annotations

import json

import schemathesis
from schemathesis.core.parameters import ParameterLocation


@schemathesis.hook
def before_call(context, case, **kwargs):
    _json_text_as_declared(case)


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
