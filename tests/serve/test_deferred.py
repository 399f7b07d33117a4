"""The modules ``chalicelib.serve.deferred`` lists stay out of a cold start, and each function
there gives its module: the reason the list exists holds."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

from chalicelib.serve import deferred

ROOT = Path(__file__).resolve().parents[2]
DEFERRED = {
    name: function
    for name, function in inspect.getmembers(deferred, inspect.isfunction)
    if function.__module__ == deferred.__name__
}


def _loaded_by_importing_app() -> set[str]:
    """The modules a fresh interpreter holds once it has imported ``app``, as Lambda does."""
    script = "import json, sys; import app; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def test_every_deferred_module_stays_out_of_the_cold_start():
    loaded = _loaded_by_importing_app()
    assert "chalicelib.serve.deferred" in loaded  # the check looks at the right process
    kept_out = {name: function().__name__ for name, function in DEFERRED.items()}
    assert len(kept_out) >= 5
    assert {name: module for name, module in kept_out.items() if module in loaded} == {}
    assert "jinja2" not in loaded  # what rendering defers: the pages' template engine


def test_each_function_gives_the_module_it_names():
    for name, function in DEFERRED.items():
        module = function()
        assert module.__name__.rsplit(".", 1)[1] == name
        assert function() is module  # imported once, then kept by Python
