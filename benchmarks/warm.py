"""Warm route timings: the real app, through ``chalice.test.Client``, against a folder store.

Every route is timed in the same process and the same run as a trivial ``return {}`` route
registered on the same app object (the dispatch floor), and is reported as a ratio to it, so
the figures carry over between machines. Routes are timed in interleaved rounds, so a slow
patch of the machine costs every route alike rather than one.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import synth

ROOT = Path(__file__).resolve().parent.parent
FLOOR_PATH = "/bench-floor"
ROUNDS = 10
BUDGET_SECONDS = 1.5  # per route, across its rounds
MIN_SAMPLES, MAX_SAMPLES = 100, 4000
WALK_PAGES = 1000
VALIDATE_ITEMS = 100
RECORD_SAMPLE = 16  # ids per collection that the single-record route rotates over
SEARCH_LATIN, SEARCH_PERSIAN = "rezaei", "رضایی"
CLAIMS_FILTER = "property=member_of"
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def load_app():
    """A copy of the app module (app.py) of the benchmarks' own, with the floor on it.

    app.py is executed afresh as the module ``bench_app``, so its Chalice app is a new object:
    the floor (a ``return {}`` route, the unit every ratio is measured in) and any route an
    experiment adds go on that copy, and the ``app`` that the test suite and the server import
    never changes. The copy shares chalicelib, so it serves exactly what the app serves.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("bench_app", ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.app.route(FLOOR_PATH, methods=["GET"], name="bench_floor")(lambda: {})
    return module


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples``, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def live_record_paths(size: int) -> list[str]:
    """Paths of live records spread over every collection, from the generator's first chunks."""
    u = synth.Universe(size)
    paths = []
    for collection in synth.COLLECTIONS:
        records = [r for r in synth.chunk_records(u, collection, 0) if "tombstone" not in r]
        step = max(1, len(records) // RECORD_SAMPLE)
        paths += [f"/{collection}/{r['id']}" for r in records[::step][:RECORD_SAMPLE]]
    return paths


def validate_body(size: int, count: int = VALIDATE_ITEMS) -> bytes:
    """A POST /validate body of ``count`` published records, in the dataset's proportions."""
    u = synth.Universe(size)
    items = []
    for collection, n in u.counts.items():
        take = max(1, round(count * n / size))
        kind = {
            "people": "person",
            "organizations": "organization",
            "places": "place",
            "events": "event",
            "sources": "source",
            "claims": "claim",
        }[collection]
        live = (r for r in synth.chunk_records(u, collection, 0) if "tombstone" not in r)
        items += [{"kind": kind, "record": r} for _, r in zip(range(take), live)]
    return json.dumps({"items": items[:count]}, ensure_ascii=False).encode("utf-8")


def memoize_route_matching(client: Any) -> None:
    """Match each URL to its route once, in the test client's local gateway.

    ``chalice.local.RouteMatcher`` tries the app's route templates one by one, in sorted order,
    splitting each, on every request: a cost that grows with the number of routes and differs
    by where a route sorts (the floor, ``/bench-floor``, comes among the first; ``/people/{id}``
    among the last). API Gateway routes a request before the Lambda runs, so none of it is
    the app's. A URL's match is a function of the URL alone, so it is kept: every route then
    pays one dictionary lookup, and the floor cancels the gateway's cost as it should.
    """
    matcher = client.http._local_gateway.event_converter._route_matcher
    match = matcher.match_route
    matched: dict[str, Any] = {}

    def match_route(url: str) -> Any:
        found = matched.get(url)
        if found is None:
            found = matched[url] = match(url)
        return found

    matcher.match_route = match_route


class Bench:
    """The app under a test client, pointed at ``store_url`` through the stage's environment."""

    def __init__(self, store_url: str, app_module=None, memoize_routes: bool = True):
        from chalice.test import Client

        # The benchmarks' own copy of the app, or one an experiment has added routes to.
        self.app_module = app_module or load_app()
        # The copy's own service: what it holds (the dataset, the kept answers) is its own.
        self.api = self.app_module.router.service
        # chalice.test.Client sets the stage's environment_variables on every request, so the
        # store is named in a stage config of our own rather than in os.environ.
        self._project = tempfile.TemporaryDirectory(prefix="bench-project-")
        config = Path(self._project.name) / ".chalice" / "config.json"
        config.parent.mkdir()
        config.write_text(
            json.dumps(
                {
                    "version": "2.0",
                    "app_name": "bench",
                    "environment_variables": {"DATASET_STORE": store_url},
                    "stages": {"dev": {}},
                }
            )
        )
        self.client = Client(self.app_module.app, project_dir=self._project.name)
        if memoize_routes:
            memoize_route_matching(self.client)

    def close(self) -> None:
        self._project.cleanup()

    def reads(self) -> int:
        return self.api.storage_reads()

    def call(self, method: str, path: str, body: bytes = b"") -> Any:
        headers = {"content-type": "application/json"} if method == "POST" else {}
        return self.client.http.request(method, path, headers=headers, body=body)


def walk(bench: Bench, first: str, pages: int) -> tuple[str | None, str | None]:
    """The URL of page ``pages`` of the walk that starts at ``first``, or (None, why not)."""
    url = first
    for page in range(1, pages):
        response = bench.call("GET", url)
        if response.status_code != 200:
            return None, f"page {page} answered {response.status_code}"
        url = json.loads(response.body).get("next")
        if not url:
            return None, f"the walk ends after page {page}"
    return url, None


def routes(
    size: int, bench: Bench, claims: int, pages: int = WALK_PAGES
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The routes to time, by name: method, path (or rotating paths) and body."""
    # The largest page size (up to the default 50) that still leaves a page ``pages``.
    limit = max(1, min(50, claims // (pages + 1)))
    first = f"/claims?limit={limit}"
    deep, why = walk(bench, first, pages)
    person = next(p for p in live_record_paths(size) if p.startswith("/people/"))
    table: dict[str, dict[str, Any]] = {
        "floor": {"path": FLOOR_PATH},
        "record": {"paths": live_record_paths(size), "path": "/<collection>/<id>"},
        "claims_filtered": {"path": f"/claims?{CLAIMS_FILTER}"},
        "search": {"path": f"/people?q={SEARCH_LATIN}"},
        "walk_first_page": {"path": first},
        "walk_deep_page": {"path": deep},
        "dataset": {"path": "/dataset"},
        "validate_100": {"path": "/validate", "method": "POST", "body": validate_body(size)},
        # Beyond the targets, for context:
        "record_claims": {"path": f"{person}/claims"},
        "search_persian": {"path": f"/people?q={quote(SEARCH_PERSIAN)}"},
        "claims_two_filters_sorted": {"path": f"/claims?{CLAIMS_FILTER}&status=alleged&sort=-date"},
        "list_page": {"path": "/people"},
        # The same requests answered afresh: the kept answers are dropped before each one
        # (outside the clock), as for the first time a warm process is asked each request.
        "record_fresh": {
            "paths": live_record_paths(size),
            "path": "/<collection>/<id>",
            "fresh": True,
        },
        "claims_filtered_fresh": {"path": f"/claims?{CLAIMS_FILTER}", "fresh": True},
        # The same record and list as pages, as a browser asks for them (serve/pages/).
        "record_html": {
            "paths": live_record_paths(size),
            "path": "/<collection>/<id> (HTML)",
            "headers": BROWSER,
        },
        "list_page_html": {"path": "/people", "headers": BROWSER},
        "record_html_fresh": {
            "paths": live_record_paths(size),
            "path": "/<collection>/<id> (HTML)",
            "headers": BROWSER,
            "fresh": True,
        },
        "list_page_html_fresh": {"path": "/people", "headers": BROWSER, "fresh": True},
        "walk_first_page_fresh": {"path": first, "fresh": True},
        "walk_deep_page_fresh": {"path": deep, "fresh": True},
    }
    if deep is None:
        del table["walk_deep_page"], table["walk_deep_page_fresh"]
    return table, {"limit": limit, "pages": pages, "skipped": why}


def _caller(bench: Bench, spec: dict[str, Any]) -> Callable[[], Any]:
    method, body = spec.get("method", "GET"), spec.get("body", b"")
    paths = spec.get("paths") or [spec["path"]]
    request = bench.client.http.request
    headers = {"content-type": "application/json"} if method == "POST" else {}
    headers.update(spec.get("headers", {}))
    state = {"i": 0}

    def call():
        i = state["i"] = (state["i"] + 1) % len(paths)
        return request(method, paths[i], headers=headers, body=body)

    return call


def measure(
    store_url: str,
    size: int,
    claims: int,
    budget: float = BUDGET_SECONDS,
    rounds: int = ROUNDS,
    min_samples: int = MIN_SAMPLES,
    pages: int = WALK_PAGES,
) -> dict[str, Any]:
    """p50 and p99 of every route, warm, with each as a ratio to the floor's p50."""
    bench = Bench(store_url)
    try:
        table, walk_info = routes(size, bench, claims, pages)
        callers, per_round, statuses, reads_first = {}, {}, {}, {}
        for name, spec in table.items():
            call = callers[name] = _caller(bench, spec)
            before = bench.reads()
            for _ in range(max(3, len(spec.get("paths", ())))):
                response = call()
            started = time.perf_counter()
            for _ in range(5):  # what a warm call costs, to size the samples to the budget
                call()
            cost = (time.perf_counter() - started) / 5
            statuses[name] = response.status_code
            reads_first[name] = bench.reads() - before
            wanted = int(min(MAX_SAMPLES, max(min_samples, budget / max(cost, 1e-6))))
            per_round[name] = max(1, wanted // rounds)
        timings: dict[str, list[float]] = {name: [] for name in table}
        reads: dict[str, int] = {name: 0 for name in table}
        clock = time.perf_counter_ns
        # The fresh routes drop every kept answer, the warm routes' too. So each round times
        # the warm routes first, and answers their requests once more before its clock
        # starts: a warm route is timed warm however few requests a round makes of it (on a
        # loaded machine, fewer than the single-record route's 96 ids).
        warm_first = sorted(callers, key=lambda name: bool(table[name].get("fresh")))
        rewarm = [
            (callers[name], len(table[name].get("paths", ())) or 1)
            for name in warm_first
            if not table[name].get("fresh")
        ]
        for round_ in range(rounds):
            if round_:
                for call, times in rewarm:
                    for _ in range(times):
                        call()
            for name in warm_first:
                call = callers[name]
                before, out = bench.reads(), timings[name]
                forget = bench.api.forget_answers if table[name].get("fresh") else None
                for _ in range(per_round[name]):
                    if forget:
                        forget()
                    t0 = clock()
                    call()
                    out.append((clock() - t0) / 1000)
                reads[name] += bench.reads() - before
        floor = statistics.median(timings["floor"])
        results = {}
        for name, spec in table.items():
            samples = timings[name]
            p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
            results[name] = {
                "path": spec["path"] if name != "validate_100" else "POST /validate (100 items)",
                "status": statuses[name],
                "samples": len(samples),
                "p50_us": round(p50, 1),
                "p99_us": round(p99, 1),
                "p50_ratio": round(p50 / floor, 2),
                "p99_ratio": round(p99 / floor, 2),
                "reads_warmup": reads_first[name],
                "reads_per_request": round(reads[name] / len(samples), 3),
            }
        for suffix in ("", "_fresh"):
            deep = results.get("walk_deep_page" + suffix)
            walk_info["deep_over_first" + suffix] = (
                round(deep["p50_us"] / results["walk_first_page" + suffix]["p50_us"], 3)
                if deep
                else None
            )
        return {
            "floor_p50_us": round(floor, 1),
            "rounds": rounds,
            "routes": results,
            "walk": walk_info,
        }
    finally:
        bench.close()
