"""One broken record per rule: the mutation, and the exact problem it must produce.

Shared by the validator tests (which check the pointer and keyword) and the
portability test (which checks that a second 2020-12 validator agrees on the
schema-stage verdict).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from support.minidata import record


@dataclass(frozen=True)
class Case:
    name: str
    collection: str
    record_id: str
    mutate: Callable[[dict], None]  # mutates the record in place
    pointer: str
    keyword: str
    schema_stage: bool = True  # False: only the cross-record stage catches it


def _set(path, value):
    def mutate(rec):
        node = rec
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


def _drop(key):
    return lambda rec: rec.pop(key)


SCHEMA_CASES = [
    Case(
        "unknown field",
        "people",
        "mostafa-pour-mohammadi",
        _set(["nickname"], "x"),
        "/nickname",
        "additionalProperties",
    ),
    Case(
        "unknown nested field",
        "people",
        "mostafa-pour-mohammadi",
        _set(["names", 0, "spelling"], "x"),
        "/names/0/spelling",
        "additionalProperties",
    ),
    Case("missing name", "people", "mostafa-pour-mohammadi", _drop("name"), "/name", "required"),
    Case("missing sources", "places", "tehran", _drop("sources"), "/sources", "required"),
    Case("uppercase id", "sources", "verdict-2022", _set(["id"], "Verdict-2022"), "/id", "pattern"),
    Case(
        "id with a trailing newline",
        "sources",
        "verdict-2022",
        _set(["id"], "verdict-2022\n"),
        "/id",
        "pattern",
    ),
    Case(
        "EDTF date with a trailing newline",
        "events",
        "1988-prison-massacres",
        _set(["date"], "1988\n"),
        "/date",
        "pattern",
    ),
    Case(
        "id over 80 characters",
        "sources",
        "verdict-2022",
        _set(["id"], "a" * 81),
        "/id",
        "maxLength",
    ),
    Case(
        "empty names", "people", "mostafa-pour-mohammadi", _set(["names"], []), "/names", "minItems"
    ),
    Case(
        "bad language tag",
        "people",
        "mostafa-pour-mohammadi",
        _set(["names", 2, "lang"], "Persian"),
        "/names/2/lang",
        "pattern",
    ),
    Case(
        "bad script code",
        "people",
        "mostafa-pour-mohammadi",
        _set(["names", 2, "script"], "arabic"),
        "/names/2/script",
        "pattern",
    ),
    Case(
        "unknown category",
        "people",
        "mostafa-pour-mohammadi",
        _set(["categories"], ["villain"]),
        "/categories/0",
        "enum",
    ),
    Case(
        "repeated category",
        "people",
        "mostafa-pour-mohammadi",
        _set(["categories"], ["official", "official"]),
        "/categories",
        "uniqueItems",
    ),
    Case(
        "unknown organization type",
        "organizations",
        "amnesty-international",
        _set(["type"], "charity"),
        "/type",
        "enum",
    ),
    Case(
        "reference into the wrong collection",
        "sources",
        "amnesty-2018-report",
        _set(["publisher"], "people/mostafa-pour-mohammadi"),
        "/publisher",
        "pattern",
    ),
    Case(
        "reference without a collection",
        "places",
        "evin-prison",
        _set(["within"], "tehran"),
        "/within",
        "pattern",
    ),
    Case(
        "non-EDTF date",
        "events",
        "1988-prison-massacres",
        _set(["date"], "summer 1988"),
        "/date",
        "pattern",
    ),
    Case(
        "quote over 40 words",
        "people",
        "mostafa-pour-mohammadi",
        _set(["sources", 0, "quote"], " ".join(["word"] * 41)),
        "/sources/0/quote",
        "pattern",
    ),
    Case(
        "citation without source",
        "places",
        "tehran",
        _set(["sources", 0], {"locator": "p. 1"}),
        "/sources/0/source",
        "required",
    ),
    Case(
        "accessed not a date",
        "places",
        "tehran",
        _set(["sources", 0, "accessed"], "2018-13-01"),
        "/sources/0/accessed",
        "format",
    ),
    Case(
        "url not http",
        "sources",
        "amnesty-2018-report",
        _set(["url"], "ftp://example.org/x"),
        "/url",
        "pattern",
    ),
    Case(
        "sha256 not hex",
        "sources",
        "amnesty-2018-report",
        _set(["sha256"], "abc"),
        "/sha256",
        "pattern",
    ),
    Case(
        "latitude out of range",
        "places",
        "tehran",
        _set(
            ["coordinates"],
            {
                "lat": 95,
                "lon": 51.4,
                "precision": 1000,
                "basis": "city",
                "source": {"source": "sources/amnesty-2018-report"},
            },
        ),
        "/coordinates/lat",
        "maximum",
    ),
    Case(
        "text with leading space", "places", "tehran", _set(["name"], " Tehran"), "/name", "pattern"
    ),
    Case(
        "empty quantity", "claims", "amnesty-victim-count", _set(["value"], {}), "/value", "anyOf"
    ),
    Case(
        "negative quantity",
        "claims",
        "amnesty-victim-count",
        _set(["value"], {"min": -1}),
        "/value/min",
        "minimum",
    ),
    Case(
        "victim_count takes a quantity",
        "claims",
        "amnesty-victim-count",
        _set(["value"], "5000"),
        "/value",
        "type",
    ),
    Case(
        "member_of takes an organization",
        "claims",
        "pour-mohammadi-member",
        _set(["value"], "places/tehran"),
        "/value",
        "pattern",
    ),
    Case(
        "occurred_on takes an EDTF date",
        "claims",
        "amnesty-period",
        _set(["value"], "July 1988"),
        "/value",
        "pattern",
    ),
    Case(
        "unknown property",
        "claims",
        "amnesty-period",
        _set(["property"], "happened_on"),
        "/property",
        "enum",
    ),
    Case(
        "unknown stance", "claims", "amnesty-period", _set(["stance"], "claims"), "/stance", "enum"
    ),
    Case(
        "unknown status", "claims", "amnesty-period", _set(["status"], "proven"), "/status", "enum"
    ),
    Case(
        "unknown confidence",
        "claims",
        "amnesty-period",
        _set(["confidence"], "certain"),
        "/confidence",
        "enum",
    ),
    Case(
        "claim without citation",
        "claims",
        "amnesty-period",
        _set(["sources"], []),
        "/sources",
        "minItems",
    ),
    Case(
        "claimed_by a place",
        "claims",
        "amnesty-period",
        _set(["claimed_by"], "places/tehran"),
        "/claimed_by",
        "pattern",
    ),
    Case(
        "empty qualifiers",
        "claims",
        "pour-mohammadi-member",
        _set(["qualifiers"], {}),
        "/qualifiers",
        "minProperties",
    ),
    Case(
        "participant without role",
        "events",
        "1988-prison-massacres",
        _set(["participants", 0], {"ref": "organizations/amnesty-international"}),
        "/participants/0/role",
        "required",
    ),
    Case(
        "merged tombstone without target",
        "sources",
        "verdict-2022",
        lambda rec: (
            rec.clear(),
            rec.update(
                {
                    "id": "verdict-2022",
                    "tombstone": {"action": "merged", "reason": "Duplicate.", "date": "2026-11-28"},
                }
            ),
        ),
        "/tombstone/merged_into",
        "required",
    ),
]

CROSS_CASES = [
    Case(
        "reference to a missing record",
        "places",
        "evin-prison",
        _set(["within"], "places/shiraz"),
        "/within",
        "reference",
        False,
    ),
    Case(
        "citation of a missing source",
        "people",
        "mostafa-pour-mohammadi",
        _set(["sources", 0, "source"], "sources/nowhere"),
        "/sources/0/source",
        "reference",
        False,
    ),
    Case(
        "claim value to a missing record",
        "claims",
        "pour-mohammadi-member",
        _set(["value"], "organizations/nowhere"),
        "/value",
        "reference",
        False,
    ),
    Case(
        "reversed interval",
        "events",
        "1988-prison-massacres",
        _set(["date"], "1988-09/1988-07"),
        "/date",
        "interval",
        False,
    ),
    Case(
        "impossible calendar date",
        "events",
        "1988-prison-massacres",
        _set(["date"], "1988-02-30"),
        "/date",
        "edtf",
        False,
    ),
    Case(
        "claim dated after its source",
        "claims",
        "amnesty-period",
        _set(["value"], "2020-01-01"),
        "/value",
        "claimDate",
        False,
    ),
    Case(
        "qualifier dated after its source",
        "claims",
        "pour-mohammadi-member",
        _set(["qualifiers", "date"], "2019"),
        "/qualifiers/date",
        "claimDate",
        False,
    ),
    Case(
        "adjudicated without a judgment",
        "claims",
        "amnesty-period",
        _set(["status"], "adjudicated"),
        "/status",
        "adjudicated",
        False,
    ),
    Case(
        "quantity min above max",
        "claims",
        "amnesty-victim-count",
        _set(["value"], {"min": 5000, "max": 2800}),
        "/value",
        "quantity",
        False,
    ),
    Case(
        "file name differs from id",
        "sources",
        "verdict-2022",
        _set(["id"], "judgment-2022"),
        "/id",
        "fileName",
        False,
    ),
]


def broken(case: Case, dataset: dict) -> dict:
    """Apply ``case`` to its record in ``dataset`` and return that record."""
    rec = record(case.collection, case.record_id, dataset)
    case.mutate(rec)
    return rec
