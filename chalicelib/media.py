"""Media types: what each body and each stored object is labelled, said once.

The store labels objects with them (so a presigned download arrives labelled), the API
answers with them, and OpenAPI documents them.
"""

from __future__ import annotations

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
SCHEMA_JSON = "application/schema+json"
GZIP = "application/gzip"
CSV = "text/csv; charset=utf-8"
JSONL = "application/jsonl"
SQLITE = "application/vnd.sqlite3"
OCTET_STREAM = "application/octet-stream"
ATOM = "application/atom+xml"  # the feeds of changes

# What a release's downloads are served as (OpenAPI documents each).
DOWNLOADS = (GZIP, CSV, JSON, SQLITE)

# By file suffix, longest first: a schema is .schema.json, not just .json.
BY_SUFFIX = (
    (".schema.json", SCHEMA_JSON),
    (".json", JSON),
    (".csv", CSV),
    (".gz", GZIP),
    (".jsonl", JSONL),
    (".sqlite", SQLITE),
)


def of_file(name: str) -> str:
    """The media type of a file or object, from its name."""
    return next((media for suffix, media in BY_SUFFIX if name.endswith(suffix)), OCTET_STREAM)
