"""Experiments behind the notes in RESULTS.md: where a route's time goes, beyond the floor.

Not part of ``make bench``. Each experiment registers a few extra routes on the benchmarks' own
copy of the app (``warm.load_app``), never on the app itself, times them against the floor in interleaved rounds, and prints the ratios::

    python -m benchmarks.experiments record 100000   # the single-record route, decomposed
    python -m benchmarks.experiments page 100000     # a filtered claims page, decomposed
    python -m benchmarks.experiments handler 10000   # the record at the Lambda handler

They read the folder store ``make bench`` left in benchmarks/out/<size>/store.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import time
import timeit
from collections.abc import Callable

from . import run, warm


def interleaved(
    bench: warm.Bench, candidates: dict[str, list[str]], rounds: int = 20, per_round: int = 300
) -> dict[str, float]:
    """p50 (µs) of each candidate's rotating paths, timed in interleaved rounds."""
    for paths in candidates.values():
        for path in paths:
            response = bench.call("GET", path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}: {response.body[:200]!r}")
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, paths in candidates.items():
            for i in range(per_round):
                started = time.perf_counter_ns()
                bench.call("GET", paths[i % len(paths)])
                samples[name].append((time.perf_counter_ns() - started) / 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def show(p50: dict[str, float], notes: dict[str, str]) -> None:
    floor = p50["floor"]
    for name, value in p50.items():
        print(f"{name:28s} p50 {value:7.1f} µs  {value / floor:5.2f}× floor  {notes.get(name, '')}")


def record(size: int) -> None:
    """The record route against trivial routes placed where it sits in chalice's route
    matcher, and against a handler that serves a response prepared once per record."""
    from chalice import Response

    from chalicelib.serve import responses as http
    from chalicelib.serve.request import check_id

    app_module = warm.load_app()
    app = app_module.app
    prepared: dict = {}

    def prepared_view(collection: str) -> Callable:
        def view(id):
            check_id(id)
            request = app.current_request
            release, cache = app_module.router.service.release_for({})
            key = (release.version, collection, id)
            found = prepared.get(key)
            if found is None:
                stored = release.record(collection, id)
                headers = dict(
                    http.SAFETY_HEADERS,
                    ETag=f'"{stored.sha256[:32]}"',
                    **{"Cache-Control": cache, "Content-Type": "application/json"},
                )
                found = prepared[key] = (stored.body.decode("utf-8"), headers)
            if http.not_modified(request.headers.get("if-none-match"), found[1]["ETag"]):
                return Response(body="", status_code=304, headers=found[1])
            return Response(body=found[0], status_code=200, headers=found[1])

        return view

    # Chalice's local gateway matches a path by scanning the sorted route paths, so where a
    # route sorts costs time. '/people0/{id}' sorts right after the '/people/...' routes:
    # a trivial route there pays the same matching as the people record route.
    app.route("/people0/{id}", methods=["GET"], name="x_floor_people")(lambda id: {})
    app.route("/people1/{id}", methods=["GET"], name="x_prepared")(prepared_view("people"))
    # Chalice's own route matching, as this experiment is about where a route sorts.
    bench = warm.Bench(str(run.OUT / str(size) / "store"), app_module, memoize_routes=False)
    people = [p for p in warm.live_record_paths(size) if p.startswith("/people/")]
    ids = [p.split("/")[2] for p in people]
    candidates = {
        "floor": [warm.FLOOR_PATH],
        "floor at /people0/{id}": [f"/people0/{i}" for i in ids],
        "record (people)": people,
        "prepared at /people1/{id}": [f"/people1/{i}" for i in ids],
    }
    try:
        show(
            interleaved(bench, candidates),
            {
                "floor at /people0/{id}": "a trivial route where chalice.local matches people records",
                "prepared at /people1/{id}": "body str, ETag and headers made once per record",
            },
        )
    finally:
        bench.close()


def page(size: int) -> None:
    """The parts of a filtered claims page (limit 50), each timed on its own."""
    from chalicelib.serve import query, views
    from chalicelib.serve.request import Request

    bench = warm.Bench(str(run.OUT / str(size) / "store"))
    try:
        path, params = f"/claims?{warm.CLAIMS_FILTER}", {"property": ["member_of"]}
        body = bench.call("GET", path).body
        bench.call("GET", warm.FLOOR_PATH)
        service = bench.api
        release = service.dataset.current()
        index = release.collection_index("claims")
        parsed = query.parse_list_params(index.kind, params)
        result = query.run_list(index, parsed, release.version)
        text = body.decode("utf-8")
        parts: dict[str, Callable[[], object]] = {
            "floor, through the client": lambda: bench.call("GET", warm.FLOOR_PATH),
            "page, through the client": lambda: bench.call("GET", path),
            "views.list_records": lambda: views.list_records(
                Request("/claims", params, service), "claims"
            ),
            "  query.parse_list_params": lambda: query.parse_list_params(index.kind, params),
            "  query.run_list": lambda: query.run_list(index, parsed, release.version),
            "  query.render_page": lambda: query.render_page(result, "/claims?x", release.version),
            f"sha256 of the body ({len(body):,} B)": lambda: hashlib.sha256(body).hexdigest(),
            "body bytes -> str": lambda: body.decode("utf-8"),
            "body str -> bytes (test client)": lambda: text.encode("utf-8"),
        }
        for name, call in parts.items():
            best = min(timeit.repeat(call, number=2000, repeat=5)) / 2000 * 1e6
            print(f"{name:40s} {best:8.1f} µs")
    finally:
        bench.close()


def handler(size: int, calls: int = 30_000) -> None:
    """The single record and the floor at the Lambda handler, ``app.app(event, context)``, as
    Lambda calls it, with each event made once: the app's own cost, without the test client.
    The two alternate call by call, so a slow patch of a shared machine costs both alike; and
    the local gateway's route matching of each path, timed apart."""
    bench = warm.Bench(str(run.OUT / str(size) / "store"), memoize_routes=False)
    try:
        paths = warm.live_record_paths(size)
        for path in paths:
            bench.call("GET", path)
        gateway = bench.client.http._local_gateway
        matcher = gateway.event_converter._route_matcher
        # The requests above opened the service's dataset; the handler reads no environment.
        context = gateway._generate_lambda_context()
        records = [gateway._generate_lambda_event("GET", p, {}, b"") for p in paths]
        floor = gateway._generate_lambda_event("GET", warm.FLOOR_PATH, {}, b"")
        app, clock = bench.app_module.app, time.perf_counter_ns
        samples: dict[str, list[int]] = {
            k: [] for k in ("floor", "record", "match floor", "match record")
        }
        for i in range(calls):
            started = clock()
            app(floor, context)
            samples["floor"].append(clock() - started)
            started = clock()
            app(records[i % len(records)], context)
            samples["record"].append(clock() - started)
            started = clock()
            matcher.match_route(warm.FLOOR_PATH)
            samples["match floor"].append(clock() - started)
            started = clock()
            matcher.match_route(paths[i % len(paths)])
            samples["match record"].append(clock() - started)
        p50 = {k: statistics.median(v) / 1000 for k, v in samples.items()}
        for name, value in p50.items():
            print(f"{name:14s} p50 {value:6.1f} µs")
        print(
            f"record - floor at the handler: {p50['record'] - p50['floor']:.1f} µs; "
            f"in the local gateway's matching: {p50['match record'] - p50['match floor']:.1f} µs"
        )
    finally:
        bench.close()


if __name__ == "__main__":
    {"record": record, "page": page, "handler": handler}[sys.argv[1]](
        int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    )
