"""The summary card that opens a record page: the key facts of the record, each with whose
account it is.

Pure functions over the record and the claims about it, so a static renderer can call them
too. Which facts a kind shows is declared here, once, as data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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


def bounds(value: object) -> tuple[float, float]:
    """A count's lowest and highest figure: a one-sided count has the one it gives for both."""
    if not isinstance(value, Mapping):
        return (float("inf"), float("-inf"))
    given = [float(value[k]) for k in ("min", "max") if isinstance(value.get(k), int | float)]
    return (min(given), max(given)) if given else (float("inf"), float("-inf"))


def counts_by_claimant(
    claims: Sequence[Mapping], said_on: Callable[[Mapping], str | None]
) -> list[dict]:
    """The count claims as one line per claimant, from the smallest figure to the largest.

    A claimant who gave several figures over the years is shown and
    placed by the latest it gave: that is its account now, and the earlier ones are how it got
    there, kept as the line's range and in the claims section below. Sorting by the highest
    would place a claimant by a figure it may have since withdrawn (an early "up to"), and by
    the lowest, by the first tally of a count still in progress. ``said_on`` gives the date a
    claim was said (its source's publication), an EDTF string, which sorts as text; a claim
    with no date counts as the earliest. Each line: ``claimed_by``, ``latest`` (the claim),
    ``said`` (its date), ``claims`` (all, oldest first) and ``range`` (lowest and highest, as
    a count value), ties by claimant.
    """
    groups: dict[str, list[Mapping]] = {}
    for claim in claims:
        groups.setdefault(str(claim.get("claimed_by", "")), []).append(claim)
    lines = []
    for claimant, own in groups.items():
        dated = sorted(
            own, key=lambda c: (said_on(c) or "", figure(c.get("value")), str(c.get("id", "")))
        )
        latest = dated[-1]
        lows, highs = zip(*(bounds(c.get("value")) for c in dated), strict=True)
        low, high = min(lows), max(highs)
        lines.append(
            {
                "claimed_by": claimant,
                "latest": latest,
                "said": said_on(latest),
                "claims": dated,
                "range": {"min": int(low), "max": int(high)} if low <= high else None,
            }
        )
    return sorted(lines, key=lambda line: (figure(line["latest"].get("value")), line["claimed_by"]))
