"""``make bench``: measure the API against the performance targets in docs/architecture.md at several sizes.

For each size: generate the synthetic dataset (benchmarks.synth, reused when unchanged), time
``build``, publish it to a folder store, time the routes warm through ``chalice.test.Client``,
time validation against a bare validator, then load the release into a moto server on loopback
and start fresh serving processes for cold starts, object reads and peak RSS. Each size
writes ``benchmarks/results-<size>.json``; RESULTS.md and the plot are then redrawn from every
results file present.

    python -m benchmarks.run                     # 10k and 100k
    BENCH_SIZES=1000000 python -m benchmarks.run # 10k, 100k and 1M
    python -m benchmarks.run --sizes 1000000     # 1M only
    python -m benchmarks.run --warm-only --sizes 10000   # the warm routes again, into results-10000.json
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import cold, report, synth, throughput, warm

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
OUT = HERE / "out"
DEFAULT_SIZES = (10_000, 100_000)
STORE_STAMP = ".bench-store.json"
# The smoke test's loops: every measurement once or a few times, no statistics.
QUICK_WARM: dict[str, Any] = {"budget": 0.02, "rounds": 1, "min_samples": 3, "pages": 100}

# Per collection: a search that matches many records and a filter, for the serving process.
TOUR = {
    "people": ("rezaei", "category=victim"),
    "organizations": ("tehran", "type=court"),
    "places": ("prison", "type=prison"),
    "events": ("execution", "type=mass-execution"),
    "sources": ("1988", "type=report"),
    "claims": ("prisoners", "property=member_of"),
}


def requested_sizes(cli_sizes: str | None, env: str | None) -> list[int]:
    """``--sizes`` replaces the defaults; ``BENCH_SIZES`` adds to them."""
    if cli_sizes:
        return sorted({int(s) for s in cli_sizes.replace(",", " ").split()})
    extra = {int(s) for s in (env or "").replace(",", " ").split()}
    return sorted(set(DEFAULT_SIZES) | extra)


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model and Python: what a reader needs to weigh absolute figures."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "dirty": bool(git("status", "--porcelain", "--", "chalicelib", "app.py", "schemas")),
    }


def code_digest() -> str:
    """What a published store depends on besides the data: the build code and the schemas."""
    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "chalicelib").glob("*.py"), *(ROOT / "schemas").glob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def folder_store(data_dir: Path, store_dir: Path, synth_stamp: dict) -> dict[str, Any]:
    """The folder store of this data, published anew unless data and code are unchanged."""
    want = {
        "generator": synth_stamp["generator"],
        "total": synth_stamp["total"],
        "code": code_digest(),
    }
    stamp_file = store_dir / STORE_STAMP
    try:
        if json.loads(stamp_file.read_text()) == want and (store_dir / "current.json").exists():
            return {"reused": True}
    except (OSError, ValueError):
        pass
    if store_dir.exists():
        shutil.rmtree(store_dir)
    result = throughput.publish(data_dir, store_dir)
    stamp_file.write_text(json.dumps(want))
    return dict(result, reused=False)


def serving_tour(size: int) -> list[dict[str, Any]]:
    """Requests touching every collection, the first being a record in a fresh process."""
    paths = warm.live_record_paths(size)
    by_collection = {p.split("/")[1]: p for p in reversed(paths)}
    requests = [{"path": by_collection["people"]}]
    for collection, (q, flt) in TOUR.items():
        if collection != "people":
            requests.append({"path": by_collection[collection]})
        requests += [
            {"path": f"/{collection}"},
            {"path": f"/{collection}?{flt}"},
            {"path": f"/{collection}?q={q}"},
        ]
    requests += [
        {"path": f"{by_collection['people']}/claims"},
        {"path": "/dataset"},
        {"path": "/validate", "method": "POST", "body": warm.validate_body(size).decode("utf-8")},
    ]
    return requests


def bench_size(
    size: int,
    *,
    out_root: Path = OUT,
    quick: bool = False,
    log=lambda message: print(message, file=sys.stderr, flush=True),
) -> dict[str, Any]:
    """Every measurement at one dataset size; ``quick`` shrinks the loops (for the smoke test)."""
    work = out_root / str(size)
    data_dir, store_dir = work / "data", work / "store"
    result: dict[str, Any] = {
        "size": size,
        "machine": machine(),
        "git": git_state(),
        "measured_at": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        "command": command_for(size),
        "quick": quick,
    }
    started = time.perf_counter()
    # Other work on the machine skews every figure; the load average says how much there was.
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    log(f"[{size}] synthetic data -> {data_dir}")
    stamp = synth.ensure_dataset(size, data_dir)
    counts = stamp["counts"]
    result["dataset"] = {"counts": counts, "seconds": stamp["seconds"], "reused": stamp["reused"]}

    log(f"[{size}] build")
    result["build"] = throughput.build(data_dir, work / "build", size)
    log(
        f"[{size}]   {result['build']['records_per_s']:,} records/s ({result['build']['seconds']} s)"
    )
    log(f"[{size}] compile and index, apart from the rest of the release")
    result["compile_index"] = throughput.compile_and_index(data_dir, work / "indexes", size)
    log(f"[{size}]   {result['compile_index']}")
    log(f"[{size}] publish to a folder store")
    result["publish"] = folder_store(data_dir, store_dir, stamp)
    log(f"[{size}]   {result['publish']}")

    log(f"[{size}] warm routes")
    live_claims = counts["claims"] - counts["claims"] // synth.CLAIM_TOMBSTONE_EVERY
    result["warm"] = warm.measure(
        str(store_dir), size, live_claims, **(QUICK_WARM if quick else {})
    )
    log(
        f"[{size}]   floor {result['warm']['floor_p50_us']} µs; "
        + ", ".join(
            f"{name} {route['p50_ratio']}×" for name, route in result["warm"]["routes"].items()
        )
    )
    log(f"[{size}] validation throughput")
    result["validation"] = throughput.validation(
        size, limit=300 if quick else throughput.VALIDATION_SAMPLE, repeats=1 if quick else 3
    )
    log(f"[{size}]   {result['validation']['ratio']}× the bare validator")

    log(f"[{size}] moto on loopback: cold starts, reads, peak RSS")
    record = warm.live_record_paths(size)[0]
    with cold.moto_store(store_dir) as moto:
        env = cold.aws_environment(moto["endpoint"], moto["home"], moto["bucket"])
        result["s3"] = {k: moto[k] for k in ("objects", "bytes", "load_seconds")}
        result["cold"] = cold.measure(env, record, "/claims", runs=1 if quick else cold.COLD_RUNS)
        result["serving"] = cold.serve(env, serving_tour(size))
    log(
        f"[{size}]   cold record {result['cold']['record']['ratio']}×, list {result['cold']['list']['ratio']}× "
        f"the boto3 yardstick ({result['cold']['baseline_s']} s); peak RSS {result['serving']['maxrss_mb']} MB"
    )
    log(f"[{size}] removing the build output")
    shutil.rmtree(work / "build", ignore_errors=True)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load_average"] = {"start": load_at_start, "end": [round(x, 2) for x in os.getloadavg()]}
    log(f"[{size}] done in {result['seconds']} s")
    return result


def build_only(size: int, out_root: Path = OUT) -> dict[str, Any]:
    """The results of ``size`` with the build measured anew (and said to be)."""
    work = out_root / str(size)
    result = json.loads(results_path(size).read_text())
    synth.ensure_dataset(size, work / "data")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    build = throughput.build(work / "data", work / "build", size)
    shutil.rmtree(work / "build", ignore_errors=True)
    result["compile_index"] = throughput.compile_and_index(work / "data", work / "indexes", size)
    git = git_state()
    result["build"] = dict(
        build,
        measured_at=datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        commit=git["commit"],
        dirty=git["dirty"],
        command=f"python -m benchmarks.run --build-only --sizes {size}",
        load_average={"start": load_at_start, "end": [round(x, 2) for x in os.getloadavg()]},
    )
    print(f"[{size}] build: {json.dumps(build)}", file=sys.stderr)
    return result


def validation_only(size: int) -> dict[str, Any]:
    """The results of ``size`` with validation measured anew (and said to be)."""
    result = json.loads(results_path(size).read_text())
    git = git_state()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    result["validation"] = dict(
        throughput.validation(size),
        measured_at=datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        commit=git["commit"],
        dirty=git["dirty"],
        command=f"python -m benchmarks.run --validation-only --sizes {size}",
        load_average={"start": load_at_start, "end": [round(x, 2) for x in os.getloadavg()]},
    )
    print(f"[{size}] validation: {json.dumps(result['validation'])}", file=sys.stderr)
    return result


def warm_only(size: int, out_root: Path = OUT) -> dict[str, Any]:
    """The results of ``size`` with the warm routes measured anew (and said to be), against the
    folder store an earlier run left (published anew if the data or the code changed)."""
    work = out_root / str(size)
    result = json.loads(results_path(size).read_text())
    stamp = synth.ensure_dataset(size, work / "data")
    folder_store(work / "data", work / "store", stamp)
    git = git_state()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    counts = stamp["counts"]
    live_claims = counts["claims"] - counts["claims"] // synth.CLAIM_TOMBSTONE_EVERY
    result["warm"] = dict(
        warm.measure(str(work / "store"), size, live_claims),
        measured_at=datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        commit=git["commit"],
        dirty=git["dirty"],
        command=f"python -m benchmarks.run --warm-only --sizes {size}",
        load_average={"start": load_at_start, "end": [round(x, 2) for x in os.getloadavg()]},
    )
    print(f"[{size}] warm: floor {result['warm']['floor_p50_us']} µs", file=sys.stderr)
    return result


def command_for(size: int) -> str:
    if size in DEFAULT_SIZES:
        return "make bench"
    return f"BENCH_SIZES={size} make bench"


def results_path(size: int, folder: Path = HERE) -> Path:
    return folder / f"results-{size}.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks (see benchmarks/RESULTS.md).")
    parser.add_argument("--sizes", help="sizes to run instead of the defaults, e.g. '10000 100000'")
    parser.add_argument("--report-only", action="store_true", help="redraw RESULTS.md and the plot")
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="measure only the build (throughput and peak RSS) into the existing results",
    )
    parser.add_argument(
        "--validation-only",
        action="store_true",
        help="measure only validation throughput into the existing results",
    )
    parser.add_argument(
        "--warm-only",
        action="store_true",
        help="measure only the warm routes into the existing results",
    )
    args = parser.parse_args(argv)
    if args.build_only or args.validation_only or args.warm_only:
        only = build_only if args.build_only else warm_only if args.warm_only else validation_only
        for size in requested_sizes(args.sizes, os.environ.get("BENCH_SIZES")):
            results_path(size).write_text(
                json.dumps(only(size), indent=1, ensure_ascii=False) + "\n"
            )
    elif not args.report_only:
        started = time.perf_counter()
        for size in requested_sizes(args.sizes, os.environ.get("BENCH_SIZES")):
            result = bench_size(size)
            results_path(size).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(f"benchmarks took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    report.write(HERE)
    print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
