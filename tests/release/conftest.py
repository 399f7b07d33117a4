"""Fixtures of the release tests: data/ folders written from a dataset, and a fixed release
time, so that two builds of the same data give the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from support.minidata import RELEASE_EPOCH, mini, with_tombstones, write
from support.snapshot import Snapshot


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
def data_dir(write_data, dataset, release_time) -> Path:
    """The tombstoned mini dataset, written to a folder, with the release time fixed."""
    return write_data(dataset)


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
