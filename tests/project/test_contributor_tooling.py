"""Where contributors work: the pre-commit hooks, the pull-request workflow, the packaging
pre-commit installs the validator from, and the contributing guides."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import chalicelib.cli

ROOT = Path(__file__).resolve().parents[2]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW = yaml.safe_load((WORKFLOWS / "validate.yml").read_text())
TESTS_WORKFLOW = yaml.safe_load((WORKFLOWS / "test.yml").read_text())


def _triggers(workflow: dict) -> dict:
    return workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads 'on' as true


def test_each_hook_runs_the_installed_validate_command_on_record_files():
    scripts = PYPROJECT["project"]["scripts"]
    for hook in HOOKS:
        command, subcommand, *_ = hook["entry"].split()
        assert scripts[command] == "chalicelib.cli:main", hook["id"]
        assert subcommand == "validate" and "--data data" in hook["entry"]
        assert hook["language"] == "python"
        assert re.search(hook["files"], "data/people/jane-example.json"), hook["id"]
        assert not re.search(hook["files"], "docs/people/jane-example.json"), hook["id"]
    assert chalicelib.cli.main.name == "main"


def test_the_package_carries_every_layer_and_the_schemas():
    packages = set(PYPROJECT["tool"]["setuptools"]["packages"])
    layers = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "chalicelib").rglob("__init__.py")
    }
    assert layers <= packages
    assert "schemas" in packages and PYPROJECT["tool"]["setuptools"]["package-data"]["schemas"]


def test_the_workflow_validates_pull_requests_touching_data_with_annotations():
    triggers = _triggers(WORKFLOW)
    assert "data/**" in triggers["pull_request"]["paths"]
    runs = [step.get("run", "") for step in WORKFLOW["jobs"]["validate"]["steps"]]
    assert "python -m chalicelib validate data --data data --format github" in runs
    assert WORKFLOW["permissions"] == {"contents": "read"}


def test_the_test_workflow_runs_make_test_on_every_pull_request_and_push_with_debians_chromium():
    triggers = _triggers(TESTS_WORKFLOW)
    # No paths filter: a change to code, docs or data alike runs the suite.
    assert set(triggers) == {"pull_request", "push"}
    assert not any((triggers[event] or {}).get("paths") for event in triggers)
    job = TESTS_WORKFLOW["jobs"]["test"]
    assert job["container"].startswith("python:3.11-")  # Debian, like .ci/run's machine
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "apt-get install" in runs and "chromium chromium-driver" in runs
    assert [step["run"] for step in job["steps"] if "run" in step][-1] == "make test"
    assert TESTS_WORKFLOW["permissions"] == {"contents": "read"}


def test_the_contributing_guides_exist_in_english_and_persian_and_the_readme_links_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(CONTRIBUTING.md)" in readme and "(CONTRIBUTING.fa.md)" in readme
    for name in ("CONTRIBUTING.md", "CONTRIBUTING.fa.md"):
        guide = (ROOT / name).read_text(encoding="utf-8")
        # The reply mechanism the validator checks, and the policy withholding requests go to.
        for must in ("qualifiers.in_reply_to", "`denies`", "`disputes`", "docs/do-no-harm.md"):
            assert must in guide, (name, must)
    assert 'dir="rtl" lang="fa"' in (ROOT / "CONTRIBUTING.fa.md").read_text(encoding="utf-8")
