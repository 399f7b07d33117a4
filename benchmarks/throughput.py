"""Build and validation throughput, in records per second.

The build is timed end to end as a user runs it, ``python -m chalicelib build``, in its own
process. Validation is timed in this process against a bare, reused ``Draft202012Validator``
per kind, with format checking on, draining ``iter_errors`` over the same records: the cost of
the schema stage, the cross-record stage and the error explanations, over what a plain
2020-12 validator costs.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from . import synth, treerss

ROOT = Path(__file__).resolve().parent.parent
RELEASE_EPOCH = "1795773600"  # 2026-11-27 10:00 UTC: builds are reproducible, never clocked
VALIDATION_SAMPLE = 20_000
VALIDATION_PART = 500  # records timed together, each side in turn
KIND_OF = {
    "people": "person",
    "organizations": "organization",
    "places": "place",
    "events": "event",
    "sources": "source",
    "claims": "claim",
}


def build(data_dir: Path, out_dir: Path, records: int) -> dict[str, Any]:
    """``build --out`` timed end to end (validate, index, write), with the peak of the summed
    resident memory of its whole process tree (``benchmarks.treerss``: the building process
    and the workers it forks). The caller removes the folder when nothing is being timed:
    deleting a million files takes minutes and loads the disk."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    command = [sys.executable, "-m", "chalicelib", "build", "--out", str(out_dir)]
    done = treerss.run(
        [*command, "--data", str(data_dir)],
        cwd=ROOT,
        env=dict(os.environ, SOURCE_DATE_EPOCH=RELEASE_EPOCH),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if done["returncode"] != 0:
        raise RuntimeError(
            f"chalicelib build failed ({done['returncode']}): {done['stderr'][-3000:]}"
        )
    return {
        "seconds": done["seconds"],
        "records_per_s": round(records / done["seconds"]),
        "cpu_seconds": done["cpu_seconds"],
        "peak_rss_mb": done["peak_mb"],
        "peak_processes": done["peak_processes"],
        "version": done["stdout"].strip().splitlines()[-1] if done["stdout"].strip() else None,
    }


# Run in a process of its own, as a build is: compile, then write only the indexes.
_COMPILE_AND_INDEX = """
import json, sys, time
from pathlib import Path
from chalicelib.release.build import compile_data
from chalicelib.release.writer import write_indexes
started = time.perf_counter()
compiled = compile_data(Path(sys.argv[1]))
compiled_at = time.perf_counter()
with compiled:
    write_indexes(compiled, Path(sys.argv[2]))
done = time.perf_counter()
print(json.dumps({"compile_s": compiled_at - started, "index_s": done - compiled_at}))
"""


def compile_and_index(data_dir: Path, out_dir: Path, records: int) -> dict[str, Any]:
    """Compiling ``data_dir`` (read, validate, spool) and writing only its list indexes and
    directory, timed apart from the rest of the release (downloads, all.sqlite, history/,
    digests): the part the build throughput target of 10,000 records/s counts."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-c", _COMPILE_AND_INDEX, str(data_dir), str(out_dir)],
        cwd=ROOT,
        env=dict(os.environ, SOURCE_DATE_EPOCH=RELEASE_EPOCH),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"compile and index failed: {done.stderr[-3000:]}")
    shutil.rmtree(out_dir, ignore_errors=True)
    timed = json.loads(done.stdout.strip().splitlines()[-1])
    seconds = timed["compile_s"] + timed["index_s"]
    return {
        "seconds": round(seconds, 2),
        "compile_seconds": round(timed["compile_s"], 2),
        "index_seconds": round(timed["index_s"], 2),
        "records_per_s": round(records / seconds),
    }


def cli(*args: str, timeout: float = 7200) -> tuple[float, float, str]:
    """Run ``python -m chalicelib ARGS`` from the repository; (wall s, CPU s, stdout).

    The CPU seconds (user + system, threads included) show how much of the wall time the
    command had the machine for: on a shared machine the two part ways.
    """
    env = dict(os.environ, SOURCE_DATE_EPOCH=RELEASE_EPOCH)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "chalicelib", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(
            f"chalicelib {args[0]} failed ({done.returncode}): "
            f"{(done.stderr or done.stdout)[-3000:]}"
        )
    return seconds, cpu, done.stdout.strip()


def publish(data_dir: Path, store_dir: Path) -> dict[str, Any]:
    """``publish --to`` a folder store (build, upload, verify, flip current)."""
    seconds, cpu, out = cli("publish", "--to", str(store_dir), "--data", str(data_dir))
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "version": out.splitlines()[-1] if out else None,
    }


def _sample(size: int, limit: int) -> tuple[list[tuple[str, dict]], Any]:
    """Every ``k``-th record (up to ``limit``) and a catalog of the whole dataset."""
    from chalicelib.checks.catalog import Catalog

    catalog = Catalog()
    step = max(1, size // limit)
    sample: list[tuple[str, dict[str, Any]]] = []
    for n, (collection, record) in enumerate(synth.iter_records(size)):
        catalog.add(collection, record)
        if n % step == 0 and len(sample) < limit:
            sample.append((collection, record))
    return sample, catalog


def _bare_validators(documents: dict[str, dict]) -> dict[str, Any]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in documents.values()
    )
    return {
        name: Draft202012Validator(
            documents[f"{name}.schema.json"],
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for name in list(KIND_OF.values()) + ["tombstone"]
    }


def _best_of(repeats: int, *runs) -> list[float]:
    """Each of ``runs``' least CPU time (this process's) of ``repeats``, the runs taken in turn.

    CPU time rather than wall time, and in turn, because each run takes seconds: on a shared
    machine the others' work would otherwise count against whichever run it fell in.
    """
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            started = time.process_time()
            run()
            best[i] = min(best[i], time.process_time() - started)
    return best


def validation(size: int, limit: int = VALIDATION_SAMPLE, repeats: int = 3) -> dict[str, Any]:
    """Throughput of ``validate`` (as the CLI and POST /validate run it, and as the build runs
    it) against a bare reused Draft202012Validator on the same records."""
    from chalicelib.checks.validate import Item, validate
    from chalicelib.model.schemas import SchemaSet
    from chalicelib.release.precheck import PrecheckedSchemaSet

    sample, catalog = _sample(size, limit)
    schemas, prechecked = SchemaSet.from_dir(), PrecheckedSchemaSet.from_dir()
    bare = _bare_validators(schemas.documents)
    for validators in (schemas.validators, prechecked.validators):  # compile outside the clock
        assert validators

    def run_bare(part: list[tuple[str, dict]]) -> None:
        for collection, record in part:
            validator = bare["tombstone" if "tombstone" in record else KIND_OF[collection]]
            for _ in validator.iter_errors(record):
                pass

    def run_ours(part: list[tuple[str, dict]], schema_set, errors: list[int]) -> None:
        items = [
            Item(KIND_OF[c], r, f"{c}/{r['id']}.json", i, expected_id=r["id"])
            for i, (c, r) in enumerate(part)
        ]
        errors.append(validate(items, schema_set, catalog).error_count)

    # In parts of VALIDATION_PART records, each part's least time per side: a burst of other
    # work on a shared machine then spoils one part's run of one side, which another repeat
    # replaces. The catalog holds the whole dataset, so a part is checked as the whole is.
    bare_s = ours_s = build_s = 0.0
    ours_errors = 0
    for start in range(0, len(sample), VALIDATION_PART):
        part = sample[start : start + VALIDATION_PART]
        errors: list[int] = []
        times = _best_of(
            repeats,
            partial(run_bare, part),
            partial(run_ours, part, schemas, errors),
            partial(run_ours, part, prechecked, []),
        )
        bare_s, ours_s, build_s = bare_s + times[0], ours_s + times[1], build_s + times[2]
        ours_errors += errors[-1]
    n = len(sample)
    return {
        "records": n,
        "bare_per_s": round(n / bare_s),
        "ours_per_s": round(n / ours_s),
        "ratio": round(bare_s / ours_s, 3),
        "errors": ours_errors,
        "build_per_s": round(n / build_s),
        "build_ratio": round(bare_s / build_s, 3),
    }
