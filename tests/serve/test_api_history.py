"""``/<collection>/<id>/history`` and ``/dataset/changes?since=`` across two publishes: a record
added, changed, removed and merged, digests that match what each release serves, and pages.

Expected answers come from the two releases' directories, never from the history index.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlencode

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.release.dataset import Dataset
from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.apidata import app_client, get_json
from support.minidata import RELEASE_EPOCH, mini, with_tombstones, write


def second() -> dict[str, list[dict]]:
    """The mini dataset a day later: Tehran described, a spelling dropped, a court removed
    (with the source that cites it), a duplicate merged and a grave site withdrawn."""
    data = with_tombstones(mini())
    data["places"][0]["description"] = "The capital."
    data["people"][0]["names"] = data["people"][0]["names"][:2]
    data["organizations"] = [
        o for o in data["organizations"] if o["id"] != "stockholm-district-court"
    ]
    data["sources"] = [s for s in data["sources"] if s["id"] != "verdict-2022"]
    return data


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> tuple[str, str, str]:
    root = tmp_path_factory.mktemp("history")
    url = str(root / "store")
    first = publish(open_store(url), write(mini(), root / "d1"), epoch=RELEASE_EPOCH).version
    later = publish(open_store(url), write(second(), root / "d2"), epoch=RELEASE_EPOCH + 86400)
    return url, first, later.version


@pytest.fixture
def client(two_releases, monkeypatch):
    with app_client(two_releases[0], monkeypatch) as test_client:
        yield test_client


def digest(client, collection: str, record_id: str, version: str) -> str:
    response = client.http.get(f"/{collection}/{record_id}?release={version}")
    assert response.status_code == 200
    return hashlib.sha256(response.body).hexdigest()


def test_a_changed_record_lists_its_addition_and_change_with_the_fields_and_digests(
    client, two_releases
):
    _, first, later = two_releases
    body = get_json(client, "/places/tehran/history")
    assert (body["id"], body["release"], body["since"]) == ("places/tehran", later, first)
    added, changed = body["history"]
    assert (added["action"], added["release"]) == ("added", first)
    assert (changed["action"], changed["release"], changed["fields"]) == (
        "changed",
        later,
        ["description"],
    )
    assert added["sha256"] == digest(client, "places", "tehran", first)
    assert changed["sha256"] == digest(client, "places", "tehran", later)
    assert get_json(client, changed["href"])["description"] == "The capital."


def test_an_unchanged_record_lists_only_its_addition(client, two_releases):
    history = get_json(client, "/places/evin-prison/history")["history"]
    assert [(e["action"], e["release"]) for e in history] == [("added", two_releases[1])]


def test_removed_merged_and_withdrawn_records_keep_their_history(client, two_releases):
    later = two_releases[2]
    removed = get_json(client, "/organizations/stockholm-district-court/history")["history"]
    assert [(e["action"], e["sha256"]) for e in removed] == [
        ("added", removed[0]["sha256"]),
        ("removed", None),
    ]
    assert client.http.get("/organizations/stockholm-district-court").status_code == 404
    merged = get_json(client, "/people/pour-mohammadi-duplicate/history")["history"]
    assert [(e["action"], e.get("merged_into"), e["release"]) for e in merged] == [
        ("merged", "people/mostafa-pour-mohammadi", later)
    ]
    withdrawn = get_json(client, "/places/unverified-grave-site/history")["history"]
    assert [e["action"] for e in withdrawn] == ["withdrawn"]


def test_a_pinned_release_answers_with_the_history_it_had(client, two_releases):
    _, first, _ = two_releases
    body = get_json(client, f"/places/tehran/history?release={first}")
    assert [e["action"] for e in body["history"]] == ["added"]
    assert (
        client.http.get(f"/people/pour-mohammadi-duplicate/history?release={first}").status_code
        == 404
    )


def expected_changes(url: str, first: str, later: str) -> dict[tuple[str, str], str | None]:
    """(collection, id) -> sha256 now (None when gone), from the two directories."""
    dataset = Dataset(open_store(url))
    before, after = dataset.pinned(first), dataset.pinned(later)
    found = {}
    for kind in KINDS:
        old, new = before.directory(kind.collection), after.directory(kind.collection)
        for record_id in set(old) | set(new):
            a, b = old.get(record_id), new.get(record_id)
            if a is None or b is None or a["sha256"] != b["sha256"]:
                found[(kind.collection, record_id)] = b["sha256"] if b else None
    return found


def test_changes_since_the_first_release_are_every_record_that_differs(client, two_releases):
    url, first, later = two_releases
    body = get_json(client, f"/dataset/changes?since={first}")
    assert (body["since"], body["release"], body["next"]) == (first, later, None)
    got = {(i["collection"], i["id"]): i["sha256"] for i in body["items"]}
    assert got == expected_changes(url, first, later)
    assert body["total"] == len(got) == 6
    order = [(KINDS.index(next(k for k in KINDS if k.collection == c)), i) for c, i in got]
    assert order == sorted(order)


def test_changes_page_with_next_links_to_the_same_items(client, two_releases):
    _, first, _ = two_releases
    whole = get_json(client, f"/dataset/changes?since={first}")["items"]
    walked, url = [], f"/dataset/changes?{urlencode({'since': first, 'limit': 2})}"
    while url:
        page = get_json(client, url)
        assert len(page["items"]) <= 2
        walked += page["items"]
        url = page["next"]
    assert walked == whole


def test_changes_since_the_current_release_are_none_and_the_listing_links_each_release(
    client, two_releases
):
    _, first, later = two_releases
    assert get_json(client, f"/dataset/changes?since={later}")["items"] == []
    listing = get_json(client, "/dataset/changes")
    assert [r["version"] for r in listing["releases"]] == [first, later]
    assert listing["releases"][1]["href"] == f"/dataset/changes?since={first}"


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("since=yesterday", "since"),
        ("since={first}&limit=0", "limit"),
        ("since={first}&cursor=nowhere", "cursor"),
        ("since={first}&colour=red", "colour"),
    ],
)
def test_a_bad_changes_request_is_a_400_naming_the_parameter(
    client, two_releases, query, parameter
):
    response = client.http.get("/dataset/changes?" + query.format(first=two_releases[1]))
    assert response.status_code == 400, response.body[:300]
    assert json.loads(response.body)["parameter"] == parameter


def test_limit_or_cursor_alone_page_the_changes_since_the_first_release(client, two_releases):
    _, first, _ = two_releases
    whole = get_json(client, f"/dataset/changes?since={first}")
    alone = get_json(client, "/dataset/changes?limit=2")
    assert (alone["since"], alone["total"], alone["items"]) == (
        first,
        whole["total"],
        whole["items"][:2],
    )
    assert alone["next"].startswith("/dataset/changes?limit=2&cursor=")
    after = get_json(client, alone["next"])
    assert after["since"] == first and after["items"] == whole["items"][2:4]


def test_a_well_formed_since_outside_the_history_is_a_404_naming_since(client, two_releases):
    response = client.http.get("/dataset/changes?since=20200101-00000000")
    assert response.status_code == 404, response.body[:300]
    found = json.loads(response.body)
    assert found["parameter"] == "since"
    assert "not in the history" in found["detail"]


def test_the_openapi_document_states_the_changes_rules_the_server_applies(client):
    from chalicelib.serve.limits import MAX_CHANGES

    operation = json.loads(client.http.get("/openapi.json").body)["paths"]["/dataset/changes"]
    params = {p["name"]: p for p in operation["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == MAX_CHANGES
    # No parameter needs another (what OpenAPI cannot state): limit alone has a since.
    assert not any("x-requires" in p for p in params.values())
    assert "404" in operation["get"]["responses"] and "404" in operation["head"]["responses"]


def test_an_unknown_id_has_no_history(client):
    assert client.http.get("/people/nobody-at-all/history").status_code == 404
    assert client.http.get("/castles/x/history").status_code in (403, 404)


# -- Atom feeds --------------------------------------------------------------------------------


def feed(client, url: str):
    import feedparser  # pinned: the feeds are read as a feed reader reads them

    response = client.http.get(url)
    assert response.status_code == 200, (url, response.body[:300])
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.body)
    assert not parsed.bozo and parsed.version == "atom10", parsed.get("bozo_exception")
    return parsed


def test_the_dataset_feed_lists_the_second_publishs_changes_first(client, two_releases):
    later = two_releases[2]
    parsed = feed(client, "/dataset/changes.atom")
    newest = [e for e in parsed.entries if e.link.endswith(f"?release={later}")]
    assert newest and parsed.entries[: len(newest)] == newest
    assert "places/tehran changed" in {e.title for e in newest}  # described a day later
    assert all(e.link.startswith("http") for e in parsed.entries)  # absolute, as Atom asks
    places = feed(client, "/dataset/changes.atom?collection=places")
    assert places.entries and all("/places/" in e.link for e in places.entries)


def test_a_records_claims_feed_lists_only_the_claims_about_it(client, two_releases):
    parsed = feed(client, "/people/mostafa-pour-mohammadi/claims.atom")
    assert parsed.entries
    claims = get_json(client, "/claims?subject=people/mostafa-pour-mohammadi&limit=500")["items"]
    about = {c["id"] for c in claims}
    assert {e.title.split()[0] for e in parsed.entries} <= {f"claims/{i}" for i in about}


def test_a_bad_feed_request_is_a_400_or_404_naming_the_problem(client):
    bad = client.http.get("/dataset/changes.atom?collection=bogus")
    assert bad.status_code == 400 and json.loads(bad.body)["parameter"] == "collection"
    assert client.http.get("/people/nobody-at-all/claims.atom").status_code == 404


def test_the_history_page_shows_each_change_field_by_field(client):
    response = client.http.get("/places/tehran/history", headers={"Accept": "text/html"})
    assert response.status_code == 200
    body = response.body.decode()
    # The change of the later release: the description, from nothing to its new text.
    assert re.search(r"<dt>Description</dt>\s*<dd>\s*<ins>.*The capital\..*</ins></dd>", body, re.S)
    assert body.index("Changed") < body.index("Added")  # the latest first
