"""A size-bounded, thread-safe LRU: the one cache of derived and verified objects.

Kept in its own small module so that the reading side can use it without importing
the query engine, which a single-record request never needs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class Memo:
    """A thread-safe LRU bounded by the total size of what it holds.

    Kept rather than ``cachetools.LRUCache(getsizeof=...)`` behind the same lock-free get,
    because it is faster where it matters, on every warm request's hit, and on misses and
    evicting puts too (``python -m benchmarks.choices cache``; the figures are in
    benchmarks/RESULTS.md).

    Walking pages repeats one query with another cursor; remembering its match set makes page
    1,000 cost what page 1 costs without storing anything per client. The reading side uses
    the same cache for verified objects. The lock matters under ``chalice local``, which
    serves requests on threads; Lambda serves one at a time.
    """

    def __init__(self, budget: int = 1 << 21):
        self._budget, self._used = budget, 0
        self._entries: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        # No lock: a warm hit is on every request's path. Each OrderedDict call is atomic
        # under the GIL; between the two, another thread may evict the entry, and then the
        # value found is still good to answer with.
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            self._entries.move_to_end(key)
        except KeyError:
            pass
        return entry[0]

    def put(self, key: Any, value: Any, size: int) -> Any:
        """Remember ``value`` (costing ``size``) unless it alone exceeds the budget; return it."""
        with self._lock:
            if size <= self._budget:
                old = self._entries.pop(key, None)
                self._used += size - (old[1] if old else 0)
                self._entries[key] = (value, size)
                while self._used > self._budget:
                    _, (_, freed) = self._entries.popitem(last=False)
                    self._used -= freed
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used = 0
