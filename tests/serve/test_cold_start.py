"""``import app`` stays lean: what only some routes need is imported where it is used, on first
use, and stays out of a cold start.

Lambda answers a cold start's request only once ``app`` is imported, so every module imported
at the top of the serving code delays every cold start, whatever it asks for. Each module
below serves a few routes, or only requests after the first; its importer imports it inside
the function that needs it, with the reason beside the import. ``benchmarks/cold.py`` measures
the cold start this keeps small.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "chalicelib" / "serve"
# What a cold start does without: module, and the requests that import it.
KEPT_OUT = {
    "chalicelib.serve.query": "list, claims and facet requests",
    "chalicelib.serve.openapi": "GET /openapi.json",
    "chalicelib.serve.pages.rendering": "the first page a browser asks for",
    "jinja2": "the first page, or the contribution form",
    "markupsafe": "Jinja2's markup, with it",
    "chalicelib.serve.pages.i18n": "the pages' words: a page, or the contribution form",
    "chalicelib.serve.pages.scripts": "a page, or the contribution form",
    "chalicelib.checks.slugs": "the contribution form",
    "chalicelib.checks.scaffold": "the contribution form",
    "chalicelib.serve.recordform": "the contribution form",
    "chalicelib.serve.problem_words": "the contribution form's messages in Persian",
    "chalicelib.serve.schema_words": "the contribution form's hints in Persian",
}


def _loaded_by_importing_app() -> set[str]:
    """The modules a fresh interpreter holds once it has imported ``app``, as Lambda does."""
    script = "import json, sys; import app; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def _lazy_imports() -> dict[str, list[str]]:
    """For each module of serve/, the modules it imports inside a function."""
    found: dict[str, list[str]] = {}
    for path in sorted(SERVE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [f"{node.module}.{alias.name}" for alias in node.names]
                    found.setdefault(str(path.relative_to(ROOT)), []).extend(names)
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                    found.setdefault(str(path.relative_to(ROOT)), []).extend(names)
    return found


def test_what_only_some_routes_need_stays_out_of_the_cold_start():
    loaded = _loaded_by_importing_app()
    assert "chalicelib.serve.routes" in loaded  # the check looks at the right process
    assert sorted(module for module in KEPT_OUT if module in loaded) == []


def test_each_lazy_import_brings_in_a_module_the_cold_start_keeps_out():
    """A lazy import is there for the cold start, or it belongs at the top of its module."""
    for importer, modules in _lazy_imports().items():
        for module in modules:
            assert any(module == kept or module.startswith(kept + ".") for kept in KEPT_OUT) or (
                module.rsplit(".", 1)[0] in KEPT_OUT
            ), f"{importer} imports {module} lazily, but the cold start does not keep it out"
