"""The canonical byte form every digest in a release is taken over."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.release.layout import canonical_json

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_canonical_json_is_json_dumps_with_sorted_keys_and_no_whitespace(value):
    # The encoder is built once per process; its bytes must stay those of the plain call,
    # or every sha256 in every published release would change.
    expected = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")
    assert canonical_json(value) == expected


def test_canonical_json_keeps_non_ascii_text_as_utf8():
    assert canonical_json({"name": "اعدام", "a": 1}) == '{"a":1,"name":"اعدام"}'.encode()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_canonical_json_refuses_values_json_cannot_carry(bad):
    with pytest.raises(ValueError):
        canonical_json({"x": bad})
