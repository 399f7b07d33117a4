"""The dataset the HTTP API tests serve (its fixtures are in ``tests/serve/conftest.py``).

The data is the mini dataset with its two tombstones, every spelling of Mostafa Pour
Mohammadi, and enough generated records that pagination is real: 120 extra claims, and extra
people, organizations, places, sources and events with varied filter values and dates.
"""

from __future__ import annotations

import contextlib
import json

import pytest

from chalicelib.model.kinds import values_at
from chalicelib.serve.service import STORE_ENV
from support.minidata import mini, with_tombstones
from support.published import Published
from support.service import serving

BUCKET = "api-tests-1988"
PERSON = "people/mostafa-pour-mohammadi"
SPELLINGS = ("pourmohammadi", "Pour-Mohammadi", "purmohammadi", "پورمحمدی")

CATEGORIES = ("victim", "survivor", "witness", "official", "researcher", "family-member")
BORN = ("1950", "1961-03", "1955-22", None, "1948/1952", "1958-04-12", "1962~")
ORG_TYPES = ("ngo", "court", "political-group", "media", "state-body", "un-body")
PLACE_TYPES = ("prison", "cemetery", "grave-site", "city")
SOURCE_TYPES = ("report", "news-article", "court-judgment", "testimony")
EVENT_TYPES = ("mass-execution", "trial", "meeting", "arrest")
EVENT_DATES = (
    "1988-07-28",
    "1988-08",
    "1988-22",
    "1988-07/1988-09",
    "1981/1985",
    "1989-03/..",
    "../1987-06",
    "1979",
    "1988-24",
    "1988-09-01",
    "1990",
    "1988?",
)
CLAIM_DATES = (None, "1988", "1988-07", "1988-08-15", "1987/1989", "1988-22", "../1986")
STATUSES = ("alleged", "corroborated", "contested", "retracted")
STANCES = ("asserts", "denies", "disputes")
CONFIDENCES = ("high", "medium", "low")


def cite(source: str = "sources/amnesty-2018-report", locator: str | None = "p. 4") -> list[dict]:
    return [{"source": source, **({"locator": locator} if locator else {})}]


def _names(name: str) -> list[dict]:
    return [{"name": name, "lang": "en"}]


def generated() -> dict[str, list[dict]]:
    """Extra records, each kind's filter values and dates varied by position."""
    orgs = [
        {
            "id": f"org-{i:02d}",
            "name": f"Organization {i:02d}",
            "names": _names(f"Organization {i:02d}"),
            "type": ORG_TYPES[i % len(ORG_TYPES)],
            "sources": cite(),
            **({"founded": f"{1960 + 3 * i}"} if i % 2 else {}),
            **({"parent": "organizations/org-00"} if i % 3 == 1 else {}),
        }
        for i in range(8)
    ]
    sources = [
        {
            "id": f"src-{i:02d}",
            "title": f"Source {i:02d} about the killings",
            "type": SOURCE_TYPES[i % 4],
            "publisher": f"organizations/org-{i % 3:02d}",
            "published": f"{2019 + i}-0{1 + i}-1{i}",
            "languages": ["en"],
            "url": f"https://example.org/source-{i}",
        }
        for i in range(5)
    ]
    places = [
        {
            "id": f"place-{i:02d}",
            "name": f"Place {i:02d}",
            "names": _names(f"Place {i:02d}"),
            "type": PLACE_TYPES[i % 4],
            "sources": cite(),
            **({"within": ("places/tehran", "places/evin-prison")[i % 2]} if i % 3 else {}),
        }
        for i in range(9)
    ]
    people = []
    for i in range(24):
        person = {
            "id": f"person-{i:02d}",
            "name": f"Person {i:02d}",
            "names": _names(f"Person {i:02d}"),
            "categories": sorted({CATEGORIES[i % 6], CATEGORIES[(i * 5) % 6]}),
            "sources": cite(),
        }
        if BORN[i % len(BORN)]:
            person["born"] = BORN[i % len(BORN)]
        if i % 4 == 0:
            person["died"] = f"1988-08-{10 + i % 18:02d}"
        elif set(person["categories"]) & {"survivor", "witness", "family-member"}:
            # Living, so named only with evidence of consent: a source in which they speak.
            person["sources"][0]["speaks_publicly_as"] = person["name"]
        if i % 5 == 0:
            person["description"] = (
                "Executed in Gohardasht prison." if i % 2 else "A witness to the killings."
            )
        people.append(person)
    events = [
        {
            "id": f"event-{i:02d}",
            "name": f"Event {i:02d}",
            "type": EVENT_TYPES[i % 4],
            "date": EVENT_DATES[i % len(EVENT_DATES)],
            "places": [f"places/place-{i % 9:02d}"]
            + (["places/evin-prison"] if i % 3 == 0 else []),
            "participants": [
                {"ref": f"people/person-{i % 24:02d}", "role": "victim"},
                {"ref": f"organizations/org-{i % 8:02d}", "role": "documenter"},
            ],
            "sources": cite(),
            **({"part_of": "events/1988-prison-massacres"} if i % 2 else {}),
        }
        for i in range(14)
    ]
    return {
        "organizations": orgs,
        "sources": sources,
        "places": places,
        "people": people,
        "events": events,
        "claims": [claim(i) for i in range(120)],
    }


def claim(i: int) -> dict:
    """The i-th generated claim; every (subject, property, value, claimed_by) is distinct."""
    subjects = [
        f"people/person-{i % 24:02d}",
        "events/1988-prison-massacres",
        f"events/event-{i % 14:02d}",
        PERSON,
        f"organizations/org-{i % 8:02d}",
    ]
    subject = subjects[i % len(subjects)]
    kind = i % 6
    if kind == 0:
        prop, value = "member_of", f"organizations/org-{(i // 6) % 8:02d}"
    elif kind == 1:
        prop, value = "participated_in", f"events/event-{(i // 6) % 14:02d}"
    elif kind == 2:
        prop, value = "killed_at", ("places/evin-prison", f"places/place-{(i // 6) % 9:02d}")[i % 2]
    elif kind == 3:
        prop, value = "victim_count", {"min": 1000 + i}
    elif kind == 4:
        prop, value = "occurred_on", ("1988-07/1988-09", f"1988-0{7 + i % 3}")[i % 2]
    else:
        prop, value = "stated", f"Statement number {i}."
    record = {
        "id": f"claim-{i:03d}",
        "subject": subject,
        "property": prop,
        "value": value,
        "claimed_by": (
            f"organizations/org-{i % 8:02d}",
            "organizations/amnesty-international",
            f"people/person-{i % 24:02d}",
        )[i % 3],
        "stance": STANCES[i % 3],
        "status": STATUSES[i % 4],
        "confidence": CONFIDENCES[(i // 2) % 3],
        "sources": cite(
            ("sources/amnesty-2018-report", f"sources/src-{i % 5:02d}")[i % 2],
            None if i % 4 == 3 else f"p. {i}",
        ),
    }
    date = CLAIM_DATES[i % len(CLAIM_DATES)]
    if date or i % 5 == 0:
        record["qualifiers"] = {
            **({"date": date} if date else {}),
            **({"role": f"role {i % 4}"} if i % 5 == 0 else {}),
        }
    if i % 9 == 0:
        record["note"] = "Reported by Pourmohammadi's critics." if i % 2 else "A note in passing."
    return record


def api_dataset() -> dict[str, list[dict]]:
    """Everything the API tests serve: the tombstoned mini dataset plus ``generated()``."""
    dataset = with_tombstones(mini())
    person = next(r for r in dataset["people"] if r["id"] == "mostafa-pour-mohammadi")
    person["names"] += [
        {"name": "Mostafa Pour-Mohammadi", "lang": "en", "script": "Latn"},
        {"name": "Mostafa Purmohammadi", "lang": "en", "script": "Latn"},
    ]
    for collection, records in generated().items():
        dataset[collection] = dataset[collection] + records
    return dataset


@contextlib.contextmanager
def app_client(store_url: str, monkeypatch: pytest.MonkeyPatch):
    """A chalice.test.Client of the app reading ``store_url``, with nothing cached."""
    from chalice.test import Client

    from app import app

    monkeypatch.setenv(STORE_ENV, store_url)
    with serving(), Client(app) as test_client:
        yield test_client


def get_json(client, url: str, **headers) -> dict:
    """GET ``url`` and parse the answer, which must be a 200."""
    response = client.http.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.body[:300])
    return json.loads(response.body)


def walk(client, url: str) -> list[dict]:
    """Every item of a list route, following ``next`` until it is null."""
    items, seen_urls = [], set()
    while url is not None:
        assert url not in seen_urls, f"next loops back to {url}"
        seen_urls.add(url)
        page = get_json(client, url)
        items += page["items"]
        url = page["next"]
    return items


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def strings_at(record: dict, path: tuple[str, ...]) -> set[str]:
    """The string values at ``path`` in ``record`` (brute force, from the registry's paths)."""
    return {value for _, value in values_at(record, path) if isinstance(value, str)}


def concrete(path: str, served: Published) -> str:
    """A URL for a route path: each placeholder filled with something that exists."""
    collection = path.strip("/").split("/")[0]
    if "{id}" in path:
        path = path.replace("{id}", served.live[collection][0]["id"])
    return path.replace("{kind}", "person").replace("{name}", "people.csv")


def get_routes() -> list[str]:
    """Every route path that answers GET."""
    from app import app

    return sorted(
        path
        for path, methods in app.routes.items()
        if not getattr(
            methods.get("GET") and methods["GET"].view_function, "not_an_operation", True
        )
    )
