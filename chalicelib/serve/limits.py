"""Every limit the API enforces, said once: the parsers, the views and OpenAPI read them here.

The limits on request bodies belong to the checks that enforce them (a record's bytes, the
items in a batch, the nesting depth) and are re-exported from there, so OpenAPI and the README
state the same figures the code applies.
"""

from __future__ import annotations

import re

from chalicelib.checks.intake import MAX_ITEMS, MAX_RECORD_BYTES
from chalicelib.checks.jsonio import MAX_DEPTH

# A query parameter's value, on every route. 200 characters is far above any id, date,
# release or sensible search, and small enough that no answer has to repeat much of it.
MAX_VALUE_LENGTH = 200
# A cursor is opaque and signed; its own length (a few dozen characters) is checked by its
# signature, and this bound only stops a client making the server decode megabytes.
MAX_CURSOR_LENGTH = 512
# /reconcile's `queries` is a JSON batch (up to 50 queries, as the reconciliation protocol
# sends them), so it may be far longer than any other value.
MAX_QUERIES_LENGTH = 256 * 1024
# The parameters whose values may be longer than MAX_VALUE_LENGTH, and their own bounds.
LONG_VALUES = {
    "cursor": MAX_CURSOR_LENGTH,
    "queries": MAX_QUERIES_LENGTH,
    "extend": MAX_QUERIES_LENGTH,
}
# A download's name in /dataset/files/{name}: what a release's files/ may hold, at most 100
# characters.
FILE_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
# How much of an unknown parameter's name a problem repeats.
MAX_NAME_SHOWN = 40
# Records per page of a list.
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
# Changes per page of /dataset/changes: a mirror catches up in few requests.
DEFAULT_CHANGES, MAX_CHANGES = 500, 1000
# POST /validate's body.
MAX_BODY = 1024 * 1024

__all__ = [
    "DEFAULT_CHANGES",
    "DEFAULT_LIMIT",
    "LONG_VALUES",
    "MAX_BODY",
    "MAX_CHANGES",
    "MAX_CURSOR_LENGTH",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_LIMIT",
    "MAX_NAME_SHOWN",
    "MAX_QUERIES_LENGTH",
    "MAX_RECORD_BYTES",
    "MAX_VALUE_LENGTH",
]
