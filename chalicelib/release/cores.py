"""Spreading a build over the machine's cores with forked processes.

A build is CPU-bound Python, and threads share one interpreter lock; processes do not. A
forked child starts with everything the parent has read and compiled, copying nothing until
it is written to, so only the child's answer crosses a pipe. Where fork is unavailable, on a
single core, or for a small dataset, the same work runs in this process with the same result.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many records, forking (some milliseconds per child) costs more than it saves.
MIN_RECORDS = 5_000


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1


def processes_for(records: int) -> int:
    """How many processes (this one included) work on ``records`` records: 1 means no fork."""
    # Only Linux: macOS has fork, but its system libraries are not safe to use after it.
    if records < MIN_RECORDS or not sys.platform.startswith("linux"):
        return 1
    return cores()


class ForkedTaskDied(RuntimeError):
    """A forked child ended without an answer (killed, or out of memory)."""


class _Child(Generic[T]):
    """``task()`` running in a forked child, started on construction."""

    def __init__(self, task: Callable[[], T]):
        context = multiprocessing.get_context("fork")
        self._receiving, sending = context.Pipe(duplex=False)
        self._process = context.Process(target=_answer, args=(task, sending), daemon=True)
        self._process.start()
        sending.close()  # the child holds its own copy; EOF then means it is gone

    def result(self) -> T:
        """Wait for the task's result, or raise the exception it raised."""
        try:
            succeeded, value = self._receiving.recv()
        except EOFError:
            raise ForkedTaskDied(
                f"a build process ended without an answer (exit code {self._process.exitcode})"
            ) from None
        finally:
            self._process.join()
            self._receiving.close()
        if not succeeded:
            raise value
        return value

    def stop(self) -> None:
        """End the child if it still runs, and wait until it has."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiving.close()


def _answer(task: Callable[[], object], sending) -> None:
    try:
        answer = (True, task())
    except BaseException as exc:
        answer = (False, _portable(exc))
    sending.send(answer)
    sending.close()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (custom constructors often do not), else its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError("".join(traceback.format_exception(exc)))


def map_shared(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], processes: int, chunk: int = 1000
) -> list[R]:
    """``work(items)``, shared out over ``processes`` processes a chunk of items at a time.

    ``work`` maps a sequence of items to one result each. This process and forked children
    each take the next chunk nobody has taken until none is left, so a process slowed by
    costlier items, or by the machine's other load, simply takes fewer. A child spools each
    chunk's results to a file as it goes (so writing them overlaps its work), and this
    process reads them back at the end; the results come back in the order of ``items``.

    Kept rather than a fork-context ``multiprocessing.Pool.imap`` for the build's memory:
    a pool of N workers beside an idle parent maps the parent N + 1 times, where this maps it
    N times. The pool is a little faster, but at a million records a third copy of the parent
    would take the build past its memory target (``python -m benchmarks.choices map``; the
    figures are in benchmarks/RESULTS.md). ``work`` may also be any closure: nothing is
    pickled.
    """
    chunks = [items[n : n + chunk] for n in range(0, len(items), chunk)]
    if processes <= 1 or len(chunks) < 2:
        return work(items)
    taken = multiprocessing.get_context("fork").Value("i", 0)

    def untaken() -> Iterator[int]:
        while True:
            with taken.get_lock():
                number = taken.value
                taken.value = number + 1
            if number >= len(chunks):
                return
            yield number

    def spooling(spool) -> Callable[[], None]:
        def share() -> None:
            for number in untaken():
                pickle.dump((number, work(chunks[number])), spool, pickle.HIGHEST_PROTOCOL)
            spool.flush()

        return share

    trim_heap()  # each child maps all of this process's pages: give the free ones back first
    with contextlib.ExitStack() as stack:
        spools = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(processes - 1)]
        children = [_Child(spooling(spool)) for spool in spools]
        for child in children:
            stack.callback(child.stop)  # on an error here, the children stop too
        done = {number: work(chunks[number]) for number in untaken()}
        for child, spool in zip(children, spools):
            child.result()
            spool.seek(0)
            done.update(_unspooled(spool))
    if len(done) != len(chunks):  # pragma: no cover - a child that returned has spooled all
        raise ForkedTaskDied(f"{len(chunks) - len(done)} chunks of work were lost")
    return [answer for number in range(len(chunks)) for answer in done[number]]


def _unspooled(spool) -> Iterator[tuple[int, list]]:
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def trim_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``).

    A build frees each stage's structures before the next stage forks; without this, much
    of what was freed stays resident in this process, and every forked child maps it too.
    Elsewhere than glibc, nothing happens.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if callable(_malloc_trim):
        _malloc_trim(0)


_malloc_trim: Callable[[int], int] | bool | None = None


@contextlib.contextmanager
def gc_paused():
    """Run the block with the cyclic garbage collector off.

    A build makes millions of objects (records, entries, index postings) that live until it
    ends, and forms no cycles worth collecting; the collector would walk all of them again
    and again as they accumulate, which costs a fifth of the build.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
