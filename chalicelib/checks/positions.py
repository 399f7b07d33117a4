"""Where a JSON Pointer's value sits in a file: its line and column, read from the raw text.

The validator speaks in pointers (``/names/0/lang``), which are exact but hard to find in
an editor. ``Positions`` walks the file once and notes where every value starts, so a
report can say ``data/people/x.json:7:14``. It reads text that ``jsonio.parse`` has
already accepted, so it can be simple: it never has to diagnose bad JSON. A pointer to
something that is not there (a missing required field) is placed at the nearest value
that is: the object the field is missing from.
"""

from __future__ import annotations

import json
import re

_SPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,\]}\s]+")


class Positions:
    """The 1-based (line, column) of every value in one JSON text, by JSON Pointer."""

    def __init__(self, text: str):
        self._text = text
        self._starts: dict[str, int] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        try:
            self._value(self._match(_SPACE, 0).end(), "")
        except (IndexError, ValueError):
            pass  # not JSON after all: pointers fall back to the top of the file

    def of(self, pointer: str) -> tuple[int, int]:
        """Where the value at ``pointer`` starts, or its nearest ancestor that exists."""
        while pointer and pointer not in self._starts:
            pointer = pointer.rsplit("/", 1)[0]
        return self._line_col(self._starts.get(pointer, 0))

    def _line_col(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right

        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _value(self, at: int, pointer: str) -> int:
        """Note where the value at ``at`` starts; return the offset just past it."""
        char = self._text[at]  # IndexError past the end: a value that is not there
        self._starts[pointer] = at
        if char == "{":
            return self._object(at + 1, pointer)
        if char == "[":
            return self._array(at + 1, pointer)
        return self._match(_STRING if char == '"' else _SCALAR, at).end()

    def _object(self, at: int, pointer: str) -> int:
        at = self._skip(at)
        if self._text[at] == "}":
            return at + 1
        while True:
            key = self._match(_STRING, at)
            token = json.loads(key.group()).replace("~", "~0").replace("/", "~1")
            at = self._skip(key.end())  # at the colon
            at = self._skip(self._value(self._skip(at + 1), f"{pointer}/{token}"))
            if self._text[at] == "}":
                return at + 1
            at = self._skip(at + 1)  # past the comma

    def _array(self, at: int, pointer: str) -> int:
        at = self._skip(at)
        if self._text[at] == "]":
            return at + 1
        index = 0
        while True:
            at = self._skip(self._value(at, f"{pointer}/{index}"))
            if self._text[at] == "]":
                return at + 1
            at = self._skip(at + 1)
            index += 1

    def _skip(self, at: int) -> int:
        return self._match(_SPACE, at).end()

    def _match(self, pattern: re.Pattern[str], at: int) -> re.Match[str]:
        match = pattern.match(self._text, at)
        if match is None:
            raise ValueError(f"not JSON at offset {at}")
        return match
