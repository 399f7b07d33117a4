"""The list routes over HTTP, on a folder store and on S3: every filter of every collection,
dates, search, sorting, and walking ``next`` links.

Expected answers come from brute force over the published records (``kinds.values_at``,
``edtf.bounds``, ``folding.finds``), never from the index that serves them.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from chalicelib.model import edtf
from chalicelib.model.folding import finds
from chalicelib.model.kinds import BY_COLLECTION, KINDS, Filter, Kind
from chalicelib.model.ordering import sort_key
from chalicelib.model.schemas import SchemaSet
from support.apidata import PERSON, SPELLINGS, get_json, ids, strings_at, walk

FILTERS = [(kind, f) for kind in KINDS for f in kind.filters]
VOCABULARIES = SchemaSet.from_dir().filter_vocabularies
CLOSED = [(kind, f) for kind, f in FILTERS if f.param in VOCABULARIES.get(kind.name, {})]
SORTS = [(kind, sort) for kind in KINDS for sort in ("id",) + kind.sorts]
DATED = [kind for kind in KINDS if kind.span_fields]
WINDOWS = [
    ("1988-08-01", "1988-08-31"),
    ("1988-07-28", "1988-07-28"),
    ("1988-09-15", None),
    (None, "1987"),
    ("1989-02", "1989-02"),
    ("1988-23", None),
    ("2030", None),
    (None, "1970"),
    ("1988", "1988"),
    ("../1979", "1979/.."),
    ("1950", "1960"),
]


def url(collection: str, **params) -> str:
    return f"/{collection}?{urlencode(params)}" if params else f"/{collection}"


def filter_values(kind: Kind, f: Filter, records: list[dict]) -> list[str]:
    """Every value the filter's field holds, each reference also as a bare id, and one absent."""
    held = sorted(set().union(*(strings_at(r, f.path) for r in records)))
    bare = sorted({v.partition("/")[2] for v in held if f.references and "/" in v})
    closed = VOCABULARIES.get(kind.name, {}).get(f.param)
    if closed is not None:  # an allowed value no record holds, since any other is refused
        return held + [v for v in closed if v not in held][:1]
    return held + bare + ["absent-value"]


def matches(f: Filter, record: dict, value: str) -> bool:
    held = strings_at(record, f.path)
    if f.references and "/" not in value:  # a bare id: any collection the filter may refer to
        return value in held or any(f"{c}/{value}" in held for c in f.references)
    return value in held


def in_order(kind: Kind, records: list[dict], sort: str, descending: bool) -> list[str]:
    key = sort_key(kind, sort)
    ordered = sorted(records, key=lambda r: (key(r) is None, key(r) or (), r["id"]))
    return ids(ordered[::-1] if descending else ordered)


def span(kind: Kind, record: dict) -> tuple[str, str] | None:
    bounds = [edtf.bounds(v) for path in kind.span_fields for v in strings_at(record, path)]
    if not bounds:
        return None
    return (
        min(lo or "0000-00-00" for lo, _ in bounds),
        max(hi or "9999-99-99" for _, hi in bounds),
    )


# -- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,f", FILTERS, ids=[f"{k.collection}-{f.param}" for k, f in FILTERS])
def test_each_filter_returns_exactly_the_matching_records(client, served, kind, f):
    records = served.live[kind.collection]
    for value in filter_values(kind, f, records):
        expected = [r["id"] for r in records if matches(f, r, value)]
        assert ids(walk(client, url(kind.collection, **{f.param: value}))) == expected, value


@pytest.mark.parametrize("kind,f", CLOSED, ids=[f"{k.collection}-{f.param}" for k, f in CLOSED])
def test_a_value_outside_a_closed_vocabulary_is_a_bad_parameter_naming_it(client, kind, f):
    response = client.http.get(url(kind.collection, **{f.param: "bogus"}))
    assert response.status_code == 400
    problem = response.json_body
    assert problem["parameter"] == f.param
    assert all(value in problem["detail"] for value in VOCABULARIES[kind.name][f.param])


def test_a_closed_claims_filter_on_a_record_claims_is_checked_too(client, served):
    person = served.live["people"][0]["id"]
    response = client.http.get(f"/people/{person}/claims?stance=bogus")
    assert response.status_code == 400
    assert response.json_body["parameter"] == "stance"


@pytest.mark.parametrize("kind,f", CLOSED, ids=[f"{k.collection}-{f.param}" for k, f in CLOSED])
def test_openapi_lists_a_closed_vocabulary_as_the_filter_enum(client, kind, f):
    document = get_json(client, "/openapi.json")
    for path in (f"/{kind.collection}",) + (
        ("/people/{id}/claims",) if kind.name == "claim" else ()
    ):
        for method in ("get", "head"):
            (parameter,) = [
                p for p in document["paths"][path][method]["parameters"] if p["name"] == f.param
            ]
            assert parameter["schema"]["enum"] == list(VOCABULARIES[kind.name][f.param])


def test_combined_filters_return_the_records_matching_all_of_them(client, served):
    claims = BY_COLLECTION["claims"]
    params = {"status": "alleged", "claimed_by": "amnesty-international", "limit": "3"}
    expected = [
        r["id"]
        for r in served.live["claims"]
        if matches(claims.filter("status"), r, "alleged")
        and matches(claims.filter("claimed_by"), r, "amnesty-international")
    ]
    assert len(expected) > 3
    assert ids(walk(client, url("claims", **params))) == expected


@pytest.mark.parametrize("kind", DATED, ids=[k.collection for k in DATED])
def test_date_filters_return_the_records_whose_span_overlaps_the_window(client, served, kind):
    records = served.live[kind.collection]
    for date_from, date_to in WINDOWS:
        lo = edtf.bounds(date_from)[0] if date_from else None
        hi = edtf.bounds(date_to)[1] if date_to else None
        expected = [
            r["id"]
            for r in records
            if (s := span(kind, r))
            and s[0] <= (hi or "9999-99-99")
            and s[1] >= (lo or "0000-00-00")
        ]
        params = {k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v}
        assert ids(walk(client, url(kind.collection, **params))) == expected, params


def test_a_date_filter_on_a_collection_without_dates_is_a_bad_parameter(client):
    response = client.http.get("/places?date_from=1988")
    assert response.status_code == 400
    assert response.json_body["parameter"] == "date_from"


# -- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", SPELLINGS)
def test_every_spelling_finds_mostafa_pour_mohammadi(client, q):
    found = ids(walk(client, url("people", q=q)))
    assert PERSON.split("/")[1] in found


@pytest.mark.parametrize(
    "collection,q",
    [
        ("people", "person 1"),
        ("people", "gohardasht"),
        ("people", "PERSON-0"),
        ("claims", "pourmohammadi"),
        ("claims", "role 2"),
        ("sources", "killings"),
        ("sources", "MDE 13/9421/2018"),
        ("places", "evin"),
        ("events", "event 1"),
        ("organizations", "organization"),
    ],
)
def test_search_returns_exactly_the_records_whose_texts_contain_the_folded_query(
    client, served, collection, q
):
    kind = BY_COLLECTION[collection]
    fields = kind.search_fields + ((kind.title_field,),)
    expected = [
        r["id"]
        for r in served.live[collection]
        if any(finds(q, text) for path in fields for text in strings_at(r, path))
    ]
    assert expected
    assert ids(walk(client, url(collection, q=q, limit="4"))) == expected


def test_search_combines_with_filters_and_sorts(client, served):
    expected = [
        r["id"]
        for r in served.live["people"]
        if "victim" in r["categories"] and finds("person", r["name"])
    ]
    found = walk(client, url("people", q="person", category="victim", sort="-name", limit="2"))
    assert sorted(ids(found)) == sorted(expected)
    assert ids(found) == in_order(BY_COLLECTION["people"], found, "name", descending=True)


# -- sorting and pagination -----------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("kind,sort", SORTS, ids=[f"{k.collection}-{s}" for k, s in SORTS])
def test_walking_next_visits_every_record_once_in_sort_order(
    client, served, kind, sort, descending
):
    records = served.live[kind.collection]
    found = ids(
        walk(client, url(kind.collection, sort=("-" if descending else "") + sort, limit="7"))
    )
    assert len(found) == len(set(found)), "a record was served twice"
    assert found == in_order(kind, records, sort, descending)


@pytest.mark.parametrize("sort", ["id", "-date", "subject", "-property"])
def test_a_filtered_walk_visits_every_match_once_in_sort_order(client, served, sort):
    claims = BY_COLLECTION["claims"]
    matching = [r for r in served.live["claims"] if r["stance"] == "asserts"]
    found = ids(walk(client, url("claims", stance="asserts", sort=sort, limit="6")))
    assert found == in_order(claims, matching, sort.lstrip("-"), sort.startswith("-"))


def test_each_page_carries_the_release_and_links_the_next_one(client, served):
    response = client.http.get("/claims?limit=50")
    page = response.json_body
    assert page["release"] == served.version
    assert len(page["items"]) == 50
    assert response.headers["Link"] == f'<{page["next"]}>; rel="next"'
    assert page["next"].startswith("/claims?limit=50&cursor=")
    last = get_json(client, "/claims?limit=500")
    assert last["next"] is None and len(last["items"]) == len(served.live["claims"])


def test_a_cursor_may_be_followed_with_another_limit(client, served):
    first = get_json(client, "/claims?limit=5")
    cursor = first["next"].rpartition("cursor=")[2]
    second = get_json(client, f"/claims?limit=9&cursor={cursor}")
    assert ids(first["items"] + second["items"]) == ids(served.live["claims"][:14])


def test_a_pinned_walk_stays_pinned(client, served):
    items = walk(client, f"/people?limit=10&release={served.version}")
    assert ids(items) == ids(served.live["people"])
    page = get_json(client, f"/people?limit=10&release={served.version}")
    assert f"release={served.version}" in page["next"]


# -- claims about a record ------------------------------------------------------------------

REFERRED = [
    "people/mostafa-pour-mohammadi",
    "people/person-03",
    "organizations/amnesty-international",
    "events/1988-prison-massacres",
    "places/evin-prison",
    "sources/amnesty-2018-report",
    "sources/src-02",
    "organizations/org-05",
]


@pytest.mark.parametrize("reference", REFERRED)
def test_claims_about_a_record_are_those_referring_to_it_anywhere(client, served, reference):
    claims = BY_COLLECTION["claims"]
    collection = reference.split("/")[0]
    expected = [
        r["id"]
        for r in served.live["claims"]
        if any(
            reference in strings_at(r, f.path) for f in claims.filters if collection in f.references
        )
    ]
    assert expected
    assert ids(walk(client, f"/{reference}/claims?limit=4")) == expected


def test_claims_about_a_record_take_the_claims_filters(client, served):
    expected = [
        r["id"]
        for r in served.live["claims"]
        if PERSON in (r["subject"], r["claimed_by"], r["value"]) and r["status"] == "alleged"
    ]
    assert ids(walk(client, f"/{PERSON}/claims?status=alleged&limit=2")) == expected


def test_a_cursor_for_one_record_claims_is_refused_for_another(client):
    page = get_json(client, "/organizations/amnesty-international/claims?limit=2")
    cursor = page["next"].rpartition("cursor=")[2]
    response = client.http.get(f"/organizations/org-01/claims?limit=2&cursor={cursor}")
    assert response.status_code == 404  # of a cursor's shape, it names no page of this query
    assert response.json_body["parameter"] == "cursor"
