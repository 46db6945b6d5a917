"""The package's seams: no import cycles among envslim's modules and no private name imported from another
module (every import counts: at module top, inside functions, under TYPE_CHECKING). The layers themselves
are import-linter's contract in pyproject.toml (``lint-imports`` in .ci/run)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

grimp = pytest.importorskip("grimp")  # import-linter's graph builder (the test extra)


def _cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.find_modules_directly_imported_by(v)):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return out


def test_no_import_cycles():
    graph = grimp.build_graph("envslim", include_external_packages=False)
    assert _cycles(graph) == []


def _module_name(path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if package else parts), package


def test_no_private_name_is_imported_from_another_module():
    modules = {_module_name(p)[0] for p in (ROOT / "envslim").rglob("*.py")}
    found = []
    for path in sorted((ROOT / "envslim").rglob("*.py")):
        name, package = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = node.module or ""
            if node.level:  # relative: from the module's package, one level up per extra dot
                base = name.split(".") if package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            if not source.startswith("envslim"):
                continue
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and f"{source}.{alias.name}" not in modules:  # (a private module is a module)
                    found.append(f"{name}:{node.lineno} imports {alias.name} from {source}")
    assert found == []
