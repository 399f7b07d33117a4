"""Placeholders: the marked blanks that ``python -m chalicelib new`` writes into a new record.

A placeholder is a string ``"<fill in: what belongs here>"``. Many of them would satisfy the
schema (a name is any text), so the validator looks for them itself and reports each as an
error of its own, "fill in: …", in place of whatever else the schema says at that spot: a
contributor who has not filled in a field needs to hear what to write, not which pattern a
blank fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

PREFIX = "<fill in: "
# In a record file's raw bytes: letters no JSON writer escapes, so a file without them holds
# no placeholder, and the build need not walk its million records looking for one.
MARK = b"fill in: "
_PLACEHOLDER = re.compile(r"^<fill in: (.+)>$", re.DOTALL)


def placeholder(what: str) -> str:
    """The blank for a value described by ``what`` ('the display name, in English')."""
    return f"{PREFIX}{what.strip().rstrip('.')}>"


def what_to_fill(value: Any) -> str | None:
    """What a placeholder asks for, or None when ``value`` is not one."""
    if isinstance(value, str) and value.startswith(PREFIX):
        match = _PLACEHOLDER.match(value)
        if match:
            return match.group(1)
    return None


def holds_placeholder(node: Any) -> bool:
    """Whether any value in ``node`` may be a placeholder: a walk that builds no pointers, so
    a record without one (nearly every record) costs a pass over its values and no more."""
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if value.startswith(PREFIX):
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def placeholders_in(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(json_pointer, what)`` for every placeholder in ``node``, in document order."""
    what = what_to_fill(node)
    if what is not None:
        yield pointer, what
    elif isinstance(node, dict):
        for key, value in node.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            yield from placeholders_in(value, f"{pointer}/{token}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from placeholders_in(value, f"{pointer}/{index}")
