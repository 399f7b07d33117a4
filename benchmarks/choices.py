"""Home-made or library? The figures behind two choices (issue 10, item 4).

1. ``chalicelib.release.cache.Memo`` against a ``cachetools.LRUCache`` bounded by size, with
   the same lock-free ``get`` and a locked ``put``: the cost of a hit (every warm request
   makes one), a miss, and a ``put`` that evicts.
2. ``chalicelib.release.cores.map_shared`` against ``multiprocessing`` (fork context)
   ``Pool.imap`` over the same chunks: parsing, canonicalizing and hashing JSON records,
   the build's per-record work, with the results coming back to this process.

    python -m benchmarks.choices            # both
    python -m benchmarks.choices cache      # one

Each figure is the best of several interleaved rounds, since the machine may be shared.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from chalicelib.release.cache import Memo
from chalicelib.release.cores import cores, map_shared

from . import treerss


class CachetoolsMemo:
    """``Memo``'s interface on ``cachetools.LRUCache``: size-bounded, get without a lock."""

    def __init__(self, budget: int = 1 << 21):
        import cachetools

        self._cache: Any = cachetools.LRUCache(budget, getsizeof=lambda entry: entry[1])
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        entry = self._cache.get(key)  # LRUCache.get catches the KeyError of a racing eviction
        return None if entry is None else entry[0]

    def put(self, key: Any, value: Any, size: int) -> Any:
        with self._lock:
            try:
                self._cache[key] = (value, size)
            except ValueError:  # larger than the whole budget: not kept, as Memo does
                pass
        return value


def _best(rounds: int, runs: dict[str, Callable[[], float]]) -> dict[str, float]:
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():  # interleaved, so load on the machine hits both
            best[name] = min(best[name], run())
    return best


def cache_figures(rounds: int = 5) -> dict[str, dict[str, float]]:
    """ns per operation: a hit, a miss, and a put that evicts (budget of 1,000 entries)."""
    keys = [("people", f"q={n}", "cursor") for n in range(1000)]
    more = [("claims", f"q={n}", "cursor") for n in range(20_000)]

    def timing(make: Callable[[], Any], what: str) -> Callable[[], float]:
        def run() -> float:
            memo = make()
            for key in keys:
                memo.put(key, key, 1)
            if what == "hit":
                probe = keys * 100
                started = time.perf_counter()
                for key in probe:
                    memo.get(key)
            elif what == "miss":
                probe = more * 5
                started = time.perf_counter()
                for key in probe:
                    memo.get(key)
            else:
                probe = more
                started = time.perf_counter()
                for key in probe:
                    memo.put(key, key, 1)
            return (time.perf_counter() - started) / len(probe) * 1e9

        return run

    figures = {}
    for what in ("hit", "miss", "put_evicting"):
        best = _best(
            rounds,
            {
                "Memo": timing(lambda: Memo(1000), what),
                "cachetools": timing(lambda: CachetoolsMemo(1000), what),
            },
        )
        figures[what] = {name: round(ns, 1) for name, ns in best.items()}
    return figures


def _records(n: int) -> list[bytes]:
    rng = random.Random(1988)
    return [
        json.dumps(
            {
                "id": f"person-{i}",
                "name": "".join(rng.choice("abcdefghij") for _ in range(12)),
                "names": [{"name": f"n{j}", "lang": "fa"} for j in range(rng.randint(1, 4))],
                "sources": [
                    {"source": f"sources/s-{rng.randint(0, 999)}", "page": j} for j in range(3)
                ],
            }
        ).encode()
        for i in range(n)
    ]


_ITEMS: list[bytes] = []


def _work(part) -> list[str]:
    """The build's per-record work in small: parse, canonicalize, hash."""
    return [
        hashlib.sha256(
            json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        for raw in part
    ]


def _work_range(numbers: range) -> list[str]:
    return _work(_ITEMS[numbers.start : numbers.stop])


def _tree_peak(run: Callable[[], Any]) -> tuple[Any, float]:
    """``run()``, and the peak summed RSS (MB) of this process and its children meanwhile."""
    peak, stop = treerss.Peak(), threading.Event()
    sampler = threading.Thread(target=treerss.watch, args=(os.getpid(), stop, peak), daemon=True)
    sampler.start()
    try:
        return run(), peak.mb
    finally:
        stop.set()
        sampler.join()


def map_figures(
    records: int = 200_000, chunk: int = 1000, rounds: int = 3, ballast_mb: int = 256
) -> dict[str, Any]:
    """Seconds to map ``records`` records over every core, results back here, in order; and
    the peak RSS summed over this process and its workers, while this process holds
    ``ballast_mb`` of other data (as a build holds its compiled records when it forks)."""
    global _ITEMS
    _ITEMS = _records(records)
    processes = cores()
    expected = _work(_ITEMS)
    ballast = bytearray(os.urandom(1 << 20)) * ballast_mb  # touched, so resident
    peaks: dict[str, float] = {}

    def shared() -> float:
        started = time.perf_counter()
        found, peaks["map_shared"] = _tree_peak(
            lambda: map_shared(_work, _ITEMS, processes, chunk=chunk)
        )
        seconds = time.perf_counter() - started
        assert found == expected
        return seconds

    def pooled() -> float:
        started = time.perf_counter()
        ranges = [range(n, min(n + chunk, records)) for n in range(0, records, chunk)]

        def run() -> list[str]:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                return [h for part in pool.imap(_work_range, ranges) for h in part]

        found, peaks["Pool.imap"] = _tree_peak(run)
        seconds = time.perf_counter() - started
        assert found == expected
        return seconds

    def alone() -> float:
        started = time.perf_counter()
        _work(_ITEMS)
        return time.perf_counter() - started

    best = _best(rounds, {"map_shared": shared, "Pool.imap": pooled, "one process": alone})
    del ballast
    return {
        "records": records,
        "processes": processes,
        "seconds": {name: round(s, 3) for name, s in best.items()},
        "peak_tree_rss_mb": peaks,
    }


def main(argv: list[str] | None = None) -> int:
    which = (argv if argv is not None else sys.argv[1:]) or ["cache", "map"]
    if "cache" in which:
        print("cache, ns per operation (best of 5):", json.dumps(cache_figures()))
    if "map" in which:
        print("map, seconds (best of 3):", json.dumps(map_figures()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
