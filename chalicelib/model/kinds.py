"""The one registry of record kinds.

Everything that differs between collections is declared here, as data: the schema
a kind is validated against, the fields that hold references, dates and searchable
text, the list filters and sort keys. The validator, the release build, the query
engine, the routes and the OpenAPI document all read this registry, so adding a
kind or a filter is one change in one place.

Paths address values inside a record: a tuple of keys, where ``"*"`` steps into
every item of an array. ``("sources", "*", "source")`` yields the source reference
of each citation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chalicelib.text import escape_pointer

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_MAX_LENGTH = 80

Path = tuple[str, ...]


@dataclass(frozen=True)
class FromClaims:
    """Where a filter's values come from when they are not in the record: the live claims
    about it (their ``subject``) of ``properties`` that assert (stance ``asserts``).

    ``rule`` says what of them becomes the record's values:

    - ``value``: each claim's value (a reference);
    - ``count``: how many distinct values they give, as a decimal ('0' with none);
    - ``under``: 'true' when some claim's quantity has a ``max`` below ``below`` (an age
      given as 14, or as 14 to 16, is under 18; 'at least 14' is not).
    """

    properties: tuple[str, ...]
    rule: str
    below: int | None = None


@dataclass(frozen=True)
class Filter:
    """A list-route query parameter that keeps records whose value at ``path`` equals it, or,
    for a filter ``derived`` from claims, whose claims give it (``path`` is then empty)."""

    param: str
    path: Path
    description: str
    # The collections a reference-valued filter points into, so that OpenAPI can say so
    # and the query layer can accept either 'people/x' or a bare id.
    references: tuple[str, ...] = ()
    derived: FromClaims | None = None
    # May be given more than once; a record must then match every value given.
    repeatable: bool = False


@dataclass(frozen=True)
class ReferenceField:
    """A field holding references, and the collections it may point into."""

    path: Path
    targets: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of record: its schema name, its collection and how it is indexed.

    A kind is known by its name, which the registry keeps unique: two kinds are equal when
    their names are, and hash as their names do. The generated methods compared and hashed
    every field, nested tuples of paths and filters included, and the build looks kinds up
    several times for each of a million records.
    """

    name: str  # schema name, singular: 'person'
    collection: str  # API path and data/ folder, plural: 'people'
    title_field: str  # 'name', or 'title' for sources
    description: str
    references: tuple[ReferenceField, ...]
    date_fields: tuple[Path, ...]  # EDTF fields, checked for reversal; bounds feed date_from/to
    search_fields: tuple[Path, ...]
    filters: tuple[Filter, ...]
    sorts: tuple[str, ...]  # sortable keys besides 'id'; see ordering.sort_key
    # Dates whose span is what date_from/date_to overlap; empty means no date filter.
    span_fields: tuple[Path, ...] = field(default=())

    @property
    def schema_file(self) -> str:
        return f"{self.name}.schema.json"

    def filter(self, param: str) -> Filter | None:
        return next((f for f in self.filters if f.param == param), None)

    @property
    def derived_filters(self) -> tuple[Filter, ...]:
        """The filters whose values come from the claims about a record, not from it."""
        return tuple(f for f in self.filters if f.derived is not None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Kind):
            return NotImplemented
        return self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)


AGENTS = ("people", "organizations")
ALL_COLLECTIONS = ("people", "organizations", "places", "events", "sources", "claims")
CITATIONS = ReferenceField(("sources", "*", "source"), ("sources",))
NAMES: tuple[Path, ...] = (("name",), ("names", "*", "name"))
TYPE_FILTER = "Only records of this type."

KINDS: tuple[Kind, ...] = (
    Kind(
        name="person",
        collection="people",
        title_field="name",
        description="People: officials, victims, survivors, witnesses, researchers and family members.",
        references=(CITATIONS,),
        date_fields=(("born",), ("died",)),
        span_fields=(("born",), ("died",)),
        search_fields=NAMES + (("description",),),
        filters=(
            Filter("category", ("categories", "*"), "Only people in this category."),
            Filter(
                "named_on_list",
                (),
                "Only people whom a claim names on this list (a source; a named_on_list claim "
                "that asserts it). Give it more than once for the people named on every list "
                "given.",
                ("sources",),
                FromClaims(("named_on_list",), "value"),
                repeatable=True,
            ),
            Filter(
                "list_count",
                (),
                "Only people named on this many distinct lists by the claims about them, e.g. "
                "'1' (with named_on_list: named on that list and on no other), or '0'.",
                derived=FromClaims(("named_on_list",), "count"),
            ),
            Filter(
                "under_18_at_alleged_offense",
                (),
                "'true': only people whom a claim gives an age under 18 at the time of the "
                "alleged offence (an age_at_alleged_offense claim whose max is under 18).",
                derived=FromClaims(("age_at_alleged_offense",), "under", 18),
            ),
        ),
        sorts=("name", "born"),
    ),
    Kind(
        name="organization",
        collection="organizations",
        title_field="name",
        description="Organizations: state bodies, courts, commissions, NGOs, political groups, UN bodies and publishers.",
        references=(
            ReferenceField(("parent",), ("organizations",)),
            ReferenceField(("affiliation",), ("organizations",)),
            CITATIONS,
        ),
        date_fields=(("founded",), ("dissolved",)),
        span_fields=(("founded",), ("dissolved",)),
        search_fields=NAMES + (("description",),),
        filters=(
            Filter("type", ("type",), TYPE_FILTER),
            Filter(
                "relation", ("relation",), "Only organizations with this relation to the events."
            ),
        ),
        sorts=("name", "founded"),
    ),
    Kind(
        name="place",
        collection="places",
        title_field="name",
        description="Places: countries, cities, prisons, cemeteries and grave sites.",
        references=(
            ReferenceField(("within",), ("places",)),
            ReferenceField(("coordinates", "source", "source"), ("sources",)),
            CITATIONS,
        ),
        date_fields=(),
        search_fields=NAMES + (("description",),),
        filters=(
            Filter("type", ("type",), TYPE_FILTER),
            Filter("within", ("within",), "Only places directly within this place.", ("places",)),
        ),
        sorts=("name",),
    ),
    Kind(
        name="event",
        collection="events",
        title_field="name",
        description="Events: mass executions, decrees, meetings, trials, verdicts and publications.",
        references=(
            ReferenceField(("places", "*"), ("places",)),
            ReferenceField(("participants", "*", "ref"), AGENTS),
            ReferenceField(("part_of",), ("events",)),
            CITATIONS,
        ),
        date_fields=(("date",),),
        span_fields=(("date",),),
        search_fields=NAMES + (("description",),),
        filters=(
            Filter("type", ("type",), TYPE_FILTER),
            Filter("place", ("places", "*"), "Only events at this place.", ("places",)),
            Filter(
                "participant",
                ("participants", "*", "ref"),
                "Only events with this participant.",
                AGENTS,
            ),
            Filter(
                "part_of", ("part_of",), "Only events that are part of this event.", ("events",)
            ),
        ),
        sorts=("name", "date"),
    ),
    Kind(
        name="source",
        collection="sources",
        title_field="title",
        description="Sources: reports, press releases, news articles, court judgments, UN documents and recordings.",
        references=(
            ReferenceField(("publisher",), ("organizations",)),
            ReferenceField(("authors", "*"), AGENTS),
        ),
        date_fields=(("published",),),
        span_fields=(("published",),),
        search_fields=(("title",), ("description",), ("identifiers", "*", "value")),
        filters=(
            Filter("type", ("type",), TYPE_FILTER),
            Filter(
                "publisher", ("publisher",), "Only sources from this publisher.", ("organizations",)
            ),
        ),
        sorts=("title", "published"),
    ),
    Kind(
        name="claim",
        collection="claims",
        title_field="property",
        description="Claims: who asserts what about whom, in which source, at which page, in which words.",
        references=(
            ReferenceField(("subject",), ALL_COLLECTIONS),
            # The collection a claim's value points into depends on its property; the
            # claim schema's if/then rules are the one place that says which, and
            # SchemaSet.claim_value_types (chalicelib.model.schemas) reads them from there.
            ReferenceField(("qualifiers", "place"), ("places",)),
            # A reply: the claim it answers, made by someone that claim names.
            ReferenceField(("qualifiers", "in_reply_to"), ("claims",)),
            # An organization speaking through a person: the claim stays the organization's.
            ReferenceField(("qualifiers", "speaker"), ("people",)),
            ReferenceField(("claimed_by",), AGENTS),
            CITATIONS,
        ),
        date_fields=(("qualifiers", "date"),),
        span_fields=(("qualifiers", "date"),),
        search_fields=(("note",), ("qualifiers", "role"), ("sources", "*", "quote")),
        filters=(
            Filter("subject", ("subject",), "Only claims about this record.", ALL_COLLECTIONS),
            Filter("property", ("property",), "Only claims of this property."),
            Filter(
                "value",
                ("value",),
                "Only claims with this value (a reference or an exact text).",
                ALL_COLLECTIONS,
            ),
            Filter(
                "claimed_by",
                ("claimed_by",),
                "Only claims made by this person or organization.",
                AGENTS,
            ),
            Filter(
                "source",
                ("sources", "*", "source"),
                "Only claims citing this source.",
                ("sources",),
            ),
            Filter("status", ("status",), "Only claims with this status."),
            Filter("stance", ("stance",), "Only claims with this stance."),
            Filter("confidence", ("confidence",), "Only claims with this confidence."),
            Filter(
                "in_reply_to",
                ("qualifiers", "in_reply_to"),
                "Only replies to this claim.",
                ("claims",),
            ),
        ),
        sorts=("subject", "property", "date"),
    ),
)

BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
# Every claim property some kind's filters are derived from: the build keeps those claims.
DERIVING_PROPERTIES = frozenset(
    p for kind in KINDS for f in kind.filters if f.derived for p in f.derived.properties
)
BY_COLLECTION: dict[str, Kind] = {kind.collection: kind for kind in KINDS}


def kind_of_collection(collection: str) -> Kind | None:
    """The kind served at ``/<collection>`` ('people'), or None."""
    return BY_COLLECTION.get(collection)


def values_at(record: Any, path: Path) -> Iterator[tuple[str, Any]]:
    """Yield ``(json_pointer, value)`` for every value found at ``path`` in ``record``.

    Missing keys and wrong types yield nothing: the schema stage reports those, and
    the cross-record stage must still run on records that failed it.
    """
    # One level of the path at a time, not a recursive generator per node: the build calls
    # this a dozen times for each of a million records. Expanding each level in order gives
    # the values in the order a depth-first walk would.
    found: list[tuple[str, Any]] = [("", record)]
    for step in path:
        if step == "*":
            found = [
                (f"{pointer}/{index}", item)
                for pointer, node in found
                if isinstance(node, list)
                for index, item in enumerate(node)
            ]
        else:
            escaped = escape_pointer(step)
            found = [
                (f"{pointer}/{escaped}", node[step])
                for pointer, node in found
                if isinstance(node, dict) and step in node
            ]
        if not found:
            break
    return iter(found)


def split_reference(reference: str) -> tuple[str, str] | None:
    """Split 'people/x' into ('people', 'x'); None when it is not shaped like a reference."""
    collection, sep, record_id = reference.partition("/")
    if not sep or collection not in BY_COLLECTION or not record_id:
        return None
    return collection, record_id
