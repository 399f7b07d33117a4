"""chalicelib.release.cores: build work shared over forked processes gives what one process gives."""

from __future__ import annotations

import os
import signal
import time

import pytest

from chalicelib.release import cores
from chalicelib.release.cores import ForkedTaskDied, map_shared, processes_for

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="these run only where fork does")


def pids_and_squares(numbers):
    return [(os.getpid(), n * n) for n in numbers]


def test_map_shared_gives_every_result_in_the_order_of_the_items():
    numbers = list(range(10_007))
    assert [square for _, square in map_shared(pids_and_squares, numbers, 2, chunk=100)] == [
        n * n for n in numbers
    ]


def test_map_shared_runs_chunks_in_a_forked_child_as_well_as_here():
    def slowly(numbers):
        time.sleep(0.005)  # long enough for the child to start before this process is done
        return pids_and_squares(numbers)

    found = map_shared(slowly, list(range(2_000)), 2, chunk=10)
    assert {pid for pid, _ in found} - {os.getpid()}


def test_map_shared_in_one_process_forks_nothing():
    found = map_shared(pids_and_squares, list(range(2_000)), 1, chunk=10)
    assert {pid for pid, _ in found} == {os.getpid()}


def test_an_error_in_a_forked_child_is_raised_here():
    def fail_in_the_child(numbers):
        if os.getpid() != parent:
            raise ValueError(f"no square for {numbers[0]}")
        time.sleep(0.005)  # leave the child chunks to take
        return list(numbers)

    parent = os.getpid()
    with pytest.raises(ValueError, match="no square for"):
        map_shared(fail_in_the_child, list(range(200)), 2, chunk=1)


def test_an_error_that_cannot_be_pickled_comes_back_with_its_traceback():
    class Unpicklable(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a} and {b}")

    def fail_in_the_child(numbers):
        if os.getpid() != parent:
            raise Unpicklable("this", "that")
        time.sleep(0.005)  # leave the child chunks to take
        return list(numbers)

    parent = os.getpid()
    with pytest.raises(RuntimeError, match="Unpicklable: this and that"):
        map_shared(fail_in_the_child, list(range(200)), 2, chunk=1)


def test_a_child_that_dies_without_an_answer_is_reported_not_waited_for():
    def die_in_the_child(numbers):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.005)  # leave the child chunks to take
        return list(numbers)

    parent = os.getpid()
    with pytest.raises(ForkedTaskDied, match="without an answer"):
        map_shared(die_in_the_child, list(range(200)), 2, chunk=1)


def test_small_datasets_stay_in_one_process_and_large_ones_use_every_core(monkeypatch):
    monkeypatch.setattr(cores.sys, "platform", "linux")
    monkeypatch.setattr(cores, "cores", lambda: 2)
    assert processes_for(cores.MIN_RECORDS - 1) == 1
    assert processes_for(cores.MIN_RECORDS) == 2
    monkeypatch.setattr(cores, "cores", lambda: 1)
    assert processes_for(10 * cores.MIN_RECORDS) == 1
    monkeypatch.setattr(cores, "cores", lambda: 2)
    monkeypatch.setattr(cores.sys, "platform", "darwin")
    assert processes_for(10 * cores.MIN_RECORDS) == 1
