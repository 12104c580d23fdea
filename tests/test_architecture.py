"""The import graph of ``rncp_graph`` has layers and no cycle.

Read from the source with :mod:`ast` (every ``import`` counts: at module level, inside a
function, under ``TYPE_CHECKING``). A *unit* is a top-level module or subpackage of
``rncp_graph``. A module may import from its own unit and from units of lower layers only;
the units of one layer do not import each other. The package's ``__init__`` (the notebook
facade, ``rncp_graph.build``) is above every layer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "rncp_graph"

#: top to bottom: the command line, the pipeline that orchestrates, the features over a store,
#: the store and the mapping, the loaders, then the vocabulary every layer speaks
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        "__main__",
        "cli",
        "pipeline",
        "referentials push analysis",
        "linking queries validate serve",
        "exports info changes",
        "store mapping",
        "loaders terms rdflib_views",
        "model iris normalise deadline sparql_guard csv_cells processes resources user_cache",
        "namespaces errors __about__",
    )
)
LAYER_OF = {unit: n for n, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(path, package): path for path in sorted(package.rglob("*.py"))}


def imported(name: str, path: Path, known: Mapping[str, Path]) -> Iterator[str]:
    """The modules of the package that ``name`` imports (``from X import y`` is ``X.y`` when
    that is a module, else ``X``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in known:
                    yield full
                elif target in known:
                    yield target


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imported(name, path, known)) - {name} for name, path in known.items()}


def unit(name: str) -> str:
    return name.split(".")[1] if "." in name else ""


def backward_arrows(graph: Mapping[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in sorted(graph.items()):
        if not unit(source):  # the package's __init__: the facade above every layer
            continue
        for target in sorted(targets):
            if unit(source) != unit(target) and LAYER_OF[unit(target)] <= LAYER_OF[unit(source)]:
                wrong.append(f"{source} → {target}")
    return wrong


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = stack[stack.index(node) :]
                    del stack[stack.index(node) :]
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in stack:
                low[node] = min(low[node], index[child])
    return found


def test_every_unit_has_a_layer() -> None:
    units = {unit(name) for name in modules()} - {""}
    assert units - LAYER_OF.keys() == set(), "add the new module or package to LAYERS"
    assert LAYER_OF.keys() - units == set(), "LAYERS names a unit that no longer exists"


def test_no_import_goes_up_or_sideways() -> None:
    assert backward_arrows(import_graph()) == []


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "arrows", "loops"),
    [
        # the loaders reaching up into the mapping: a backward arrow
        ({"rncp_graph.loaders.page": {"rncp_graph.mapping.fields"}, "rncp_graph.mapping.fields": set()}, 1, 0),
        # two units of one layer importing each other: sideways, and a cycle
        ({"rncp_graph.store": {"rncp_graph.mapping"}, "rncp_graph.mapping": {"rncp_graph.store"}}, 2, 1),
        # inside one unit an arrow is free, a cycle is not
        (
            {"rncp_graph.validate.a": {"rncp_graph.validate.b"}, "rncp_graph.validate.b": {"rncp_graph.validate.a"}},
            0,
            1,
        ),
        # downward arrows only
        ({"rncp_graph.cli.x": {"rncp_graph.pipeline.build"}, "rncp_graph.pipeline.build": {"rncp_graph.store"}}, 0, 0),
    ],
)
def test_the_checks_see_what_they_look_for(graph: dict[str, set[str]], arrows: int, loops: int) -> None:
    full = {name: set() for targets in graph.values() for name in targets} | graph
    assert len(backward_arrows(full)) == arrows
    assert len(cycles(full)) == loops


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "rncp_graph"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "store.py").write_text("")
    (package / "cli" / "__init__.py").write_text("")
    (package / "cli" / "run.py").write_text("def f():\n    from ..store import GraphStore\n    from . import other\n")
    (package / "cli" / "other.py").write_text("")
    known = modules(package)
    path = package / "cli" / "run.py"
    assert set(imported(module_name(path, package), path, known)) == {"rncp_graph.store", "rncp_graph.cli.other"}
