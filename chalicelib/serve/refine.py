"""What OpenRefine asks of a reconciliation service beside reconciling (W3C Reconciliation API
0.2): a preview card of a candidate, suggestions while a user types (entities, types,
properties), and data extension (new columns fetched for reconciled records).

Pure functions of a release and the parsed request; the HTTP side (parameters, caching, errors)
is the reconcile route's. Identifiers are those ``/reconcile`` gives its candidates:
``<collection>/<id>`` (``people/hossein-ali-nayyeri``).

Data extension reads the record and the claims about it. What a claim says is a claim: a column
of a claimed value (place of death, affiliation, lists) holds what any claim says, so a
contested fact gives every side's value, and the record's page shows who says which.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import BadParameter
from chalicelib.model.folding import finds, fold
from chalicelib.model.kinds import BY_COLLECTION, BY_NAME, KINDS, Kind, split_reference
from chalicelib.serve.limits import MAX_VALUE_LENGTH
from chalicelib.serve.request import Request, only, public_base
from chalicelib.serve.responses import CACHE_CURRENT, Reply, dumps, not_found
from chalicelib.serve.route import RELEASE_PARAM, Route, ok, problem_response, reads
from chalicelib.text import clip

MAX_IDS = 50  # ids of one extension request: OpenRefine sends ten rows at a time
MAX_PROPERTIES = 20
MAX_SUGGESTIONS = 20
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 160
PREVIEW_NAMES = 4  # other names a preview card shows
SUGGESTED_DESCRIPTION = 200  # characters of a description a suggestion shows
NAMED = tuple(kind for kind in KINDS if kind.collection != "claims")

Cell = dict[str, Any]  # one extension value: {"str"}, {"int"}, {"id", "name"}


@dataclass(frozen=True)
class Column:
    """A property data extension offers: an id, a label, the kinds that have it, and how a
    record and the claims about it give its values."""

    pid: str
    name: str
    kinds: tuple[str, ...]
    values: Callable[[Any, Kind, dict, list[dict]], list[Cell]]
    target: str | None = None  # the kind its values are, when they are records

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"id": self.pid, "name": self.name}
        if self.target:
            meta["type"] = {"id": self.target, "name": BY_NAME[self.target].name.capitalize()}
        return meta


# -- reading records ---------------------------------------------------------------------------


def record_of(release, reference: str) -> tuple[Kind, dict] | None:
    """The live record ``reference`` names (``people/x``), or None."""
    found = split_reference(reference) if isinstance(reference, str) else None
    if found is None or found[0] not in BY_COLLECTION or found[0] == "claims":
        return None
    index = release.collection_index(found[0])
    ordinal = index.ordinal_of(found[1])
    if ordinal is None:
        return None
    return BY_COLLECTION[found[0]], json.loads(index.records([ordinal])[0])


def claims_about(release, reference: str) -> list[dict]:
    """The live claims whose subject is ``reference``, in id order."""
    index = release.collection_index("claims")
    return [json.loads(body) for body in index.records(index.posting("subject", reference))]


def title_of(release, reference: str) -> str:
    found = record_of(release, reference)
    if found is None:
        return reference
    kind, record = found
    return str(record.get(kind.title_field, record["id"]))


# -- the columns -------------------------------------------------------------------------------


def _names(lang: str | None) -> Callable[[Any, Kind, dict, list[dict]], list[Cell]]:
    def values(release, kind: Kind, record: dict, claims: list[dict]) -> list[Cell]:
        names = record.get("names", [])
        return [{"str": n["name"]} for n in names if lang is None or n.get("lang") == lang]

    return values


def _field(name: str) -> Callable[[Any, Kind, dict, list[dict]], list[Cell]]:
    def values(release, kind: Kind, record: dict, claims: list[dict]) -> list[Cell]:
        value = record.get(name)
        return [{"str": value}] if isinstance(value, str) and value else []

    return values


def _claimed(*properties: str) -> Callable[[Any, Kind, dict, list[dict]], list[Cell]]:
    """The values the claims about the record give for ``properties``: a record as its id
    and name, a quantity as a whole number or a range, anything else as text."""

    def values(release, kind: Kind, record: dict, claims: list[dict]) -> list[Cell]:
        out: list[Cell] = []
        for claim in claims:
            if claim.get("property") not in properties:
                continue
            cell = _cell(release, claim.get("value"))
            if cell is not None and cell not in out:
                out.append(cell)
        return out

    return values


def _cell(release, value: Any) -> Cell | None:
    if isinstance(value, str):
        found = split_reference(value)
        if found is not None and found[0] in BY_COLLECTION:
            return {"id": value, "name": title_of(release, value)}
        return {"str": value}
    if isinstance(value, dict) and ("min" in value or "max" in value):
        low, high = value.get("min"), value.get("max")
        if low is not None and low == high and not value.get("approx"):
            return {"int": low}
        if low is not None and high is not None:
            text = f"{low}–{high}"
        elif low is not None:
            text = f"{low}" if value.get("approx") else f"at least {low}"
        else:
            text = f"at most {high}"
        return {"str": ("about " if value.get("approx") else "") + text}
    return None


COLUMNS = (
    Column("name_fa", "Name in Persian", tuple(k.name for k in NAMED), _names("fa")),
    Column("names", "Every name", tuple(k.name for k in NAMED), _names(None)),
    Column("born", "Date of birth (EDTF)", ("person",), _field("born")),
    Column("died", "Date of death (EDTF)", ("person",), _field("died")),
    Column("killed_at", "Place of death, as claimed", ("person",), _claimed("killed_at"), "place"),
    Column(
        "affiliation",
        "Affiliation, as claimed (member of, affiliated with)",
        ("person", "organization"),
        _claimed("member_of", "affiliated_with"),
        "organization",
    ),
    Column(
        "named_on_list", "Lists that name them, as claimed", ("person",), _claimed("named_on_list")
    ),
    Column("age_at_death", "Age at death, as claimed", ("person",), _claimed("age_at_death")),
    Column(
        "victim_count",
        "Victim counts, as claimed",
        ("event", "organization", "place"),
        _claimed("victim_count"),
    ),
)
BY_PID = {column.pid: column for column in COLUMNS}


def propose_properties(type_id: str | None, limit: int) -> dict[str, Any]:
    """What ``/reconcile/extend/propose`` answers: the columns ``type_id`` has."""
    kinds = (type_id,) if type_id in BY_NAME else tuple(k.name for k in NAMED)
    found = [c for c in COLUMNS if set(c.kinds) & set(kinds)][:limit]
    answer: dict[str, Any] = {"properties": [{"id": c.pid, "name": c.name} for c in found]}
    if type_id is not None:
        answer["type"] = type_id
    return answer


def extend(release, ids: list[str], pids: list[str]) -> dict[str, Any]:
    """The data extension answer: a row per id, a list of cells per property. An id that
    names no live record gets empty cells, and an unknown property an empty column, as the
    specification lets a service say it has nothing."""
    columns = [BY_PID.get(pid) for pid in pids]
    meta = [c.meta() if c else {"id": pid, "name": pid} for c, pid in zip(columns, pids)]
    rows: dict[str, dict[str, list[Cell]]] = {}
    for reference in ids:
        found = record_of(release, reference)
        row: dict[str, list[Cell]] = {pid: [] for pid in pids}
        if found is not None:
            kind, record = found
            claims = claims_about(release, reference)
            for column, pid in zip(columns, pids):
                if column is not None and kind.name in column.kinds:
                    row[pid] = column.values(release, kind, record, claims)
        rows[reference] = row
    return {"meta": meta, "rows": rows}


# -- suggest -----------------------------------------------------------------------------------


def suggest_entities(
    release, prefix: str, type_id: str | None, limit: int
) -> dict[str, list[dict]]:
    """Records whose names contain ``prefix`` (folded as search folds it), of ``type_id`` or
    of every named kind."""
    kinds = [BY_NAME[type_id]] if type_id in BY_NAME and type_id != "claim" else list(NAMED)
    result: list[dict] = []
    if not fold(prefix):
        return {"result": result}
    for kind in kinds:
        index = release.collection_index(kind.collection)
        for body in index.records(index.search(prefix, limit)):
            record = json.loads(body)
            entry = {
                "id": f"{kind.collection}/{record['id']}",
                "name": str(record.get(kind.title_field, record["id"])),
                "notable": [{"id": kind.name, "name": kind.name.capitalize()}],
            }
            if isinstance(record.get("description"), str):
                entry["description"] = record["description"][:SUGGESTED_DESCRIPTION]
            result.append(entry)
    return {"result": result[:limit]}


def suggest_types(prefix: str, limit: int) -> dict[str, list[dict]]:
    found = [k for k in NAMED if not fold(prefix) or finds(prefix, k.name)]
    return {
        "result": [
            {"id": k.name, "name": k.name.capitalize(), "description": k.description}
            for k in found[:limit]
        ]
    }


def suggest_properties(prefix: str, limit: int) -> dict[str, list[dict]]:
    found = [
        c for c in COLUMNS if not fold(prefix) or finds(prefix, c.pid) or finds(prefix, c.name)
    ]
    return {"result": [{"id": c.pid, "name": c.name} for c in found[:limit]]}


# -- preview -----------------------------------------------------------------------------------


def preview(release, reference: str, page_url: str) -> str | None:
    """A small HTML card of the record, for OpenRefine's preview pane; None when none."""
    found = record_of(release, reference)
    if found is None:
        return None
    kind, record = found
    name = str(record.get(kind.title_field, record["id"]))
    other = [n["name"] for n in record.get("names", []) if n.get("name") != name][:PREVIEW_NAMES]
    facts = [
        f"{label}: {record[field]}"
        for field, label in (("born", "Born"), ("died", "Died"), ("type", "Type"))
        if isinstance(record.get(field), str)
    ]
    lines = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(name)}</title></head>",
        "<body>",
        f'<p><a href="{html.escape(page_url, quote=True)}" target="_blank">'
        f"<b>{html.escape(name)}</b></a> ({html.escape(kind.name)})</p>",
    ]
    lines += [f'<p dir="auto">{html.escape(" · ".join(other))}</p>'] if other else []
    lines += [f"<p>{html.escape('; '.join(facts))}</p>"] if facts else []
    if isinstance(record.get("description"), str):
        lines.append(f"<p>{html.escape(clip(record['description'], 300))}</p>")
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def manifest_extras(base: str) -> dict[str, Any]:
    """What the manifest adds for these services (0.2: preview, suggest, extend)."""
    return {
        "preview": {
            "url": base + "/reconcile/preview?id={{id}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "suggest": {
            kind: {"service_url": base, "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {
                "service_url": base,
                "service_path": "/reconcile/extend/propose",
            },
            "property_settings": [],
        },
    }


# -- HTTP --------------------------------------------------------------------------------------


def _limit(text: str | None, default: int = 10) -> int:
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_SUGGESTIONS:
        raise BadParameter("limit", f"must be a whole number from 1 to {MAX_SUGGESTIONS}")
    return int(text)


def _type(text: str | None) -> str | None:
    if text is not None and text not in {k.name for k in NAMED}:
        raise BadParameter("type", f"must be one of {', '.join(k.name for k in NAMED)}")
    return text


def _suggest(what: str):
    def view(request: Request) -> Reply:
        allowed = (
            ("prefix", "type", "limit", "release") if what == "entity" else ("prefix", "limit")
        )
        one = only(request.params, allowed)
        prefix, limit = one.get("prefix", ""), _limit(one.get("limit"))
        if what == "type":
            return Reply(dumps(suggest_types(prefix, limit)), cache=CACHE_CURRENT)
        if what == "property":
            return Reply(dumps(suggest_properties(prefix, limit)), cache=CACHE_CURRENT)
        release, cache = request.release()
        answer = suggest_entities(release, prefix, _type(one.get("type")), limit)
        return Reply(dumps(answer), cache=cache)

    return view


def propose_view(request: Request) -> Reply:
    one = only(request.params, ("type", "limit"))
    answer = propose_properties(_type(one.get("type")), _limit(one.get("limit"), MAX_PROPERTIES))
    return Reply(dumps(answer), cache=CACHE_CURRENT)


def preview_view(request: Request) -> Reply:
    one = only(request.params, ("id", "release"))
    reference = one.get("id")
    if not reference:
        raise BadParameter("id", "is required: the id of a candidate, such as people/x")
    release, cache = request.release()
    base = public_base(request.headers, request.context, "/reconcile/preview")
    card = preview(release, reference, f"{base}/{reference}")
    if card is None:
        raise not_found(f"no record has the id '{clip(reference, 100)}'")
    return Reply(card.encode("utf-8"), content_type="text/html; charset=utf-8", cache=cache)


def parse_extend(text: str) -> tuple[list[str], list[str]]:
    """The ids and property ids of an ``extend=`` request, or BadParameter."""
    try:
        asked = json.loads(text)
    except (ValueError, RecursionError):
        asked = None
    ids = asked.get("ids") if isinstance(asked, dict) else None
    props = asked.get("properties") if isinstance(asked, dict) else None
    if not isinstance(ids, list) or not isinstance(props, list):
        raise BadParameter(
            "extend", 'must be JSON such as {"ids": ["people/x"], "properties": [{"id": "died"}]}'
        )
    if len(ids) > MAX_IDS or len(props) > MAX_PROPERTIES:
        raise BadParameter(
            "extend", f"send at most {MAX_IDS} ids and {MAX_PROPERTIES} properties at a time"
        )
    pids = [p.get("id") if isinstance(p, dict) else None for p in props]
    if not all(isinstance(i, str) for i in ids) or not all(isinstance(p, str) for p in pids):
        raise BadParameter("extend", 'ids are strings, and each property is {"id": "..."}')
    return [str(i) for i in ids], [str(p) for p in pids]


def query_param(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


TEXT = {"type": "string", "maxLength": MAX_VALUE_LENGTH}  # as the parameter parser bounds it
PREFIX = query_param("prefix", "What the user has typed so far.", TEXT)
LIMIT = query_param(
    "limit", "At most this many.", {"type": "integer", "minimum": 1, "maximum": MAX_SUGGESTIONS}
)
TYPE = query_param("type", "A type id.", {"type": "string", "enum": [k.name for k in NAMED]})
_ANSWER = {"type": "object", "additionalProperties": True}
_NOT_FOUND = {"404": problem_response("No such record, or no such release.")}

ROUTES = [
    Route(
        "/reconcile/preview",
        preview_view,
        reads(
            "A card of one candidate (OpenRefine's preview).",
            "",
            "reconcile_preview",
            ok({"type": "string"}, "A small HTML page.", "text/html"),
            (
                query_param("id", "A candidate's id: people/x.", {**TEXT, "minLength": 1}, True),
                RELEASE_PARAM,
            ),
            _NOT_FOUND,
        ),
        pages=False,
    ),
    *(
        Route(
            f"/reconcile/suggest/{what}",
            _suggest(what),
            reads(
                f"Suggest {what} ids from a prefix (OpenRefine's suggest).",
                "",
                f"suggest_{what}",
                ok({**_ANSWER, "required": ["result"]}),
                (PREFIX, LIMIT, TYPE, RELEASE_PARAM) if what == "entity" else (PREFIX, LIMIT),
                _NOT_FOUND,
            ),
        )
        for what in ("entity", "type", "property")
    ),
    Route(
        "/reconcile/extend/propose",
        propose_view,
        reads(
            "The properties data extension offers for a type.",
            "",
            "extend_propose",
            ok({**_ANSWER, "required": ["properties"]}),
            (TYPE, LIMIT),
        ),
    ),
]
