"""Fixtures of the HTTP API tests: one dataset, published once to a folder and to moto's S3.

The folder store is published once per session; each module copies it into its own moto
bucket, since ``mock_aws`` must not outlive the module that started it. A test that takes
``served`` or ``client`` runs against both. The dataset itself is ``support.apidata``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib.release.dataset import Dataset
from chalicelib.release.publish import publish
from chalicelib.store import S3Store, Store, open_store
from support.apidata import BUCKET, api_dataset, app_client
from support.aws import fake_aws
from support.minidata import RELEASE_EPOCH, write
from support.published import Published
from support.service import current


@pytest.fixture(scope="session")
def api_data_dir(tmp_path_factory) -> Path:
    return write(api_dataset(), tmp_path_factory.mktemp("api-data") / "data")


@pytest.fixture(scope="session")
def dir_served(tmp_path_factory, api_data_dir) -> Published:
    """The API dataset published once, to a folder."""
    url = str(tmp_path_factory.mktemp("api-store") / "store")
    version = publish(open_store(url), api_data_dir, epoch=RELEASE_EPOCH).version
    return Published("dir", url, version, api_dataset())


@pytest.fixture(scope="session")
def real_published(tmp_path_factory) -> tuple[str, str]:
    """data/ published once per worker to a folder, for the tests that only read it:
    (store URL, version)."""
    from chalicelib.checks.intake import DATA_DIR

    url = str(tmp_path_factory.mktemp("real") / "store")
    return url, publish(open_store(url), DATA_DIR, epoch=RELEASE_EPOCH).version


@pytest.fixture(scope="module")
def moto_s3(tmp_path_factory) -> Iterator[None]:
    """moto's S3 with fake credentials, for one module."""
    with fake_aws():
        yield


@pytest.fixture(scope="module")
def s3_served(moto_s3, dir_served) -> Published:
    """The same release in a moto bucket: the folder store's objects, copied key by key."""
    source = open_store(dir_served.url)
    target = S3Store(BUCKET, "dataset")
    target.client.create_bucket(Bucket=BUCKET)
    for key in source.list():
        target.put(key, source.get(key))
    assert Dataset(target).current().version == dir_served.version
    return Published("s3", f"s3://{BUCKET}/dataset", dir_served.version, api_dataset())


@pytest.fixture(scope="module", params=["dir", "s3"])
def served(request) -> Published:
    """Each test that takes it runs against the folder store and the S3 store."""
    return request.getfixturevalue(f"{request.param}_served")


@pytest.fixture
def client(served, monkeypatch):
    """A client of the app reading ``served``, as a fresh process would."""
    with app_client(served.url, monkeypatch) as test_client:
        yield test_client


@pytest.fixture
def opened_store(client) -> Store:
    """The store ``client``'s app opened; its ``reads`` count every storage call."""
    return current().dataset.store


@pytest.fixture
def dir_client(dir_served, monkeypatch):
    """A client of the app reading the folder store, for what only a folder store does."""
    with app_client(dir_served.url, monkeypatch) as test_client:
        yield test_client


@pytest.fixture
def s3_client(s3_served, monkeypatch):
    """A client of the app reading the S3 store, for what only S3 does."""
    with app_client(s3_served.url, monkeypatch) as test_client:
        yield test_client
