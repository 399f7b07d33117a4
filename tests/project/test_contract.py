"""The OpenAPI contract holds over real HTTP: schemathesis's command line, every check, against
the server `make serve` starts.

The first run is a consumer's: from an empty folder, so with no schemathesis.toml and no hooks,
over every operation. It finds only what docs/clients.md says a default run finds (/reconcile's
batches are strings holding JSON, which schemathesis generates without their declared shape).
The second run, from the project's root with its hooks, gives those operations the positive
cases the first cannot, so that every check runs on them too.

Bounded: deterministic generation (the same cases every run), EXAMPLES cases per operation in
the fuzzing and stateful phases. `make contract EXAMPLES=40 SEED=<n>` explores further, with
the hooks.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 5
TIMEOUT_SECONDS = 600
# What a default run reports, each said in docs/clients.md: a positive case whose JSON text is
# not a batch (or an extension request) is rightly refused with a 400.
DOCUMENTED = {
    ("ST202", "GET /reconcile"),
    ("ST202", "HEAD /reconcile"),
    ("ST202", "POST /reconcile"),
}


def schemathesis(base: str, cwd: Path, report: Path, *options: str) -> tuple[dict, str]:
    """Run schemathesis in ``cwd``; its JSON report (written to ``report``) and its output."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--generation-deterministic",
        "--workers",
        "1",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        *options,
    ]
    run = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    output = run.stdout + run.stderr
    assert report.exists(), output[-3000:]
    return json.loads(report.read_text("utf-8")), output


def failures(report: dict) -> set[tuple[str, str]]:
    return {(f["code"], op) for f in report["failures"] for op in f["operations"]}


def test_a_default_run_from_an_empty_folder_finds_only_what_the_docs_explain(serve, tmp_path):
    base, _, log = serve
    empty = tmp_path / "empty"
    empty.mkdir()
    report, output = schemathesis(base, empty, tmp_path / "report.json")
    found = failures(report)
    assert found <= DOCUMENTED, output[-6000:] + "\n--- server log ---\n" + log.read_text()[-2000:]
    assert report["errors"] == [], output[-3000:]
    # Every operation the document describes was tested, in every phase.
    operations = report["operations"]
    assert operations["selected"] == operations["total"] == operations["tested"] > 0
    assert all(phase["status"] != "skipped" for phase in report["phases"].values())
    assert report["test_cases"]["generated"] > 1000
    # Each failure it may report is one docs/clients.md names.
    clients = (ROOT / "docs" / "clients.md").read_text("utf-8")
    section = clients.split("## What a default schemathesis run reports", 1)[1]
    for _, operation in DOCUMENTED:
        assert f"`{operation}`" in section, operation


def test_the_operations_a_default_run_cannot_reach_pass_with_the_projects_hooks(serve, tmp_path):
    base, _, log = serve
    # From the project's root, so that schemathesis reads schemathesis.toml (and its hooks).
    report, output = schemathesis(
        base, ROOT, tmp_path / "report.json", "--include-path-regex", r"^/reconcile$"
    )
    assert failures(report) == set(), output[-6000:] + "\n--- log ---\n" + log.read_text()[-2000:]
    assert report["operations"]["tested"] == 3
    assert re.search(r"✅\s+Fuzzing", output), output[-3000:]
