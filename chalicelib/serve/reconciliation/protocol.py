"""The W3C Entity Reconciliation API, version 0.2, as shapes: what a batch of queries is, what
the service manifest says, and the JSON Schemas of both for OpenAPI.

``parse_batch`` turns a ``queries=`` batch into ``Query`` values, or a ``BadParameter`` naming
the query at fault; nothing here reads a release (``scoring.py`` does) or speaks HTTP (the
route, ``serve/reconcile.py``, does).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import BadParameter
from chalicelib.model import edtf
from chalicelib.model.folding import fold
from chalicelib.model.kinds import BY_COLLECTION, BY_NAME, KINDS, Kind
from chalicelib.serve.limits import (
    DEFAULT_CANDIDATES,
    MAX_CANDIDATES,
    MAX_NAME_SHOWN,
    MAX_PROPERTY_VALUES,
    MAX_QUERIES,
    MAX_QUERIES_LENGTH,
    MAX_QUERY_CHARS,
)
from chalicelib.text import clip

SPEC_VERSIONS = ["0.2"]
SERVICE_NAME = "Iran 1988 prison massacres records"
# Stable names for what ids and types mean, whatever host serves them (the schemas' $id host).
IDENTIFIER_SPACE = "https://iran1988.example/"
SCHEMA_SPACE = "https://iran1988.example/schemas/"
BASE_URL_ENV = "PUBLIC_BASE_URL"

MAX_BATCH_CHARS = MAX_QUERIES_LENGTH  # serve/limits.py: the parser applies it too
# Claims carry no name: they are candidates only when a query asks for the claim type.
UNTYPED = tuple(kind for kind in KINDS if kind.collection != "claims")

Jsonish = Any


# -- the manifest ------------------------------------------------------------------------------


def type_of(kind: Kind) -> dict[str, str]:
    return {"id": kind.name, "name": kind.name.capitalize()}


def manifest(base: str, version: str, pinned: bool) -> dict[str, Any]:
    """The service manifest; ``view.url`` opens a candidate's own record at ``base``."""
    suffix = f"?release={version}" if pinned else ""
    return {
        "versions": SPEC_VERSIONS,
        "name": SERVICE_NAME,
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": f"{base}/openapi.json",
        "defaultTypes": [type_of(kind) for kind in KINDS],
        "view": {"url": base + "/{{id}}" + suffix},
        "release": version,
    }


# -- properties --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Property:
    """A detail a query may give besides the name, and the kinds it can tell apart."""

    pid: str
    description: str
    aliases: tuple[str, ...]  # folded spellings a user may type in OpenRefine
    kinds: tuple[str, ...]


PROPERTIES = (
    Property(
        "died",
        "Date of death, as EDTF (1988, 1988-08, 1988-08-12, 1988-07/1988-09).",
        ("died", "death", "dateofdeath", "deathdate", "dod"),
        ("person",),
    ),
    Property(
        "place",
        "A place: its id ('places/evin-prison' or 'evin-prison') or a name. Places within it "
        "count too. Compared with the places the record, its claims and its events name.",
        ("place", "location", "places"),
        ("person", "organization", "place", "event"),
    ),
    Property(
        "organization",
        "An organization: its id or a name. Compared with the organizations the record and "
        "the claims about it name (member_of, employed_by, ...).",
        ("organization", "organisation", "org", "organizations"),
        ("person", "organization", "event", "source"),
    ),
)
_BY_ALIAS = {alias: p for p in PROPERTIES for alias in p.aliases}
TARGETS = {"place": "places", "organization": "organizations"}


# -- parsing a batch ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    key: str
    text: str
    kinds: tuple[Kind, ...]
    limit: int
    properties: tuple[tuple[Property, tuple[Jsonish, ...]], ...]
    # What was ignored or changed in this query (an unknown type, a limit lowered...): the
    # answer reports it beside this query's result rather than refuse the whole batch.
    notes: tuple[str, ...] = ()


def _bad(message: str) -> BadParameter:
    return BadParameter("queries", message)


def parse_batch(text: str) -> list[Query]:
    """The queries of a ``queries=`` batch (a JSON object of query objects), or BadParameter."""
    if len(text) > MAX_BATCH_CHARS:
        raise _bad(f"the batch is over {MAX_BATCH_CHARS:,} characters; send fewer queries")
    try:
        batch = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad(
            'is not JSON; send an object such as {"q0": {"query": "Evin", "type": "place"}}'
        ) from None
    if not isinstance(batch, dict) or not batch:
        raise _bad('must be a JSON object of queries, such as {"q0": {"query": "Evin"}}')
    # Past MAX_QUERIES a query is answered with no candidates and a note, not refused with the
    # whole batch: OpenRefine sends batches of its own size, and a client can resend the rest.
    unanswered = (
        f"not answered: a batch answers its first {MAX_QUERIES} queries; "
        "send the rest in another batch",
    )
    return [
        _query(str(key), value)
        if i < MAX_QUERIES
        else Query(str(key), "", (), DEFAULT_CANDIDATES, (), unanswered)
        for i, (key, value) in enumerate(batch.items())
    ]


def _query(key: str, value: Jsonish) -> Query:
    where = f"query '{clip(key, MAX_NAME_SHOWN)}'"
    if not isinstance(value, dict):
        raise _bad(f"{where} must be an object with a 'query' string")
    unknown = sorted(set(value) - {"query", "type", "limit", "properties", "type_strict"})
    if unknown:
        raise _bad(
            f"{where} has an unknown member '{clip(unknown[0], MAX_NAME_SHOWN)}'; "
            "a query takes query, type, limit, properties and type_strict"
        )
    # A query may give only properties; without a name to match it has no candidates.
    text = value.get("query", "")
    if not isinstance(text, str):
        raise _bad(f"{where}: 'query' must be a string")
    if len(text) > MAX_QUERY_CHARS:
        raise _bad(f"{where}: 'query' is over {MAX_QUERY_CHARS} characters")
    if value.get("type_strict", "any") not in ("any", "should", "all"):
        raise _bad(f"{where}: 'type_strict' must be any, should or all")
    notes: list[str] = []
    return Query(
        key,
        text,
        _kinds(where, value.get("type"), notes),
        _limit(where, value.get("limit"), notes),
        _properties(where, value.get("properties"), notes),
        tuple(notes),
    )


def _kinds(where: str, given: Jsonish, notes: list[str]) -> tuple[Kind, ...]:
    if given is None:
        return UNTYPED
    names = [given] if isinstance(given, str) else given
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _bad(f"{where}: 'type' must be a type id or a list of them")
    kinds = []
    for name in names:
        kind = BY_NAME.get(name) or BY_COLLECTION.get(name)
        if kind is None:
            known = ", ".join(k.name for k in KINDS)
            notes.append(
                f"type '{clip(name, MAX_NAME_SHOWN)}' ignored: this service has no such type; "
                f"the types are {known}"
            )
        elif kind not in kinds:
            kinds.append(kind)
    return tuple(kinds) or UNTYPED  # only unknown types: as if none were given


def _limit(where: str, given: Jsonish, notes: list[str]) -> int:
    if given is None:
        return DEFAULT_CANDIDATES
    if (
        isinstance(given, bool)
        or not isinstance(given, (int, float))
        or not math.isfinite(given)
        or given != int(given)
        or given < 1
    ):
        raise _bad(f"{where}: 'limit' must be a whole number from 1")
    if given > MAX_CANDIDATES:  # the spec leaves the most candidates to the service
        notes.append(f"limit {int(given)} lowered to {MAX_CANDIDATES}, the most this service gives")
        return MAX_CANDIDATES
    return int(given)


def _properties(
    where: str, given: Jsonish, notes: list[str]
) -> tuple[tuple[Property, tuple[Jsonish, ...]], ...]:
    if given is None:
        return ()
    if not isinstance(given, list):
        raise _bad(f"{where}: 'properties' must be a list of {{'pid': ..., 'v': ...}}")
    found = []
    for i, item in enumerate(given):
        at = f"{where}: properties[{i}]"
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise _bad(f"{at} must be an object with 'pid' and 'v'")
        pid = item["pid"]
        prop = _BY_ALIAS.get(fold(pid)) if isinstance(pid, str) else None
        if prop is None:  # the spec lets a service ignore a property it does not know
            known = ", ".join(p.pid for p in PROPERTIES)
            notes.append(
                f"property '{clip(str(pid), MAX_NAME_SHOWN)}' ignored: this service uses {known}"
            )
            continue
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        if len(values) > MAX_PROPERTY_VALUES:
            raise _bad(f"{at} has {len(values)} values; give at most {MAX_PROPERTY_VALUES}")
        for v in values:
            _check_value(at, prop, v)
        values = [v for v in values if not (isinstance(v, str) and not v.strip())]
        if values:  # an empty cell in a spreadsheet says nothing
            found.append((prop, tuple(values)))
    return tuple(found)


def _check_value(at: str, prop: Property, v: Jsonish) -> None:
    if isinstance(v, dict):
        if not isinstance(v.get("id"), str):
            raise _bad(f"{at}: an entity value needs an 'id' string")
        if prop.pid == "died":
            raise _bad(f"{at}: 'died' takes a date, not an entity")
        return
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise _bad(f"{at}: a value must be a string, a number or {{'id': ...}}")
    if isinstance(v, str) and len(v) > MAX_QUERY_CHARS:
        raise _bad(f"{at}: a value is over {MAX_QUERY_CHARS} characters")
    if prop.pid == "died" and str(v).strip():
        try:
            edtf.bounds(date_text(v))
        except edtf.EDTFError as error:
            raise _bad(
                f"{at}: '{clip(str(v), MAX_NAME_SHOWN)}' is not an EDTF date ({error})"
            ) from None


def date_text(v: Jsonish) -> str:
    return str(int(v)) if isinstance(v, float) and v == int(v) else str(v).strip()


# -- the shapes, for OpenAPI -----------------------------------------------------------------------------------

_TYPE_IDS = [kind.name for kind in KINDS]
_PROPERTY_VALUE = {
    "oneOf": [
        {"type": "string", "maxLength": MAX_QUERY_CHARS},
        {"type": "number"},
        {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
    ]
}
# `died` takes a date as _check_value reads one: EDTF text, a four-digit year as a number, or
# a blank cell (which says nothing).
_DATE_VALUE = {
    "anyOf": [
        {
            "type": "string",
            "pattern": edtf.EDTF_CALENDAR_PATTERN,
            "maxLength": edtf.EDTF_MAX_LENGTH,
        },
        {"type": "string", "pattern": r"^\s*$", "maxLength": MAX_QUERY_CHARS},
        {"type": "integer", "minimum": 1000, "maximum": 9999},
    ]
}


def _property_schema(pids: list[str], value: dict) -> dict:
    return {
        "type": "object",
        "required": ["pid", "v"],
        "properties": {
            "pid": {"type": "string", "enum": pids},
            "v": {
                "anyOf": [value, {"type": "array", "maxItems": MAX_PROPERTY_VALUES, "items": value}]
            },
        },
    }


QUERY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "query": {
            "type": "string",
            "maxLength": MAX_QUERY_CHARS,
            "description": "The name to match; one without a letter or digit, or none (a query "
            "of properties alone), has no candidates.",
        },
        "type": {
            "description": f"A type id ({', '.join(_TYPE_IDS)}) or a list of them. Without it, "
            "every type but claim. A type this service lacks is ignored and named in the "
            "query's `notes`; with no known type left, the query is as if it gave none.",
            "oneOf": [
                {"type": "string"},
                {"type": "array", "minItems": 1, "items": {"type": "string"}},
            ],
        },
        "limit": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_CANDIDATES,
            "description": f"At most {MAX_CANDIDATES} candidates are given: a larger limit is "
            "lowered to that, and `notes` says so.",
        },
        "type_strict": {"type": "string", "enum": ["any", "should", "all"]},
        "properties": {
            "type": "array",
            "description": "; ".join(f"{p.pid}: {p.description}" for p in PROPERTIES)
            + ". A property this service does not know is ignored and named in `notes`.",
            "items": {
                "oneOf": [
                    _property_schema(["died"], _DATE_VALUE),
                    _property_schema(
                        [p.pid for p in PROPERTIES if p.pid != "died"], _PROPERTY_VALUE
                    ),
                    {
                        "type": "object",
                        "required": ["pid", "v"],
                        "properties": {
                            "pid": {"type": "string", "not": {"enum": [p.pid for p in PROPERTIES]}}
                        },
                    },
                ]
            },
        },
    },
}
BATCH_SCHEMA = {
    "type": "object",
    "description": 'Query keys to queries: {"q0": {"query": "Evin", "type": "place"}}. The '
    f"first {MAX_QUERIES} queries are answered; any after them get no candidates and a note.",
    "minProperties": 1,
    "additionalProperties": QUERY_SCHEMA,
}
MANIFEST_SCHEMA = {
    "type": "object",
    "description": "The service manifest (Reconciliation API 0.2).",
    "required": ["versions", "name", "identifierSpace", "schemaSpace", "defaultTypes", "view"],
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
        "identifierSpace": {"type": "string"},
        "schemaSpace": {"type": "string"},
        "documentation": {"type": "string"},
        "defaultTypes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
        },
        "view": {
            "type": "object",
            "required": ["url"],
            "properties": {"url": {"type": "string", "pattern": "\\{\\{id\\}\\}"}},
        },
        "release": {"type": "string"},
    },
}
RESULTS_SCHEMA = {
    "type": "object",
    "description": "For each query key, its candidates, best first.",
    "additionalProperties": {
        "type": "object",
        "required": ["result"],
        "properties": {
            "notes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "What was ignored or changed in this query: an unknown type or "
                "property, a limit lowered, a query past the batch's limit.",
            },
            "result": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "type", "score", "match"],
                    "properties": {
                        "id": {"type": "string", "description": "'<collection>/<id>'."},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "type": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "name": {"type": "string"},
                                },
                            },
                        },
                        "score": {"type": "number", "minimum": 0, "maximum": 100},
                        "match": {"type": "boolean"},
                        "features": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "value": {"type": ["number", "boolean"]},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}
