"""Flat tables from nested records: the CSV downloads and their Frictionless table schemas.

The columns come from the JSON Schemas, walked in their declared property order, so a
field added to a schema appears in its collection's CSV with no change here:

- a scalar field is one column, named as the field;
- a nested object becomes one column per sub-field, named with dots (``coordinates.lat``);
- a field that may be a string or an object (a claim's ``value``) gets both: the
  string in ``value`` and the object's parts in ``value.min``, ``value.max``, …;
- a list of scalars is one column, its items joined with `` | ``;
- a list of objects is one column too: each item is its first required field, then
  the other fields it has as ``[key=value; …]``, and items are joined with `` | ``,
  e.g. ``Pourmohammadi [lang=en; script=Latn] | مصطفی پورمحمدی [lang=fa; script=Arab]``.

CSV is for spreadsheets and is lossy by design (a `` | `` inside a value is not
escaped); the ``.jsonl.gz`` downloads hold every record exactly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.model.schemas import DEFS_FILE, TOMBSTONE_FILE, SchemaSet

LIST_SEPARATOR = " | "
_FRICTIONLESS_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean"}


@dataclass(frozen=True)
class Column:
    """One CSV column: where its value sits in a record and how it is written."""

    name: str
    path: tuple[str, ...]
    # 'scalar'; 'list' (of scalars); 'items' (list of objects); 'json' (a string as
    # written, anything else as compact JSON)
    shape: str
    type: str = "string"  # the Frictionless field type
    description: str = ""
    item_fields: tuple[str, ...] = ()  # for 'items': the lead field first

    def field(self) -> dict[str, Any]:
        """This column as a Frictionless table-schema field."""
        field: dict[str, Any] = {"name": self.name, "type": self.type}
        description = self.description
        if self.shape in ("list", "items"):
            description = (
                description + " " if description else ""
            ) + f"A list: items joined with '{LIST_SEPARATOR}'."
        if description:
            field["description"] = description
        return field


class _Resolver:
    """Follows ``$ref``s between the release's schema documents."""

    def __init__(self, schemas: SchemaSet):
        self.documents = schemas.documents

    def resolve(self, schema: dict, document: str) -> tuple[dict, str]:
        while "$ref" in schema:
            target, _, pointer = schema["$ref"].partition("#")
            document = target or document
            schema = self.documents[document]
            for token in filter(None, pointer.split("/")):
                schema = schema[token]
        return schema, document


def columns_for(schemas: SchemaSet, schema_file: str, prefix: tuple[str, ...] = ()) -> list[Column]:
    """The CSV columns of the records that ``schema_file`` describes."""
    resolver = _Resolver(schemas)
    return _object_columns(resolver, schemas.documents[schema_file], schema_file, prefix)


def _object_columns(
    resolver: _Resolver, schema: dict, document: str, prefix: tuple[str, ...]
) -> list[Column]:
    columns: list[Column] = []
    for name, declared in schema.get("properties", {}).items():
        path = prefix + (name,)
        alternatives = [resolver.resolve(declared, document)]
        # A field whose shape depends on another (if/then) takes every shape it may have.
        for rule in schema.get("allOf", []):
            then = rule.get("then", {}).get("properties", {})
            if name in then:
                alternatives.append(resolver.resolve(then[name], document))
        columns.extend(_field_columns(resolver, path, declared, alternatives))
    return columns


def _field_columns(
    resolver: _Resolver, path: tuple[str, ...], declared: dict, alternatives: list[tuple[dict, str]]
) -> list[Column]:
    name = ".".join(path)
    description = declared.get("description") or alternatives[0][0].get("description", "")
    types = set()
    for schema, _ in alternatives:
        declared_type = schema.get("type", "object" if "properties" in schema else "string")
        types.update(declared_type if isinstance(declared_type, list) else [declared_type])
    scalars = types - {"object", "array"}
    columns: list[Column] = []
    if "array" in types:
        items, document = next(
            resolver.resolve(s.get("items", {}), d)
            for s, d in alternatives
            if s.get("type") == "array"
        )
        if "properties" in items:
            fields = list(items["properties"])
            lead = (items.get("required") or fields)[0]
            order = (lead,) + tuple(f for f in fields if f != lead)
            columns.append(Column(name, path, "items", description=description, item_fields=order))
        else:
            columns.append(Column(name, path, "list", description=description))
    elif scalars:
        columns.append(
            Column(name, path, "scalar", _field_type(alternatives, scalars), description)
        )
    if "object" in types:
        seen = {c.name for c in columns}
        for schema, document in alternatives:
            for column in _object_columns(resolver, schema, document, path):
                if column.name not in seen:
                    seen.add(column.name)
                    columns.append(column)
    return columns


def _field_type(alternatives: list[tuple[dict, str]], scalars: set[str]) -> str:
    if len(scalars) != 1:
        return "string"
    (only,) = scalars
    formats = {s.get("format") for s, _ in alternatives if s.get("type") == only}
    if only == "string" and formats == {"date"}:
        return "date"
    return _FRICTIONLESS_TYPES.get(only, "string")


def cell(record: Any, column: Column) -> str:
    """The text of one record's value in ``column``; empty when the record has none."""
    return _reader(column)(record)


_ABSENT = object()


def _reader(column: Column) -> Callable[[Any], str]:
    """``cell`` for one column, its path and shape looked up once rather than per record:
    the downloads fill millions of cells."""
    path, text = column.path, _text_of(column)

    def read(record: Any) -> str:
        value = record
        for key in path:
            if not isinstance(value, dict):
                return ""
            value = value.get(key, _ABSENT)
            if value is _ABSENT:
                return ""
        return text(value)

    return read


def _text_of(column: Column) -> Callable[[Any], str]:
    """How a value found in ``column`` is written."""
    if column.shape == "scalar":
        return _scalar
    if column.shape == "json":
        return lambda value: (
            value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        )
    if column.shape == "list":
        return lambda value: (
            LIST_SEPARATOR.join(map(_scalar, value)) if isinstance(value, list) else ""
        )
    fields = column.item_fields
    return lambda value: (
        LIST_SEPARATOR.join(_item(item, fields) for item in value)
        if isinstance(value, list)
        else ""
    )


def _scalar(value: Any) -> str:
    if isinstance(value, str):  # most cells: first
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return ""  # an object's parts have their own dotted columns


def _item(item: Any, fields: tuple[str, ...]) -> str:
    if not isinstance(item, dict):
        return _scalar(item)
    lead, rest = fields[0], fields[1:]
    extras = "; ".join(f"{key}={_scalar(item[key])}" for key in rest if key in item)
    text = _scalar(item.get(lead))
    return f"{text} [{extras}]" if extras else text


def csv_bytes(columns: list[Column], records: Iterable[Any]) -> bytes:
    """RFC 4180 CSV in UTF-8 without BOM: a header of column names, then one row per record."""
    readers = [_reader(column) for column in columns]
    return _csv(columns, ([read(record) for read in readers] for record in records))


def header_bytes(columns: list[Column]) -> bytes:
    """The header line of a CSV of ``columns``: what ``csv_bytes`` starts with."""
    return _csv(columns, ())


def cells_reader(columns: list[Column]) -> Callable[[Any], list[str]]:
    """A function giving one record's cells of ``columns``: what a CSV line and an SQLite
    row are both made of, read once."""
    readers = [_reader(column) for column in columns]
    return lambda record: [read(record) for read in readers]


def lines_writer() -> Callable[[list[list[str]]], bytes]:
    """A function giving the CSV lines of rows of cells, as ``csv_bytes`` writes them."""
    return _line_writer(lambda rows: rows)


def row_writer(columns: list[Column]) -> Callable[[Any], bytes]:
    """A function giving one record's CSV line, as ``csv_bytes`` writes it. The build writes
    each record's line where it reads the record, then streams the lines into the file."""
    readers = [_reader(column) for column in columns]
    return _line_writer(lambda record: [[read(record) for read in readers]])


def _line_writer(rows_of: Callable[[Any], Iterable[list[str]]]) -> Callable[[Any], bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def lines(record: Any) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows_of(record))
        return buffer.getvalue().encode("utf-8")

    return lines


def _csv(columns: list[Column], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def table_schema(columns: list[Column], primary_key: list[str] | None = None) -> dict[str, Any]:
    """The Frictionless table schema describing ``columns``."""
    schema: dict[str, Any] = {
        "fields": [column.field() for column in columns],
        "missingValues": [""],
    }
    if primary_key:
        schema["primaryKey"] = primary_key
    return schema


# -- the two tables that are not one collection each ----------------------------------

CLAIM_FIELDS = ("subject", "property", "value", "claimed_by", "stance", "status", "confidence")


@dataclass(frozen=True)
class ClaimSourceTable:
    """claims-sources.csv: each claim's own fields, then one of its citations' fields."""

    claim_columns: list[Column]
    citation_columns: list[Column]

    @classmethod
    def from_schemas(cls, schemas: SchemaSet) -> ClaimSourceTable:
        resolver = _Resolver(schemas)
        claim = {c.name: c for c in columns_for(schemas, "claim.schema.json")}
        value = Column(
            "value",
            ("value",),
            "json",
            description=(
                "The claimed value: a reference, a date or a text as written; a quantity as "
                'compact JSON, e.g. {"max":5000,"min":2800}.'
            ),
        )
        citation, document = resolver.resolve(
            schemas.documents[DEFS_FILE]["$defs"]["citation"], DEFS_FILE
        )
        return cls(
            [Column("claim_id", ("id",), "scalar", description="The claim's id.")]
            + [value if name == "value" else claim[name] for name in CLAIM_FIELDS],
            _object_columns(resolver, citation, document, ()),
        )

    @property
    def columns(self) -> list[Column]:
        return self.claim_columns + self.citation_columns

    def rows_reader(self) -> Callable[[dict], list[list[str]]]:
        """A function giving one claim's rows of cells, one per citation."""
        claim_readers = [_reader(column) for column in self.claim_columns]
        citation_readers = [_reader(column) for column in self.citation_columns]

        def rows(claim: dict) -> list[list[str]]:
            head = [read(claim) for read in claim_readers]
            return [
                head + [read(citation) for read in citation_readers]
                for citation in claim.get("sources", [])
            ]

        return rows


def tombstone_columns(schemas: SchemaSet) -> list[Column]:
    """tombstones.csv: the collection, then the tombstone schema's fields, flattened."""
    return [
        Column(
            "collection",
            ("collection",),
            "scalar",
            description="The collection the withdrawn or merged id belonged to.",
        )
    ] + columns_for(schemas, TOMBSTONE_FILE)
