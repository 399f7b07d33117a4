"""The read-ahead of record files: it asks for files a little ahead of the readers, never
further, tolerates files that are gone, and leaves no process behind."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from chalicelib.release import readahead
from chalicelib.release.readahead import ReadAhead

pytestmark = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and readahead.available()),
    reason="the read-ahead runs where builds fork: Linux",
)

LEAD = 5


def files(folder: Path, count: int) -> list[str]:
    paths = []
    for n in range(count):
        path = folder / f"{n:03d}.json"
        path.write_text("{}")
        paths.append(str(path))
    return paths


def asked(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_it_stays_within_its_lead_of_the_readers_and_goes_on_as_they_do(tmp_path, monkeypatch):
    monkeypatch.setattr(readahead, "LEAD_FILES", LEAD)
    paths = files(tmp_path, 40)
    log = tmp_path / "asked.log"

    def path_of(index: int) -> str:
        # Runs in the forked process: an O_APPEND write of one line per file asked for.
        with open(log, "a") as out:
            out.write(f"{index}\n")
        return paths[index]

    with ReadAhead(len(paths), path_of) as ahead:
        wait_for(lambda: len(asked(log)) == LEAD + 1)
        time.sleep(0.2)  # time enough to run past its lead, were it going to
        assert sorted(asked(log)) == list(range(LEAD + 1))
        ahead.reading(20)
        wait_for(lambda: len(asked(log)) == 20 + LEAD + 1)
        time.sleep(0.2)
        assert sorted(asked(log)) == list(range(20 + LEAD + 1))
        ahead.reading(39)
        wait_for(lambda: len(asked(log)) == 40)
    assert sorted(asked(log)) == list(range(40))  # every file once


def test_a_missing_file_is_skipped_and_the_process_ends_with_the_block(tmp_path):
    paths = files(tmp_path, 10)
    os.remove(paths[3])
    with ReadAhead(len(paths), paths.__getitem__) as ahead:
        process = ahead._process
        wait_for(lambda: not process.is_alive())
        assert process.exitcode == 0  # it read them all, the missing one skipped
    assert not process.is_alive()


def test_leaving_the_block_stops_a_read_ahead_still_waiting_on_the_readers(tmp_path, monkeypatch):
    monkeypatch.setattr(readahead, "LEAD_FILES", 0)
    paths = files(tmp_path, 10)
    with ReadAhead(len(paths), paths.__getitem__) as ahead:
        process = ahead._process
        time.sleep(0.1)
        assert process.is_alive()  # waiting for readers that never come
    assert not process.is_alive()
