"""Every limit the API enforces, said once: the parsers, the views, the pages and OpenAPI read
them here.

The limits on request bodies belong to the checks that enforce them (a record's bytes, the
items in a batch, the nesting depth) and are re-exported from there, so OpenAPI and the README
state the same figures the code applies.
"""

from __future__ import annotations

import re

from chalicelib.checks.intake import MAX_ITEMS, MAX_RECORD_BYTES
from chalicelib.checks.jsonio import MAX_DEPTH
from chalicelib.store import PRESIGN_SECONDS

# A query parameter's value, on every route. 200 characters is far above any id, date,
# release or sensible search, and small enough that no answer has to repeat much of it.
MAX_VALUE_LENGTH = 200
# A cursor is opaque and signed; its own length (a few dozen characters) is checked by its
# signature, and this bound only stops a client making the server decode megabytes.
MAX_CURSOR_LENGTH = 512
# /reconcile's `queries` is a JSON batch (up to 50 queries, as the reconciliation protocol
# sends them), so it may be far longer than any other value.
MAX_QUERIES_LENGTH = 256 * 1024
# The same batch in a GET's URL: API Gateway takes a URL of at most 8,192 characters (an
# edge-optimized API's quota), and this leaves room for the rest of it. A longer batch is POSTed.
MAX_URL_QUERIES_LENGTH = 8000
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
# How many values a repeatable list filter takes (a record must match each): two lists to
# compare is the common question, and each value adds one posting to intersect.
MAX_REPEATS = 10
# Records per page of a list.
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
# Matches per collection of GET /search.
DEFAULT_MATCHES, MAX_MATCHES = 10, 50
# Values of each filter a list page's facets count.
MAX_FACET_VALUES = 40
# /reconcile: candidates per query, queries per batch (OpenRefine sends 10), the characters of a
# query or a property value, and the values of one property.
DEFAULT_CANDIDATES, MAX_CANDIDATES = 5, 25
MAX_QUERIES = 50
MAX_QUERY_CHARS = 200
MAX_PROPERTY_VALUES = 10
# The fields of a contribution form: what a form of fifty-row arrays could hold, and then some.
MAX_FORM_FIELDS = 2000
# Rows read per array of a contribution form: a form with more is not one a person filled in.
MAX_FORM_ROWS = 50
# Changes per page of /dataset/changes: a mirror catches up in few requests.
DEFAULT_CHANGES, MAX_CHANGES = 500, 1000
# A POST's body (POST /validate, the contribution form, a reconciliation batch).
MAX_BODY = 1024 * 1024
MAX_BODY_SHOWN = f"{MAX_BODY // (1024 * 1024)} MiB"  # as the docs and OpenAPI say it
# How long a download's presigned URL lives (the store's rule), in the minutes the docs give.
PRESIGN_MINUTES = PRESIGN_SECONDS // 60

__all__ = [
    "BLANK_PATTERN",
    "DEFAULT_CANDIDATES",
    "DEFAULT_CHANGES",
    "DEFAULT_LIMIT",
    "DEFAULT_MATCHES",
    "LONG_VALUES",
    "MAX_BODY",
    "MAX_BODY_SHOWN",
    "MAX_CANDIDATES",
    "MAX_CHANGES",
    "MAX_CURSOR_LENGTH",
    "MAX_DEPTH",
    "MAX_FACET_VALUES",
    "MAX_FORM_FIELDS",
    "MAX_FORM_ROWS",
    "MAX_ITEMS",
    "MAX_LIMIT",
    "MAX_MATCHES",
    "MAX_NAME_SHOWN",
    "MAX_PROPERTY_VALUES",
    "MAX_QUERIES",
    "MAX_QUERIES_LENGTH",
    "MAX_QUERY_CHARS",
    "MAX_RECORD_BYTES",
    "MAX_REPEATS",
    "MAX_URL_QUERIES_LENGTH",
    "MAX_VALUE_LENGTH",
    "PRESIGN_MINUTES",
    "PRESIGN_SECONDS",
    "Q_PATTERN",
    "SEARCH_WORDS_PATTERN",
]


# What a search's q must hold, as one regular expression that reads the same in Python and in
# ECMAScript, so OpenAPI states exactly the rule the server applies: a character that is not
# punctuation, a symbol, a space, a mark or a format character (roughly: a letter or a digit),
# and no U+FFFD, which is what bytes that were not UTF-8 (Windows-1256 Persian, say) decode to.
_NOT_WORDS = (
    "\\x00-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\xBF\\xD7\\xF7"  # ASCII and Latin-1
    "\\u02B0-\\u036F"  # modifier letters (ʿ ʼ), combining marks
    "\\u060C\\u061B\\u061F\\u0640\\u064B-\\u065F\\u066A-\\u066D\\u0670\\u06D4"  # Arabic script
    "\\u2000-\\u206F\\u2190-\\u2BFF\\u3000-\\u303F"  # spaces, ZWNJ, punctuation, symbols
    "\\uFE00-\\uFE0F\\uFEFF\\uFFF0-\\uFFFF"  # variation selectors, BOM, U+FFFD
)
SEARCH_WORDS_PATTERN = f"^[^\\uFFFD]*[^{_NOT_WORDS}][^\\uFFFD]*$"
BLANK_PATTERN = "^[ \\t\\n\\r\\f\\v]*$"
# A list route's q: blank (no search) or words.
Q_PATTERN = f"^(?:[ \\t\\n\\r\\f\\v]*|[^\\uFFFD]*[^{_NOT_WORDS}][^\\uFFFD]*)$"
