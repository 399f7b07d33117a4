"""The OpenAPI contract holds over real HTTP: schemathesis's command line, every check, against
the server `make serve` starts, as `make contract` runs it with fewer examples.

Bounded to run in about a minute: the coverage phase (deterministic, about 4,000 requests) and
EXAMPLES cases per operation in the fuzzing and stateful phases, from a fixed seed, so that a
run meets the same cases as the run before it. `make contract EXAMPLES=40 SEED=<n>` explores
further.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 5
SEED = 19880719
TIMEOUT_SECONDS = 600


def test_schemathesis_finds_nothing_over_http_against_make_serve(serve):
    base, _, log = serve
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--no-color",
    ]
    # From the project's root, so that schemathesis reads schemathesis.toml (and its hooks).
    run = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:] + "\n--- server log ---\n" + log.read_text()[-2000:]
    # Every phase ran and passed, the stateful one (which follows the links) included.
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅\s+{phase}", report), report[-3000:]
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", report).groups())
    assert generated == passed > 1000
    # Every operation the document describes was tested.
    selected, total = map(int, re.search(r"Selected: (\d+)/(\d+)", report).groups())
    tested = int(re.search(r"Tested: (\d+)", report).group(1))
    assert selected == total == tested > 0
