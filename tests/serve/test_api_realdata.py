"""The API over this repository's own ``data/``: the search spellings the issue names, and every
``curl`` line of the README's tour, each of which must get an answer."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import sqlite3
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from chalicelib.model.folding import query_forms
from chalicelib.model.kinds import BY_COLLECTION as COLLECTIONS
from chalicelib.serve.route import UNKNOWN_PATHS
from chalicelib.store import open_store
from support.apidata import app_client, get_json, ids, walk

README = Path(__file__).resolve().parents[2] / "README.md"
BASE = "http://127.0.0.1:8000"
DOCUMENTED_ERRORS = {"sort=victims": 400}


@pytest.fixture(scope="module")
def real_store(real_published) -> tuple[str, str]:
    """data/ published to a folder: (store URL, version)."""
    return real_published


@pytest.fixture
def real_client(real_store, monkeypatch):
    with app_client(real_store[0], monkeypatch) as client:
        yield client


# The spellings that data/'s cited pages use (the synthetic SPELLINGS add "Purmohammadi", which no
# cited page uses, so data/ no longer holds it), and one the search must fold to them.
REAL_SPELLINGS = ("pourmohammadi", "Pour-Mohammadi", "Mustafa Pour-Mohammadi", "پورمحمدی")


@pytest.mark.parametrize("q", REAL_SPELLINGS)
def test_every_spelling_finds_mostafa_pour_mohammadi_in_the_real_data(real_client, q):
    assert "mostafa-pour-mohammadi" in ids(walk(real_client, f"/people?{urlencode({'q': q})}"))


# Spellings the pages data/ cites use for the same person (or, for the Persian ones, the letter
# forms Arabic and Persian keyboards give), each with the record the search must find: the
# spelling table of search. data/ holds one spelling of each; the others must fold to it.
SPELLING_TABLE = (
    ("nayeri", "people/hossein-ali-nayyeri"),
    ("Nayyeri", "people/hossein-ali-nayyeri"),
    ("Hosseinali Nayeri", "people/hossein-ali-nayyeri"),
    ("purmohammadi", "people/mostafa-pour-mohammadi"),
    ("Pour Mohammadi", "people/mostafa-pour-mohammadi"),
    ("Pourmohamadi", "people/mostafa-pour-mohammadi"),
    ("Avayi", "people/alireza-avaei"),
    ("Avaei", "people/alireza-avaei"),
    ("Reisi", "people/ebrahim-raisi"),
    ("Raeisi", "people/ebrahim-raisi"),
    ("Eshraqi", "people/morteza-eshraghi"),
    ("رئیسی", "people/ebrahim-raisi"),
    ("رئيسي", "people/ebrahim-raisi"),
    ("ابراهيم رييسي", "people/ebrahim-raisi"),
    ("نیری", "people/hossein-ali-nayyeri"),
    ("Khomeyni", "people/ruhollah-khomeini"),
    ("Evin Prison", "places/evin-prison"),
    ("Gohar Dasht", "places/gohardasht-prison"),
    # Persian names as the cited pages write them, found with or without their common noun.
    ("زندان اوین", "places/evin-prison"),
    ("اوین", "places/evin-prison"),
    ("خاوران", "places/khavaran"),
    ("عفو بین‌الملل", "organizations/amnesty-international"),
    ("سازمان عفو بين الملل", "organizations/amnesty-international"),
)


@pytest.mark.parametrize(
    "q,ref",
    [
        ("خاوران", "places/khavaran"),
        ("عفو بین‌الملل", "organizations/amnesty-international"),
        ("زندان اوین", "places/evin-prison"),
        ("اوین", "places/evin-prison"),
        ("nayeri", "people/hossein-ali-nayyeri"),
    ],
)
def test_reconcile_finds_persian_names_and_spellings(real_client, q, ref):
    batch = json.dumps({"q0": {"query": q}})
    answer = get_json(real_client, f"/reconcile?{urlencode({'queries': batch})}")
    assert ref in [candidate["id"] for candidate in answer["q0"]["result"]]


@pytest.mark.parametrize("q,ref", SPELLING_TABLE)
def test_the_spelling_table_finds_its_record_through_q(real_client, q, ref):
    collection, _, record_id = ref.partition("/")
    assert record_id in ids(walk(real_client, f"/{collection}?{urlencode({'q': q})}"))


@pytest.mark.parametrize("q,ref", SPELLING_TABLE)
def test_the_spelling_table_finds_its_record_through_search(real_client, q, ref):
    collection, _, record_id = ref.partition("/")
    answer = get_json(real_client, f"/search?{urlencode({'q': q, 'limit': '50'})}")
    (group,) = [g for g in answer["results"] if g["collection"] == collection]
    assert record_id in [item["id"] for item in group["items"]]


@pytest.fixture(scope="module")
def real_sqlite(real_store, tmp_path_factory) -> Path:
    """all.sqlite with the release's metadata.json beside it, as a user downloads them."""
    url, version = real_store
    folder = tmp_path_factory.mktemp("sqlite")
    for name in ("all.sqlite", "metadata.json"):
        (folder / name).write_bytes(open_store(url).get(f"releases/{version}/files/{name}"))
    return folder / "all.sqlite"


@pytest.mark.parametrize("q,ref", SPELLING_TABLE)
def test_the_spelling_table_finds_its_record_in_all_sqlite(real_sqlite, q, ref):
    """all.sqlite's full-text index holds each name's folded forms: the query's forms find it."""
    collection, _, record_id = ref.partition("/")
    match = "folded : (" + " OR ".join(f'"{f}"' for f in query_forms(q)) + ")"
    with sqlite3.connect(f"file:{real_sqlite}?mode=ro", uri=True) as db:
        found = db.execute(
            f'SELECT t.id FROM "{collection}_fts" f JOIN "{collection}" t ON t.rowid = f.rowid '
            f'WHERE "{collection}_fts" MATCH ?',
            (match,),
        ).fetchall()
    assert (record_id,) in found


@pytest.mark.parametrize(
    "q,ref",
    [
        ("Pour-Mohammadi", "people/mostafa-pour-mohammadi"),
        ("رئیسی", "people/ebrahim-raisi"),
        ("ابراهيم", "people/ebrahim-raisi"),  # Arabic yeh
        ("ابراهیم", "people/ebrahim-raisi"),
        ("Nayyeri", "people/hossein-ali-nayyeri"),
    ],
)
def test_datasette_search_finds_raw_spellings(real_sqlite, q, ref):
    """Datasette's ``_search`` does not fold its query: the index holds the written forms.
    Datasette is opened as the README says, with the release's metadata.json (which names each
    table's full-text index); the answer must be narrowed, not the whole table."""
    from datasette import app as datasette_app  # pinned: the test runs, never skips

    collection, _, record_id = ref.partition("/")
    metadata = json.loads((real_sqlite.parent / "metadata.json").read_text(encoding="utf-8"))
    ds = datasette_app.Datasette(immutables=[str(real_sqlite)], metadata=metadata)
    query = urlencode({"_search": q, "_shape": "objects"})

    async def ask() -> dict:
        response = await ds.client.get(f"/all/{collection}.json?{query}")
        assert response.status_code == 200, response.text[:300]
        return response.json()

    answer = asyncio.run(ask())
    assert record_id in [row["id"] for row in answer["rows"]]
    with sqlite3.connect(f"file:{real_sqlite}?mode=ro", uri=True) as db:
        (total,) = db.execute(f'SELECT count(*) FROM "{collection}"').fetchone()
    assert len(answer["rows"]) < total, "the search did not narrow the table"


def readme_curls() -> list[str]:
    """Every curl command in the README's shell blocks, without what it is piped into."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("curl ") and BASE in line
    ]


def as_request(command: str, version: str) -> tuple[str, str, dict, bytes | None]:
    """(method, path, headers, body) of one README curl line, as curl would send them."""
    tokens = shlex.split(command.replace("$V", version))
    if "|" in tokens:
        tokens = tokens[: tokens.index("|")]
    method, headers, body, flags, url, encoded = None, {"Accept": "*/*"}, None, set(), None, []
    words = iter(tokens[1:])
    for word in words:
        if word in ("-X", "--request"):
            method = next(words)
        elif word in ("-H", "--header"):
            name, _, value = next(words).partition(":")
            headers[name.strip()] = value.strip()
        elif word in ("-d", "--data", "--data-binary"):
            body = next(words).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif word == "--data-urlencode":
            name, _, value = next(words).partition("=")
            encoded.append(f"{name}={quote(value, safe='')}")
        elif word.startswith(BASE):
            url = word
        elif word.startswith("-") and not word.startswith("--"):
            flags |= set(word[1:])
        else:
            raise AssertionError(f"the README uses a curl option this test does not know: {word}")
    path = url[len(BASE) :]
    if encoded:  # -G puts the encoded data in the query
        assert "G" in flags, command
        path += ("&" if "?" in path else "?") + "&".join(encoded)
    method = method or ("HEAD" if "I" in flags else "POST" if body is not None else "GET")
    return method, path, headers, body


def generic(route: str) -> str:
    """'/people/{id}' as '/<collection>/{id}': the six collections' routes come from one registry."""
    head, _, rest = route[1:].partition("/")
    return "/<collection>" + (f"/{rest}" if rest else "") if head in COLLECTIONS else route


def test_the_readme_tour_has_a_curl_for_every_route():
    from chalice.local import RouteMatcher

    from app import app

    matcher = RouteMatcher(list(app.routes))
    shown = {matcher.match_route(as_request(command, "v")[1]).route for command in readme_curls()}
    routes = {generic(route) for route in app.routes if route != UNKNOWN_PATHS}
    assert {generic(route) for route in shown} == routes


@pytest.mark.parametrize("command", readme_curls())
def test_every_curl_in_the_readme_gets_an_answer(real_client, real_store, command):
    method, path, headers, body = as_request(command, real_store[1])
    response = real_client.http.request(method, path, headers=headers, body=body)
    expected = next(
        (status for marker, status in DOCUMENTED_ERRORS.items() if marker in path), None
    )
    if expected is not None:
        assert response.status_code == expected, response.body[:300]
    else:
        assert response.status_code in (200, 304), (response.status_code, response.body[:300])
