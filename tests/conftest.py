"""Fixtures shared by the test modules: named datasets, a fixed release time, and stores.

The stores are a folder and an S3 bucket under moto's in-process ``mock_aws`` with
fake credentials; nothing touches the network. A test that takes ``store`` runs
once against each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from chalicelib.store import open_store
from support.aws import fake_aws
from support.examples import DEFAULT, examples
from support.minidata import mini, with_tombstones

BUCKET = "test-releases-1988"
TESTS = Path(__file__).resolve().parent
# tests/<folder>/ mirrors chalicelib/<layer>/; tests at the top cover the top-level modules.
LAYERS = {"model", "checks", "release", "serve", "data", "project", "docs"}

# A property test that names no count of examples tries Hypothesis's default, scaled as the
# others are (support.examples).
settings.register_profile("suite", max_examples=examples(DEFAULT))
settings.load_profile("suite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder's layer (registered in pytest.ini), so `-m` selects it."""
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0]
        item.add_marker(folder if folder in LAYERS else "store")


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """End the id of each test in an xdist_group with ``@<group>``, which --dist loadgroup reads.

    pytest-xdist 3.8 writes that suffix into ``item._nodeid``, which pytest 9.2 no longer reads
    (its ids are structured, in ``item._id``), so every group was shared out test by test and
    each worker built the group's costly fixtures (pytest-dev/pytest-xdist#1386). This does what
    xdist means to, in the workers, after every other hook has marked the tests; once xdist sets
    the suffix itself, there is nothing left to do here.
    """
    if not config.getoption("loadgroup", False):  # xdist sets it in its workers
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


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
