"""The two maps of ``chalicelib/`` (the tree in docs/architecture.md and the docstring of
``chalicelib/__init__.py``) name every module there is, and nothing that is not there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
LAYERS = ("serve", "release", "checks", "model")


def modules() -> list[str]:
    """Every module and subpackage of chalicelib/, as a path below it ('serve/views.py',
    'serve/pages/'); the entry point ``__main__.py`` is the command line's, not a module."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if path.name == "__init__.py":
            if relative.parent != Path("."):
                found.append(relative.parent.as_posix() + "/")
        elif path.name != "__main__.py":
            found.append(relative.as_posix())
    return found


def tree_paths(markdown: str) -> tuple[set[str], set[str]]:
    """What the first code block of ``markdown`` draws as an indented tree, two spaces a level:
    (its entries, the modules its descriptions mention). Each line names one or more entries
    ('a.py, b.py') before its description; a description may name a module of the folder it
    describes ('store/  one interface (base.py)') and run on over the lines below."""
    block = markdown.split("```", 2)[1]
    entries: set[str] = set()
    mentioned: set[str] = set()
    folders: list[str] = []
    context = ""
    for line in block.splitlines()[1:]:
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        if depth > len(folders) + 1:  # a description running on from the line above
            mentioned.update(context + name for name in re.findall(r"\b\w+\.py\b", line))
            continue
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        names, description = parts[0], parts[1] if len(parts) > 1 else ""
        del folders[depth:]
        for name in names.split(", "):
            entries.add("".join(folders) + name)
        context = "".join(folders) + (names if names.endswith("/") else "")
        mentioned.update(context + name for name in re.findall(r"\b\w+\.py\b", description))
        if names.endswith("/"):
            folders.append(names)
    return entries, mentioned


def package_map_bullets() -> dict[str, str]:
    """The docstring map of chalicelib/__init__.py: each bullet's text, by its layer ('serve',
    …, or 'top' for the modules at the package's top)."""
    docstring = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text()))
    bullets = re.split(r"^- ", docstring or "", flags=re.M)[1:]
    found = {}
    for bullet in bullets:
        layer = re.match(r"``(\w+)/?``:|at the top:", bullet)
        assert layer, f"a bullet of the map names no layer: {bullet[:60]!r}"
        found[layer.group(1) or "top"] = bullet
    return found


def test_the_architecture_page_names_every_module_of_chalicelib():
    entries, mentioned = tree_paths(ARCHITECTURE.read_text(encoding="utf-8"))
    missing = [m for m in modules() if f"chalicelib/{m}" not in entries | mentioned]
    assert missing == [], f"docs/architecture.md's tree leaves out {missing}"


def test_the_architecture_page_names_no_module_that_is_not_there():
    drawn, _ = tree_paths(ARCHITECTURE.read_text(encoding="utf-8"))
    gone = sorted(p for p in drawn if p.startswith("chalicelib/") and not (ROOT / p).exists())
    assert gone == [], f"docs/architecture.md's tree names what does not exist: {gone}"
    assert "app.py" in drawn and (ROOT / "app.py").exists()


def test_the_package_docstring_names_every_module_in_its_layers_bullet():
    bullets = package_map_bullets()
    assert {*LAYERS, "top"} <= set(bullets)
    missing = []
    for module in modules():
        parts = module.rstrip("/").removesuffix(".py").split("/")
        if module == f"{parts[0]}/":  # a layer itself: the set of bullets is its check
            continue
        # A package at the top (store/) is mapped in the top bullet, with its modules.
        layer = parts[0] if len(parts) > 1 and parts[0] in LAYERS else "top"
        if layer == "top" and parts[0] in bullets:  # a module at the top with a bullet of its own
            continue
        if not re.search(rf"(?<![\w/.]){parts[-1]}\b", bullets[layer]):
            missing.append(module)
    assert missing == [], f"chalicelib/__init__.py's map leaves out {missing}"


def test_the_package_docstring_names_no_module_that_is_not_there():
    bullets = package_map_bullets()
    stems = {Path(m.rstrip("/")).name.removesuffix(".py") for m in modules()}
    named = {
        name
        for text in bullets.values()
        for name, slash in re.findall(r"``(\w+)(/?)``", text)
        if not (slash and name not in stems and (ROOT / name).is_dir())  # data/, a repo folder
    }
    assert named - stems == set()


def test_the_tree_reader_follows_nesting_and_lists():
    drawn, mentioned = tree_paths(
        "```\nroot/\n  a/  first (e.py)\n    b.py, c.py  two\n  d.py  back up,\n"
        "              and on (f.py)\n```\n"
    )
    assert drawn == {"root/", "root/a/", "root/a/b.py", "root/a/c.py", "root/d.py"}
    assert mentioned == {"root/a/e.py", "root/f.py"}
