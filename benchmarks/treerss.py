"""Peak resident memory of a whole process tree: a command, and every process it forks.

``/usr/bin/time -v`` and ``ru_maxrss`` report the largest single process. A build that forks
workers holds memory in all of them at once, so this samples, every 50 ms, the resident set
of the command and of all its descendants (from ``/proc/<pid>/statm``), sums it, and reports
the largest sum seen. Summed RSS counts a page shared by a parent and a forked child twice
(after a fork the child maps every page of its parent), so it is an upper bound of what the
tree costs the machine; it is also what a CI runner's memory limit sees first.

    python -m benchmarks.treerss -- python -m chalicelib build --out /tmp/r --data data

prints one JSON line on stderr: ``{"peak_mb", "peak_processes", "seconds", "cpu_seconds", …}``.
Linux only (it reads /proc).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

INTERVAL = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children_of() -> dict[int, list[int]]:
    """Every process's children, from the parent pid in /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                text = stat.read()
        except OSError:
            continue  # ended between the listing and the read
        # The command name may hold spaces and parentheses: the fields follow the last ')'.
        ppid = int(text[text.rindex(b")") + 2 :].split(None, 2)[1])
        children.setdefault(ppid, []).append(int(name))
    return children


def tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive now."""
    children, found, todo = _children_of(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def resident_bytes(pid: int) -> int:
    """The resident set of ``pid`` in bytes; 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Peak:
    bytes: int = 0
    processes: int = 0
    samples: int = 0

    @property
    def mb(self) -> float:
        return round(self.bytes / 2**20, 1)


def watch(root: int, stop: threading.Event, peak: Peak, interval: float = INTERVAL) -> None:
    """Sample the tree under ``root`` until ``stop`` is set, keeping the largest sum in ``peak``."""
    while not stop.is_set():
        pids = tree(root)
        total = sum(resident_bytes(pid) for pid in pids)
        peak.samples += 1
        if total > peak.bytes:
            peak.bytes, peak.processes = total, len(pids)
        stop.wait(interval)


def run(command: Sequence[str], interval: float = INTERVAL, **popen) -> dict:
    """Run ``command`` to its end; its wall time, exit code and the tree's peak summed RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(list(command), **popen)
    peak, stop = Peak(), threading.Event()
    sampler = threading.Thread(target=watch, args=(process.pid, stop, peak, interval), daemon=True)
    sampler.start()
    try:
        stdout, stderr = process.communicate()
    finally:
        stop.set()
        sampler.join()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "peak_mb": peak.mb,
        "peak_processes": peak.processes,
        "samples": peak.samples,
        "seconds": round(seconds, 2),
        # user + system of the command and every descendant it waited for: on a shared
        # machine, how much of the wall time the tree actually had a core.
        "cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
        "returncode": process.returncode,
        "stdout": stdout.decode("utf-8", "replace") if stdout else "",
        "stderr": stderr.decode("utf-8", "replace") if stderr else "",
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m benchmarks.treerss -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    result = run(argv)
    del result["stdout"], result["stderr"]  # not captured: the command wrote to ours
    print(json.dumps(result), file=sys.stderr)
    return result["returncode"]


if __name__ == "__main__":
    sys.exit(main())
