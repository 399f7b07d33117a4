"""A small dataset of victims named on lists: the mini dataset plus two lists and four victims.

Who is on which list, by the claims that assert it:

| victim | UN list | PMOI list | age at the alleged offence |
|---|---|---|---|
| ali-both | yes | yes | 16 (under 18) |
| bahram-un | yes | | at least 16 (not under 18) |
| cyrus-pmoi | | yes (the UN's is denied) | 17 to 19 (not under 18) |
| dara-none | (a retracted claim) | | 14 to 15 (under 18), on a claim that disputes it: not read |

and an official, ``mostafa-pour-mohammadi``, whom no list names.
"""

from __future__ import annotations

import copy

from support.minidata import cite, mini

UN_LIST = "sources/un-1989-list"
PMOI_LIST = "sources/pmoi-list"
VICTIMS = ("ali-both", "bahram-un", "cyrus-pmoi", "dara-none")


def _victim(record_id: str, name: str, persian: str | None = None) -> dict:
    names = [{"name": name, "lang": "en", "script": "Latn"}]
    if persian:
        names.append({"name": persian, "lang": "fa", "script": "Arab", "note": "a test spelling"})
    return {
        "id": record_id,
        "name": name,
        "names": names,
        "categories": ["victim"],
        "died": "1988",
        "sources": cite(),
    }


def _claim(claim_id: str, subject: str, prop: str, value, **extra) -> dict:
    claim = {
        "id": claim_id,
        "subject": f"people/{subject}",
        "property": prop,
        "value": value,
        "claimed_by": "organizations/amnesty-international",
        "stance": "asserts",
        "status": "alleged",
        "confidence": "high",
        "sources": cite(),
    }
    claim.update(extra)
    return claim


def list_dataset() -> dict[str, list[dict]]:
    """The mini dataset with the lists, the victims and their claims (see the module)."""
    dataset = copy.deepcopy(mini())
    dataset["sources"] += [
        {
            "id": "un-1989-list",
            "title": "Report on the situation of human rights in Iran, annex (list of names)",
            "type": "un-document",
            "publisher": "organizations/amnesty-international",
            "published": "1989-01",
            "languages": ["en"],
            "url": "https://example.org/un-list",
        },
        {
            "id": "pmoi-list",
            "title": "Crime against humanity",
            "type": "report",
            "publisher": "organizations/amnesty-international",
            "published": "2001",
            "languages": ["en"],
            "url": "https://example.org/pmoi-list",
        },
    ]
    dataset["people"] += [
        _victim("ali-both", "Ali Both", "علی دو"),
        _victim("bahram-un", "Bahram Un"),
        _victim("cyrus-pmoi", "Cyrus Pmoi"),
        _victim("dara-none", "Dara None"),
    ]
    dataset["claims"] += [
        _claim("ali-both-on-un", "ali-both", "named_on_list", UN_LIST),
        _claim("ali-both-on-pmoi", "ali-both", "named_on_list", PMOI_LIST),
        _claim("ali-both-age", "ali-both", "age_at_alleged_offense", {"min": 16, "max": 16}),
        _claim(
            "ali-both-killed-at",
            "ali-both",
            "killed_at",
            "places/evin-prison",
            qualifiers={"date": "1988-08"},
        ),
        _claim("bahram-un-on-un", "bahram-un", "named_on_list", UN_LIST),
        _claim("bahram-un-age", "bahram-un", "age_at_alleged_offense", {"min": 16}),
        _claim("cyrus-pmoi-on-pmoi", "cyrus-pmoi", "named_on_list", PMOI_LIST),
        _claim("cyrus-pmoi-not-on-un", "cyrus-pmoi", "named_on_list", UN_LIST, stance="denies"),
        _claim("cyrus-pmoi-age", "cyrus-pmoi", "age_at_alleged_offense", {"min": 17, "max": 19}),
        _claim(
            "cyrus-pmoi-member",
            "cyrus-pmoi",
            "member_of",
            "organizations/stockholm-district-court",
        ),
        _claim("dara-none-on-un", "dara-none", "named_on_list", UN_LIST, status="retracted"),
        _claim(
            "dara-none-age",
            "dara-none",
            "age_at_alleged_offense",
            {"min": 14, "max": 15},
            stance="disputes",
        ),
    ]
    return dataset
