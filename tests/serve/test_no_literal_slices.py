"""No code in ``serve/`` cuts text at a number written in place: a cut says what it keeps.

Echoed text is clipped by ``text.clip`` to a named limit (``limits.MAX_NAME_SHOWN``…); any
other cut names its length (an ETag's digits, a date's year). A literal such as ``[:40]``
states a rule a second time, where it drifts from the first.
"""

from __future__ import annotations

import ast
from pathlib import Path

SERVE = Path(__file__).resolve().parents[2] / "chalicelib" / "serve"


def literal_slices(source: str) -> list[tuple[int, str]]:
    """(line, text) of each slice that cuts at a length written in place (``[:40]``, ``[2:9]``).

    A slice that only drops a first item or reverses (``[1:]``, ``[::-1]``) cuts no length.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Slice):
            upper = node.upper
            if isinstance(upper, ast.UnaryOp):
                upper = upper.operand
            if isinstance(upper, ast.Constant) and isinstance(upper.value, int):
                found.append((node.lineno, ast.get_source_segment(source, node) or ""))
    return found


def test_the_check_finds_a_literal_slice_and_passes_a_named_one():
    assert [text for _, text in literal_slices("a = name[:40]\nb = name[1:-2]\n")] == [
        ":40",
        "1:-2",
    ]
    assert literal_slices("a = name[1:]\nb = name[::-1]\n") == []
    assert literal_slices("a = clip(name, MAX_NAME_SHOWN)\nb = name[:LIMIT]\nc = x[i:]\n") == []


def test_no_module_of_serve_slices_at_a_literal_number():
    found = {
        f"{path.relative_to(SERVE)}:{line}": text
        for path in sorted(SERVE.rglob("*.py"))
        for line, text in literal_slices(path.read_text(encoding="utf-8"))
    }
    assert found == {}
