"""The package's shape: data flows one way (no import cycles), no module reaches into another's private names,
and every module says its one job in its first docstring line."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graph_builder"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_name(path): path for path in MODULES}


def _imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) for every graph_builder import in ``path``, at any depth."""
    found: list[tuple[str, str | None, int]] = []
    package = _name(path) if path.name == "__init__.py" else _name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names if alias.name.startswith("graph_builder")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([module] if module else [])])
            if not module.startswith("graph_builder"):
                continue
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.append((submodule, None, node.lineno) if submodule in NAMES else (module, alias.name, node.lineno))
    return found


def test_modules_found() -> None:
    assert len(MODULES) > 30 and "graph_builder.store.build" in NAMES


def test_no_import_cycles() -> None:
    """Between modules, counting imports inside functions too: a cycle there is a cycle of design."""
    graph = nx.DiGraph()
    for name, path in NAMES.items():
        graph.add_node(name)
        for module, _, _ in _imports(path):
            if module in NAMES and module != name and not name.startswith(module + ".") and module != "graph_builder":
                graph.add_edge(name, module)
    cycles = sorted(sorted(c) for c in nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:10]}"


def test_no_private_names_imported_from_other_modules() -> None:
    """A leading underscore means 'this module only'; a private *module* (``_fs``) is shared by name on purpose."""
    offences = []
    for name, path in NAMES.items():
        for module, imported, line in _imports(path):
            if imported and imported.startswith("_") and not imported.startswith("__") and module != name:
                offences.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {imported} from {module}")
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_states_its_job(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, f"{path} has no module docstring"
    first = doc.splitlines()[0]
    assert first.endswith(".") and len(first) <= 130 and "PLACEHOLDER" not in first, first


# the pipeline, upstream first: a module may import its own step and the steps before it, never one after
PIPELINE = (
    ("graph_builder.errors", "graph_builder.layout", "graph_builder.prefixes", "graph_builder._fs", "graph_builder._faults"),
    ("graph_builder._parallel",),
    ("graph_builder.sources",),
    ("graph_builder.graph",),
    ("graph_builder.store",),
    ("graph_builder.query",),
    ("graph_builder.analytics",),
    ("graph_builder.views",),
    ("graph_builder.publish",),
    ("graph_builder.synth", "graph_builder.cli"),
)


def _step(module: str) -> int:
    for index, prefixes in enumerate(PIPELINE):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} is in no pipeline step: add it to PIPELINE")


def test_data_flows_one_way() -> None:
    """sources -> graph -> store -> query -> analytics -> views -> publish -> CLI; the facade (the package
    itself) stands apart, so ``from graph_builder import __version__`` is allowed everywhere."""
    upstream = []
    for name, path in NAMES.items():
        if name == "graph_builder":
            continue
        for module, _, line in _imports(path):
            if module != "graph_builder" and _step(module) > _step(name):
                upstream.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} imports {module}, a later step")
    assert not upstream, "\n".join(upstream)


def test_facade_names_resolve_and_import_nothing_heavy() -> None:
    """Every public name of the package loads; ``import graph_builder`` alone loads no RDF or graph library."""
    import subprocess
    import sys

    import graph_builder

    assert len(graph_builder.__all__) > 20
    for name in graph_builder.__all__:
        assert getattr(graph_builder, name) is not None, name
    heavy = "('rdflib', 'pyoxigraph', 'networkx', 'pydantic', 'yaml')"
    probe = f"import sys, graph_builder; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
