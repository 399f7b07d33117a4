"""Filter values that come from claims: which lists name a person, how many, under 18.

A person's record does not say on which lists a claim names them; the claims about them do
(``named_on_list``, ``age_at_alleged_offense``). The registry declares such filters with
``FromClaims`` (chalicelib.model.kinds); this module works out their values.

The read pass keeps, of each live claim that asserts one of ``DERIVING_PROPERTIES``, only
``claim_fact``: its subject, property and value, read from the claim as released, so a
withheld subject or value derives nothing. The writer then adds each record's derived values
to what its index keeps (``DerivedValues.features``), so that the filters answer from the
list index like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.model.kinds import DERIVING_PROPERTIES, Filter, Kind

# (subject reference, property, value): a reference as a string, a quantity as (min, max).
ClaimFact = tuple[str, str, Any]


def claim_fact(claim: dict) -> ClaimFact | None:
    """What a derived filter needs of ``claim`` (as released), or None if it gives nothing:
    another property, a stance that does not assert it, a retracted claim, or a withheld
    subject or value."""
    prop = claim.get("property")
    if prop not in DERIVING_PROPERTIES:
        return None
    if claim.get("stance") != "asserts" or claim.get("status") == "retracted":
        return None
    subject, value = claim.get("subject"), claim.get("value")
    if not isinstance(subject, str):
        return None
    if isinstance(value, dict):
        low, high = value.get("min"), value.get("max")
        return subject, prop, (low, high)
    if isinstance(value, str):
        return subject, prop, value
    return None


def quantity_under(value: Any, below: int) -> bool:
    """Whether a quantity (as ``claim_fact`` gives it, or as a claim holds it) is under
    ``below``: its upper bound is. An age given as 14, or 14 to 16, is under 18; 'at least
    14' is not."""
    high = value.get("max") if isinstance(value, dict) else value[1] if value else None
    return isinstance(high, (int, float)) and not isinstance(high, bool) and high < below


def _rule_values(f: Filter, facts: list[tuple[str, Any]]) -> list[str]:
    rule = f.derived
    if rule is None:
        raise ValueError(f"filter {f.param!r} is not derived from claims")
    values = [value for prop, value in facts if prop in rule.properties]
    if rule.rule == "value":
        return sorted({v for v in values if isinstance(v, str)})
    if rule.rule == "count":
        return [str(len({v for v in values if isinstance(v, str)}))]
    if rule.rule == "under":
        if rule.below is None:
            raise ValueError(f"the 'under' rule of filter {f.param!r} names no bound")
        below = rule.below
        under = any(isinstance(v, tuple) and quantity_under(v, below) for v in values)
        return ["true"] if under else []
    raise ValueError(f"unknown derivation rule {rule.rule!r} for filter {f.param!r}")


class DerivedValues:
    """The claim facts of a release by subject, and the derived filter values they give."""

    def __init__(self, facts: Iterable[ClaimFact] = ()):
        self._by_subject: dict[str, list[tuple[str, Any]]] = {}
        for subject, prop, value in facts:
            self._by_subject.setdefault(subject, []).append((prop, value))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_subject.values())

    def values(self, kind: Kind, record_id: str) -> dict[str, list[str]]:
        """Each derived filter of ``kind``: the values the record ``record_id`` has."""
        facts = self._by_subject.get(f"{kind.collection}/{record_id}", [])
        return {f.param: _rule_values(f, facts) for f in kind.derived_filters}

    def features(self, kind: Kind, features: tuple) -> tuple:
        """``features`` (``index.index_features`` of a record of ``kind``) with the values of
        its derived filters filled in."""
        derived = kind.derived_filters
        if not derived:
            return features
        record_id, values, *rest = features
        found = self.values(kind, record_id)
        values = tuple(
            found[f.param] if f.derived is not None else v for f, v in zip(kind.filters, values)
        )
        return (record_id, values, *rest)
