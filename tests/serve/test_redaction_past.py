"""Redacting past releases, on a versioned moto bucket: a value is published, then withheld,
and the next publish takes it out of every route, every release, every download and every
object version, while saying where and why it was withheld."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import pytest

from chalicelib.model.kinds import KINDS
from chalicelib.release.dataset import Dataset
from chalicelib.release.publish import publish
from chalicelib.release.redact import needles
from chalicelib.store import S3Store
from support.apidata import app_client
from support.aws import fake_aws
from support.harmdata import SECRETS, VICTIM_ALIAS, harm_dataset
from support.minidata import RELEASE_EPOCH, write

BUCKET = "harm-tests-1988"
PREFIX = "dataset"
FORMS = {secret: needles([secret]) for secret in SECRETS}
# Two publishes on a versioned bucket (``redacted``) are the cost of this module: its tests run
# on one worker, so that they are made once.
pytestmark = pytest.mark.xdist_group("redaction-past")


def plain(body: bytes) -> bytes:
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def leaked(body: bytes) -> list[str]:
    body = plain(body)
    return [secret for secret, forms in FORMS.items() if any(f in body for f in forms)]


@dataclass
class Redacted:
    store: S3Store
    url: str
    first: str  # published the values
    second: str  # withholds them
    warm_before: bytes  # what a warm reader served from the first release before the redaction
    warm_after: bytes  # what the same reader served from it once current.json named the register


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redacted(tmp_path_factory):
    with fake_aws():
        store = S3Store(BUCKET, PREFIX)
        store.client.create_bucket(Bucket=BUCKET)
        store.client.put_bucket_versioning(
            Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"}
        )
        folder = tmp_path_factory.mktemp("harm")
        first = publish(
            store, write(harm_dataset(withheld=False), folder / "d1"), epoch=RELEASE_EPOCH
        ).version
        # A second upload of a file leaves the first as an older version that still holds it.
        key = f"releases/{first}/files/people.csv"
        store.put(key, store.get(key), "text/csv; charset=utf-8")
        clock = Clock()
        warm = Dataset(store, clock=clock)
        warm_before = warm.pinned(first).record("people", "hamid-rostami").body
        result = publish(store, write(harm_dataset(), folder / "d2"), epoch=RELEASE_EPOCH + 86_400)
        assert result.purged > 10
        assert "objects of older releases withdrawn for redactions" in result.describe()
        second = result.version
        clock.now += 3600
        warm_after = warm.pinned(first).record("people", "hamid-rostami").body
        yield Redacted(store, f"s3://{BUCKET}/{PREFIX}", first, second, warm_before, warm_after)


@pytest.fixture
def client(redacted, monkeypatch):
    with app_client(redacted.url, monkeypatch) as test_client:
        yield test_client


def all_versions(store: S3Store) -> list[tuple[str, bytes]]:
    found = []
    paginator = store.client.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=BUCKET):
        for version in page.get("Versions", []):
            body = store.client.get_object(
                Bucket=BUCKET, Key=version["Key"], VersionId=version["VersionId"]
            )["Body"].read()
            found.append((version["Key"], body))
    return found


def test_the_first_release_did_publish_the_values(redacted):
    # Otherwise every test below would pass without redacting anything.
    assert VICTIM_ALIAS.encode() in redacted.warm_before
    register = json.loads(redacted.store.get("redactions.json"))["redactions"]
    alias = next(e for e in register if e["record"] == "people/hamid-rostami")
    withdrawn = alias["withdrawn"][redacted.first]
    assert {"files/people.csv", "files/all.jsonl.gz", "index/people/search.bin"} <= set(withdrawn)


def test_no_version_of_any_object_in_the_bucket_holds_a_withheld_value(redacted):
    versions = all_versions(redacted.store)
    assert len({key for key, _ in versions}) > 150  # both releases, every file
    assert [(key, leaked(body)) for key, body in versions if leaked(body)] == []


def test_a_warm_reader_stops_serving_the_value_once_current_json_names_the_register(redacted):
    assert VICTIM_ALIAS.encode() not in redacted.warm_after
    assert json.loads(redacted.warm_after)["withheld"][0] == {
        "pointer": "/names/1",
        "reason": "family-request",
    }


def routes(redacted) -> list[str]:
    paths = ["/", "/dataset", "/dataset/releases", "/schemas", "/openapi.json"]
    for kind in KINDS:
        paths.append(f"/{kind.collection}?limit=100")
        for secret in SECRETS + ("Abolghasemi", "Kazemi", "Darvishpour"):
            paths.append(f"/{kind.collection}?q={secret}")
    data = harm_dataset(withheld=False)
    for collection, records in data.items():
        for record in records:
            paths += [f"/{collection}/{record['id']}", f"/{collection}/{record['id']}/claims"]
    manifest = json.loads(redacted.store.get(f"releases/{redacted.first}/manifest.json"))
    paths += [f"/dataset/{p}" for p in manifest["files"] if p.startswith("files/")]
    return paths


def with_release(path: str, version: str | None) -> str:
    if version is None:
        return path
    return path + ("&" if "?" in path else "?") + f"release={version}"


def fetched(redacted, client, url: str):
    """The answer to ``url``, with a presigned download followed to its object."""
    response = client.http.get(url)
    if response.status_code == 302:
        location = urlparse(response.headers["Location"])
        key = unquote(location.path).split(f"/{BUCKET}/", 1)[-1].lstrip("/")
        body = redacted.store.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        return 200, body
    return response.status_code, response.body


def test_no_route_of_any_release_serves_a_withheld_value(redacted, client):
    answered = {}
    for version in (None, redacted.first, redacted.second):
        for path in routes(redacted):
            url = with_release(path, version)
            status, body = fetched(redacted, client, url)
            answered[url] = status
            assert status in (200, 308, 404, 410), (url, status, body[:200])
            assert leaked(body) == [], url
    # The first release still answers what the redaction did not touch.
    assert answered[with_release("/places/tehran", redacted.first)] == 200
    assert answered[with_release("/dataset/files/places.csv", redacted.first)] == 200


def test_a_pinned_record_of_an_older_release_answers_its_redacted_form(redacted, client):
    old = client.http.get(f"/people/hamid-rostami?release={redacted.first}")
    new = client.http.get(f"/people/hamid-rostami?release={redacted.second}")
    assert old.status_code == new.status_code == 200
    assert old.body == new.body
    record = json.loads(old.body)
    assert [n["name"] for n in record["names"]] == ["Hamid Rostami"]
    assert record["withheld"] == [
        {"pointer": "/names/1", "reason": "family-request"},
        {"pointer": "/born", "reason": "family-request"},
    ]


def test_an_unchanged_record_of_an_older_release_is_served_byte_for_byte(redacted, client):
    old = client.http.get(f"/places/tehran?release={redacted.first}")
    new = client.http.get(f"/places/tehran?release={redacted.second}")
    assert old.status_code == 200 and old.body == new.body


@pytest.mark.parametrize("name", ["people.csv", "all.jsonl.gz", "claims-sources.csv"])
def test_an_affected_download_of_an_older_release_is_410_naming_its_replacement(
    redacted, client, name
):
    response = client.http.get(f"/dataset/files/{name}?release={redacted.first}")
    assert response.status_code == 410
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = json.loads(response.body)
    assert problem["replaced_by"] == redacted.second
    assert problem["release"] == redacted.first
    assert redacted.second in problem["detail"]


def test_a_list_or_search_of_an_affected_collection_of_an_older_release_is_410(redacted, client):
    for url in ("/people", f"/people?q={VICTIM_ALIAS}"):
        response = client.http.get(with_release(url, redacted.first))
        assert response.status_code == 410, url
        assert json.loads(response.body)["replaced_by"] == redacted.second


def test_a_search_for_a_withheld_name_finds_nothing(redacted, client):
    for q in (VICTIM_ALIAS, "Abolghasemi", "Kazemi", "كاظمي"):
        response = client.http.get(f"/people?q={q}")
        assert response.status_code == 200
        assert json.loads(response.body)["items"] == [], q
    found = json.loads(client.http.get("/people?q=Rostami").body)["items"]
    assert [r["id"] for r in found] == ["hamid-rostami"]


def test_the_releases_listing_records_each_redaction_but_never_the_value(redacted, client):
    response = client.http.get("/dataset/releases")
    listing = json.loads(response.body)
    assert leaked(response.body) == []
    entries = {(e["record"], e["pointer"]): e for e in listing["redactions"]}
    assert set(entries) == {
        ("people/witness-a", "/name"),
        ("people/witness-a", "/names/0"),
        ("people/witness-a", "/names/1"),
        ("people/hamid-rostami", "/names/1"),
        ("people/hamid-rostami", "/born"),
        ("claims/witness-a-detained-at-evin", "/sources/0/quote"),
    }
    alias = entries[("people/hamid-rostami", "/names/1")]
    assert alias["reason"] == "family-request"
    assert alias["redacted_in"] == redacted.second
    assert alias["recorded"] == listing["releases"][0]["published"]
    assert "files/people.csv" in alias["withdrawn"][redacted.first]
    assert entries[("claims/witness-a-detained-at-evin", "/sources/0/quote")]["reason"] == "safety"


def test_publishing_again_neither_repeats_nor_loses_a_redaction(redacted, tmp_path):
    before = redacted.store.get("redactions.json")
    publish(redacted.store, write(harm_dataset(), tmp_path / "d"), epoch=RELEASE_EPOCH + 86_400)
    assert redacted.store.get("redactions.json") == before
    pointer = json.loads(redacted.store.get("current.json"))
    assert pointer["version"] == redacted.second and "redactions_sha256" in pointer
