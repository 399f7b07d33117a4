"""Synthetic datasets for the list index and query tests, built from the kinds registry alone.

Datasets are synthetic and built from the kinds registry alone (every filter path, sort key,
date and search field of a kind gets values), so a kind or filter added to the registry is
covered without touching these tests. ``test_index`` and ``test_query`` share them.
"""

from __future__ import annotations

import copy
import functools
import random

from chalicelib.model import edtf
from chalicelib.model.kinds import BY_COLLECTION, KINDS, Kind, values_at
from chalicelib.release.index import CollectionIndex, IndexBuilder, index_features
from chalicelib.release.layout import canonical_json

KIND_IDS = [k.collection for k in KINDS]
# The filters read from the record itself; those derived from claims have tests of their own
# (tests/release/test_release_victims.py, tests/serve/test_api_lists.py).
FILTERS = [(k, f) for k in KINDS for f in k.filters if f.derived is None]
FILTER_IDS = [f"{k.collection}-{f.param}" for k, f in FILTERS]
SORTS = [(k, s) for k in KINDS for s in k.sorts]
SORT_IDS = [f"{k.collection}-{s}" for k, s in SORTS]

DATES = [
    "1988",
    "1988-07",
    "1988-07-28",
    "1988-22",
    "1988-24",
    "1988-07/1988-09",
    "1987/..",
    "../1986",
    "1990~",
    "198X",
    "1989-XX",
    "2018-12-04?",
]
NAMES = [
    "Mostafa Pour-Mohammadi",
    "Hossein-Ali Nayyeri",
    "Ebrahim Raisi",
    "Morteza Eshraghi",
    "Amnesty International",
    "Evin Prison",
    "Gohardasht",
    "Khavaran",
    "زندان اوین",
]
TEXTS = ["alpha", "beta", "Gamma"]


# --- synthetic datasets -----------------------------------------------------------------------


def put(record: dict, path: tuple[str, ...], values: list) -> None:
    """Store ``values`` at ``path``, creating what is missing; ``*`` makes one list item per value."""
    if "*" not in path:
        node = record
        for step in path[:-1]:
            node = node.setdefault(step, {})
        if values:
            node[path[-1]] = values[0]
        return
    star = path.index("*")
    node = record
    for step in path[: star - 1]:
        node = node.setdefault(step, {})
    items = node.setdefault(path[star - 1], [])
    for i, value in enumerate(values):
        if star == len(path) - 1:
            items.append(value)
            continue
        while len(items) <= i:
            items.append({})
        put(items[i], path[star + 1 :], [value])


def filter_pool(f) -> list:
    """Values a synthetic record may hold at a filter's path: references into each target
    collection when the filter refers to records, else plain words."""
    if f.references:
        return [f"{c}/r{j}" for c in f.references[:3] for j in range(2)] + TEXTS[:1]
    return TEXTS


def date_paths(kind: Kind) -> list[tuple[str, ...]]:
    return list(dict.fromkeys(kind.date_fields + kind.span_fields))


def synthetic_records(kind: Kind, n: int = 48, seed: int = 0) -> list[dict]:
    """``n`` records of ``kind``, sorted by id, exercising every filter, sort, date and name."""
    rng = random.Random(f"{kind.name}-{seed}")
    records = []
    for i in range(n):
        record: dict = {"id": f"{kind.name}-{i:03d}"}
        for f in kind.filters:
            if f.derived is not None:
                continue  # its values come from claims, not from the record
            roll = rng.random()
            if roll < 0.1 and "*" not in f.path:
                put(record, f.path, [{"min": 5000}])  # a quantity: must match no filter value
            elif roll < 0.9:
                many = 2 if "*" in f.path else 1
                put(record, f.path, rng.sample(filter_pool(f), k=rng.randint(1, many)))
        for path in date_paths(kind):
            if rng.random() < 0.75:
                put(record, path, [rng.choice(DATES)])
        for key in kind.sorts:
            if (
                key not in record
                and rng.random() < 0.8
                and not any(p[-1] == key for p in date_paths(kind))
            ):
                record[key] = rng.choice(["b", "A", "a", "c", "B"])  # ties and case
        for path in kind.search_fields + ((kind.title_field,),):
            if not list(values_at(record, path)) and rng.random() < 0.7:
                put(record, path, rng.sample(NAMES, k=rng.randint(1, 2 if "*" in path else 1)))
        records.append(record)
    return records


@functools.cache
def built(collection: str, n: int = 48, seed: int = 0) -> tuple[tuple[dict, ...], dict[str, bytes]]:
    """(records, index files) of a synthetic dataset, built once per test session."""
    kind = BY_COLLECTION[collection]
    records = synthetic_records(kind, n, seed)
    return tuple(records), build_index(kind, records)


def loaded(collection: str, n: int = 48, seed: int = 0) -> tuple[list[dict], CollectionIndex]:
    records, files = built(collection, n, seed)
    return copy.deepcopy(list(records)), CollectionIndex.load(
        BY_COLLECTION[collection], files.__getitem__
    )


def strings_at(record: dict, path) -> set[str]:
    """The oracle for filter values: the string values kinds.values_at finds."""
    return {v for _, v in values_at(record, path) if isinstance(v, str)}


def span_of(kind: Kind, record: dict) -> tuple[str, str] | None:
    """Oracle: the record's span from edtf.bounds, with open ends as extreme days."""
    bounds = [edtf.bounds(v) for p in kind.span_fields for _, v in values_at(record, p)]
    if not bounds:
        return None
    return (
        min(lo or "0000-00-00" for lo, _ in bounds),
        max(hi or "9999-99-99" for _, hi in bounds),
    )


def build_index(kind: Kind, records: list[dict]) -> dict[str, bytes]:
    """The files of ``index/<collection>/`` for the live ``records`` of one kind, sorted by id,
    built in memory as the build streams them (``IndexBuilder``)."""
    builder, features, files = IndexBuilder(kind), index_features(kind), {}
    for record in records:
        files.update(builder.add(features(record), canonical_json(record)))
    for name, body in builder.finish():
        files[name] = body if isinstance(body, bytes) else b"".join(body)
    return dict(sorted(files.items()))
