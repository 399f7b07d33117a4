"""What schemathesis must know about this API that JSON Schema cannot say (schemathesis.toml
loads this module).

A list's ``cursor`` is signed: it is only ever valid when copied from a page's ``next``, for the
same query and release. OpenAPI gives its exact shape (``CURSOR_PATTERN``) and says so in its
description, but no schema can generate a valid signature, so a generated cursor would make
every positive test of a list a 400, which is right. Positive cases therefore start from the
first page; negative cases keep whatever cursor they carry, and must still be refused.

Two more things the document states in its own terms, which schemathesis does not act on: a
parameter that needs another (``x-requires``), and a form field sent as JSON (``encoding``).
"""

from __future__ import annotations

import json

import schemathesis
from schemathesis.core.parameters import ParameterLocation


@schemathesis.hook
def before_call(context, case, **kwargs):
    _without_generated_cursor(case)
    _without_unmet_requirements(case)
    _form_fields_as_encoded(case)


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


def _form_fields_as_encoded(case) -> None:
    """A form field whose ``encoding`` says ``application/json`` (POST /reconcile's ``queries``)
    is sent as JSON text, as the document says; schemathesis would explode the object into
    fields of its own."""
    if not isinstance(case.body, dict) or not case.media_type:
        return
    body = case.operation.get_body_for_media_type(case.media_type)
    encoding = (body.definition.get("encoding") or {}) if body is not None else {}
    for name, rule in encoding.items():
        if rule.get("contentType") == "application/json" and name in case.body:
            case.body[name] = json.dumps(case.body[name])
