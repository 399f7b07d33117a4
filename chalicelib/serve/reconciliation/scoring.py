"""How a candidate is found and scored for a reconciliation query: pure functions over one
loaded ``Release``, which read its collection indexes and records and store nothing.

How a candidate is scored (the README repeats this for users):

* **Name.** The query and each of the record's names (for a source its title and identifiers)
  are folded as ``q=`` folds them (``folding.fold``: case, diacritics, spacing, punctuation,
  and Arabic against Persian letter forms). Equal folded strings score 1. Otherwise the score is
  the best ``difflib`` ratio between the folded strings, or 0.95 times the ratio of their words
  put in order, so that "Pour Mohammadi, Mostafa" finds "Mostafa Pour Mohammadi" but an exact
  spelling still ranks first.
* **Properties.** Each property given (``died``, ``place``, ``organization``) is, for each
  candidate, confirmed, contradicted or unknown (the record says nothing either way, or the
  release knows no place or organization by the value given). Unknown
  properties do not count. The name score is multiplied by 0.7 + 0.3 × the share of known
  properties confirmed: a contradiction costs up to 30%, and a confirmation never lifts a
  doubtful name.
* **Score** is that number times 100, rounded to one decimal. Candidates whose name scores
  under ``MIN_NAME`` (0.5) are left out.
* **match: true** is given to the first candidate only, and only when its score is at least
  ``MATCH_SCORE`` (90) and it leads the next candidate by at least ``MATCH_LEAD`` (10) points.
  Two records with the same name are therefore never matched automatically: a person has to
  choose.

Candidates are the records whose folded texts contain the folded query (the ``q=`` index),
together with those sharing the most trigrams with it (so "Purmohammadi" meets "Pourmohammadi"),
each then scored as above.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.model import edtf
from chalicelib.model.folding import fold, loose
from chalicelib.model.kinds import AGENTS, BY_COLLECTION, KINDS, Kind, split_reference, values_at
from chalicelib.model.ordering import OPEN_END, OPEN_START, day_number
from chalicelib.serve.reconciliation.protocol import TARGETS, Jsonish, Query, date_text, type_of

MATCH_SCORE, MATCH_LEAD = 90.0, 10.0
NAME_WEIGHT = 0.7  # what is left of a name's score when every known property contradicts it
MIN_NAME = 0.5
REORDERED = 0.95  # a match of the same words in another order ranks below the exact spelling
# A whole run of a name's words spelt another way (Nayeri, Nayyeri): a likely match, short of an
# exact one.
TRANSLITERATED = 0.9
PLACE_DEPTH = 4  # how far down 'within' a place reaches (country, province, city, prison)


# -- scoring -----------------------------------------------------------------------------------


_WORDS = re.compile(r"[\W_]+")


def _in_order(text: str) -> str:
    """The folded words of ``text``, sorted and joined: the same for any word order."""
    return "".join(sorted(filter(None, map(fold, _WORDS.split(text)))))


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else 0.0


def name_score(query: str, names: Iterable[str]) -> float:
    """How well ``query`` names a record with ``names``: 1 for an equal folded spelling."""
    folded, ordered, best = fold(query), _in_order(query), 0.0
    relaxed = loose(folded)
    for name in names:
        other = fold(name)
        if other == folded:
            return 1.0
        best = max(best, _ratio(folded, other), REORDERED * _ratio(ordered, _in_order(name)))
        if relaxed and _names_words_as(relaxed, name):
            best = max(best, TRANSLITERATED)
    return best


def _names_words_as(relaxed: str, name: str) -> bool:
    """Whether some run of the name's words is spelt as ``relaxed`` once transliterations are
    forgiven ('Nayeri' for 'Hossein Ali Nayyeri'): a match of a whole surname, not of a part."""
    words = [loose(fold(w)) for w in _WORDS.split(name) if fold(w)]
    return any(
        "".join(words[i:j]) == relaxed
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
    )


def match_texts(kind: Kind, record: dict) -> list[str]:
    """What a query is compared with: the record's names, or for kinds without names their
    searchable fields other than the description (a source's title and identifiers)."""
    paths = [p for p in kind.search_fields if p != ("description",)]
    return [v for path in paths for _, v in values_at(record, path) if isinstance(v, str)]


def display_name(kind: Kind, record: dict) -> str:
    if kind.collection == "claims":  # a claim has no name: say what it claims
        value = record.get("value")
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return f"{record.get('subject')} {record.get('property')} {shown}"
    return str(record.get(kind.title_field, record["id"]))


@dataclass
class Candidate:
    kind: Kind
    record: dict
    name: float
    features: list[tuple[str, bool]]  # (pid, confirmed) for each known property
    score: float = 0.0

    @property
    def ref(self) -> str:
        return f"{self.kind.collection}/{self.record['id']}"

    def to_json(self, match: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.ref,
            "name": display_name(self.kind, self.record),
            "type": [type_of(self.kind)],
            "score": self.score,
            "match": match,
            "features": [{"id": "name", "value": round(self.name, 3)}]
            + [{"id": pid, "value": confirmed} for pid, confirmed in self.features],
        }
        if isinstance(self.record.get("description"), str):
            out["description"] = self.record["description"]
        return out


def combined(name: float, features: list[tuple[str, bool]]) -> float:
    """The score (0 to 100) of a name score and the known properties."""
    if not features:
        return round(100 * name, 1)
    confirmed = sum(1 for _, ok in features if ok) / len(features)
    return round(100 * name * (NAME_WEIGHT + (1 - NAME_WEIGHT) * confirmed), 1)


def is_match(ranked: list[Candidate]) -> bool:
    """Whether the first candidate is clearly the one: see the module's docstring."""
    if not ranked or ranked[0].score < MATCH_SCORE:
        return False
    return len(ranked) == 1 or ranked[0].score - ranked[1].score >= MATCH_LEAD


# -- evidence from the release -----------------------------------------------------------------


class Evidence:
    """What the release says around a record, read once per request and only when a query
    gives properties: the references a record, the claims about it and its events hold."""

    def __init__(self, release):
        self.release = release
        self._related: dict[str, set[str]] = {}
        self._resolved: dict[tuple[str, str], frozenset[str]] = {}

    def _index(self, collection: str):
        return self.release.collection_index(collection)

    def _records(self, collection: str, ordinals: Iterable[int]) -> list[dict]:
        return [json.loads(b) for b in self._index(collection).records(list(ordinals))]

    def related(self, kind: Kind, record: dict) -> set[str]:
        ref = f"{kind.collection}/{record['id']}"
        found = self._related.get(ref)
        if found is not None:
            return found
        found = {ref}
        for field in kind.references:
            found.update(v for _, v in values_at(record, field.path) if isinstance(v, str))
        claims = self._index("claims")
        for claim in self._records("claims", claims.posting("subject", ref)):
            value = claim.get("value")
            if isinstance(value, str) and split_reference(value):
                found.add(value)
            place = (claim.get("qualifiers") or {}).get("place")
            if isinstance(place, str):
                found.add(place)
        if kind.collection in AGENTS:
            events = self._index("events")
            for event in self._records("events", events.posting("participant", ref)):
                found.add(f"events/{event['id']}")
                found.update(p for p in event.get("places", ()) if isinstance(p, str))
        self._related[ref] = found
        return found

    def resolve(self, collection: str, value: Jsonish) -> frozenset[str]:
        """The records of ``collection`` a property value names: by id, else by name (records
        whose folded name equals it, else whose names contain it). Places within a named
        place are included."""
        text = value["id"] if isinstance(value, dict) else str(value).strip()
        key = (collection, text)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = frozenset(self._resolve(collection, text))
        return found

    def _resolve(self, collection: str, text: str) -> set[str]:
        index = self._index(collection)
        kind = BY_COLLECTION[collection]
        target = split_reference(text)
        bare = target[1] if target and target[0] == collection else text
        if index.ordinal_of(bare) is not None:
            found = {f"{collection}/{bare}"}
        else:
            folded = fold(text)
            hits = index.search(text, 50) if folded else []
            records = self._records(collection, hits)
            exact = [r for r in records if any(fold(n) == folded for n in match_texts(kind, r))]
            found = {f"{collection}/{r['id']}" for r in (exact or records)}
        if collection == "places":
            found |= self._within(found)
        return found

    def _within(self, places: set[str]) -> set[str]:
        index, seen, frontier = self._index("places"), set(places), set(places)
        for _ in range(PLACE_DEPTH):
            inner = {
                f"places/{index.id_at(o)}" for ref in frontier for o in index.posting("within", ref)
            }
            frontier = inner - seen
            if not frontier:
                break
            seen |= frontier
        return seen - places


def _died_feature(record: dict, values: tuple[Jsonish, ...]) -> bool | None:
    died = record.get("died")
    if not isinstance(died, str):
        return None
    try:
        lo, hi = edtf.bounds(died)
    except edtf.EDTFError:
        return None
    start, end = day_number(lo, OPEN_START), day_number(hi, OPEN_END)
    for v in values:
        qlo, qhi = edtf.bounds(date_text(v))
        if day_number(qlo, OPEN_START) <= end and start <= day_number(qhi, OPEN_END):
            return True
    return False


def features_of(
    evidence: Evidence, kind: Kind, record: dict, properties: Iterable
) -> list[tuple[str, bool]]:
    """(pid, confirmed) for each property that tells this record apart; unknown ones left out."""
    out = []
    for prop, values in properties:
        if kind.name not in prop.kinds:
            continue
        if prop.pid == "died":
            verdict = _died_feature(record, values)
        else:
            target = TARGETS[prop.pid]
            held = {r for r in evidence.related(kind, record) if r.startswith(target + "/")}
            if not held:
                verdict = None  # the record names no place (or organization): unknown
            else:
                wanted = set().union(*(evidence.resolve(target, v) for v in values))
                # A value the release does not know cannot contradict anything.
                verdict = bool(held & wanted) if wanted else None
        if verdict is not None:
            out.append((prop.pid, verdict))
    return out


# -- answering a batch -------------------------------------------------------------------------


def candidates_of(release, kind: Kind, text: str, limit: int) -> list[tuple[Kind, dict]]:
    """Records of ``kind`` worth scoring for ``text``: substring hits and trigram neighbours."""
    index = release.collection_index(kind.collection)
    wanted = max(8 * limit, 40)
    ordinals = dict.fromkeys(index.search(text, wanted))
    ordinals.update(dict.fromkeys(index.trigrams().sharing(text, wanted)))
    return [(kind, json.loads(body)) for body in index.records(sorted(ordinals))]


def answer_query(release, evidence: Evidence, query: Query) -> list[dict[str, Any]]:
    if not fold(query.text):
        # No letter or digit ("--", a blank cell) names nothing: no candidates, as `q=` with
        # none is no search, rather than a whole batch refused for one cell.
        return []
    scored = []
    for kind in query.kinds:
        for _, record in candidates_of(release, kind, query.text, query.limit):
            name = name_score(query.text, match_texts(kind, record))
            if name < MIN_NAME:
                continue
            features = features_of(evidence, kind, record, query.properties)
            scored.append(Candidate(kind, record, name, features, combined(name, features)))
    order = {kind.collection: i for i, kind in enumerate(KINDS)}
    scored.sort(key=lambda c: (-c.score, order[c.kind.collection], c.record["id"]))
    ranked = scored[: query.limit]
    matched = is_match(ranked)
    return [c.to_json(matched and i == 0) for i, c in enumerate(ranked)]


def reconcile(release, queries: list[Query]) -> dict[str, dict[str, list]]:
    """The result batch: for each query's key, its candidates, best first."""
    evidence = Evidence(release)
    return {
        q.key: {
            "result": answer_query(release, evidence, q),
            **({"notes": list(q.notes)} if q.notes else {}),
        }
        for q in queries
    }
