"""An HTML form made from a kind's schema, and the record a submitted form describes.

Each input is named by the JSON Pointer of the value it holds (``/names/0/lang``), so a
problem the validator reports lands on its own field without a mapping table. The form is
always drawn from a record, the one just read back from the form, so what the contributor
typed survives a round trip, blank rows drop out and the pointers stay in step. Arrays of
objects (names, citations) get one blank row more than they hold: submitting the form is
how a row is added without a script.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.serve.limits import MAX_FORM_ROWS

Form = Mapping[str, list[str]]
Resolve = Callable[[dict[str, Any]], dict[str, Any]]

# Prose gets a text area; a name or a reference, though the schema allows it as long, one line.
PROSE = ("description", "note", "quote", "affiliation_note")
_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")


@dataclass
class Field:
    """One control of the form, or a group of them (an object, or one row of an array)."""

    pointer: str
    label: str
    hint: str
    control: str  # text, textarea, number, select, checkboxes, lines, checkbox, group, rows
    required: bool = False
    options: tuple[str, ...] = ()
    value: Any = None
    children: list[Field] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # The example the hint ends with (a reference's or a date's shape), if any: a page in
    # another language says the hint in its own words and shows the example as it is.
    example: str = ""
    # One row of an array of objects: its number, counted from 1 (its label is the array's).
    row: int = 0

    @property
    def id(self) -> str:
        # A group and the control inside it may share a pointer (a claim's value): not an id.
        prefix = "g" if self.control in ("group", "rows") else "f"
        return prefix + self.pointer.replace("/", "-")

    @property
    def shown(self) -> str:
        """The value as the control shows it."""
        if self.control == "lines":
            return "\n".join(str(v) for v in self.value or [])
        return "" if self.value is None else str(self.value)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def control_of(schema: dict[str, Any], resolve: Resolve) -> str:
    kind = schema.get("type")
    if "enum" in schema:
        return "select"
    if kind == "array":
        items = resolve(schema.get("items", {}))
        if "enum" in items:
            return "checkboxes"
        return "rows" if items.get("type") == "object" else "lines"
    if kind == "object" or isinstance(kind, list):
        return "group"
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "checkbox"
    return "text"


class RecordForm:
    """The form of one kind's schema; ``resolve`` follows a ``$ref`` into the shared defs."""

    def __init__(self, schema: dict[str, Any], resolve: Resolve, value_shapes: dict[str, dict]):
        self.schema = schema
        self.resolve = resolve
        # A claim's value takes its shape from the property: text, or a quantity's fields.
        self.value_shapes = value_shapes

    # -- drawing ---------------------------------------------------------------------------

    def fields(self, record: Mapping[str, Any]) -> list[Field]:
        return self._object_fields(self.schema, "", record)

    def _object_fields(self, schema: dict, pointer: str, record: Any) -> list[Field]:
        record = record if isinstance(record, Mapping) else {}
        required = set(schema.get("required", []))
        return [
            self._field(sub, f"{pointer}/{name}", name, record.get(name), name in required)
            for name, sub in schema.get("properties", {}).items()
        ]

    def _field(self, schema: dict, pointer: str, name: str, value: Any, required: bool) -> Field:
        resolved = self.resolve(schema)
        hint = resolved.get("description", "")
        control = control_of(resolved, self.resolve)
        if control == "text" and name in PROSE:
            control = "textarea"
        made = Field(pointer, name, hint, control, required)
        examples = resolved.get("examples") or [""]
        if hint.endswith(f", such as '{examples[0]}'"):  # as Skeleton.resolve words it
            made.example = str(examples[0])
        if control == "select":
            made.options = tuple(map(str, resolved["enum"]))
        elif control == "checkboxes":
            made.options = tuple(map(str, self.resolve(resolved["items"])["enum"]))
        if control == "rows":
            rows = value if isinstance(value, list) else []
            item = self.resolve(resolved["items"])
            made.children = [
                Field(
                    f"{pointer}/{i}",
                    name,
                    item.get("description", ""),
                    "group",
                    children=self._object_fields(item, f"{pointer}/{i}", row),
                    row=i + 1,
                )
                for i, row in enumerate([*rows, {}])
            ]
        elif control == "group" and isinstance(resolved.get("type"), list):
            # A claim's value: text, or the fields of a quantity (whichever the property takes).
            made.control = "text"
            made.value = value if isinstance(value, str) else None
            return self._with_shapes(made, value)
        elif control == "group":
            made.children = self._object_fields(resolved, pointer, value)
        else:
            made.value = value
        return made

    def _with_shapes(self, made: Field, value: Any) -> Field:
        group = Field(made.pointer, made.label, made.hint, "group", made.required)
        group.children.append(Field(made.pointer, made.label, made.hint, "text", value=made.value))
        for shape in self.value_shapes.values():
            group.children += self._object_fields(shape, made.pointer, value)
        # Errors at /value go to the text control: it shares the group's pointer.
        return group

    # -- reading ---------------------------------------------------------------------------

    def record(self, form: Form) -> dict[str, Any]:
        return self._read_object(self.schema, "", form) or {}

    def _read_object(self, schema: dict, pointer: str, form: Form) -> dict[str, Any]:
        out = {}
        for name, sub in schema.get("properties", {}).items():
            value = self._read(sub, f"{pointer}/{name}", form)
            if value is not None:
                out[name] = value
        return out

    def _read(self, schema: dict, pointer: str, form: Form) -> Any:
        resolved = self.resolve(schema)
        control = control_of(resolved, self.resolve)
        given = form.get(pointer, [])
        if control == "rows":
            item = self.resolve(resolved["items"])
            rows = [
                self._read_object(item, f"{pointer}/{i}", form) for i in _row_indexes(form, pointer)
            ]
            return [row for row in rows if row] or None
        if control == "group" and isinstance(resolved.get("type"), list):
            text = _text(given)
            if text is not None:
                return text
            for shape in self.value_shapes.values():
                found = self._read_object(shape, pointer, form)
                if found:
                    return found
            return None
        if control == "group":
            return self._read_object(resolved, pointer, form) or None
        if control == "checkboxes":
            options = self.resolve(resolved["items"])["enum"]
            return [o for o in options if o in given] or None
        if control == "lines":
            lines = [line.strip() for line in (given[0] if given else "").splitlines()]
            return [line for line in lines if line] or None
        if control == "checkbox":
            return True if given and given[0] else None
        text = _text(given)
        if text is not None and control == "number" and _NUMBER.match(text):
            return float(text) if "." in text else int(text)
        return text


def _text(given: list[str]) -> str | None:
    text = given[0].strip() if given else ""
    return text or None


def _row_indexes(form: Form, pointer: str) -> list[int]:
    prefix = pointer + "/"
    found = set()
    for key in form:
        if key.startswith(prefix):
            head = key[len(prefix) :].split("/", 1)[0]
            if head.isdigit() and int(head) < MAX_FORM_ROWS:
                found.add(int(head))
    return sorted(found)


def place_errors(fields: list[Field], problems: list[tuple[str, str]]) -> list[str]:
    """Put each ``(pointer, message)`` on the field it names, or on its nearest ancestor
    that is on the form; return the messages that belong to the record as a whole."""
    by_pointer: dict[str, Field] = {}
    for top in fields:
        for found in top.walk():
            # A control takes its pointer's errors before a group at the same pointer does
            # (a claim's value: the text box, not the fieldset around it).
            held = by_pointer.get(found.pointer)
            if held is None or (held.control == "group" and found.control != "group"):
                by_pointer[found.pointer] = found
    left = []
    for pointer, message in problems:
        at = pointer
        while at and at not in by_pointer:
            at = at.rsplit("/", 1)[0]
        if at:
            by_pointer[at].errors.append(message)
        else:
            left.append(message)
    return left
