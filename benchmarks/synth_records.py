"""The synthetic records: ids and names as pure functions of ordinals, and one maker per kind.

``Universe`` knows every id of a dataset of a given size without generating it, so a record can
refer to any other by ordinal; ``pick_*`` never picks a tombstone, so every reference resolves
to a live record. Each maker builds record ``i`` of its collection from a random stream that
benchmarks.synth seeds per chunk.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import Any

from .synth_vocabulary import (
    CATEGORIES,
    CITIES,
    CONFIDENCES,
    EVENT_PROPERTIES,
    EVENT_TYPES,
    FIRST_NAMES,
    LAST_NAMES,
    NOTES,
    ORG_PROPERTIES,
    ORG_TYPES,
    PERSON_PROPERTIES,
    PLACE_TYPES,
    POSITIONS,
    QUOTES,
    ROLES,
    SOURCE_TYPES,
    STANCES,
    STATUSES,
    TEXTS,
)

SEED = 1988
MIN_TOTAL = 200

# Shares of the total; claims take the rest, which makes about five per person.
SHARES = {"people": 0.13, "organizations": 0.02, "places": 0.02, "events": 0.09, "sources": 0.09}
COLLECTIONS = ("people", "organizations", "places", "events", "sources", "claims")
# Every 100th person is merged into the one before it, every 500th claim is withdrawn.
PERSON_TOMBSTONE_EVERY, CLAIM_TOMBSTONE_EVERY = 100, 500
COURT_JUDGMENT_EVERY = 12  # sources i % 12 == 0 are court judgments

Record = dict[str, Any]


def plan(total: int) -> dict[str, int]:
    """Records per collection (tombstones included) for a dataset of ``total`` records."""
    if total < MIN_TOTAL:
        raise ValueError(f"a synthetic dataset needs at least {MIN_TOTAL} records, not {total}")
    counts = {c: max(3, int(total * share)) for c, share in SHARES.items()}
    counts["claims"] = total - sum(counts.values())
    return {c: counts[c] for c in COLLECTIONS}


def _mix(i: int, salt: int) -> int:
    """A cheap, fixed integer hash, so a record's name is a pure function of its ordinal."""
    x = (i * 0x9E3779B1 + salt * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    return x ^ (x >> 12)


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in text.lower())
    return "-".join(part for part in out.split("-") if part)


class Universe:
    """The ids and names of every record, as pure functions of ordinals, plus how to pick them."""

    def __init__(self, total: int, seed: int = SEED):
        self.total, self.seed = total, seed
        self.counts = plan(total)
        self.n = self.counts
        self.cities = CITIES[: max(1, min(len(CITIES), self.n["places"] - 1))]

    # -- ids and names ------------------------------------------------------------------

    def person_name(self, i: int) -> tuple[tuple, tuple]:
        h = _mix(i, self.seed)
        return FIRST_NAMES[h % len(FIRST_NAMES)], LAST_NAMES[(h >> 8) % len(LAST_NAMES)]

    def person_id(self, i: int) -> str:
        first, last = self.person_name(i)
        return f"{_slug(first[0])}-{_slug(last[0])}-{i}"

    def org_type(self, i: int) -> tuple[str, str, str]:
        return ORG_TYPES[i % len(ORG_TYPES)]

    def org_city(self, i: int) -> tuple:
        return CITIES[_mix(i, self.seed + 2) % len(CITIES)]

    def org_id(self, i: int) -> str:
        return f"{self.org_type(i)[0]}-{_slug(self.org_city(i)[0])}-{i}"

    def place_kind(self, i: int) -> tuple[str, str, str]:
        if i == 0:
            return ("country", "Iran", "ایران")
        if i <= len(self.cities):
            return ("city", "", "")
        return PLACE_TYPES[i % len(PLACE_TYPES)]

    def place_city(self, i: int) -> tuple:
        return self.cities[(i - 1) % len(self.cities)]

    def place_id(self, i: int) -> str:
        kind = self.place_kind(i)[0]
        if kind == "country":
            return "iran"
        if kind == "city":
            return _slug(self.place_city(i)[0])
        return f"{_slug(self.place_city(i)[0])}-{kind}-{i}"

    def event_type(self, i: int) -> str:
        return (
            "mass-execution" if i == 0 else EVENT_TYPES[_mix(i, self.seed + 3) % len(EVENT_TYPES)]
        )

    def event_id(self, i: int) -> str:
        if i == 0:
            return "1988-prison-massacres"
        return f"{self.event_type(i)}-{_slug(CITIES[_mix(i, self.seed + 4) % len(CITIES)][0])}-{i}"

    def source_type(self, i: int) -> str:
        if i % COURT_JUDGMENT_EVERY == 0:
            return "court-judgment"
        return SOURCE_TYPES[_mix(i, self.seed + 5) % len(SOURCE_TYPES)]

    def source_year(self, i: int) -> int:
        return 1990 + _mix(i, self.seed + 6) % 35

    def source_id(self, i: int) -> str:
        return f"{self.source_type(i)}-{self.source_year(i)}-{i}"

    def claim_id(self, i: int, subject_slug: str, prop: str) -> str:
        return f"{subject_slug}-{prop.replace('_', '-')}-{i}"

    # -- picking live records -----------------------------------------------------------

    @staticmethod
    def person_is_tombstone(i: int) -> bool:
        return i % PERSON_TOMBSTONE_EVERY == PERSON_TOMBSTONE_EVERY - 1

    @staticmethod
    def claim_is_tombstone(i: int) -> bool:
        return i % CLAIM_TOMBSTONE_EVERY == CLAIM_TOMBSTONE_EVERY - 1

    def pick_person(self, rng: random.Random) -> int:
        i = rng.randrange(self.n["people"])
        return i - 1 if self.person_is_tombstone(i) else i

    def pick_org(self, rng: random.Random) -> int:
        return rng.randrange(self.n["organizations"])

    def pick_court(self, rng: random.Random) -> int:
        return rng.randrange(0, self.n["organizations"], len(ORG_TYPES))

    def pick_place(self, rng: random.Random) -> int:
        return rng.randrange(self.n["places"])

    def pick_event(self, rng: random.Random) -> int:
        return rng.randrange(self.n["events"])

    def pick_source(self, rng: random.Random) -> int:
        return rng.randrange(self.n["sources"])

    def pick_court_judgment(self, rng: random.Random) -> int:
        return rng.randrange(0, self.n["sources"], COURT_JUDGMENT_EVERY)

    def ref(self, collection: str, i: int) -> str:
        return f"{collection}/{self._ids[collection](i)}"

    @property
    def _ids(self) -> dict[str, Callable[[int], str]]:
        return {
            "people": self.person_id,
            "organizations": self.org_id,
            "places": self.place_id,
            "events": self.event_id,
            "sources": self.source_id,
        }

    def agent(self, rng: random.Random, org_share: float = 0.7) -> str:
        if rng.random() < org_share:
            return self.ref("organizations", self.pick_org(rng))
        return self.ref("people", self.pick_person(rng))

    # -- shared pieces ------------------------------------------------------------------

    def citations(
        self, rng: random.Random, low: int = 1, high: int = 2, quote_share: float = 0.2
    ) -> list[Record]:
        chosen = sorted({self.pick_source(rng) for _ in range(rng.randint(low, high))})
        return [self.citation(rng, i, quote_share) for i in chosen]

    def citation(self, rng: random.Random, source: int, quote_share: float) -> Record:
        citation: Record = {"source": self.ref("sources", source)}
        roll = rng.random()
        if roll < 0.5:
            citation["locator"] = f"p. {rng.randint(1, 240)}"
        elif roll < 0.7:
            citation["locator"] = f"para. {rng.randint(1, 90)}"
        elif roll < 0.8:
            citation["locator"] = (
                f"{rng.randint(0, 1):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
            )
        if rng.random() < quote_share:
            citation["quote"] = rng.choice(QUOTES)
        if rng.random() < 0.15:
            citation["accessed"] = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return citation

    def names(
        self, rng: random.Random, latin: str, persian: str, variants: list[str]
    ) -> list[Record]:
        names = [{"name": latin, "lang": "en", "script": "Latn"}]
        names += [
            {"name": v, "lang": "en", "script": "Latn"} for v in variants if rng.random() < 0.7
        ]
        names.append({"name": persian, "lang": "fa", "script": "Arab"})
        if rng.random() < 0.08:
            # The same name typed on an Arabic keyboard: ي and ك for ی and ک.
            arabic = persian.replace("ی", "ي").replace("ک", "ك")
            if arabic != persian:
                names.append(
                    {
                        "name": arabic,
                        "lang": "fa",
                        "script": "Arab",
                        "note": "Spelling with Arabic letter forms, as in some sources.",
                    }
                )
        return names


# -- dates -------------------------------------------------------------------------------


def event_date(rng: random.Random, kind: str) -> str:
    """An EDTF date for an event, in the shapes the sources give them."""
    if kind in (
        "trial",
        "verdict",
        "press-conference",
        "investigation",
        "statement",
        "publication",
    ):
        year = rng.randint(1990, 2024)
        return rng.choice(
            [
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"{year}-{rng.randint(1, 12):02d}",
                f"{year}",
            ]
        )
    year = (
        1988
        if kind in ("mass-execution", "killing") or rng.random() < 0.5
        else rng.randint(1981, 1987)
    )
    month = rng.randint(7, 9) if year == 1988 else rng.randint(1, 12)
    day = rng.randint(1, 28)
    shape = rng.random()
    if shape < 0.3:
        return f"{year}-{month:02d}-{day:02d}"
    if shape < 0.5:
        return f"{year}-{month:02d}"
    if shape < 0.6:
        return f"{year}-22"  # summer
    if shape < 0.75:
        end = min(12, month + rng.randint(1, 3))
        return f"{year}-{month:02d}/{year}-{end:02d}"
    if shape < 0.85:
        return f"{year}-{month:02d}-{day:02d}/{year}-{month:02d}-{min(28, day + rng.randint(1, 20)):02d}"
    if shape < 0.92:
        return f"{year}-{month:02d}-{day:02d}?"
    return f"{year}~"


def claim_date(rng: random.Random) -> str:
    """A date inside 1981-1988: always before the earliest source (1990), so never too late."""
    year = rng.randint(1981, 1988)
    shape = rng.random()
    if shape < 0.4:
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if shape < 0.7:
        return f"{year}-{rng.randint(1, 12):02d}"
    if shape < 0.8:
        return f"{year}-{rng.choice(('21', '22', '23', '24'))}"
    if shape < 0.9:
        return f"{year}-{rng.randint(1, 6):02d}/{year}-{rng.randint(7, 12):02d}"
    return f"{year}?"


# -- records -----------------------------------------------------------------------------


def person(u: Universe, i: int, rng: random.Random) -> Record:
    if u.person_is_tombstone(i):
        return {
            "id": u.person_id(i),
            "tombstone": {
                "action": "merged",
                "reason": f"The same person as {u.person_id(i - 1)}.",
                "date": "2026-10-01",
                "merged_into": u.ref("people", i - 1),
            },
        }
    (first, first_fa, first_alt), (last, last_fa, last_alt) = u.person_name(i)
    latin = f"{first} {last}"
    variants = [f"{a} {last}" for a in first_alt] + [f"{first} {a}" for a in last_alt]
    category = CATEGORIES[_mix(i, u.seed + 7) % len(CATEGORIES)]
    record: Record = {
        "id": u.person_id(i),
        "name": latin,
        "names": u.names(rng, latin, f"{first_fa} {last_fa}", variants),
        "categories": [category],
    }
    if category == "victim" and rng.random() < 0.2:
        record["categories"].append("family-member")
    if rng.random() < 0.6:
        record["born"] = rng.choice(
            [
                f"{rng.randint(1940, 1968)}",
                f"{rng.randint(1940, 1968)}?",
                f"{rng.randint(1940, 1968)}-{rng.randint(1, 12):02d}-XX",
                "195X",
            ]
        )
    if category == "victim":
        record["died"] = rng.choice(
            [
                "1988-07/1988-09",
                "1988-22",
                "1988-08~",
                f"1988-{rng.randint(7, 9):02d}-{rng.randint(1, 28):02d}",
            ]
        )
    if rng.random() < 0.4:
        city = u.cities[rng.randrange(len(u.cities))][0]
        record["description"] = rng.choice(
            [
                f"Political prisoner held in {city}.",
                f"Official who served in {city} in the 1980s.",
                f"Relative of a prisoner executed in {city} in 1988.",
            ]
        )
    if rng.random() < 0.05:
        record["identifiers"] = [{"scheme": "wikidata", "value": f"Q{1000000 + i}"}]
    record["sources"] = u.citations(rng)
    if "died" not in record and category in ("survivor", "witness", "family-member"):
        # A living person is named only with evidence of consent (docs/do-no-harm.md).
        first_citation = record["sources"][0]
        first_citation.setdefault("locator", "interview")
        first_citation["speaks_publicly_as"] = latin
    return record


def organization(u: Universe, i: int, rng: random.Random) -> Record:
    kind, english, persian = u.org_type(i)
    city, city_fa = u.org_city(i)[:2]
    name = english.format(city=city, n=i)
    record: Record = {
        "id": u.org_id(i),
        "name": name,
        "names": [
            {"name": name, "lang": "en", "script": "Latn"},
            {"name": persian.format(city_fa=city_fa, n=i), "lang": "fa", "script": "Arab"},
        ],
        "type": kind,
    }
    if i >= len(ORG_TYPES) and rng.random() < 0.3:
        record["parent"] = u.ref("organizations", rng.randrange(i))
    if rng.random() < 0.5:
        record["founded"] = rng.choice(
            [f"{rng.randint(1950, 1985)}", f"{rng.randint(1979, 1985)}-{rng.randint(1, 12):02d}"]
        )
    if rng.random() < 0.3:
        record["description"] = f"An organization based in {city}."
    record["sources"] = u.citations(rng)
    return record


def place(u: Universe, i: int, rng: random.Random) -> Record:
    kind, english, persian = u.place_kind(i)
    if kind == "country":
        name, name_fa, lat, lon, precision = english, persian, 32.0, 53.0, 500000
    elif kind == "city":
        name, name_fa, lat, lon = u.place_city(i)
        precision = 10000
    else:
        city, city_fa, lat, lon = u.place_city(i)
        name, name_fa = f"{english} {i} of {city}", f"{persian} {i} {city_fa}"
        lat, lon, precision = lat + rng.uniform(-0.2, 0.2), lon + rng.uniform(-0.2, 0.2), 100
    record: Record = {
        "id": u.place_id(i),
        "name": name,
        "names": [
            {"name": name, "lang": "en", "script": "Latn"},
            {"name": name_fa, "lang": "fa", "script": "Arab"},
        ],
        "type": kind,
    }
    if kind == "city":
        record["within"] = "places/iran"
    elif kind != "country":
        record["within"] = u.ref("places", 1 + (i - 1) % len(u.cities))
    record["coordinates"] = {
        "lat": round(lat, 4),
        "lon": round(lon, 4),
        "precision": precision,
        # A site 100 m from its point is placed as a site; the rest at their city's point.
        "basis": "site" if precision == 100 else "city",
        "source": {"source": u.ref("sources", u.pick_source(rng))},
    }
    record["sources"] = u.citations(rng)
    return record


def event(u: Universe, i: int, rng: random.Random) -> Record:
    kind = u.event_type(i)
    if i == 0:
        name, date = "1988 prison massacres", "1988-07/1988-09"
    else:
        city = CITIES[_mix(i, u.seed + 4) % len(CITIES)][0]
        name = f"{kind.replace('-', ' ').capitalize()} in {city} ({i})"
        date = event_date(rng, kind)
    record: Record = {"id": u.event_id(i), "name": name, "type": kind, "date": date}
    if rng.random() < 0.3:
        record["names"] = [
            {"name": name, "lang": "en", "script": "Latn"},
            {"name": f"رویداد {i}", "lang": "fa", "script": "Arab"},
        ]
    record["places"] = sorted(
        {u.ref("places", u.pick_place(rng)) for _ in range(rng.randint(1, 2))}
    )
    participants = {u.agent(rng, 0.4): rng.choice(ROLES) for _ in range(rng.randint(0, 4))}
    if participants:
        record["participants"] = [
            {"ref": ref, "role": role} for ref, role in sorted(participants.items())
        ]
    if i > 0 and kind in ("mass-execution", "killing") and rng.random() < 0.6:
        record["part_of"] = "events/1988-prison-massacres"
    if rng.random() < 0.4:
        record["description"] = (
            f"{kind.replace('-', ' ').capitalize()} recorded by {rng.randint(1, 9)} sources."
        )
    record["sources"] = u.citations(rng, 1, 3)
    return record


def source(u: Universe, i: int, rng: random.Random) -> Record:
    kind, year = u.source_type(i), u.source_year(i)
    publisher = u.pick_court(rng) if kind == "court-judgment" else u.pick_org(rng)
    title = (
        f"Judgment in case {i}"
        if kind == "court-judgment"
        else rng.choice(
            [
                f"The 1988 executions: {kind.replace('-', ' ')} {i}",
                f"گزارش شماره {i} درباره اعدام‌های ۱۳۶۷",
                f"Testimonies from prison, part {i}",
            ]
        )
    )
    record: Record = {
        "id": u.source_id(i),
        "title": title,
        "type": kind,
        "publisher": u.ref("organizations", publisher),
        "published": rng.choice(
            [
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"{year}-{rng.randint(1, 12):02d}",
                f"{year}",
            ]
        ),
        "languages": rng.choice([["en"], ["fa"], ["en", "fa"], ["sv"]]),
        "url": f"https://example.org/{u.org_id(publisher)}/{year}/{i}",
    }
    if rng.random() < 0.3:
        record["authors"] = sorted({u.agent(rng, 0.2) for _ in range(rng.randint(1, 3))})
    if rng.random() < 0.2:
        record["identifiers"] = [{"scheme": "doc-number", "value": f"MDE 13/{1000 + i}/{year}"}]
    if rng.random() < 0.3:
        record["archive_url"] = f"https://web.archive.org/web/{year + 1}0101000000/{record['url']}"
        record["sha256"] = hashlib.sha256(record["url"].encode()).hexdigest()
        record["captured"] = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if rng.random() < 0.05:
        record["affiliation_note"] = "The publisher is a party to the events it reports."
    if rng.random() < 0.6:
        record["description"] = rng.choice(
            [
                "Documents the executions of political prisoners in the summer of 1988, with testimonies.",
                "Lists prisoners executed in 1988 by prison and city, compiled from families' accounts.",
                "شهادت‌های زندانیان سیاسی درباره اعدام‌های تابستان ۱۳۶۷.",
            ]
        )
    return record


def claim(u: Universe, i: int, rng: random.Random) -> Record:
    roll = rng.random()
    if roll < 0.85:
        p = u.pick_person(rng)
        subject, slug, table = u.ref("people", p), _slug(u.person_name(p)[1][0]), PERSON_PROPERTIES
    elif roll < 0.95:
        subject, slug, table = u.ref("events", u.pick_event(rng)), "event", EVENT_PROPERTIES
    else:
        subject, slug, table = (
            u.ref("organizations", u.pick_org(rng)),
            "organization",
            ORG_PROPERTIES,
        )
    prop, value_kind = table[rng.randrange(len(table))]
    record_id = u.claim_id(i, slug, prop)
    if u.claim_is_tombstone(i):
        return {
            "id": record_id,
            "tombstone": {
                "action": "withdrawn",
                "reason": "The cited page does not support the claim.",
                "date": "2026-09-15",
            },
        }
    status = rng.choice(STATUSES)
    record: Record = {
        "id": record_id,
        "subject": subject,
        "property": prop,
        "value": claim_value(u, rng, value_kind),
        "claimed_by": u.agent(rng),
        "stance": rng.choice(STANCES),
        "status": status,
        "confidence": rng.choice(CONFIDENCES),
    }
    if rng.random() < 0.4:
        qualifiers: Record = {}
        if rng.random() < 0.5:
            qualifiers["role"] = rng.choice(POSITIONS).format(city=rng.choice(u.cities)[0])
        if rng.random() < 0.7:
            qualifiers["date"] = claim_date(rng)
        if not qualifiers or rng.random() < 0.3:
            qualifiers["place"] = u.ref("places", u.pick_place(rng))
        record["qualifiers"] = qualifiers
    citations = u.citations(rng, 1, 3, quote_share=0.6)
    if status == "adjudicated":
        judgment = u.ref("sources", u.pick_court_judgment(rng))
        if all(c["source"] != judgment for c in citations):
            citations = [{"source": judgment, "locator": f"p. {rng.randint(1, 400)}"}] + citations
    record["sources"] = citations
    if rng.random() < 0.2:
        record["note"] = rng.choice(NOTES)
    return record


def claim_value(u: Universe, rng: random.Random, value_kind: str) -> Any:
    if value_kind == "org":
        return u.ref("organizations", u.pick_org(rng))
    if value_kind == "place":
        return u.ref("places", u.pick_place(rng))
    if value_kind == "event":
        return u.ref("events", u.pick_event(rng))
    if value_kind == "date":
        return claim_date(rng)
    if value_kind == "quantity":
        low = rng.randint(1, 50) * 100
        return rng.choice(
            [
                {"min": low},
                {"min": low, "max": low * 6},
                {"max": low * 6, "approx": True},
                {"min": low, "max": low, "approx": True},
            ]
        )
    if value_kind == "position":
        return rng.choice(POSITIONS).format(city=rng.choice(u.cities)[0])
    return rng.choice(TEXTS[value_kind])


MAKERS: dict[str, Callable[[Universe, int, random.Random], Record]] = {
    "people": person,
    "organizations": organization,
    "places": place,
    "events": event,
    "sources": source,
    "claims": claim,
}
