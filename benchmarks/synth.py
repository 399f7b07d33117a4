"""A synthetic dataset shaped like the real one, at any size, for the benchmarks.

Deterministic: record ``i`` of a collection depends only on the seed, the total size and
``i``, so the same command writes the same bytes, whether it runs on one process or many.
Valid: every record passes the schemas and the cross-record checks (references resolve and
never point at a tombstone, no claim is dated after the source that states it, adjudicated
claims cite a court judgment). Shaped like the real data: about five claims per person, every
claim cited, names in Latin and Persian script with alternative transliterations, EDTF dates
with seasons, qualifiers and intervals, and a few merged and withdrawn tombstones.

It writes ``<out>/<collection>/<id>.json``, the layout the build reads, and never into
``data/``::

    python -m benchmarks.synth --size 100000 --out benchmarks/out/100000/data
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from .synth_records import CLAIM_TOMBSTONE_EVERY, COLLECTIONS, MAKERS, SEED, Record, Universe, plan

__all__ = [
    "CLAIM_TOMBSTONE_EVERY",
    "COLLECTIONS",
    "SEED",
    "SIZES",
    "Universe",
    "chunk_records",
    "ensure_dataset",
    "iter_records",
    "plan",
    "record_bytes",
    "write_dataset",
]

SIZES = (1_000, 10_000, 100_000, 1_000_000)
CHUNK = 2_000  # records per RNG stream and per worker task
STAMP = ".synth.json"


# -- generating and writing ---------------------------------------------------------------


def chunk_records(u: Universe, collection: str, chunk: int) -> Iterator[Record]:
    """Records ``chunk * CHUNK`` onwards of ``collection``: each chunk has its own RNG stream."""
    rng = random.Random(f"{u.seed}/{u.total}/{collection}/{chunk}")
    make = MAKERS[collection]
    for i in range(chunk * CHUNK, min((chunk + 1) * CHUNK, u.counts[collection])):
        yield make(u, i, rng)


def _tasks(u: Universe) -> list[tuple[str, int]]:
    return [(c, k) for c in COLLECTIONS for k in range(-(-u.counts[c] // CHUNK))]


def iter_records(total: int, seed: int = SEED) -> Iterator[tuple[str, Record]]:
    """Every record of the dataset as ``(collection, record)``, in a fixed order."""
    u = Universe(total, seed)
    for collection, chunk in _tasks(u):
        for record in chunk_records(u, collection, chunk):
            yield collection, record


def record_bytes(record: Record) -> bytes:
    """A record file as data/README.md asks: 2-space indent, UTF-8, no ASCII escapes."""
    return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write_chunk(args: tuple[int, int, str, int, str]) -> int:
    total, seed, collection, chunk, out = args
    folder = os.path.join(out, collection)
    written = 0
    for record in chunk_records(Universe(total, seed), collection, chunk):
        fd = os.open(
            os.path.join(folder, record["id"] + ".json"),
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
            0o644,
        )
        try:
            os.write(fd, record_bytes(record))
        finally:
            os.close(fd)
        written += 1
    return written


def generator_digest() -> str:
    """A digest of the generator's source: output made by another version is not reused."""
    here = Path(__file__).resolve().parent
    return hashlib.sha256(
        b"".join(
            (here / name).read_bytes()
            for name in ("synth.py", "synth_records.py", "synth_vocabulary.py")
        )
    ).hexdigest()[:16]


def write_dataset(
    total: int, out: Path, seed: int = SEED, workers: int | None = None
) -> dict[str, Any]:
    """Write the dataset of ``total`` records into ``out`` (emptied first); return its stamp."""
    out = Path(out)
    if out.resolve() == (Path(__file__).resolve().parent.parent / "data").resolve():
        raise ValueError("synthetic data never goes into data/")
    u = Universe(total, seed)
    if out.exists():
        shutil.rmtree(out)
    for collection in COLLECTIONS:
        (out / collection).mkdir(parents=True)
    started = time.perf_counter()
    tasks = [(total, seed, c, k, str(out)) for c, k in _tasks(u)]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) == 1:
        written = sum(map(_write_chunk, tasks))
    else:
        with get_context("fork").Pool(workers) as pool:
            written = sum(pool.imap_unordered(_write_chunk, tasks))
    stamp = {
        "total": total,
        "seed": seed,
        "generator": generator_digest(),
        "counts": u.counts,
        "records": written,
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / STAMP).write_text(json.dumps(stamp, indent=2) + "\n")
    return stamp


def ensure_dataset(
    total: int, out: Path, seed: int = SEED, workers: int | None = None
) -> dict[str, Any]:
    """The dataset in ``out``, written only if it is missing or was made by other code or seed."""
    try:
        stamp = json.loads((Path(out) / STAMP).read_text())
        if (stamp["total"], stamp["seed"], stamp["generator"]) == (total, seed, generator_digest()):
            return dict(stamp, reused=True)
    except (OSError, ValueError, KeyError):
        pass
    return dict(write_dataset(total, out, seed, workers), reused=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True, help=f"total records, e.g. {SIZES}")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder to write <collection>/<id>.json into"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    stamp = write_dataset(args.size, args.out, args.seed, args.workers)
    print(json.dumps(stamp), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
