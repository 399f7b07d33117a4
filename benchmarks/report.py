"""RESULTS.md and the plot, drawn from every ``results-<size>.json`` in the benchmarks folder.

The figures are judged here against the project's performance targets (docs/architecture.md), so the
targets are stated once, in ``TARGETS``. Anything between the notes markers in RESULTS.md is written by a
person (what missed, and why) and is kept when the file is redrawn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

NOTES_START, NOTES_END = "<!-- notes:start -->", "<!-- notes:end -->"
PLOT = "warm-p50.svg"
PLOTTED = {  # route -> legend label, in legend order
    "validate_100": "POST /validate, 100 items",
    "claims_filtered": "filtered claims page",
    "search": "q= search",
    "walk_deep_page": "walk, page 1,000",
    "walk_first_page": "walk, page 1",
    "record": "GET /<collection>/<id>",
    "dataset": "GET /dataset",
    "floor": "floor (return {})",
}


@dataclass(frozen=True)
class Target:
    """One performance target: how to read the figure, the bound, and where it applies.

    ``bound`` is one number for every size, or a bound per size; at a size a target does not
    name, the figure is still compared (with its smallest bound), in parentheses.
    """

    label: str
    value: Callable[[dict], float | None]
    shown: Callable[[dict], str]
    bound: float | dict[int, float]
    text: str
    at_most: bool = True

    def verdict(self, result: dict) -> str:
        value = self.value(result)
        if value is None:
            return "not measured"
        bounds: dict[int, float] | None = None
        if isinstance(self.bound, dict):
            bounds = self.bound
            bound = bounds.get(result["size"], min(bounds.values()))
        else:
            bound = self.bound
        ok = value <= bound if self.at_most else value >= bound
        if bounds and result["size"] not in bounds:
            return "(within)" if ok else "(beyond; not a target at this size)"
        return "met" if ok else "**missed**"


def _route(name: str, key: str = "p50_ratio") -> Callable[[dict], float | None]:
    return lambda r: r["warm"]["routes"].get(name, {}).get(key)


def _ratio(name: str) -> Callable[[dict], str]:
    def shown(r: dict) -> str:
        route = r["warm"]["routes"].get(name)
        if route is None:
            return "—"
        status = "" if route["status"] == 200 else f" (answered {route['status']})"
        return f"{route['p50_ratio']:.2f}× ({route['p50_us']:.0f} µs){status}"

    return shown


def _record_reads(r: dict, phase: str) -> int | None:
    """Most reads any single-record request made, once the process had resolved the release."""
    counts = [
        q[f"reads_{phase}"]
        for q in r["serving"]["requests"][1:]
        if q["path"].count("/") == 2 and "?" not in q["path"] and "validate" not in q["path"]
    ]
    return max(counts) if counts else None


TARGETS = (
    Target("Single record, warm p50", _route("record"), _ratio("record"), 1.2, "≤ 1.2× floor"),
    Target(
        "Single record, object reads cold",
        lambda r: _record_reads(r, "cold"),
        lambda r: (
            f"{_record_reads(r, 'cold')} (first request of a process: "
            f"{r['cold']['record']['reads']}, with current.json and manifest.json)"
        ),
        2,
        "≤ 2",
    ),
    Target(
        "Single record, object reads warm",
        lambda r: _record_reads(r, "warm"),
        lambda r: f"{_record_reads(r, 'warm')}",
        0,
        "0",
    ),
    Target(
        "Filtered claims page, warm p50",
        _route("claims_filtered"),
        _ratio("claims_filtered"),
        {100_000: 2.0, 1_000_000: 2.0},
        "≤ 2× floor at 100k and 1M",
    ),
    Target(
        "q= search, warm p50",
        _route("search"),
        _ratio("search"),
        {1_000_000: 20.0},
        "≤ 20× floor at 1M",
    ),
    Target(
        "Deep page vs page 1 of a walk",
        lambda r: r["warm"]["walk"]["deep_over_first"],
        lambda r: (
            (
                f"{r['warm']['walk']['deep_over_first']:.2f}× (page {r['warm']['walk']['pages']:,}, "
                f"limit {r['warm']['walk']['limit']})"
            )
            if r["warm"]["walk"]["deep_over_first"]
            else "—"
        ),
        1.1,
        "page 1,000 ≤ 1.1× page 1",
    ),
    Target(
        "Cold start, first record (fresh process)",
        lambda r: r["cold"]["record"]["ratio"],
        lambda r: (
            f"{r['cold']['record']['ratio']:.2f}× ({r['cold']['record']['whole_s'] * 1000:.0f} ms)"
        ),
        {100_000: 1.5},
        "≤ 1.5× boto3 yardstick at 100k",
    ),
    Target(
        "Cold start, first list (fresh process)",
        lambda r: r["cold"]["list"]["ratio"],
        lambda r: (
            f"{r['cold']['list']['ratio']:.2f}× ({r['cold']['list']['whole_s'] * 1000:.0f} ms)"
        ),
        {100_000: 3.0},
        "≤ 3× boto3 yardstick at 100k",
    ),
    Target(
        "Peak RSS of the serving process",
        lambda r: r["serving"]["maxrss_mb"],
        lambda r: f"{r['serving']['maxrss_mb']:.0f} MB",
        {100_000: 256, 1_000_000: 1024},
        "≤ 256 MB at 100k, ≤ 1 GB at 1M",
    ),
    # Since the first build target was set, a release has grown to hold all.sqlite, history/,
    # the digests and the redaction: the 10,000 records/s now bounds compiling (read, validate,
    # spool) and the list indexes, and the whole release has a target of its own.
    Target(
        "Build throughput, compile and index",
        lambda r: r.get("compile_index", {}).get("records_per_s"),
        lambda r: (
            f"{r['compile_index']['records_per_s']:,} records/s "
            f"(compile {r['compile_index']['compile_seconds']:.1f} s, "
            f"index {r['compile_index']['index_seconds']:.1f} s)"
        ),
        {1_000_000: 10_000},
        "≥ 10,000 records/s on 2 cores at 1M",
        at_most=False,
    ),
    Target(
        "Build throughput, the whole release",
        lambda r: r["build"]["records_per_s"],
        lambda r: (
            f"{r['build']['records_per_s']:,} records/s ({r['build']['seconds']:.1f} s"
            + (f", {r['build']['cpu_seconds']:.1f} s CPU" if "cpu_seconds" in r["build"] else "")
            + ")"
        ),
        {1_000_000: 3_000},
        "≥ 3,000 records/s on 2 cores at 1M",
        at_most=False,
    ),
    Target(
        "Build peak RSS, whole process tree",
        lambda r: r["build"].get("peak_rss_mb"),
        lambda r: (
            f"{r['build']['peak_rss_mb']:,.0f} MB summed over {r['build']['peak_processes']} processes"
        ),
        {1_000_000: 1536},
        "≤ 1.5 GB at 1M",
    ),
    Target(
        "Validation throughput vs bare Draft202012Validator",
        lambda r: r["validation"]["ratio"],
        lambda r: (
            f"{r['validation']['ratio']:.2f}× ({r['validation']['ours_per_s']:,} vs "
            f"{r['validation']['bare_per_s']:,} records/s)"
        ),
        0.7,
        "≥ 0.7×",
        at_most=False,
    ),
)


# Beside the targets: the same routes when the process has not answered the request before.
# Warm repeats are answered from the kept answer (chalicelib.serve.service.Service.kept); these show what the
# first answer to each request costs in a warm process.
FIRST_ANSWERS = (
    ("Single record, first answer in a warm process", "record_fresh"),
    ("Filtered claims page, first answer in a warm process", "claims_filtered_fresh"),
    ("Record page (HTML), warm repeat", "record_html"),
    ("Record page (HTML), first answer in a warm process", "record_html_fresh"),
    ("List page (HTML), first answer in a warm process", "list_page_html_fresh"),
)


def _first_answer_rows(result: dict) -> list[str]:
    rows = [
        f"| {label} | {_ratio(name)(result)} | (context: no target) | |"
        for label, name in FIRST_ANSWERS
        if name in result["warm"]["routes"]
    ]
    walk = result["warm"]["walk"]
    if walk.get("deep_over_first_fresh"):
        rows.append(
            f"| Deep page vs page 1, first answers | {walk['deep_over_first_fresh']:.2f}× "
            f"(page {walk['pages']:,}, limit {walk['limit']}) | (context: page 1,000 ≤ 1.1× "
            f"page 1) | {'within' if walk['deep_over_first_fresh'] <= 1.1 else 'beyond'} |"
        )
    return rows


def _size_label(size: int) -> str:
    return (
        f"{size // 1_000_000}M"
        if size >= 1_000_000 and size % 1_000_000 == 0
        else f"{size // 1000}k"
        if size % 1000 == 0
        else str(size)
    )


def load(folder: Path) -> list[dict[str, Any]]:
    """Every full (not quick) results file in ``folder``, smallest size first."""
    results = []
    for path in folder.glob("results-*.json"):
        result = json.loads(path.read_text())
        if not result.get("quick"):
            results.append(result)
    return sorted(results, key=lambda r: r["size"])


def targets_table(result: dict) -> list[str]:
    rows = [
        "| figure | measured | target | verdict |",
        "|---|---|---|---|",
        f"| dispatch floor: trivial route p50 | {result['warm']['floor_p50_us']:.0f} µs | reference | |",
    ]
    for target in TARGETS:
        try:
            shown = target.shown(result)
        except (KeyError, TypeError):
            shown = "—"
        rows.append(f"| {target.label} | {shown} | {target.text} | {target.verdict(result)} |")
    return rows + _first_answer_rows(result)


def routes_table(result: dict) -> list[str]:
    rows = [
        "| route | request | p50 | p99 | p50 × floor | p99 × floor | status |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for name, route in result["warm"]["routes"].items():
        rows.append(
            f"| {name} | `{route['path']}` | {route['p50_us']:,.0f} µs | {route['p99_us']:,.0f} µs "
            f"| {route['p50_ratio']:.2f} | {route['p99_ratio']:.2f} | {route['status']} |"
        )
    return rows


def reads_table(result: dict) -> list[str]:
    rows = [
        "| request, in order, in one fresh process | object reads cold | warm | ms cold | ms warm "
        "| peak RSS after |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for q in result["serving"]["requests"]:
        rss = f"{q['peak_rss_mb']:,.0f} MB" if "peak_rss_mb" in q else "—"
        rows.append(
            f"| `{q['path']}` | {q['reads_cold']} | {q['reads_warm']} | {q['ms_cold']:,.1f} "
            f"| {q['ms_warm']:,.2f} | {rss} |"
        )
    return rows


def _load(result: dict) -> str:
    load = result.get("load_average")
    return (
        f"{load['start'][0]:.1f} at the start and {load['end'][0]:.1f} at the end"
        if load
        else "unknown"
    )


def _publish(result: dict) -> str:
    publish = result["publish"]
    return (
        "no time: the store of an earlier run, of the same data and code, was reused"
        if publish.get("reused")
        else f"{publish['seconds']:,.0f} s"
    )


def _remeasured(result: dict, part: str, what: str) -> list[str]:
    """The line saying when ``part``'s figures were taken, when not in the run of the rest."""
    b = result[part]
    if "measured_at" not in b:
        return []
    return [
        f"The {what} figures were measured again on their own "
        f"(`{b['command']}`), {b['measured_at']} at commit `{b['commit']}`"
        f"{' (with uncommitted changes)' if b.get('dirty') else ''}, load average "
        f"{_load(b)}; every other figure is from the run above.",
        "",
    ]


def size_section(result: dict) -> list[str]:
    r, _m = result, result["machine"]
    cold, v = r["cold"], r["validation"]
    counts = ", ".join(f"{c} {n:,}" for c, n in r["dataset"]["counts"].items())
    lines = [
        f"## {_size_label(r['size'])} records",
        "",
        f"Measured {r['measured_at']} at commit `{r['git']['commit']}`"
        f"{' (with uncommitted changes)' if r['git']['dirty'] else ''}, in {r['seconds']:.0f} s, "
        f"load average {_load(r)}. Reproduce with `{r['command']}`.",
        "",
        f"Dataset: {counts} (tombstones included). Release: `{r['build']['version']}`, "
        f"{r['s3']['objects']:,} objects, {r['s3']['bytes'] / 1e6:,.0f} MB.",
        "",
        *_remeasured(r, "build", "build (throughput, peak RSS)"),
        *_remeasured(r, "validation", "validation"),
        *_remeasured(r, "warm", "warm route"),
        *targets_table(r),
        "",
        f'Cold-start yardstick: `python -c "{cold["baseline_code"]}"` takes {cold["baseline_s"] * 1000:.0f} ms '
        f"as a whole process (a bare `python -c pass`: {cold['python_s'] * 1000:.0f} ms); median of {cold['runs']} "
        f"interleaved runs each. The first record answered {cold['record']['answer_s'] * 1000:.0f} ms after spawn "
        f"(app imported at {cold['record']['import_s'] * 1000:.0f} ms), reading "
        f"{', '.join(cold['record']['keys'])}; the first list answered at {cold['list']['answer_s'] * 1000:.0f} ms, "
        f"reading {', '.join(cold['list']['keys'])}.",
        "",
        f"Validation: {v['records']:,} records; the build's schema stage (jsonschema-rs prechecks, jsonschema "
        f"explains) runs at {v['build_per_s']:,} records/s, {v['build_ratio']:.1f}× the bare validator. "
        f"Publishing to a folder store took {_publish(r)}.",
        "",
        "<details><summary>Every route, warm</summary>",
        "",
        *routes_table(r),
        "",
        f"Walk: `/claims?limit={r['warm']['walk']['limit']}` followed through "
        f"{r['warm']['walk']['pages']:,} pages by its `next` links.",
        "",
        "</details>",
        "",
        "<details><summary>Object reads per request in a fresh process on S3 (moto), and its peak RSS "
        f"({r['serving']['maxrss_mb']:.0f} MB)</summary>",
        "",
        *reads_table(r),
        "",
        "</details>",
        "",
    ]
    return lines


def render(results: list[dict], notes: str) -> str:
    machine = results[-1]["machine"] if results else {}
    lines = [
        "# Benchmarks",
        "",
        "What `make bench` measures against the performance targets in docs/architecture.md. Every figure of a size "
        "comes from one run on one machine; route timings are ratios to a trivial route in the same "
        "app, process and run, so they travel between machines better than microseconds do.",
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('ram_gb', '?')} GB RAM, Python {machine.get('python', '?')}, {machine.get('platform', '?')}.",
        "",
        "Reproduce: `make bench` runs 10k and 100k records; `BENCH_SIZES=1000000 make bench` adds 1M "
        "(`BENCH_SIZES` lists sizes to add to the defaults; `python -m benchmarks.run --sizes 1000000` runs "
        "only the sizes given). Synthetic data, releases and stores go to `benchmarks/out/` (ignored by git, "
        "reused while the generator, the code and the schemas are unchanged; delete it to start afresh).",
        "",
        f"![warm p50 per route against dataset size]({PLOT})",
        "",
        "How each figure is taken:",
        "",
        "- **Warm routes**: the real `app.app` through `chalice.test.Client`, against the release built from "
        "the synthetic data and published (`python -m chalicelib publish`) to a folder store. A `return {}` "
        "route registered on the same app object inside the bench process is the floor. The test client's "
        "local gateway matches each URL to its route once (`benchmarks.warm.memoize_route_matching`): Chalice "
        "tries every route template in turn on each request, a cost API Gateway's routing never adds to a "
        "Lambda, that grows with the number of routes and is least for the floor. Each route is warmed, "
        "then timed in 10 interleaved rounds (up to 4,000 requests). The single-record route rotates over 96 "
        "warmed ids from all six collections. A warm repeat is answered from the app's kept answers "
        "(`chalicelib.serve.service.Service.kept`); the `*_fresh` routes drop them before each request, outside the clock, "
        "and so show what the first answer to a request costs in a warm process. Each round times the warm "
        "routes before the fresh ones, and first answers the warm routes' requests again, outside the clock.",
        "- **Cold start**: a fresh interpreter runs `benchmarks/coldstart.py`, which imports `app` and calls "
        "`app.app(event, context)` as Lambda does, against the release loaded into a moto `ThreadedMotoServer` "
        "on 127.0.0.1 (`AWS_ENDPOINT_URL`, fake credentials). Compared, whole process against whole process, "
        "with `python -c \"import boto3; boto3.client('s3')\"` in the same environment.",
        "- **Object reads**: a botocore `before-call.s3.GetObject` hook on the store's client counts every "
        "GET in the fresh process; each request runs twice (cold, then warm).",
        "- **Peak RSS**: the peak resident set (`VmHWM`) of that process after a tour that touches every "
        "collection (record, list, filter, search), a record's claims, `/dataset` and `POST /validate`. "
        "Not `ru_maxrss`: Linux carries that over from the parent through fork and exec, so a child of "
        "the benchmark process (which holds the moto bucket) reports the parent's size.",
        "- **Build**: `python -m chalicelib build --out DIR --data DIR`, whole process, records ÷ seconds. Its peak RSS is the largest sum, over the building process and every worker it forks, of their resident sets, sampled every 50 ms from `/proc` (`python -m benchmarks.treerss -- COMMAND`). A forked worker maps its parent's pages, so the sum counts a shared page once per process: an upper bound of what the build costs the machine.",
        "- **Validation**: `chalicelib.checks.validate.validate` with `SchemaSet` (the CLI's and `POST /validate`'s "
        "path: both stages, against a catalog of the whole dataset) against a reused "
        "`jsonschema.Draft202012Validator` per kind with format checking on, `iter_errors` drained, same "
        "records (up to 20,000, evenly spread), same process, in CPU time: for each part of 500 records the "
        "least of 3 runs of each, the two (and the build's schema stage) taken in turn.",
        "",
    ]
    for result in results:
        lines += size_section(result)
    lines += [
        "# Where the time goes, and what changed",
        "",
        NOTES_START,
        notes.strip("\n"),
        NOTES_END,
        "",
    ]
    return "\n".join(lines)


def plot(results: list[dict]) -> str:
    """A log-log SVG of warm p50 per route against dataset size, with no dependencies."""
    width, height, left, right, top, bottom = 760, 560, 70, 230, 30, 50
    sizes = [r["size"] for r in results]
    points = {
        name: [
            (r["size"], r["warm"]["routes"][name]["p50_us"])
            for r in results
            if name in r["warm"]["routes"]
        ]
        for name in PLOTTED
    }
    values = [v for series in points.values() for _, v in series] or [1.0]
    y_lo = 10 ** math.floor(math.log10(min(values)))
    y_hi = 10 ** math.ceil(math.log10(max(values)))
    x_lo, x_hi = math.log10(min(sizes or [1000])) - 0.15, math.log10(max(sizes or [1000000])) + 0.15

    def x(size: float) -> float:
        return left + (math.log10(size) - x_lo) / (x_hi - x_lo) * (width - left - right)

    def y(us: float) -> float:
        return top + (math.log10(y_hi) - math.log10(us)) / (math.log10(y_hi) - math.log10(y_lo)) * (
            height - top - bottom
        )

    colours = [
        "#d62728",
        "#1f77b4",
        "#ff7f0e",
        "#9467bd",
        "#8c564b",
        "#2ca02c",
        "#e377c2",
        "#7f7f7f",
    ]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="14">Warm p50 per route (µs, log scale) against dataset size</text>',
    ]
    decade = y_lo
    while decade <= y_hi:
        label = f"{decade / 1000:g} ms" if decade >= 1000 else f"{decade:g} µs"
        out += [
            f'<line x1="{left}" x2="{width - right}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#ddd"/>',
            f'<text x="{left - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{label}</text>',
        ]
        decade *= 10
    for size in sizes:
        out += [
            f'<line x1="{x(size):.1f}" x2="{x(size):.1f}" y1="{top}" y2="{height - bottom}" stroke="#eee"/>',
            f'<text x="{x(size):.1f}" y="{height - bottom + 18}" text-anchor="middle">{_size_label(size)}</text>',
        ]
    out.append(
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 12}" text-anchor="middle">'
        "records in the dataset</text>"
    )
    for i, (name, label) in enumerate(PLOTTED.items()):
        colour, series = colours[i % len(colours)], points[name]
        dash = ' stroke-dasharray="4 3"' if name == "floor" else ""
        if len(series) > 1:
            path = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in series)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
        out += [
            f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>' for s, v in series
        ]
        ly = top + 10 + i * 20
        out += [
            f'<line x1="{width - right + 15}" x2="{width - right + 40}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>',
            f'<text x="{width - right + 46}" y="{ly + 4}">{escape(label)}</text>',
        ]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write(folder: Path) -> None:
    """Redraw ``RESULTS.md`` and the plot in ``folder`` from its results files."""
    folder = Path(folder)
    results = load(folder)
    target = folder / "RESULTS.md"
    notes = "(nothing yet)"
    if target.exists():
        text = target.read_text()
        if NOTES_START in text and NOTES_END in text:
            notes = text.split(NOTES_START, 1)[1].split(NOTES_END, 1)[0]
    target.write_text(render(results, notes))
    if results:
        (folder / PLOT).write_text(plot(results))
