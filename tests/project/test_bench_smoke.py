"""The benchmark code, run once at 1k records so it does not rot. No timing is asserted:
timings never gate CI; `make bench` measures them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from benchmarks import report, run, synth, warm
from chalicelib.checks.intake import load_paths
from chalicelib.checks.validate import validate
from chalicelib.model.schemas import SchemaSet

pytestmark = pytest.mark.xdist_group("bench-smoke")  # the synthetic dataset is made once

SIZE = 1_000


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The 1k synthetic dataset, written once for the module."""
    out = tmp_path_factory.mktemp("synth") / "data"
    synth.write_dataset(SIZE, out, workers=1)
    return out


def test_synthetic_dataset_has_exactly_the_requested_size_and_the_planned_counts(synthetic):
    files = Counter(path.parent.name for path in synthetic.glob("*/*.json"))
    assert sum(files.values()) == SIZE
    assert dict(files) == synth.plan(SIZE)


def test_synthetic_dataset_is_deterministic_whatever_the_worker_count(synthetic, tmp_path):
    again = tmp_path / "again"
    synth.write_dataset(SIZE, again, workers=2)
    first = {p.relative_to(synthetic): p.read_bytes() for p in synthetic.glob("*/*.json")}
    second = {p.relative_to(again): p.read_bytes() for p in again.glob("*/*.json")}
    assert first == second


def test_synthetic_dataset_is_valid_against_the_schemas_and_cross_record_checks(synthetic):
    report_ = validate(load_paths([synthetic]), SchemaSet.from_dir())
    problems = [(item.origin, p.to_dict()) for item in report_.items for p in item.errors]
    assert problems == []
    assert report_.counts() == synth.plan(SIZE)


def test_synthetic_dataset_is_shaped_like_the_real_one():
    records = list(synth.iter_records(SIZE))
    live = [(c, r) for c, r in records if "tombstone" not in r]
    people = [r for c, r in live if c == "people"]
    claims = [r for c, r in live if c == "claims"]
    assert 4.5 <= len(claims) / len(people) <= 5.5
    assert all(claim["sources"] for claim in claims)
    assert all(any(n.get("script") == "Arab" for n in p["names"]) for p in people)
    assert all(any(n.get("script") == "Latn" for n in p["names"]) for p in people)
    dates = [r["date"] for c, r in live if c == "events"]
    assert any("/" in d for d in dates) and any(
        d[5:7] in ("21", "22", "23", "24") and len(d) == 7 for d in dates
    )
    actions = {r["tombstone"]["action"] for _, r in records if "tombstone" in r}
    assert actions == {"merged", "withdrawn"}


def test_bench_takes_every_measurement_at_1k_and_reports_them(tmp_path):
    result = run.bench_size(SIZE, out_root=tmp_path, quick=True, log=lambda message: None)
    json.dumps(result)  # what the results file holds
    routes = result["warm"]["routes"]
    assert set(routes) >= {
        "floor",
        "record",
        "claims_filtered",
        "search",
        "walk_first_page",
        "walk_deep_page",
        "dataset",
        "validate_100",
    }
    assert {name: route["status"] for name, route in routes.items()} == {
        name: 200 for name in routes
    }
    assert all(
        route["p50_us"] > 0 and route["p99_us"] >= route["p50_us"] for route in routes.values()
    )
    assert result["build"]["records_per_s"] > 0
    timed = result["compile_index"]
    assert (
        timed["records_per_s"] > 0 and timed["compile_seconds"] > 0 and timed["index_seconds"] > 0
    )
    assert result["validation"]["errors"] == 0 and result["validation"]["ratio"] > 0
    for first in ("record", "list"):
        assert result["cold"][first]["status"] == 200
        assert result["cold"][first]["reads"] >= 1
    assert result["cold"]["baseline_s"] > 0
    tour = result["serving"]["requests"]
    assert {q["status_cold"] for q in tour} == {200} and {q["reads_warm"] for q in tour} == {0}
    assert {q["path"].split("?")[0].split("/")[1] for q in tour} >= set(synth.COLLECTIONS)
    assert result["serving"]["maxrss_mb"] > 0

    result["quick"] = False  # render it as a full run would be rendered
    text = report.render([result], "notes")
    for target in report.TARGETS:
        assert target.label.strip() in text
    assert "not measured" not in text
    # The floor lives on the benchmarks' own copy of the app; the app itself never sees it.
    from app import app

    assert warm.FLOOR_PATH in warm.load_app().app.routes
    assert warm.FLOOR_PATH not in app.routes
    ET.fromstring(report.plot([result]))
