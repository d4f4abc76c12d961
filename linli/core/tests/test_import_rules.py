"""The layers of docs/architecture.md hold, and no module imports itself through others.

The layer contract lives in pyproject.toml (`[tool.importlinter]`); import-linter reads every import,
also those inside functions, and fails on an import that runs upward, directly or through a chain.
The cycle check is ours: among the non-test modules of linli, no group of modules imports each other
round in a circle (the foundation apps may import each other, their modules may not).
"""

from __future__ import annotations

from pathlib import Path

import grimp
from importlinter.cli import lint_imports

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_the_layer_contract_holds(capsys):
    status = lint_imports(config_filename=str(REPO_ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def _runtime(module: str) -> bool:
    return ".tests" not in module and not module.endswith(".conftest")


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if _runtime(m))
    edges = {m: sorted(n for n in graph.find_modules_directly_imported_by(m) if _runtime(n)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            children = edges.get(node, [])
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycles


def test_no_module_imports_itself_through_others():
    assert import_cycles(grimp.build_graph("linli", cache_dir=None)) == []


def test_the_cycle_check_can_fail():
    graph = grimp.ImportGraph()
    for name in ("linli.a", "linli.b", "linli.c"):
        graph.add_module(name)
    graph.add_import(importer="linli.a", imported="linli.b")
    graph.add_import(importer="linli.b", imported="linli.a")
    graph.add_import(importer="linli.b", imported="linli.c")
    assert import_cycles(graph) == [["linli.a", "linli.b"]]
