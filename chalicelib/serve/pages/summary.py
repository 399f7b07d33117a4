"""The summary card that opens a record page: the key facts of the record, each with whose
account it is.

Pure functions over the record and the claims about it, so a static renderer can call them
too. Which facts a kind shows is declared here, once, as data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# A victim's page answers: where and when killed, how old, affiliated with whom, named where.
VICTIM = (
    "killed_at",
    "age_at_death",
    "age_at_alleged_offense",
    "affiliated_with",
    "named_on_list",
    "buried_at",
)
OFFICIAL = (
    "held_position",
    "member_of",
    "employed_by",
    "participated_in",
    "convicted_of",
    "sentenced_to",
)
EVENT = ("occurred_on",)
PLACE = ("located_in",)
# The record's own fields a summary shows, by collection; they are sourced by the record's
# own citations.
OWN_FIELDS = {
    "people": ("died", "born"),
    "events": ("date", "places"),
    "places": ("type", "within"),
    "organizations": ("type", "parent", "affiliation"),
    "sources": ("publisher", "published", "type", "languages"),
}


def claim_properties(collection: str, record: Mapping) -> tuple[str, ...]:
    """The claim properties whose claims the summary shows for this record."""
    categories = record.get("categories") or ()
    if collection == "people":
        return VICTIM if "victim" in categories else OFFICIAL
    if collection == "events":
        return EVENT
    if collection == "places":
        return PLACE
    return ()


SHOWN = 3  # claims of one property the card shows; the rest are a link to their section away


def facts(collection: str, record: Mapping, about: Mapping[str, Sequence[Mapping]]) -> dict:
    """``{"fields": [the record's own fields], "claims": [(property, claims shown, more)]}``."""
    fields = [f for f in OWN_FIELDS.get(collection, ()) if f in record]
    claims = [
        (p, list(about[p][:SHOWN]), max(0, len(about[p]) - SHOWN))
        for p in claim_properties(collection, record)
        if about.get(p)
    ]
    return {"fields": fields, "claims": claims}


def figure(value: object) -> float:
    """The number a count claim is sorted by: its lower bound, else its upper bound."""
    if isinstance(value, Mapping):
        for key in ("min", "max"):
            if isinstance(value.get(key), int | float):
                return float(value[key])
    return float("inf")


def counts_by_figure(claims: Sequence[Mapping]) -> list[Mapping]:
    """Count claims from the smallest figure to the largest (ties by claimant, then id)."""
    return sorted(
        claims,
        key=lambda c: (figure(c.get("value")), str(c.get("claimed_by", "")), str(c.get("id", ""))),
    )
