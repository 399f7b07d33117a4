"""The mini dataset plus records that withhold values: a living witness named without consent,
a victim whose family asked that an alias and a birth date be withheld, and a claim whose quote
is withheld for safety. Tests search every output for ``SECRETS``."""

from __future__ import annotations

import copy

from support.minidata import cite, mini

WITNESS_NAME = "Zahra Kazemi-Yeganeh"
# Persian written with the Arabic kaf and yeh, as sources often do: a file may hold any variant.
WITNESS_PERSIAN = "زهرا كاظمي یگانه"
VICTIM_ALIAS = "Nasrin Abolghasemi"
VICTIM_BORN = "1961-03-04"
QUOTE = "the guards called out Mehrangiz Darvishpour"

SECRETS = (WITNESS_NAME, WITNESS_PERSIAN, VICTIM_ALIAS, VICTIM_BORN, QUOTE)


def witness(*, withheld: bool = True, consent: bool = False) -> dict:
    record = {
        "id": "witness-a",
        "name": WITNESS_NAME,
        "names": [
            {"name": WITNESS_NAME, "lang": "en", "script": "Latn"},
            {"name": WITNESS_PERSIAN, "lang": "fa", "script": "Arab"},
        ],
        "categories": ["witness"],
        "description": "A witness of the 1988 prison massacres.",
        "sources": cite(),
    }
    if consent:
        record["sources"][0]["speaks_publicly_as"] = WITNESS_NAME
    if withheld:
        record["withheld"] = [
            {"pointer": "/name", "reason": "no-consent"},
            {"pointer": "/names/0", "reason": "no-consent"},
            {"pointer": "/names/1", "reason": "no-consent"},
        ]
    return record


def victim(*, withheld: bool = True) -> dict:
    record = {
        "id": "hamid-rostami",
        "name": "Hamid Rostami",
        "names": [
            {"name": "Hamid Rostami", "lang": "en", "script": "Latn"},
            {"name": VICTIM_ALIAS, "lang": "en", "script": "Latn", "note": "alias"},
        ],
        "categories": ["victim"],
        "born": VICTIM_BORN,
        "died": "1988",
        "sources": cite(),
    }
    if withheld:
        record["withheld"] = [
            {"pointer": "/names/1", "reason": "family-request"},
            {"pointer": "/born", "reason": "family-request"},
        ]
    return record


def detention_claim(*, withheld: bool = True) -> dict:
    record = {
        "id": "witness-a-detained-at-evin",
        "subject": "people/witness-a",
        "property": "detained_at",
        "value": "places/evin-prison",
        "claimed_by": "organizations/amnesty-international",
        "stance": "asserts",
        "status": "alleged",
        "confidence": "high",
        "sources": [{"source": "sources/amnesty-2018-report", "locator": "p. 40", "quote": QUOTE}],
    }
    if withheld:
        record["withheld"] = [{"pointer": "/sources/0/quote", "reason": "safety"}]
    return record


def harm_dataset(*, withheld: bool = True) -> dict[str, list[dict]]:
    """The mini dataset with the three records; ``withheld=False`` gives them as an earlier
    release published them, before anything was withheld (the witness then consented)."""
    dataset = copy.deepcopy(mini())
    dataset["people"] += [
        witness(withheld=withheld, consent=not withheld),
        victim(withheld=withheld),
    ]
    dataset["claims"].append(detention_claim(withheld=withheld))
    return dataset
