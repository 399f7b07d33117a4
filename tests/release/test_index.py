"""Contract tests for chalicelib.release.index: the per-collection list index of a release.

The datasets come from support.indexdata, built from the kinds registry alone.
"""

from __future__ import annotations

import json
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.model import edtf
from chalicelib.model.kinds import BY_COLLECTION, KINDS
from chalicelib.model.ordering import sort_key
from chalicelib.release import index as index_module
from chalicelib.release.index import CollectionIndex, pack, unpack
from chalicelib.release.layout import canonical_json
from support.examples import examples
from support.indexdata import (
    DATES,
    FILTER_IDS,
    FILTERS,
    KIND_IDS,
    SORT_IDS,
    SORTS,
    build_index,
    built,
    filter_pool,
    loaded,
    span_of,
    strings_at,
    synthetic_records,
)

# --- building ---------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", KIND_IDS)
def test_build_index_twice_gives_identical_bytes(collection):
    kind = BY_COLLECTION[collection]
    assert build_index(kind, synthetic_records(kind)) == build_index(kind, synthetic_records(kind))


def test_build_index_does_not_depend_on_key_order():
    kind = BY_COLLECTION["claims"]
    records = synthetic_records(kind)
    reordered = [dict(reversed(list(r.items()))) for r in records]
    assert build_index(kind, reordered) == build_index(kind, records)


def test_build_index_rejects_records_not_sorted_by_id():
    kind = BY_COLLECTION["people"]
    records = synthetic_records(kind)
    with pytest.raises(ValueError, match="sorted by id"):
        build_index(kind, records[::-1])


def test_build_index_of_an_empty_collection_loads_and_counts_zero():
    kind = BY_COLLECTION["places"]
    index = CollectionIndex.load(kind, build_index(kind, []).__getitem__)
    assert index.count == 0 and index.search("evin") == [] and index.posting("type", "x") == ()


@pytest.mark.parametrize("collection", KIND_IDS)
def test_index_files_are_named_from_the_registry(collection):
    kind = BY_COLLECTION[collection]
    names = set(built(collection)[1])
    assert {f"filter-{f.param}.bin" for f in kind.filters} <= names
    assert {f"sort-{s}.bin" for s in kind.sorts} <= names
    assert ("span.bin" in names) == bool(kind.span_fields)
    assert {"meta.json", "records.bin", "ids.bin", "search.bin", "records-00000.jsonl"} <= names
    assert json.loads(built(collection)[1]["meta.json"])["files"] == sorted(names - {"meta.json"})


def test_container_round_trip_keeps_header_arrays_and_tail():
    raw = pack(
        {"values": ["a", "ب"]}, {"u": array("I", [0, 1, 2**32 - 1]), "s": array("i", [-5])}, b"tail"
    )
    header, arrays, tail = unpack(raw)
    assert header == {"values": ["a", "ب"]}
    assert list(arrays["u"]) == [0, 1, 2**32 - 1] and list(arrays["s"]) == [-5]
    assert bytes(tail) == b"tail"


@pytest.mark.parametrize("data", [b"not an index at all", b"", b"IR88"])
def test_container_rejects_other_bytes(data):
    with pytest.raises(ValueError):
        unpack(data)


# --- loading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", KIND_IDS)
def test_loaded_index_serves_each_records_canonical_bytes(collection):
    records, index = loaded(collection)
    assert index.count == len(records)
    assert index.records(range(index.count)) == [canonical_json(r) for r in records]
    assert [json.loads(index.record_bytes(o)) for o in range(index.count)] == records


def test_records_are_found_across_chunks(monkeypatch):
    monkeypatch.setattr(index_module, "CHUNK_RECORDS", 5)
    kind = BY_COLLECTION["events"]
    records = synthetic_records(kind, n=23)
    files = build_index(kind, records)
    assert sum(name.startswith("records-") for name in files) == 5
    index = CollectionIndex.load(kind, files.__getitem__)
    assert index.records([22, 0, 5, 4, 10]) == [
        canonical_json(records[o]) for o in (22, 0, 5, 4, 10)
    ]


def test_ordinal_of_finds_live_ids_and_nothing_else():
    records, index = loaded("people")
    assert [index.id_at(o) for o in range(index.count)] == [r["id"] for r in records]
    assert [index.ordinal_of(r["id"]) for r in records] == list(range(len(records)))
    assert index.ordinal_of("no-such-person") is None
    assert index.ordinal_of("") is None and index.ordinal_of("zzz") is None


def test_load_rejects_the_index_of_another_kind():
    files = built("people")[1]
    with pytest.raises(ValueError, match="person"):
        CollectionIndex.load(BY_COLLECTION["places"], files.__getitem__)


def test_load_reads_only_meta_and_each_file_on_first_use():
    files = built("claims")[1]
    reads = []

    def read(name):
        reads.append(name)
        return files[name]

    index = CollectionIndex.load(BY_COLLECTION["claims"], read)
    assert reads == ["meta.json"]
    index.posting("status", "alpha")
    assert reads[1:] == ["filter-status.bin"]
    index.records([0, 1])
    assert reads[2:] == ["records.bin", "records-00000.jsonl"]
    index.search("evin")
    index.search("raisi")
    index.posting("status", "beta")
    assert reads[4:] == ["search.bin"]


# --- postings, sorts, spans -------------------------------------------------------------------


@pytest.mark.parametrize("kind,f", FILTERS, ids=FILTER_IDS)
def test_posting_holds_exactly_the_records_with_that_value(kind, f):
    records, index = loaded(kind.collection)
    for value in filter_pool(f) + ["absent"]:
        expected = [o for o, r in enumerate(records) if value in strings_at(r, f.path)]
        assert list(index.posting(f.param, value)) == expected


@pytest.mark.parametrize("kind,key", SORTS, ids=SORT_IDS)
def test_sort_order_is_by_value_then_id_with_missing_values_last(kind, key):
    records, index = loaded(kind.collection)
    value_of = sort_key(kind, key)
    present = [o for o, r in enumerate(records) if value_of(r) is not None]
    missing = [o for o, r in enumerate(records) if value_of(r) is None]
    expected = sorted(present, key=lambda o: (value_of(records[o]), o)) + missing
    assert list(index.order(key)) == expected
    assert [index.rank_of(key, o) for o in expected] == list(range(len(records)))


def test_sort_by_name_ignores_case():
    kind = BY_COLLECTION["places"]
    assert sort_key(kind, "name")({"name": "evin"}) < sort_key(kind, "name")({"name": "Gohardasht"})


def test_sort_by_date_uses_the_earliest_day_then_the_latest():
    by_date = sort_key(BY_COLLECTION["events"], "date")
    dates = ["1988-07-28", "1988-07", "1988", "1988-22", "../1987", "1988/.."]
    assert sorted(dates, key=lambda d: by_date({"date": d})) == [
        "../1987",
        "1988",
        "1988/..",
        "1988-22",
        "1988-07",
        "1988-07-28",
    ]
    assert by_date({}) is None


def test_a_claims_date_sort_reads_its_qualifiers():
    assert sort_key(BY_COLLECTION["claims"], "date")({"qualifiers": {"date": "1988-07"}}) == (
        "1988-07-01",
        "1988-07-31",
    )


@pytest.mark.parametrize("collection", [k.collection for k in KINDS if k.span_fields])
@settings(max_examples=examples(40), deadline=None)
@given(start=st.sampled_from(DATES), end=st.sampled_from(DATES))
def test_overlapping_finds_exactly_the_spans_that_meet_the_window(collection, start, end):
    from chalicelib.model.ordering import OPEN_END, OPEN_START, day_number

    kind = BY_COLLECTION[collection]
    records, index = loaded(collection)
    lo, hi = edtf.bounds(start)[0] or "0000-00-00", edtf.bounds(end)[1] or "9999-99-99"
    expected = [
        o
        for o, r in enumerate(records)
        if (s := span_of(kind, r)) is not None and s[0] <= hi and s[1] >= lo
    ]
    found = index.overlapping(
        day_number(edtf.bounds(start)[0], OPEN_START), day_number(edtf.bounds(end)[1], OPEN_END)
    )
    assert found == expected


def test_a_record_without_dates_never_overlaps():
    kind = BY_COLLECTION["events"]
    index = CollectionIndex.load(
        kind, build_index(kind, [{"id": "undated", "name": "x"}]).__getitem__
    )
    assert index.overlapping(0, 99_999_999) == []


def test_search_covers_search_fields_and_the_title():
    kind = BY_COLLECTION["sources"]
    records = [
        {"id": "a", "title": "Blood-soaked secrets"},
        {
            "id": "b",
            "title": "Other",
            "identifiers": [{"scheme": "x", "value": "MDE 13/9421/2018"}],
        },
    ]
    index = CollectionIndex.load(kind, build_index(kind, records).__getitem__)
    assert index.search("blood soaked") == [0]
    assert index.search("mde13 9421") == [1]
