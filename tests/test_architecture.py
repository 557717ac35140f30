"""The shape of the code, read from the source: imports flow one way and never in a circle.

The product's packages are layered ``common`` ← ``trusts`` ← ``performance`` ← ``finance`` ←
``stftracker``: a module may import from its own package or one to its left, never to its right,
and no chain of imports between modules comes back to where it started. Imports written inside
functions count as much as those at the top of a module: they are how a circle hides.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["common", "trusts", "performance", "finance", "stftracker"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    """Every module of the product's packages (migrations aside), by dotted name."""
    found = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def imports_of(name: str, path: Path, modules: dict) -> set[str]:
    """The product modules ``name`` imports, anywhere in its source (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            # ``from finance import engine`` imports the module finance.engine, not just finance.
            targets.update(f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                           for alias in node.names)
    found = set()
    for target in targets:
        while target and target not in modules:  # ``import finance.models.Thing`` -> finance.models
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


@pytest.fixture(scope="module")
def graph():
    modules = product_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def _layer(name):
    return LAYERS.index(name.split(".")[0])


def test_the_graph_is_read_from_every_package(graph):
    # The reader must see imports inside functions and relative imports, or the tests below prove nothing.
    assert {layer for layer in LAYERS if any(name.split(".")[0] == layer for name in graph)} == set(LAYERS)
    assert sum(len(targets) for targets in graph.values()) > 100


def test_no_import_points_up_the_layers(graph):
    upward = sorted(f"{name} -> {target}" for name, targets in graph.items() for target in targets
                    if _layer(target) > _layer(name))
    assert upward == [], "an app imports from one to its right:\n" + "\n".join(upward)


def test_common_imports_no_app(graph):
    reaching = sorted(f"{name} -> {target}" for name, targets in graph.items() if name.startswith("common")
                      for target in targets if not target.startswith("common"))
    assert reaching == []


def find_cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_modules_import_each_other_in_a_circle(graph):
    assert find_cycles(graph) == []


def test_the_reader_sees_a_circle_made_through_a_function_level_import(tmp_path):
    source = tmp_path / "finance"
    source.mkdir()
    (source / "__init__.py").write_text("")
    (source / "a.py").write_text("from finance import b\n")
    (source / "b.py").write_text("def later():\n    from .a import thing\n")
    modules = {"finance": source / "__init__.py", "finance.a": source / "a.py", "finance.b": source / "b.py"}
    names = {"finance.a": "finance.a", "finance.b": "finance.b"}
    graph = {name: imports_of(name, modules[name], modules) for name in names}
    assert graph == {"finance.a": {"finance.b"}, "finance.b": {"finance.a"}}
    assert find_cycles(graph) == [["finance.a", "finance.b"]]
