"""``victims.csv``: one row per victim, made from the person records and the claims about them.

A researcher's table: each person in the category ``victim``, with their names in each script,
and what the claims about them say of their death, age, affiliation and the lists that name
them. Nothing in it is typed by hand: every cell comes from a record of the release, and every
cell made from claims comes with the ids of those claims (the ``…_claims`` column of its group).
Within a group the cells are lists, aligned: the n-th item of ``death_places`` is what the
n-th claim of ``death_claims`` says, and ``death_claimed_by`` says who says it.

Only claims that assert (stance ``asserts``) and are not retracted are read, as the derived
filters read them (chalicelib.release.derived). The records are the released ones, redacted
(chalicelib.release.redact), so a withheld value cannot reach the table; a claim whose value is
withheld is left out of its group.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.release.compiled import CompiledCollection, Spool
from chalicelib.release.derived import quantity_under
from chalicelib.release.tables import LIST_SEPARATOR, Column, header_bytes, lines_writer

VICTIMS_FILE = "victims.csv"
VICTIM = "victim"
UNDER = 18


@dataclass(frozen=True)
class Group:
    """Columns made from the claims of some properties: the claims' ids, who makes them,
    and what they give (``value``, and for a reference the title of what it points to)."""

    prefix: str
    properties: tuple[str, ...]
    value_column: str
    value_description: str
    title_column: str | None = None
    dated: bool = False


GROUPS = (
    Group(
        "death",
        ("killed_at",),
        "death_places",
        "The place of death each killed_at claim gives (a reference to places/).",
        "death_place_names",
        dated=True,
    ),
    Group(
        "age_at_alleged_offense",
        ("age_at_alleged_offense",),
        "age_at_alleged_offense",
        "The age in years at the time of the alleged offence each claim gives: '16', a range "
        "'16-17', '>=16' (at least) or '<=16' (at most), '~' before an approximate one.",
    ),
    Group(
        "age_at_death",
        ("age_at_death",),
        "age_at_death",
        "The age in years at death each claim gives, written as age_at_alleged_offense is.",
    ),
    Group(
        "affiliation",
        ("affiliated_with", "member_of"),
        "affiliations",
        "The organization each affiliated_with or member_of claim gives (a reference).",
        "affiliation_names",
    ),
    Group(
        "list",
        ("named_on_list",),
        "lists",
        "The list (a source) each named_on_list claim says names the victim (a reference).",
        "list_titles",
    ),
)
_PROPERTY_GROUP = {p: g for g in GROUPS for p in g.properties}
_NEEDLES = tuple(f'"property":"{p}"'.encode() for p in _PROPERTY_GROUP)


def _aligned(description: str) -> str:
    return description + " Aligned with the group's claims column."


def columns() -> list[Column]:
    """The columns of victims.csv, as the data package describes them."""
    found = [
        Column("id", ("id",), "scalar", description="The victim's id in people/."),
        Column("name", ("name",), "scalar", description="The display name, in English."),
        Column(
            "names_latn",
            ("names_latn",),
            "list",
            description="Every spelling in Latin script (script Latn) the record gives.",
        ),
        Column(
            "names_arab",
            ("names_arab",),
            "list",
            description="Every spelling in Persian/Arabic script (script Arab) the record gives.",
        ),
        Column(
            "names_other",
            ("names_other",),
            "list",
            description="Every spelling in another or an unstated script.",
        ),
        Column("died", ("died",), "scalar", description="The record's date of death (EDTF)."),
    ]
    for group in GROUPS:
        claims = f"{group.prefix}_claims"
        which = " or ".join(group.properties)
        found.append(
            Column(
                claims,
                (claims,),
                "list",
                description=f"The ids of the {which} claims about the victim that assert it, in "
                "id order; the other columns of the group follow their order.",
            )
        )
        found.append(
            Column(
                f"{group.prefix}_claimed_by",
                (f"{group.prefix}_claimed_by",),
                "list",
                description=_aligned("Who makes each claim (a reference)."),
            )
        )
        found.append(
            Column(
                group.value_column,
                (group.value_column,),
                "list",
                description=_aligned(group.value_description),
            )
        )
        if group.title_column:
            found.append(
                Column(
                    group.title_column,
                    (group.title_column,),
                    "list",
                    description=_aligned("The name or title of the record the claim points to."),
                )
            )
        if group.dated:
            found.append(
                Column(
                    f"{group.prefix}_dates",
                    (f"{group.prefix}_dates",),
                    "list",
                    description=_aligned("The date each claim gives (EDTF), empty if none."),
                )
            )
    found += [
        Column(
            "list_count",
            ("list_count",),
            "scalar",
            "integer",
            "How many distinct lists the named_on_list claims name the victim on.",
        ),
        Column(
            "under_18_at_alleged_offense",
            ("under_18_at_alleged_offense",),
            "scalar",
            "boolean",
            f"true when a claim gives an age under {UNDER} at the time of the alleged offence "
            "(its upper bound), as GET /people?under_18_at_alleged_offense=true selects.",
        ),
    ]
    return found


def quantity_text(value: Mapping[str, Any]) -> str:
    """An age as the table writes it: '16', '16-17', '>=16', '<=16', '~16'."""
    low, high = value.get("min"), value.get("max")
    if low is not None and high is not None:
        text = f"{low:g}" if low == high else f"{low:g}-{high:g}"
    elif low is not None:
        text = f">={low:g}"
    elif high is not None:
        text = f"<={high:g}"
    else:
        return ""
    return "~" + text if value.get("approx") else text


def _victims(people: CompiledCollection, spool: Spool) -> dict[str, dict]:
    found = {}
    for record in people.live(spool, features=False):
        if b'"victim"' not in record.body:
            continue
        person = json.loads(record.body)
        if VICTIM in person.get("categories", ()):
            found[f"people/{person['id']}"] = person
    return found


def _claims_about(
    victims: Mapping[str, dict], claims: CompiledCollection, spool: Spool
) -> dict[str, list[dict]]:
    """The asserting, unretracted claims of the table's properties about each victim."""
    found: dict[str, list[dict]] = {}
    marker = b'"subject":"'
    for record in claims.live(spool, features=False):
        body = record.body
        # Canonical JSON has no spaces: the subject is read from the bytes, and only the claims
        # of the table's properties about a victim are parsed (a million claims are not).
        start = body.find(marker)
        if start < 0 or not any(n in body for n in _NEEDLES):
            continue
        start += len(marker)
        if body[start : body.find(b'"', start)].decode("utf-8", "replace") not in victims:
            continue
        claim = json.loads(body)
        subject = claim.get("subject")
        if subject not in victims or claim.get("property") not in _PROPERTY_GROUP:
            continue
        if claim.get("stance") != "asserts" or claim.get("status") == "retracted":
            continue
        if "value" not in claim:
            continue  # withheld
        found.setdefault(subject, []).append(claim)
    return found


class _Titles:
    """The name or title of a referenced record, read from the release when first asked."""

    def __init__(self, collections: Mapping[str, CompiledCollection], spool: Spool):
        self._collections, self._spool = collections, spool
        self._known: dict[str, str] = {}

    def __call__(self, reference: str) -> str:
        if reference not in self._known:
            self._known[reference] = self._read(reference)
        return self._known[reference]

    def _read(self, reference: str) -> str:
        name, _, record_id = reference.partition("/")
        collection = self._collections.get(name)
        if collection is None:
            return ""
        o = bisect.bisect_left(collection.ids, record_id)
        if o == len(collection.ids) or collection.ids[o] != record_id:
            return ""
        record = json.loads(collection.spooled(self._spool, o, features=False).body)
        return str(record.get(collection.kind.title_field, ""))


def _names(person: dict, script: str | None) -> list[str]:
    names = [n for n in person.get("names", ()) if isinstance(n, dict) and "name" in n]
    if script is None:
        return [n["name"] for n in names if n.get("script") not in ("Latn", "Arab")]
    return [n["name"] for n in names if n.get("script") == script]


def victim_cells(person: dict, claims: list[dict], title_of) -> dict[str, str]:
    """One row of victims.csv, by column name."""
    join = LIST_SEPARATOR.join
    row = {
        "id": person["id"],
        "name": person.get("name", ""),
        "names_latn": join(_names(person, "Latn")),
        "names_arab": join(_names(person, "Arab")),
        "names_other": join(_names(person, None)),
        "died": person.get("died", ""),
    }
    for group in GROUPS:
        mine = [c for c in claims if c["property"] in group.properties]
        values = [
            quantity_text(c["value"]) if isinstance(c["value"], dict) else str(c["value"])
            for c in mine
        ]
        row[f"{group.prefix}_claims"] = join(c["id"] for c in mine)
        row[f"{group.prefix}_claimed_by"] = join(str(c.get("claimed_by", "")) for c in mine)
        row[group.value_column] = join(values)
        if group.title_column:
            row[group.title_column] = join(title_of(v) for v in values)
        if group.dated:
            row[f"{group.prefix}_dates"] = join(
                str(c.get("qualifiers", {}).get("date", "")) for c in mine
            )
    lists = {c["value"] for c in claims if c["property"] == "named_on_list"}
    row["list_count"] = str(len(lists))
    under = any(
        quantity_under(c["value"], UNDER)
        for c in claims
        if c["property"] == "age_at_alleged_offense" and isinstance(c["value"], dict)
    )
    row["under_18_at_alleged_offense"] = "true" if under else "false"
    return row


def write_victims(
    out: Any, collections: Mapping[str, CompiledCollection], spool: Spool
) -> tuple[int, str]:
    """Write victims.csv to ``out`` (a stream with ``write`` and ``close``); rows in id order."""
    table = columns()
    names = [c.name for c in table]
    out.write(header_bytes(table))
    victims = _victims(collections["people"], spool)
    claims = _claims_about(victims, collections["claims"], spool)
    title_of = _Titles(collections, spool)
    lines = lines_writer()
    for reference, person in victims.items():
        row = victim_cells(person, claims.get(reference, []), title_of)
        out.write(lines([[row[name] for name in names]]))
    return out.close()
