"""A small, named, valid dataset that tests mutate one field at a time.

Every kind appears, and every kind of reference resolves, so a test that breaks one
rule sees exactly one problem.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from chalicelib.checks.validate import Item


def cite():
    return [
        {
            "source": "sources/amnesty-2018-report",
            "locator": "p. 4",
            "quote": "extrajudicially executed thousands of imprisoned political dissidents",
        }
    ]


MINI = {
    "organizations": [
        {
            "id": "amnesty-international",
            "name": "Amnesty International",
            "names": [{"name": "Amnesty International", "lang": "en"}],
            "type": "ngo",
            "sources": cite(),
        },
        {
            "id": "stockholm-district-court",
            "name": "Stockholm District Court",
            "names": [{"name": "Stockholm District Court", "lang": "en"}],
            "type": "court",
            "sources": cite(),
        },
    ],
    "sources": [
        {
            "id": "amnesty-2018-report",
            "title": "Blood-soaked secrets",
            "type": "report",
            "publisher": "organizations/amnesty-international",
            "published": "2018-12-04",
            "languages": ["en", "fa"],
            "url": "https://www.amnesty.org/en/documents/mde13/9421/2018/en/",
            "identifiers": [{"scheme": "amnesty-index", "value": "MDE 13/9421/2018"}],
        },
        {
            "id": "verdict-2022",
            "title": "Judgment",
            "type": "court-judgment",
            "publisher": "organizations/stockholm-district-court",
            "published": "2022-07-14",
            "languages": ["sv"],
            "url": "https://example.org/judgment",
        },
    ],
    "people": [
        {
            "id": "mostafa-pour-mohammadi",
            "name": "Mostafa Pour Mohammadi",
            "names": [
                {"name": "Mostafa Pour Mohammadi", "lang": "en", "script": "Latn"},
                {"name": "Pourmohammadi", "lang": "en", "script": "Latn"},
                {"name": "مصطفی پورمحمدی", "lang": "fa", "script": "Arab"},
            ],
            "categories": ["official"],
            "sources": cite(),
        },
    ],
    "places": [
        {
            "id": "tehran",
            "name": "Tehran",
            "names": [{"name": "Tehran", "lang": "en"}],
            "type": "city",
            "sources": cite(),
        },
        {
            "id": "evin-prison",
            "name": "Evin Prison",
            "names": [{"name": "Evin", "lang": "en"}],
            "type": "prison",
            "within": "places/tehran",
            "sources": cite(),
        },
    ],
    "events": [
        {
            "id": "1988-prison-massacres",
            "name": "1988 prison massacres",
            "type": "mass-execution",
            "date": "1988-07/1988-09",
            "places": ["places/evin-prison"],
            "participants": [{"ref": "organizations/amnesty-international", "role": "documenter"}],
            "sources": cite(),
        },
    ],
    "claims": [
        {
            "id": "amnesty-victim-count",
            "subject": "events/1988-prison-massacres",
            "property": "victim_count",
            "value": {"min": 5000},
            "claimed_by": "organizations/amnesty-international",
            "stance": "asserts",
            "status": "contested",
            "confidence": "high",
            "sources": cite(),
        },
        {
            "id": "amnesty-period",
            "subject": "events/1988-prison-massacres",
            "property": "occurred_on",
            "value": "1988-07/1988-09",
            "claimed_by": "organizations/amnesty-international",
            "stance": "asserts",
            "status": "corroborated",
            "confidence": "high",
            "sources": cite(),
        },
        {
            "id": "pour-mohammadi-member",
            "subject": "people/mostafa-pour-mohammadi",
            "property": "member_of",
            "value": "organizations/amnesty-international",
            "qualifiers": {"role": "an example role", "date": "1988"},
            "claimed_by": "organizations/amnesty-international",
            "stance": "asserts",
            "status": "alleged",
            "confidence": "medium",
            "sources": cite(),
        },
    ],
}

KIND_OF = {
    "people": "person",
    "organizations": "organization",
    "places": "place",
    "events": "event",
    "sources": "source",
    "claims": "claim",
}


def mini() -> dict[str, list[dict]]:
    """A fresh deep copy of the mini dataset, safe to mutate."""
    return copy.deepcopy(MINI)


def record(collection: str, record_id: str, dataset=None) -> dict:
    dataset = dataset or mini()
    return next(r for r in dataset[collection] if r["id"] == record_id)


def items(dataset: dict[str, list[dict]]) -> list[Item]:
    """Validation items for every record, with file names that match their ids."""
    out = []
    for collection, records in dataset.items():
        for rec in records:
            out.append(
                Item(
                    KIND_OF[collection],
                    rec,
                    f"data/{collection}/{rec['id']}.json",
                    len(out),
                    expected_id=rec["id"],
                )
            )
    return out


def write(dataset: dict[str, list[dict]], root: Path) -> Path:
    """Write the dataset as data/<collection>/<id>.json files under ``root``."""
    for collection, records in dataset.items():
        folder = root / collection
        folder.mkdir(parents=True, exist_ok=True)
        for rec in records:
            (folder / f"{rec['id']}.json").write_text(
                json.dumps(rec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    return root


# 2026-11-27 10:00:00 UTC: every release a test builds takes its time from here.
RELEASE_EPOCH = 1795773600

TOMBSTONES = {
    "people": [
        {
            "id": "pour-mohammadi-duplicate",
            "tombstone": {
                "action": "merged",
                "reason": "The same person as mostafa-pour-mohammadi.",
                "date": "2026-11-01",
                "merged_into": "people/mostafa-pour-mohammadi",
            },
        }
    ],
    "places": [
        {
            "id": "unverified-grave-site",
            "tombstone": {
                "action": "withdrawn",
                "reason": "The only source could not be verified.",
                "date": "2026-11-02",
            },
        }
    ],
}


def with_tombstones(dataset: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """``dataset`` plus one merged person and one withdrawn place."""
    for collection, tombstones in TOMBSTONES.items():
        dataset[collection] = dataset[collection] + [dict(t) for t in tombstones]
    return dataset
