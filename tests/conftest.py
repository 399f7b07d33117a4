"""Fixtures shared by the test modules: named datasets, a fixed release time, and stores.

The stores are a folder and an S3 bucket under moto's in-process ``mock_aws`` with
fake credentials; nothing touches the network. A test that takes ``store`` runs
once against each.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from chalicelib.store import open_store
from support.aws import fake_aws
from support.examples import DEFAULT, examples
from support.minidata import RELEASE_EPOCH, mini, with_tombstones, write
from support.snapshot import Snapshot

BUCKET = "test-releases-1988"
TESTS = Path(__file__).resolve().parent
# tests/<folder>/ mirrors chalicelib/<layer>/; tests at the top cover the top-level modules.
LAYERS = {"model", "checks", "release", "serve", "data", "project", "docs"}

# A property test that names no count of examples tries Hypothesis's default, scaled as the
# others are (support.examples).
settings.register_profile("suite", max_examples=examples(DEFAULT))
settings.load_profile("suite")


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection loaded (botocore's models, schemathesis, the schemas, every test) lives
    to the end of the session: kept out of the garbage collector's scans, and its young
    generation made larger, so that a test's short-lived objects do not each time set off a
    scan of the whole heap."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder's layer (registered in pytest.ini), so `-m` selects it."""
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0]
        item.add_marker(folder if folder in LAYERS else "store")


@pytest.fixture
def dataset() -> dict[str, list[dict]]:
    """The mini dataset (every kind, every reference) with two tombstones; safe to mutate."""
    return with_tombstones(mini())


@pytest.fixture
def aws():
    """moto intercepting S3, with fake credentials and no real AWS configuration."""
    with fake_aws():
        yield


@pytest.fixture
def s3_store(aws):
    """An S3Store over a fresh moto bucket, under a prefix."""
    store = open_store(f"s3://{BUCKET}/dataset")
    store.client.create_bucket(Bucket=BUCKET)
    return store


@pytest.fixture
def dir_store(tmp_path):
    """A DirStore over a folder that does not exist yet."""
    return open_store(str(tmp_path / "store"))


@pytest.fixture(params=["dir", "s3"])
def store(request):
    """Each test that takes it runs once per backend."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture(scope="session")
def mini_release(tmp_path_factory) -> Callable[..., Snapshot]:
    """The mini dataset published once per worker at the release time, to copy into a fresh
    store (``mini_release().restore(store)``); ``tombstones=False`` leaves its two out."""
    made: dict[bool, Snapshot] = {}

    def snapshot(*, tombstones: bool = True) -> Snapshot:
        if tombstones not in made:
            records = with_tombstones(mini()) if tombstones else mini()
            folder = tmp_path_factory.mktemp("mini-release")
            made[tombstones] = Snapshot.of(
                write(records, folder / "data"), folder / "store", RELEASE_EPOCH
            )
        return made[tombstones]

    return snapshot
