"""Strict JSON reading for untrusted input: record files, stdin and request bodies.

``json.loads`` is lenient in ways that hide mistakes in a dataset about real people:
it keeps the last of two duplicate keys without a word, accepts ``NaN``, and
recurses until the interpreter's stack gives out. Everything that reads a record
goes through ``parse`` so each of those becomes a clear, named error instead.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64
BOM = b"\xef\xbb\xbf"

# Strings are removed before brackets are counted, so "[" inside a name is not nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class JSONInputError(ValueError):
    """Input that is not acceptable JSON. ``keyword`` names the rule it broke."""

    def __init__(self, keyword: str, message: str, pointer: str = ""):
        super().__init__(message)
        self.keyword = keyword
        self.message = message
        self.pointer = pointer


def nesting_depth(raw: bytes) -> int:
    """The deepest array/object nesting in ``raw``, measured without parsing it."""
    brackets = _BRACKET.findall(_STRING.sub(b'""', raw))
    if not brackets:
        return 0
    return max(accumulate(_DEPTH_STEP[b[0]] for b in brackets))


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JSONInputError(
                    "duplicateKeys",
                    f"the key {key!r} appears twice in one object; JSON readers would "
                    "silently keep only the last one",
                )
            seen.add(key)
    return obj


def _reject_constant(name: str) -> Any:
    raise JSONInputError("json", f"{name} is not valid JSON; write a number or null")


def _finite_float(text: str) -> float:
    # 1e999 is valid JSON syntax, but Python reads it as infinity: NaN's cousin by another door.
    value = float(text)
    if math.isinf(value):
        raise JSONInputError("json", f"the number {text[:40]} is too large to represent")
    return value


def parse(raw: bytes, *, max_bytes: int | None = None, what: str = "the input") -> Any:
    """Parse ``raw`` as strict JSON, or raise ``JSONInputError`` naming the problem."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise JSONInputError(
            "maxBytes", f"{what} is {len(raw):,} bytes; the limit is {max_bytes:,} bytes"
        )
    if raw.startswith(BOM):
        raise JSONInputError(
            "encoding", f"{what} starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"
        )
    if not raw.strip():
        raise JSONInputError("json", f"{what} is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONInputError(
            "encoding", f"{what} is not valid UTF-8 (bad byte at offset {exc.start})"
        ) from None
    # Counting every opening bracket, inside strings too, bounds the depth from above: a record
    # has a dozen, so the exact measure (a regex pass over the input) is needed only rarely.
    depth = raw.count(b"[") + raw.count(b"{")
    if depth > MAX_DEPTH:
        depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise JSONInputError(
            "maxDepth", f"{what} nests {depth} levels deep; the limit is {MAX_DEPTH}"
        )
    try:
        return json.loads(
            text,
            object_pairs_hook=_reject_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as exc:
        raise JSONInputError(
            "json", f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:
        if isinstance(exc, JSONInputError):
            raise
        # int() refuses integers over sys.get_int_max_str_digits() (4,300) digits, which
        # also keeps a hostile body from costing quadratic time to convert.
        raise JSONInputError("json", f"{what} holds a number with too many digits") from None
