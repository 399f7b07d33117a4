"""Line and column of a JSON Pointer's value, read from the raw text of a file."""

from __future__ import annotations

import json

import pytest

from chalicelib.checks.positions import Positions

TEXT = """{
  "id": "x",
  "names": [
    {"name": "مصطفی", "lang": 7},
    { "name" : "a\\"b",
      "lang": "en" }
  ],
  "a/b~c": {"deep": [[], [1, true, null]]},
  "empty": {}
}
"""


@pytest.mark.parametrize(
    ("pointer", "spot"),
    [
        ("", (1, 1)),
        ("/id", (2, 9)),
        ("/names", (3, 12)),
        ("/names/0", (4, 5)),
        ("/names/0/lang", (4, 31)),  # columns count characters, Persian ones too
        ("/names/1/name", (5, 16)),
        ("/names/1/lang", (6, 15)),
        ("/a~1b~0c/deep/1/2", (8, 36)),
        ("/empty", (9, 12)),
        ("/names/0/script", (4, 5)),  # missing: placed at the object it is missing from
        ("/names/7", (3, 12)),
        ("/nothing/at/all", (1, 1)),
    ],
)
def test_each_pointer_is_placed_at_its_value(pointer, spot):
    assert Positions(TEXT).of(pointer) == spot


def test_every_value_of_a_real_record_is_found_where_its_text_is():
    record = {"id": "a", "names": [{"name": "ب", "lang": "fa"}], "n": 1.5, "t": [False]}
    text = json.dumps(record, ensure_ascii=False, indent=2)
    lines = text.splitlines()
    positions = Positions(text)
    for pointer, shown in [
        ("/id", '"a"'),
        ("/names/0/name", '"ب"'),
        ("/n", "1.5"),
        ("/t/0", "false"),
    ]:
        line, column = positions.of(pointer)
        assert lines[line - 1][column - 1 :].startswith(shown)


def test_text_cut_short_keeps_what_was_found_before_the_cut():
    positions = Positions('{"a": [1, ')
    assert positions.of("/a/0") == (1, 8)
    assert positions.of("/a/1") == (1, 7)
