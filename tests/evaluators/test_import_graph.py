"""The grader's modules import each other without a cycle, and fitting never reaches the live
grader: every import under `evaluators/` read with `ast` (lazy and `TYPE_CHECKING` ones too, as
`tests/test_layers.py` reads them), with planted violations proving the checks fire."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.test_layers import ROOT, _module_name, imports

LIVE_GRADER = "evaluators.service"
FITTING = ("evaluators.fitting", "tools.fitting")
"""The fits a bot runs itself, and those only the command line runs (`tools/fitting/`)."""


def _imported(path: Path, root: Path, modules: set[str]) -> set[str]:
    """The modules of `modules` the file imports. `from package import submodule` imports the
    submodule, not the package's own names, and a package naming its submodules is no cycle."""
    by_line: dict[int, set[str]] = {}
    for line, name in imports(path, root):
        if name in modules:
            by_line.setdefault(line, set()).add(name)
    own = _module_name(path.relative_to(root))
    found: set[str] = set()
    for names in by_line.values():
        found |= {n for n in names if not any(m.startswith(f"{n}.") for m in names)}
    return found - {own}


def import_graph(root: Path, *packages: str) -> dict[str, set[str]]:
    """Each module of `packages` (folders under `root`, `evaluators` when none are named), and
    the modules of those packages it imports."""
    paths = sorted(
        p for package in packages or ("evaluators",) for p in (root / package).rglob("*.py")
    )
    modules = {_module_name(path.relative_to(root)) for path in paths}
    return {_module_name(path.relative_to(root)): _imported(path, root, modules) for path in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as the modules along it, first repeated at the end; [] when none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            cycle = visit(imported)
            if cycle:
                return cycle
        path.pop()
        done.add(module)
        return []

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return []


def reached(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        for imported in graph.get(module, ()):
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return seen


def fitting_reaching_the_grader(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        module
        for module in graph
        if any(module == fitting or module.startswith(f"{fitting}.") for fitting in FITTING)
        and LIVE_GRADER in reached(graph, module)
    )


def test_the_grader_has_no_import_cycle() -> None:
    assert find_cycle(import_graph(ROOT)) == []


def test_fitting_never_imports_the_live_grader() -> None:
    graph = import_graph(ROOT, "evaluators", "tools/fitting")
    assert all(any(module.startswith(f"{fitting}.") for module in graph) for fitting in FITTING)
    assert fitting_reaching_the_grader(graph) == []


def test_a_planted_cycle_and_a_fit_reaching_the_grader_are_reported(tmp_path: Path) -> None:
    planted = {
        "evaluators/__init__.py": "",
        "evaluators/service.py": "from evaluators.fitting.store import find\n",
        "evaluators/fitting/__init__.py": "",
        "evaluators/fitting/store.py": "from evaluators.fitting import fit\n",
        "evaluators/fitting/fit.py": """
            def measure() -> None:
                from evaluators.service import Grader
        """,
        "tools/fitting/team.py": "from evaluators.fitting.store import find\n",
    }
    for relative, text in planted.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    graph = import_graph(tmp_path, "evaluators", "tools/fitting")
    assert find_cycle(graph) == [
        "evaluators.fitting.fit",
        "evaluators.service",
        "evaluators.fitting.store",
        "evaluators.fitting.fit",
    ]
    assert fitting_reaching_the_grader(graph) == [
        "evaluators.fitting.fit",
        "evaluators.fitting.store",
        "tools.fitting.team",
    ]
