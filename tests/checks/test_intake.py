"""Reading record files and payloads: every bad input gets a clear, named error."""

from __future__ import annotations

import pytest

from chalicelib.checks.intake import PayloadError, items_from_payload, load_file, load_paths
from chalicelib.checks.jsonio import JSONInputError, nesting_depth, parse
from support.minidata import mini, write


def problems(item):
    return [(p.pointer, p.keyword) for p in item.errors]


@pytest.fixture
def people(tmp_path):
    folder = tmp_path / "people"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    "content, keyword, words",
    [
        (b"", "json", "empty"),
        (b"   \n", "json", "empty"),
        (b'{"id": ', "json", "not valid JSON"),
        (b'\xef\xbb\xbf{"id": "x"}', "encoding", "byte-order mark"),
        (b'{"id": "\xff"}', "encoding", "not valid UTF-8"),
        (b'{"id": "x", "id": "y"}', "duplicateKeys", "'id' appears twice"),
        (b'{"born": NaN}', "json", "NaN"),
        (b"[" * 65 + b"]" * 65, "maxDepth", "65 levels"),
    ],
)
def test_unreadable_file_is_a_named_error(people, content, keyword, words):
    path = people / "x.json"
    path.write_bytes(content)
    item = load_file(path, "people")
    assert item.record is None
    assert problems(item) == [("", keyword)]
    assert words in item.errors[0].message


def test_ten_megabyte_file_is_refused_without_reading_it(people):
    path = people / "x.json"
    path.write_bytes(b'{"id": "' + b"x" * (10 * 1024 * 1024) + b'"}')
    item = load_file(path, "people")
    assert problems(item) == [("", "maxBytes")]
    assert "1,048,576" in item.errors[0].message


def test_file_outside_a_collection_folder_is_told_where_to_go(tmp_path):
    (tmp_path / "persons").mkdir()
    path = tmp_path / "persons" / "x.json"
    path.write_text("{}")
    item = load_paths([path])[0]
    assert problems(item) == [("", "folder")]
    assert "people" in item.errors[0].message


def test_folder_of_collections_is_read_in_a_stable_order(tmp_path):
    write(mini(), tmp_path)
    origins = [i.origin for i in load_paths([tmp_path])]
    assert origins == sorted(origins, key=lambda o: (o.split("/")[-2], o.split("/")[-1]))
    assert len(origins) == 11


def test_nesting_depth_ignores_brackets_inside_strings():
    assert nesting_depth(b'{"a": "[[[[[", "b": [1, {"c": 2}]}') == 3
    assert parse(b'{"a": "' + b"[" * 100 + b'"}') == {"a": "[" * 100}


def test_depth_ten_thousand_is_refused_before_parsing():
    with pytest.raises(JSONInputError) as raised:
        parse(b"[" * 10_000 + b"]" * 10_000)
    assert raised.value.keyword == "maxDepth"


class TestPayloads:
    record = {"id": "x"}

    def test_one_item(self):
        [item] = items_from_payload({"kind": "person", "record": self.record})
        assert (item.kind, item.record, item.origin) == ("person", self.record, "item 0")

    def test_list_and_items_wrapper_are_the_same(self):
        entries = [
            {"kind": "person", "record": self.record},
            {"kind": "place", "record": self.record},
        ]
        as_list = [(i.kind, i.index) for i in items_from_payload(entries)]
        wrapped = [(i.kind, i.index) for i in items_from_payload({"items": entries})]
        assert as_list == wrapped == [("person", 0), ("place", 1)]

    def test_item_without_record(self):
        [item] = items_from_payload({"kind": "person"})
        assert problems(item) == [("/record", "required")]

    def test_item_with_extra_key(self):
        [item] = items_from_payload({"kind": "person", "record": {}, "store": True})
        assert problems(item) == [("/store", "additionalProperties")]

    def test_number_instead_of_item(self):
        [item] = items_from_payload(7)
        assert problems(item) == [("", "type")]

    def test_too_many_items(self):
        with pytest.raises(PayloadError) as raised:
            items_from_payload([{"kind": "person", "record": {}}] * 1001)
        assert raised.value.keyword == "maxItems" and "1,001" in raised.value.message

    def test_no_items(self):
        with pytest.raises(PayloadError) as raised:
            items_from_payload({"items": []})
        assert raised.value.keyword == "minItems"
