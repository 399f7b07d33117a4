"""The API over this repository's own ``data/``: the search spellings the issue names, and every
``curl`` line of the README's tour, each of which must get an answer."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from chalicelib.checks.intake import DATA_DIR
from chalicelib.model.kinds import BY_COLLECTION as COLLECTIONS
from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.apidata import app_client, ids, walk
from support.minidata import RELEASE_EPOCH

README = Path(__file__).resolve().parents[2] / "README.md"
BASE = "http://127.0.0.1:8000"
DOCUMENTED_ERRORS = {"sort=victims": 400}


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> tuple[str, str]:
    """data/ published once to a folder: (store URL, version)."""
    url = str(tmp_path_factory.mktemp("real") / "store")
    return url, publish(open_store(url), DATA_DIR, epoch=RELEASE_EPOCH).version


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
    assert {generic(route) for route in shown} == {generic(route) for route in app.routes}


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
