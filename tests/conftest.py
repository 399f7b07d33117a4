"""Fixtures shared by the test modules: named datasets, a fixed release time, and stores.

The stores are a folder and an S3 bucket under moto's in-process ``mock_aws`` with
fake credentials; nothing touches the network. A test that takes ``store`` runs
once against each.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from chalicelib.store import open_store
from minidata import mini, write

# 2026-11-27 10:00:00 UTC: every release a test builds takes its time from here.
RELEASE_EPOCH = 1795773600
BUCKET = "test-releases-1988"

TOMBSTONES = {
    "people": [{"id": "pour-mohammadi-duplicate", "tombstone": {
        "action": "merged", "reason": "The same person as mostafa-pour-mohammadi.",
        "date": "2026-11-01", "merged_into": "people/mostafa-pour-mohammadi"}}],
    "places": [{"id": "unverified-grave-site", "tombstone": {
        "action": "withdrawn", "reason": "The only source could not be verified.",
        "date": "2026-11-02"}}],
}


def with_tombstones(dataset: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """``dataset`` plus one merged person and one withdrawn place."""
    for collection, tombstones in TOMBSTONES.items():
        dataset[collection] = dataset[collection] + [dict(t) for t in tombstones]
    return dataset


@pytest.fixture
def release_time(monkeypatch) -> int:
    """Builds take their time from SOURCE_DATE_EPOCH, as reproducible builds do."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH))
    return RELEASE_EPOCH


@pytest.fixture
def write_data(tmp_path) -> Callable[[dict], Path]:
    """Write a dataset as data/<collection>/<id>.json into a new folder; return the folder."""
    count = 0

    def write_dataset(dataset: dict[str, list[dict]]) -> Path:
        nonlocal count
        count += 1
        return write(dataset, tmp_path / f"data-{count}")

    return write_dataset


@pytest.fixture
def dataset() -> dict[str, list[dict]]:
    """The mini dataset (every kind, every reference) with two tombstones; safe to mutate."""
    return with_tombstones(mini())


@pytest.fixture
def data_dir(write_data, dataset, release_time) -> Path:
    """The tombstoned mini dataset, written to a folder, with the release time fixed."""
    return write_data(dataset)


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """Fake credentials, no real config or endpoint, and moto intercepting S3."""
    from moto import mock_aws

    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    with mock_aws():
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
