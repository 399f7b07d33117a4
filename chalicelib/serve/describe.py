"""What OpenAPI says of the list routes, from the kinds registry: their parameters and pages.

Every parameter's schema states the rule the server applies, no looser and no stricter, so
that a client generated from the document sends nothing the server refuses as malformed.
"""

from __future__ import annotations

from typing import Any

from chalicelib.model.edtf import EDTF_CALENDAR_PATTERN, EDTF_MAX_LENGTH
from chalicelib.model.kinds import KINDS, Kind
from chalicelib.serve.cursors import CURSOR_PATTERN
from chalicelib.serve.limits import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_REPEATS,
    MAX_VALUE_LENGTH,
    Q_PATTERN,
)
from chalicelib.serve.route import RELEASE_PARAM


def list_parameters(kind: Kind) -> list[dict]:
    """The query parameters of ``GET /<collection>`` for ``kind``, from the registry."""
    sorts = ["id", *kind.sorts]
    params = [
        {
            "name": "q",
            "in": "query",
            "description": (
                "Search names in every script and spelling, titles and descriptions. Ignores case, "
                "diacritics, spaces and hyphens, folds Arabic and Persian letter variants and "
                "Latin transliterations (Nayeri/Nayyeri, Purmohammadi/Pour-Mohammadi, "
                "Avayi/Avaei), and finds a place with or without its common noun (زندان اوین, "
                "اوین). A blank q (what an empty search form sends) is no q; one with no letter "
                "or digit ('!!'), or not UTF-8, is a 400 naming q."
            ),
            "schema": {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": Q_PATTERN},
        },
        {
            "name": "sort",
            "in": "query",
            "description": "Sort key; prefix with '-' for descending. Ties break on id.",
            "schema": {"type": "string", "enum": sorts + ["-" + s for s in sorts], "default": "id"},
        },
        {
            "name": "limit",
            "in": "query",
            "description": "Records per page.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
        },
        {
            "name": "cursor",
            "in": "query",
            "description": (
                "Opaque; copy it from `next`. It is signed, and bound to its query and release; the "
                "pattern gives its shape, but a signature cannot be written in JSON Schema. A "
                "cursor of another shape is a 400; one of this shape that this API did not make "
                "for this query and release names no page, and answers 404, naming `cursor`."
            ),
            "schema": {"type": "string", "pattern": CURSOR_PATTERN},
        },
    ]
    if kind.span_fields:
        for name, side in (("date_from", "on or after"), ("date_to", "on or before")):
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "description": (
                        f"Only records whose EDTF date span overlaps a time {side} this EDTF date "
                        "or interval (level 0, and level 1 qualifiers, seasons and unspecified "
                        "digits). The two are separate conditions: a date_to before date_from "
                        "keeps the records whose span covers the gap between them."
                    ),
                    "schema": {
                        "type": "string",
                        "pattern": EDTF_CALENDAR_PATTERN,
                        "maxLength": EDTF_MAX_LENGTH,
                    },
                }
            )
    for flt in kind.filters:
        hint = ""
        schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH}
        if flt.references:
            hint = f" A reference such as '{flt.references[0]}/<id>', or the bare id."
            others = [k.collection for k in KINDS if k.collection not in flt.references]
            if others:
                # A reference into a collection the filter cannot point to is refused. The
                # pattern also says "not empty": schemathesis's coverage phase reads patterns
                # but not always minLength beside them.
                schema["pattern"] = f"^(?!(?:{'|'.join(others)})/[\\s\\S])[\\s\\S]"
        param: dict[str, Any] = {
            "name": flt.param,
            "in": "query",
            "description": flt.description + hint,
        }
        if flt.repeatable:  # ?named_on_list=a&named_on_list=b: every value must match
            schema = {"type": "array", "items": schema, "minItems": 1, "maxItems": MAX_REPEATS}
            param.update(style="form", explode=True)
        params.append({**param, "schema": schema})
    return params + [RELEASE_PARAM]


def page_schema(kind: Kind) -> dict:
    return {
        "type": "object",
        "required": ["items", "next", "release"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{kind.name}"}},
            "next": {
                "type": ["string", "null"],
                "description": "The next page's URL, or null on the last page.",
            },
            "release": {"type": "string", "description": "The release this page was read from."},
        },
    }
