"""The package imports in one direction: no module of ``mss_eval`` reaches itself again.

The graph is built from the source with the standard library's :mod:`ast`, from every import
statement, also those inside functions (a deferred import still ties two modules together); only
imports under ``if TYPE_CHECKING:`` are left out, as they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mss_eval"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[tuple[str, str]]:
    """What a module imports, as ``(origin, name)``: ``import a.b`` gives ``("a.b", "")``,
    ``from .x import y`` in package ``p`` gives ``("p.x", "y")``."""
    found: set[tuple[str, str]] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update((alias.name, "") for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.update((origin, alias.name) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the ``mss_eval`` modules it imports (a package counts as its ``__init__``)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for origin, imported in _imports(tree, name, path.name == "__init__.py"):
            # ``from pkg import module`` imports the module; ``from pkg import function`` the
            # package. Importing a.b.c also runs a and a.b, but a package whose __init__
            # re-exports its submodules is no cycle through the package: only the module counts
            sub = f"{origin}.{imported}"
            targets.add(sub if imported and sub in files else origin)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first = last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_relative_and_deferred_imports():
    tree = ast.parse("from . import a\nfrom ..b import c\ndef f():\n    import mss_eval.d\n"
                     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .e import x\n")
    found = _imports(tree, "mss_eval.pkg.mod", is_package=False)
    assert {("mss_eval.pkg", "a"), ("mss_eval.b", "c"), ("mss_eval.d", "")} <= found
    assert not any(origin.startswith("mss_eval.pkg.e") for origin, _ in found)


def test_find_cycle_names_the_modules_of_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_mss_eval_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)
