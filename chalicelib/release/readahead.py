"""Asking the disk for the record files a little before the build reads them.

A dataset is one small file per record. From a cold page cache (a fresh machine, or one that
has since used its memory for something else), the build's readers wait for each file in
turn, one request at a time per reader. A disk answers many requests at once far faster
(benchmarks/RESULTS.md has the figures for the 1M dataset).

So, while the build reads, a forked process of its own opens the next files on many threads
and advises the kernel that they will be needed (``posix_fadvise`` WILLNEED), which starts
their reads without copying anything; the readers then find them in memory. It stays at most
``LEAD_FILES`` files ahead of the readers, so that what it asks for is still in memory when
they get there. When the files are in memory already it costs a few microseconds a file, on
a process that does nothing else.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable

THREADS = 16  # requests in flight: where the disk's answers stopped getting faster
LEAD_FILES = 20_000  # about 80 MB of page cache at a 4 kB page per small file
PAUSE_SECONDS = 0.005


def available() -> bool:
    """Whether this system can advise the kernel of reads ahead (Linux)."""
    return hasattr(os, "posix_fadvise") and hasattr(os, "POSIX_FADV_WILLNEED")


class ReadAhead:
    """A forked process reading ahead of the build's readers, for as long as the block runs.

    ``count`` files are numbered from 0; ``path_of(n)`` names file ``n``. Readers call
    ``reading(n)`` as they start on file ``n``, which paces the process.
    """

    def __init__(self, count: int, path_of: Callable[[int], str]):
        context = multiprocessing.get_context("fork")
        # Unlocked: a reader's write is one aligned 8-byte store, and a stale read only makes
        # the read-ahead wait a moment longer or run a few files further ahead.
        self._reached = context.RawValue("q", 0)
        self._process = context.Process(
            target=_read_ahead, args=(count, path_of, self._reached), daemon=True
        )

    def __enter__(self) -> ReadAhead:
        self._process.start()
        return self

    def __exit__(self, *_) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()

    def reading(self, index: int) -> None:
        if index > self._reached.value:
            self._reached.value = index


def _read_ahead(count: int, path_of: Callable[[int], str], reached) -> None:
    """Advise the reads of files 0 to ``count`` - 1, in order, on ``THREADS`` threads."""
    lock = threading.Lock()
    following = [0]

    def advise() -> None:
        while True:
            with lock:
                index = following[0]
                following[0] = index + 1
            if index >= count:
                return
            while index > reached.value + LEAD_FILES:
                time.sleep(PAUSE_SECONDS)
            try:
                fd = os.open(path_of(index), os.O_RDONLY)
            except OSError:
                continue  # the reader reports a missing or unreadable file
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(fd)

    threads = [threading.Thread(target=advise, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
