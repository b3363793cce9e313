"""The shape of the code: layers that import downwards only, one way to reach the settings."""

from __future__ import annotations

import ast
from pathlib import Path

from orchestration.lib.config import REPO_ROOT

PACKAGE = REPO_ROOT / "orchestration"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The orchestration modules a file imports, relative imports resolved."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not name.startswith(base + "."):  # `from . import x` inside a package is no edge to it
                found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}  # `from package import module`
    return {m for m in found if m.startswith("orchestration")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            if imported not in modules:
                continue
            targets.add(imported)
            parts = imported.split(".")  # importing a.b.c runs a.b's __init__ too, unless inside a.b
            for i in range(2, len(parts)):
                parent = ".".join(parts[:i])
                if parent in modules and not name.startswith(parent + ".") and name != parent:
                    targets.add(parent)
        graph[name] = targets - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_import_graph_of_orchestration_has_no_cycle():
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_only_the_command_line_imports_the_code_location():
    importers = {name for name, targets in _graph().items() if "orchestration.definitions" in targets}
    assert importers <= {"orchestration.cli"}, importers


def test_lib_imports_nothing_above_it():
    above = {name: t for name, t in _graph().items() if name.startswith("orchestration.lib")}
    assert all(t.startswith("orchestration.lib") for targets in above.values() for t in targets), above


def test_assets_reach_the_settings_only_through_the_warehouse_resource():
    """settings() reads the environment; a layer that called it itself would ignore the resource
    a test or a run configured. Only the CLI, the resource and the configuration module call it."""
    callers = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "settings":
                callers.add(_module_name(path))
    assert callers == {"orchestration.cli", "orchestration.lib.resources"}


def test_every_layer_exports_its_definitions_as_defs():
    # lib: shared code; portal: a web application on the published copy, after the pipeline, not a layer of it
    layers = [p.parent.name for p in PACKAGE.glob("*/__init__.py") if p.parent.name not in ("lib", "portal")]
    for layer in layers:
        source = (PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")
        assert "defs = " in source or "def build_defs(" in source, layer


def test_the_code_location_module_holds_one_definitions_object():
    """Dagster's loader (dagster dev, dagster asset materialize -m ...) refuses a module with two."""
    from dagster import Definitions

    import orchestration.definitions as module

    assert [name for name, value in vars(module).items() if isinstance(value, Definitions)] == ["defs"]
