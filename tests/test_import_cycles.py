"""The layout's rules (DESIGN.md sections 1 and 3, issue 10): no import cycle inside a package,
the window is the composition root that no other module imports, and the engine never imports Qt.

Module-level imports are what count for cycles: an import under `if TYPE_CHECKING:` never runs and
one inside a function runs after every module has loaded. Both packages are checked: the engine's
kinds reach the world through engine.catalog and the summary's tables through engine.text_tables,
so nothing registers itself by importing its importer.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["engine", "gui"]
QT_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph")
ENTRY_POINTS = {"gui.app", "gui.screenshot"}     # what engine/cli.py starts; they build the window


def modules(package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of a package (a package is its __init__)."""
    out = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def module_level_imports(body: list[ast.stmt]):
    """Import statements that run when the module loads: not in functions, not under TYPE_CHECKING."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from module_level_imports(node.body)
            yield from module_level_imports(node.orelse)
        elif isinstance(node, (ast.Try, ast.With, ast.ClassDef)):
            for block in ("body", "orelse", "finalbody"):
                yield from module_level_imports(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                yield from module_level_imports(handler.body)


def imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """Dotted names an import statement may load: the module itself and, for `from X import y`, X.y."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    source = ".".join(p for p in (base if node.level else "", node.module or "") if p)
    return [source] + [f"{source}.{alias.name}" for alias in node.names]


def import_graph(package: str, everywhere: bool = False) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (module level only, unless `everywhere`)."""
    known = modules(package)
    graph = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))] if everywhere \
            else module_level_imports(tree.body)
        targets = set()
        for node in nodes:
            targets.update(t for t in imported_names(node, name, path.name == "__init__.py") if t in known)
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search with colours)."""
    state: dict[str, int] = {}       # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


@pytest.mark.parametrize("package", CHECKED)
def test_no_import_cycle_inside_the_package(package):
    cycle = find_cycle(import_graph(package))
    assert cycle is None, f"import cycle in {package}/: {' -> '.join(cycle)}"


def test_the_checker_finds_a_cycle_and_ignores_what_does_not_run(tmp_path, monkeypatch):
    """The checker itself, on a made-up package: a cycle through `from . import`, one broken by a
    TYPE_CHECKING import, one broken by an import inside a function."""
    pkg = tmp_path / "demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from demo import b\n")
    (pkg / "b.py").write_text("from . import c\n")
    (pkg / "c.py").write_text("import demo.a\n")
    (pkg / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from demo.e import E\n")
    (pkg / "e.py").write_text("from demo import d\n\ndef later():\n    from demo import f\n")
    (pkg / "f.py").write_text("from demo.e import later\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert find_cycle(import_graph("demo")) == ["demo.a", "demo.b", "demo.c", "demo.a"]
    (pkg / "c.py").write_text("import json\n")
    assert find_cycle(import_graph("demo")) is None


def test_nothing_imports_the_window_but_the_entry_points():
    """gui/window.py composes the app; a module gets the narrow thing it needs instead (DESIGN.md 1)."""
    graph = import_graph("gui", everywhere=True)     # TYPE_CHECKING and function imports count here
    importers = sorted(m for m, targets in graph.items() if "gui.window" in targets and m not in ENTRY_POINTS)
    assert importers == [], f"these modules import gui.window: {', '.join(importers)}"


def test_the_engine_never_imports_qt_anywhere_in_a_module():
    """Not at module level, not in a function, not under TYPE_CHECKING (DESIGN.md: engine never imports Qt)."""
    found = []
    for name, path in modules("engine").items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in imported_names(node, name, path.name == "__init__.py"):
                    if target.split(".")[0] in QT_PACKAGES:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {target}")
    assert found == []
