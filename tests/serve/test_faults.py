"""Storage faults: the API answers 503 + Retry-After, or the last verified data, and never
a 500, a corrupt record or a poisoned cache.

S3 faults are injected into moto with a botocore ``before-send`` hook, which sees (and counts)
every attempt botocore makes, retries included. Missing and corrupted objects are made in
both stores, a folder and a bucket. Backoff sleeps are recorded instead of slept.
"""

from __future__ import annotations

import contextlib
import json
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from chalicelib.release.dataset import Dataset
from chalicelib.store import FAIL_FAST_SECONDS
from support.hardening import (
    Api,
    Damage,
    FakeClock,
    Published,
    S3Faults,
    assert_retry_later,
    chalice_client,
    published_mini,
    s3_faults,
)
from support.service import current, serve

REPO = Path(__file__).resolve().parents[2]
FAULTS = s3_faults()
TTL = 30
NEW_PLACE = {
    "kind": "place",
    "record": {
        "id": "shiraz",
        "name": "Shiraz",
        "names": [{"name": "Shiraz", "lang": "en"}],
        "type": "city",
        "sources": [{"source": "sources/amnesty-2018-report", "locator": "p. 4"}],
    },
}

# Every kind of route, each of which must read the store to answer.
ROUTES = [
    ("GET", "/"),
    ("GET", "/people"),
    ("GET", "/people/mostafa-pour-mohammadi"),
    ("GET", "/people/mostafa-pour-mohammadi/claims"),
    ("GET", "/claims?subject=people/mostafa-pour-mohammadi&limit=1"),
    ("GET", "/events?date_from=1988-07&date_to=1988-09"),
    ("GET", "/people?q=pourmohammadi"),
    ("GET", "/schemas"),
    ("GET", "/schemas/person"),
    ("GET", "/dataset"),
    ("GET", "/dataset/files/people.csv"),
    ("GET", "/dataset/releases"),
    ("GET", "/openapi.json"),
    ("GET", "/places/evin-prison?release={version}"),
    ("POST", "/validate"),
]


@pytest.fixture(scope="module")
def s3_published(tmp_path_factory, mini_release):
    with published_mini("s3", tmp_path_factory.mktemp("s3"), mini_release()) as published:
        yield published


@pytest.fixture(scope="module")
def dir_published(tmp_path_factory, mini_release):
    with published_mini("dir", tmp_path_factory.mktemp("dir"), mini_release()) as published:
        yield published


@pytest.fixture(params=["dir", "s3"])
def published(request) -> Published:
    return request.getfixturevalue(f"{request.param}_published")


@pytest.fixture
def backoff(monkeypatch) -> list[float]:
    """The seconds botocore asks to sleep between attempts, recorded rather than slept."""
    import botocore.endpoint

    sleeps: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=sleeps.append))
    return sleeps


@dataclass
class Served:
    """The app serving a published store through a fresh Dataset, as a cold process would."""

    published: Published
    store: object
    clock: FakeClock
    api: Api
    damage: Damage
    faults: S3Faults | None

    def restart(self) -> None:
        """A new process: nothing cached, nothing held."""
        serve(Dataset(self.store, ttl=TTL, clock=self.clock))

    def call(self, method: str, path: str):
        path = path.format(version=self.published.version)
        if method == "POST":
            return self.api.post(path, json.dumps(NEW_PLACE).encode())
        return self.api.get(path)

    def answer_without_faults(self, method: str, path: str):
        """What a healthy process answers, from a store object no fault or damage touches."""
        # A process of its own: what it derives from the clean release stays its own.
        restore = serve(Dataset(self.published.clean, ttl=TTL))
        try:
            return self.call(method, path)
        finally:
            restore()


@contextlib.contextmanager
def serving(published: Published):
    """The app over ``published`` as a cold process; damage is repaired afterwards."""
    store = published.open()
    clock = FakeClock()
    faults = None
    if published.backend == "s3":
        store.clock = clock  # the store's fail-fast window runs on the test's clock
        faults = S3Faults(store)
    served = Served(published, store, clock, Api(chalice_client()), Damage(published.clean), faults)
    before = current()
    served.restart()
    try:
        yield served
    finally:
        served.damage.repair()
        serve(before)


@pytest.fixture
def served(published, backoff):
    with serving(published) as served:
        yield served


@pytest.fixture
def s3(s3_published, backoff):
    """``served`` over the bucket only: for the faults only S3 has."""
    with serving(s3_published) as served:
        yield served


def same_answer(response, healthy) -> bool:
    if response.status == 302:  # a presigned URL is signed afresh each time
        return (
            healthy.status == 302
            and response.header("location").split("?")[0]
            == healthy.header("location").split("?")[0]
        )
    return (response.status, response.body, response.header("etag")) == (
        healthy.status,
        healthy.body,
        healthy.header("etag"),
    )


def key_of(published: Published, path: str) -> str:
    return f"releases/{published.version}/{path}"


# -- how long a read may take ----------------------------------------------------------------


def lambda_timeout() -> int:
    """The function's timeout: the shortest any stage of .chalice/config.json sets."""
    config = json.loads((REPO / ".chalice" / "config.json").read_text())
    stages = [config, *config.get("stages", {}).values()]
    return min((s["lambda_timeout"] for s in stages if "lambda_timeout" in s), default=20)


def test_one_s3_read_gives_up_well_inside_the_lambda_timeout(s3):
    config = s3.store.client.meta.config
    attempts = config.retries["total_max_attempts"]
    # botocore's standard backoff before retry i (0-based) is at most min(2**i, 20) s for
    # throttling (less for other errors); the store drops x-amz-retry-after, which would add 5 s.
    backoff = sum(min(2**i, 20) for i in range(attempts - 1))
    # Every attempt may spend its whole connect and read timeouts, and the last one's body may
    # stall for one more read timeout before the stream gives up.
    worst = (
        attempts * (config.connect_timeout + config.read_timeout) + backoff + config.read_timeout
    )
    assert attempts == 3
    assert worst <= 0.75 * lambda_timeout(), (worst, lambda_timeout())


# -- S3 failing: every route answers 503 after one bounded retry budget -------------------------


@pytest.mark.parametrize("method, path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@pytest.mark.parametrize("fault", FAULTS)
def test_an_s3_fault_is_a_503_after_three_attempts_and_then_heals(s3, backoff, fault, method, path):
    healthy = s3.answer_without_faults(method, path)
    assert healthy.status in (200, 302)

    s3.faults.inject(FAULTS[fault])
    failed = s3.call(method, path)
    assert failed.status == 503
    assert_retry_later(failed)
    # One object was tried three times; after that the store failed fast, without a call.
    assert sum(s3.faults.attempts.values()) == 3 and max(s3.faults.attempts.values()) == 3
    assert sum(backoff) <= 3.0

    s3.faults.clear()
    s3.clock.advance(FAIL_FAST_SECONDS)
    assert same_answer(s3.call(method, path), healthy)


def test_after_a_failed_read_the_store_fails_fast_for_a_moment_without_calling_s3(s3):
    s3.faults.inject(FAULTS["internal-error-500"])
    assert s3.call("GET", "/people").status == 503
    tried = sum(s3.faults.attempts.values())
    s3.faults.clear()
    assert s3.call("GET", "/people").status == 503
    assert sum(s3.faults.attempts.values()) == tried
    s3.clock.advance(FAIL_FAST_SECONDS)
    assert s3.call("GET", "/people").status == 200


@pytest.mark.parametrize("fault", FAULTS)
def test_while_current_json_cannot_be_read_the_held_release_keeps_serving(s3, fault):
    healthy = s3.call("GET", "/people/mostafa-pour-mohammadi")
    assert healthy.status == 200 and s3.faults.attempts["current.json"] == 1
    s3.clock.advance(TTL)
    s3.faults.inject(FAULTS[fault], "current.json")

    assert same_answer(s3.call("GET", "/people/mostafa-pour-mohammadi"), healthy)
    assert s3.faults.attempts["current.json"] == 1 + 3
    # The pointer is not asked again until another TTL has passed.
    s3.clock.advance(FAIL_FAST_SECONDS)
    assert same_answer(s3.call("GET", "/people/mostafa-pour-mohammadi"), healthy)
    assert s3.faults.attempts["current.json"] == 1 + 3
    s3.faults.clear()
    s3.clock.advance(TTL)
    assert same_answer(s3.call("GET", "/people/mostafa-pour-mohammadi"), healthy)
    assert s3.faults.attempts["current.json"] == 1 + 3 + 1


@pytest.mark.parametrize("fault", FAULTS)
def test_a_request_spends_one_retry_budget_however_many_objects_it_needs(s3, fault):
    assert s3.call("GET", "/").status == 200
    s3.clock.advance(TTL)
    s3.faults.attempts.clear()
    s3.faults.inject(FAULTS[fault])
    # current.json fails (the held release answers), then the record, cold, fails at once.
    answer = s3.call("GET", "/people/mostafa-pour-mohammadi")
    assert answer.status == 503
    assert dict(s3.faults.attempts) == {"current.json": 3}


def test_while_releases_json_cannot_be_read_the_held_listing_keeps_serving(s3):
    healthy = s3.call("GET", "/dataset/releases")
    s3.clock.advance(TTL)
    s3.faults.inject(FAULTS["throttling-503-SlowDown"], "releases.json")
    assert same_answer(s3.call("GET", "/dataset/releases"), healthy)


def test_botocore_is_not_asked_to_wait_for_x_amz_retry_after(s3, backoff):
    s3.faults.inject(FAULTS["throttling-503-SlowDown"])
    assert s3.call("GET", "/").status == 503
    assert len(backoff) == 2 and sum(backoff) <= 1 + 2


# -- missing objects -------------------------------------------------------------------------


def test_a_missing_current_json_in_a_cold_process_is_a_503_until_it_is_back(served):
    healthy = served.answer_without_faults("GET", "/people")
    served.damage.delete("current.json")
    answer = served.call("GET", "/people")
    assert answer.status == 503 and answer.json["type"].endswith("/no-release")
    served.damage.repair()
    assert same_answer(served.call("GET", "/people"), healthy)


def test_a_missing_current_json_leaves_the_held_release_serving(served):
    healthy = served.call("GET", "/places/tehran")
    index = served.answer_without_faults("GET", "/")
    served.damage.delete("current.json")
    served.clock.advance(TTL)
    assert same_answer(served.call("GET", "/places/tehran"), healthy)
    assert same_answer(served.call("GET", "/"), index)


def test_a_garbled_current_json_leaves_the_held_release_serving(served):
    healthy = served.call("GET", "/places/tehran")
    served.damage.replace("current.json", b'{"version": "20261127-')
    served.clock.advance(TTL)
    assert same_answer(served.call("GET", "/places/tehran"), healthy)


@pytest.mark.parametrize("pointer", [b'{"version": ', b"[]", b'{"version": "latest"}', b"\xff\xfe"])
def test_a_garbled_current_json_in_a_cold_process_is_a_503(served, pointer):
    served.damage.replace("current.json", pointer)
    assert served.call("GET", "/places/tehran").status == 503


def test_a_missing_manifest_is_a_503_and_heals_when_it_is_back(served):
    healthy = served.answer_without_faults("GET", "/places/tehran")
    served.damage.delete(key_of(served.published, "manifest.json"))
    assert served.call("GET", "/places/tehran").status == 503
    served.damage.repair()
    assert same_answer(served.call("GET", "/places/tehran"), healthy)


def test_a_record_whose_chunk_the_store_lacks_is_a_503_not_a_404(served):
    healthy = served.answer_without_faults("GET", "/places/tehran")
    served.damage.delete(key_of(served.published, "index/places/records-00000.jsonl"))
    assert served.call("GET", "/places/tehran").status == 503
    assert served.call("GET", "/people/mostafa-pour-mohammadi").status == 200
    served.damage.repair()
    assert same_answer(served.call("GET", "/places/tehran"), healthy)


def test_a_folder_store_that_cannot_read_a_file_is_a_503(dir_published, monkeypatch):
    import errno

    with serving(dir_published) as served:
        healthy = served.answer_without_faults("GET", "/places/tehran")
        real_open = Path.open

        def failing_disk(path, *args, **kwargs):
            if path.parent.name == "places" and path.name == "records-00000.jsonl":
                raise OSError(errno.EIO, "Input/output error", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(Path, "open", failing_disk)
        assert served.call("GET", "/places/tehran").status == 503
        monkeypatch.setattr(Path, "open", real_open)
        assert same_answer(served.call("GET", "/places/tehran"), healthy)


# -- corrupt objects -------------------------------------------------------------------------

# (object in the release, a route that must read it): each answers 503 while it is corrupt.
CORRUPTIBLE = [
    ("index/places/records-00000.jsonl", "GET", "/places/tehran"),
    ("directory/places/0.json", "GET", "/places/tehran"),
    ("index/places/meta.json", "GET", "/places"),
    ("index/places/records-00000.jsonl", "GET", "/places"),
    ("index/claims/filter-subject.bin", "GET", "/claims?subject=people/mostafa-pour-mohammadi"),
    ("index/people/search.bin", "GET", "/people?q=pourmohammadi"),
    ("schemas/person.schema.json", "GET", "/schemas/person"),
    ("schemas/place.schema.json", "POST", "/validate"),
    ("manifest.json", "GET", "/"),
]


def corrupted(body: bytes) -> bytes:
    """Plausible damage: the same size, still parseable where it was, one byte different."""
    if b"Tehran" in body:
        return body.replace(b"Tehran", b"Tehr\xc3\xa1", 1)[: len(body)]
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]


@pytest.mark.parametrize(
    "path, method, route", CORRUPTIBLE, ids=[f"{c[0]} {c[1]} {c[2]}" for c in CORRUPTIBLE]
)
def test_a_corrupt_object_is_never_served_and_never_cached(served, path, method, route):
    healthy = served.answer_without_faults(method, route)
    key = key_of(served.published, path)
    bad = corrupted(served.damage.original(key))
    served.damage.replace(key, bad)

    answer = served.call(method, route)
    assert answer.status == 503
    assert answer.json["type"].endswith("/integrity")
    assert bad not in answer.body

    served.damage.repair()
    assert same_answer(served.call(method, route), healthy)


def test_a_chunk_cut_short_before_a_record_ends_is_a_503_integrity_problem(served):
    healthy = served.answer_without_faults("GET", "/places/tehran")
    key = key_of(served.published, "index/places/records-00000.jsonl")
    served.damage.replace(key, served.damage.original(key)[:-40])

    answer = served.call("GET", "/places/tehran")
    assert answer.status == 503
    assert answer.json["type"].endswith("/integrity")

    served.damage.repair()
    assert same_answer(served.call("GET", "/places/tehran"), healthy)


def test_a_corrupt_download_is_not_served_from_a_folder_store(dir_published):
    # From S3 a download is a presigned URL: the client checks it against /dataset's sha256.
    with serving(dir_published) as served:
        healthy = served.answer_without_faults("GET", "/dataset/files/people.csv")
        key = key_of(dir_published, "files/people.csv")
        served.damage.replace(key, corrupted(served.damage.original(key)))
        assert served.call("GET", "/dataset/files/people.csv").status == 503
        served.damage.repair()
        assert same_answer(served.call("GET", "/dataset/files/people.csv"), healthy)


# -- current.json flips while a request is in flight -----------------------------------------


@dataclass
class TwoReleases:
    a: str
    b: str
    publisher: object
    pointer_b: bytes

    def flip(self) -> None:
        """Point current.json at B, as a publish does last."""
        self.publisher.put("current.json", self.pointer_b)


@pytest.fixture
def two_releases(served, monkeypatch, tmp_path) -> TwoReleases:
    """Release A (the mini dataset) current, and B published beside it: B describes Tehran as
    "Capital." and adds places/isfahan. The served store's pointers are put back afterwards."""
    from chalicelib.release.publish import publish
    from support.minidata import RELEASE_EPOCH, write

    pointer_a = served.damage.original("current.json")
    served.damage.original("releases.json")
    records = json.loads(json.dumps(served.published.records))
    next(r for r in records["places"] if r["id"] == "tehran")["description"] = "Capital."
    records["places"].append(
        {
            "id": "isfahan",
            "name": "Isfahan",
            "type": "city",
            "names": [{"name": "Isfahan", "lang": "en"}],
            "sources": [{"source": "sources/amnesty-2018-report"}],
        }
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH + 86_400))
    publisher = served.published.open()
    version_b = publish(publisher, write(records, tmp_path / "data-b")).version
    pointer_b = publisher.get("current.json")
    publisher.put("current.json", pointer_a)
    return TwoReleases(served.published.version, version_b, publisher, pointer_b)


def flip_when_read(store, monkeypatch, key_suffix: str, flip) -> list[str]:
    """Call ``flip`` the first time ``store`` reads (whole or a range) a key ending in
    ``key_suffix``."""
    flipped: list[str] = []

    def watching(read):
        def watched(key, *byte_range):
            body = read(key, *byte_range)
            if key.endswith(key_suffix) and not flipped:
                flip()
                flipped.append(key)
            return body

        return watched

    for method in ("get", "get_range"):
        monkeypatch.setattr(store, method, watching(getattr(store, method)))
    return flipped


def test_a_record_request_that_began_on_a_release_finishes_on_it(served, two_releases, monkeypatch):
    serve(Dataset(served.store, ttl=0, clock=served.clock))
    flipped = flip_when_read(
        served.store, monkeypatch, "/index/places/records-00000.jsonl", two_releases.flip
    )
    pinned_a = served.answer_without_faults("GET", f"/places/tehran?release={two_releases.a}")

    during = served.call("GET", "/places/tehran")
    assert flipped == [f"releases/{two_releases.a}/index/places/records-00000.jsonl"]
    assert (during.status, during.body, during.header("etag")) == (
        200,
        pinned_a.body,
        pinned_a.header("etag"),
    )

    assert served.call("GET", "/places/tehran").json["description"] == "Capital."


def test_a_list_request_that_began_on_a_release_finishes_on_it(served, two_releases, monkeypatch):
    serve(Dataset(served.store, ttl=0, clock=served.clock))
    flipped = flip_when_read(
        served.store, monkeypatch, "/index/places/records-00000.jsonl", two_releases.flip
    )

    during = served.call("GET", "/places").json
    assert flipped
    assert during["release"] == two_releases.a
    assert [p["id"] for p in during["items"]] == ["evin-prison", "tehran"]
    assert all("description" not in place for place in during["items"])

    after = served.call("GET", "/places").json
    assert after["release"] == two_releases.b
    assert [p["id"] for p in after["items"]] == ["evin-prison", "isfahan", "tehran"]


def test_a_validation_that_began_on_a_release_finishes_on_it(served, two_releases, monkeypatch):
    serve(Dataset(served.store, ttl=0, clock=served.clock))
    flipped = flip_when_read(
        served.store, monkeypatch, "/schemas/place.schema.json", two_releases.flip
    )
    # places/isfahan exists only in B, so the verdict shows which release the batch met.
    item = json.loads(json.dumps(NEW_PLACE))
    item["record"]["within"] = "places/isfahan"
    answer = served.api.post("/validate", json.dumps(item).encode())
    assert flipped == [f"releases/{two_releases.a}/schemas/place.schema.json"]
    assert answer.status == 200
    assert [(e["pointer"], e["keyword"]) for e in answer.json["results"][0]["errors"]] == [
        ("/within", "reference")
    ]

    again = served.api.post("/validate", json.dumps(item).encode())
    assert again.json["valid"] is True


def test_a_new_current_json_naming_a_corrupt_release_leaves_the_held_one_serving(
    served, two_releases
):
    healthy = served.call("GET", "/places/tehran")
    key = f"releases/{two_releases.b}/manifest.json"
    served.damage.replace(key, corrupted(served.damage.original(key)))
    two_releases.flip()
    served.clock.advance(TTL)
    assert same_answer(served.call("GET", "/places/tehran"), healthy)

    served.damage.store.put(key, served.damage.original(key))
    served.clock.advance(TTL)
    assert served.call("GET", "/places/tehran").json["description"] == "Capital."
