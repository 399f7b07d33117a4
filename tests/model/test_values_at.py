"""``kinds.values_at``: every value at a path of a record, with its JSON Pointer.

The build and the checks call it a dozen times a record, so it walks a level at a time; these
tests hold it to the plain recursive walk it replaced, on arbitrary JSON and paths.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.model.kinds import KINDS, values_at
from chalicelib.text import escape_pointer
from support.examples import examples

KEYS = st.sampled_from(["a", "b", "x/y", "t~1", "sources", "*0"])
JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=20,
)
PATHS = st.lists(st.sampled_from(["a", "b", "x/y", "t~1", "*"]), max_size=4).map(tuple)


def walked(node, path, pointer=""):
    """The reference: a depth-first walk, one generator per node."""
    if not path:
        yield pointer, node
        return
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from walked(item, rest, f"{pointer}/{index}")
    elif isinstance(node, dict) and step in node:
        yield from walked(node[step], rest, f"{pointer}/{escape_pointer(step)}")


@settings(max_examples=examples(300), deadline=None)
@given(JSON, PATHS)
def test_it_finds_what_a_depth_first_walk_finds_in_the_same_order(record, path):
    assert list(values_at(record, path)) == list(walked(record, path))


def test_pointers_name_list_positions_and_escape_keys():
    record = {"sources": [{"source": "sources/a"}, {"x": 1}, {"source": "sources/b"}]}
    assert list(values_at(record, ("sources", "*", "source"))) == [
        ("/sources/0/source", "sources/a"),
        ("/sources/2/source", "sources/b"),
    ]
    assert list(values_at({"x/y": {"t~1": 5}}, ("x/y", "t~1"))) == [("/x~1y/t~01", 5)]


def test_the_empty_path_is_the_record_itself_and_a_wrong_type_yields_nothing():
    assert list(values_at({"a": 1}, ())) == [("", {"a": 1})]
    assert list(values_at({"a": "text"}, ("a", "*"))) == []
    assert list(values_at(["a"], ("a",))) == []


def test_every_reference_path_of_every_kind_walks_an_empty_record():
    for kind in KINDS:
        for field in kind.references:
            assert list(values_at({}, field.path)) == []
