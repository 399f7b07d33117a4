"""The W3C Entity Reconciliation API, version 0.2: the protocol OpenRefine speaks.

``manifest`` describes the service; ``reconcile`` answers a batch of queries with ranked
candidates. Both are pure functions over one loaded ``Release``: they read its collection
indexes and records, and store and log nothing. ``answer`` is the HTTP side of ``/reconcile``
(GET, HEAD and form POST alike), built on the helpers every other route uses.

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
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from chalicelib.errors import BadParameter
from chalicelib.model import edtf
from chalicelib.model.folding import fold
from chalicelib.model.kinds import (
    AGENTS,
    BY_COLLECTION,
    BY_NAME,
    KINDS,
    Kind,
    split_reference,
    values_at,
)
from chalicelib.model.ordering import OPEN_END, OPEN_START, day_number
from chalicelib.serve import deferred, refine, views
from chalicelib.serve.limits import MAX_QUERIES_LENGTH
from chalicelib.serve.responses import CACHE_PINNED, Reply, dumps

SPEC_VERSIONS = ["0.2"]
SERVICE_NAME = "Iran 1988 prison massacres records"
# Stable names for what ids and types mean, whatever host serves them (the schemas' $id host).
IDENTIFIER_SPACE = "https://iran1988.example/"
SCHEMA_SPACE = "https://iran1988.example/schemas/"
BASE_URL_ENV = "PUBLIC_BASE_URL"

DEFAULT_LIMIT, MAX_LIMIT = 5, 25
MAX_QUERIES = 50  # OpenRefine sends 10 per batch
MAX_QUERY_CHARS = 200
MAX_VALUES = 10  # values of one property
MAX_BATCH_CHARS = MAX_QUERIES_LENGTH  # serve/limits.py: the parser applies it too
MAX_BODY = 1024 * 1024

MATCH_SCORE, MATCH_LEAD = 90.0, 10.0
NAME_WEIGHT = 0.7  # what is left of a name's score when every known property contradicts it
MIN_NAME = 0.5
REORDERED = 0.95  # a match of the same words in another order ranks below the exact spelling
# Claims carry no name: they are candidates only when a query asks for the claim type.
UNTYPED = tuple(kind for kind in KINDS if kind.collection != "claims")
PLACE_DEPTH = 4  # how far down 'within' a place reaches (country, province, city, prison)

Jsonish = Any


# -- the manifest ------------------------------------------------------------------------------


def type_of(kind: Kind) -> dict[str, str]:
    return {"id": kind.name, "name": kind.name.capitalize()}


def manifest(base: str, version: str, pinned: bool) -> dict[str, Any]:
    """The service manifest; ``view.url`` opens a candidate's own record at ``base``."""
    suffix = f"?release={version}" if pinned else ""
    return {
        "versions": SPEC_VERSIONS,
        "name": SERVICE_NAME,
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": f"{base}/openapi.json",
        "defaultTypes": [type_of(kind) for kind in KINDS],
        "view": {"url": base + "/{{id}}" + suffix},
        "release": version,
        **refine.manifest_extras(base),
    }


# -- properties --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Property:
    """A detail a query may give besides the name, and the kinds it can tell apart."""

    pid: str
    description: str
    aliases: tuple[str, ...]  # folded spellings a user may type in OpenRefine
    kinds: tuple[str, ...]


PROPERTIES = (
    Property(
        "died",
        "Date of death, as EDTF (1988, 1988-08, 1988-08-12, 1988-07/1988-09).",
        ("died", "death", "dateofdeath", "deathdate", "dod"),
        ("person",),
    ),
    Property(
        "place",
        "A place: its id ('places/evin-prison' or 'evin-prison') or a name. Places within it "
        "count too. Compared with the places the record, its claims and its events name.",
        ("place", "location", "places"),
        ("person", "organization", "place", "event"),
    ),
    Property(
        "organization",
        "An organization: its id or a name. Compared with the organizations the record and "
        "the claims about it name (member_of, employed_by, ...).",
        ("organization", "organisation", "org", "organizations"),
        ("person", "organization", "event", "source"),
    ),
)
_BY_ALIAS = {alias: p for p in PROPERTIES for alias in p.aliases}
_TARGET = {"place": "places", "organization": "organizations"}


# -- parsing a batch ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    key: str
    text: str
    kinds: tuple[Kind, ...]
    limit: int
    properties: tuple[tuple[Property, tuple[Jsonish, ...]], ...]


def _bad(message: str) -> BadParameter:
    return BadParameter("queries", message)


def parse_batch(text: str) -> list[Query]:
    """The queries of a ``queries=`` batch (a JSON object of query objects), or BadParameter."""
    if len(text) > MAX_BATCH_CHARS:
        raise _bad(f"the batch is over {MAX_BATCH_CHARS:,} characters; send fewer queries")
    try:
        batch = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad(
            'is not JSON; send an object such as {"q0": {"query": "Evin", "type": "place"}}'
        ) from None
    if not isinstance(batch, dict) or not batch:
        raise _bad('must be a JSON object of queries, such as {"q0": {"query": "Evin"}}')
    if len(batch) > MAX_QUERIES:
        raise _bad(f"holds {len(batch)} queries; send at most {MAX_QUERIES} per batch")
    return [_query(str(key), value) for key, value in batch.items()]


def _query(key: str, value: Jsonish) -> Query:
    where = f"query '{key[:40]}'"
    if not isinstance(value, dict):
        raise _bad(f"{where} must be an object with a 'query' string")
    unknown = sorted(set(value) - {"query", "type", "limit", "properties", "type_strict"})
    if unknown:
        raise _bad(
            f"{where} has an unknown member '{unknown[0][:40]}'; "
            "a query takes query, type, limit, properties and type_strict"
        )
    text = value.get("query")
    if not isinstance(text, str):
        raise _bad(f"{where} needs a 'query' string")
    if len(text) > MAX_QUERY_CHARS:
        raise _bad(f"{where}: 'query' is over {MAX_QUERY_CHARS} characters")
    if value.get("type_strict", "any") not in ("any", "should", "all"):
        raise _bad(f"{where}: 'type_strict' must be any, should or all")
    return Query(
        key,
        text,
        _kinds(where, value.get("type")),
        _limit(where, value.get("limit")),
        _properties(where, value.get("properties")),
    )


def _kinds(where: str, given: Jsonish) -> tuple[Kind, ...]:
    if given is None:
        return UNTYPED
    names = [given] if isinstance(given, str) else given
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _bad(f"{where}: 'type' must be a type id or a list of them")
    kinds = []
    for name in names:
        kind = BY_NAME.get(name) or BY_COLLECTION.get(name)
        if kind is None:
            known = ", ".join(k.name for k in KINDS)
            raise _bad(f"{where}: there is no type '{name[:40]}'; the types are {known}")
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def _limit(where: str, given: Jsonish) -> int:
    if given is None:
        return DEFAULT_LIMIT
    if (
        isinstance(given, bool)
        or not isinstance(given, (int, float))
        or not math.isfinite(given)
        or given != int(given)
        or not 1 <= given <= MAX_LIMIT
    ):
        raise _bad(f"{where}: 'limit' must be a whole number from 1 to {MAX_LIMIT}")
    return int(given)


def _properties(where: str, given: Jsonish) -> tuple[tuple[Property, tuple[Jsonish, ...]], ...]:
    if given is None:
        return ()
    if not isinstance(given, list):
        raise _bad(f"{where}: 'properties' must be a list of {{'pid': ..., 'v': ...}}")
    found = []
    for i, item in enumerate(given):
        at = f"{where}: properties[{i}]"
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise _bad(f"{at} must be an object with 'pid' and 'v'")
        pid = item["pid"]
        prop = _BY_ALIAS.get(fold(pid)) if isinstance(pid, str) else None
        if prop is None:
            known = ", ".join(p.pid for p in PROPERTIES)
            raise _bad(f"{at}: unknown property '{str(pid)[:40]}'; this service uses {known}")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        if len(values) > MAX_VALUES:
            raise _bad(f"{at} has {len(values)} values; give at most {MAX_VALUES}")
        for v in values:
            _check_value(at, prop, v)
        values = [v for v in values if not (isinstance(v, str) and not v.strip())]
        if values:  # an empty cell in a spreadsheet says nothing
            found.append((prop, tuple(values)))
    return tuple(found)


def _check_value(at: str, prop: Property, v: Jsonish) -> None:
    if isinstance(v, dict):
        if not isinstance(v.get("id"), str):
            raise _bad(f"{at}: an entity value needs an 'id' string")
        if prop.pid == "died":
            raise _bad(f"{at}: 'died' takes a date, not an entity")
        return
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise _bad(f"{at}: a value must be a string, a number or {{'id': ...}}")
    if isinstance(v, str) and len(v) > MAX_QUERY_CHARS:
        raise _bad(f"{at}: a value is over {MAX_QUERY_CHARS} characters")
    if prop.pid == "died" and str(v).strip():
        try:
            edtf.bounds(_date_text(v))
        except edtf.EDTFError as error:
            raise _bad(f"{at}: '{str(v)[:40]}' is not an EDTF date ({error})") from None


def _date_text(v: Jsonish) -> str:
    return str(int(v)) if isinstance(v, float) and v == int(v) else str(v).strip()


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
    for name in names:
        other = fold(name)
        if other == folded:
            return 1.0
        best = max(best, _ratio(folded, other), REORDERED * _ratio(ordered, _in_order(name)))
    return best


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
        qlo, qhi = edtf.bounds(_date_text(v))
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
            target = _TARGET[prop.pid]
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
    return {q.key: {"result": answer_query(release, evidence, q)} for q in queries}


# -- HTTP --------------------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
PARAMS = ("queries", "extend", "release")
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?")


def public_base(headers: Mapping[str, str], context: Mapping[str, Any] | None, path: str) -> str:
    """The URL this service is reached at, for the manifest's links.

    ``PUBLIC_BASE_URL`` when set (a deployment behind a custom domain should set it);
    otherwise the Host header, with the API Gateway stage that precedes ``path`` in the
    request context. A Host that is not a plain host name is not echoed back.
    """
    configured = os.environ.get(BASE_URL_ENV)
    if configured:
        return configured.rstrip("/")
    host = headers.get("host") or ""
    if not _HOST.fullmatch(host):
        host = "localhost"
    local = host.split(":")[0] in ("localhost", "127.0.0.1")
    scheme = headers.get("x-forwarded-proto") or ("http" if local else "https")
    scheme = scheme if scheme in ("http", "https") else "https"
    full = str((context or {}).get("path") or path)
    stage = full[: -len(path)] if full.endswith(path) else ""
    stage = stage if re.fullmatch(r"(/[A-Za-z0-9_-]+)*", stage) else ""
    return f"{scheme}://{host}{stage}"


def form_params(body: bytes, content_type: str | None) -> dict[str, list[str]]:
    """The parameters of a form POST, or a 4xx naming the problem."""
    views.accepted_body(
        body, content_type, FORM, f"send the batch as {FORM}, as queries=<JSON>", "body"
    )
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=16)
    except (UnicodeDecodeError, ValueError):
        raise BadParameter("queries", "the form body is not UTF-8 form data") from None


def answer(
    request,
    base: str,
    method: str,
    body: bytes = b"",
    content_type: str | None = None,
):
    """``/reconcile``: the manifest, or the answer to ``queries=`` (GET, HEAD or form POST).

    Read-only whatever the method: a POST computes an answer and stores nothing.
    """
    params = dict(request.params)
    if method == "POST":
        for name, values in form_params(body, content_type).items():
            params[name] = params.get(name, []) + values
    if "callback" in params:
        raise BadParameter(
            "callback", "JSONP is not offered; this service answers cross-origin requests (CORS)"
        )
    for name in params:
        if name not in PARAMS:
            raise BadParameter(
                name[:40], f"unknown parameter; /reconcile takes {', '.join(PARAMS)}"
            )
    batch = views.single(params, "queries")
    release, cache = views.release_for(params)
    extension = views.single(params, "extend")
    if extension is not None:  # data extension: columns for reconciled ids
        ids, pids = refine.parse_extend(extension)
        answer = dumps(refine.extend(release, ids, pids))
        return Reply(answer) if method == "POST" else Reply(answer, cache=cache)
    if batch is None:
        if method == "POST":
            raise BadParameter(
                "queries", "a POST sends a batch as queries=<JSON>; GET /reconcile is the manifest"
            )
        body = manifest(base, release.version, cache == CACHE_PINNED)
        return Reply(dumps(body), cache=cache)
    queries = parse_batch(batch)  # a bad batch costs no read beyond the release
    if method == "POST":
        return Reply(dumps(reconcile(release, queries)))  # no-store: answers to a body
    return views.kept(
        request, release, lambda: Reply(dumps(reconcile(release, queries)), cache=cache)
    )


# -- OpenAPI -----------------------------------------------------------------------------------

_TYPE_IDS = [kind.name for kind in KINDS]
_PROPERTY_VALUE = {
    "oneOf": [
        {"type": "string", "maxLength": MAX_QUERY_CHARS},
        {"type": "number"},
        {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
    ]
}
# `died` takes a date as _check_value reads one: EDTF text, a four-digit year as a number, or
# a blank cell (which says nothing).
_DATE_VALUE = {
    "anyOf": [
        {
            "type": "string",
            "pattern": edtf.EDTF_CALENDAR_PATTERN,
            "maxLength": edtf.EDTF_MAX_LENGTH,
        },
        {"type": "string", "pattern": r"^\s*$", "maxLength": MAX_QUERY_CHARS},
        {"type": "integer", "minimum": 1000, "maximum": 9999},
    ]
}


def _property_schema(pids: list[str], value: dict) -> dict:
    return {
        "type": "object",
        "required": ["pid", "v"],
        "properties": {
            "pid": {"type": "string", "enum": pids},
            "v": {"anyOf": [value, {"type": "array", "maxItems": MAX_VALUES, "items": value}]},
        },
    }


QUERY_SCHEMA = {
    "type": "object",
    "required": ["query"],
    "additionalProperties": False,
    "properties": {
        "query": {
            "type": "string",
            "maxLength": MAX_QUERY_CHARS,
            "description": "The name to match; one without a letter or digit has no candidates.",
        },
        "type": {
            "description": "A type id (person, organization, place, event, source, claim) or "
            "a list of them. Without it, every type but claim.",
            "oneOf": [
                {"type": "string", "enum": _TYPE_IDS},
                {"type": "array", "minItems": 1, "items": {"type": "string", "enum": _TYPE_IDS}},
            ],
        },
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "type_strict": {"type": "string", "enum": ["any", "should", "all"]},
        "properties": {
            "type": "array",
            "description": "; ".join(f"{p.pid}: {p.description}" for p in PROPERTIES),
            "items": {
                "oneOf": [
                    _property_schema(["died"], _DATE_VALUE),
                    _property_schema(
                        [p.pid for p in PROPERTIES if p.pid != "died"], _PROPERTY_VALUE
                    ),
                ]
            },
        },
    },
}
BATCH_SCHEMA = {
    "type": "object",
    "description": 'Query keys to queries: {"q0": {"query": "Evin", "type": "place"}}.',
    "minProperties": 1,
    "maxProperties": MAX_QUERIES,
    "additionalProperties": QUERY_SCHEMA,
}
MANIFEST_SCHEMA = {
    "type": "object",
    "description": "The service manifest (Reconciliation API 0.2).",
    "required": ["versions", "name", "identifierSpace", "schemaSpace", "defaultTypes", "view"],
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
        "identifierSpace": {"type": "string"},
        "schemaSpace": {"type": "string"},
        "documentation": {"type": "string"},
        "defaultTypes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
        },
        "view": {
            "type": "object",
            "required": ["url"],
            "properties": {"url": {"type": "string", "pattern": "\\{\\{id\\}\\}"}},
        },
        "release": {"type": "string"},
    },
}
RESULTS_SCHEMA = {
    "type": "object",
    "description": "For each query key, its candidates, best first.",
    "additionalProperties": {
        "type": "object",
        "required": ["result"],
        "properties": {
            "result": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "type", "score", "match"],
                    "properties": {
                        "id": {"type": "string", "description": "'<collection>/<id>'."},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "type": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "name": {"type": "string"},
                                },
                            },
                        },
                        "score": {"type": "number", "minimum": 0, "maximum": 100},
                        "match": {"type": "boolean"},
                        "features": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "value": {"type": ["number", "boolean"]},
                                },
                            },
                        },
                    },
                },
            }
        },
    },
}


BATCH_TEXT = {
    "type": "string",
    "minLength": 2,
    "maxLength": MAX_BATCH_CHARS,
    "contentMediaType": "application/json",
    "contentSchema": BATCH_SCHEMA,
    "description": 'A JSON object of queries: {"q0": {"query": "Evin", "type": "place"}}.',
    "examples": ['{"q0": {"query": "Evin", "type": "place"}}'],
}


EXTEND = {
    "name": "extend",
    "in": "query",
    "required": False,
    "description": (
        "Data extension: columns for reconciled ids, as JSON "
        '({"ids": ["people/x"], "properties": [{"id": "died"}]}); '
        "GET /reconcile/extend/propose lists the properties."
    ),
    "schema": {
        "type": "string",
        "maxLength": MAX_BATCH_CHARS,
        "contentMediaType": "application/json",
        "examples": ['{"ids": ["people/hossein-ali-nayyeri"], "properties": [{"id": "name_fa"}]}'],
        "contentSchema": {
            "type": "object",
            "required": ["ids", "properties"],
            "properties": {
                "ids": {"type": "array", "items": {"type": "string"}, "maxItems": refine.MAX_IDS},
                "properties": {
                    "type": "array",
                    "maxItems": refine.MAX_PROPERTIES,
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": {"type": "string"}},
                    },
                },
            },
        },
    },
}


def openapi_operation(method: str) -> dict[str, Any]:
    """The OpenAPI operation of ``/reconcile`` for ``method`` (GET or POST)."""
    openapi = deferred.openapi()  # built on demand, never on a reconciliation request

    # A string holding JSON: what both forms carry. Declared with `content:`, a generated client
    # drops the parameter, and an object form field is sent as the client language's repr.
    queries = {
        "name": "queries",
        "in": "query",
        "required": False,
        "description": "A batch of queries, as JSON. Without it, the service manifest.",
        "schema": BATCH_TEXT,
    }
    doc = (
        "Without `queries`, the service manifest (Reconciliation API 0.2, what OpenRefine "
        "reads when the service is added). With `queries`, ranked candidates for each query, "
        "each with `score` (0-100) and `match`. Names are folded as `q=` folds them. "
        f"`match` is true for the first candidate only when its score is at least {MATCH_SCORE:g} "
        f"and it leads the next by at least {MATCH_LEAD:g}. Read-only."
    )
    operation: dict[str, Any] = {
        "summary": "Match names against the dataset (W3C Reconciliation API 0.2)",
        "description": doc,
        "operationId": "reconcile" if method == "GET" else "reconcile_post",
        "parameters": [openapi.RELEASE_PARAM] + ([queries, EXTEND] if method == "GET" else []),
        "responses": {
            **openapi.COMMON_ERRORS,
            "200": {
                "description": "The manifest, or the candidates of each query.",
                "content": {
                    "application/json": {"schema": {"anyOf": [MANIFEST_SCHEMA, RESULTS_SCHEMA]}}
                },
                "headers": {
                    "ETag": {"schema": {"type": "string"}},
                    "Cache-Control": {"schema": {"type": "string"}},
                },
            },
            "400": openapi.problem_response(
                "The batch or a parameter is malformed; `detail` names the query."
            ),
        },
    }
    if method == "GET":
        operation["responses"]["304"] = {"description": "Not modified."}
        # A batch rides in the URL, and the HTTP server in front refuses one too long for it
        # (the dev server at 64 KiB) before the app sees it.
        operation["responses"]["414"] = {
            "description": "The URL is longer than the HTTP server takes; POST a long batch."
        }
    else:
        operation["requestBody"] = {
            "required": True,
            "content": {
                FORM: {
                    # The field holds the same JSON batch as GET's `queries`.
                    "schema": {
                        "type": "object",
                        "required": ["queries"],
                        "additionalProperties": False,
                        "properties": {"queries": BATCH_TEXT},
                    },
                }
            },
        }
        operation["responses"]["413"] = openapi.problem_response("The body is over 1 MiB.")
        operation["responses"]["415"] = openapi.problem_response(f"The body is not sent as {FORM}.")
    return operation
