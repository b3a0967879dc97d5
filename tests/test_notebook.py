"""The policy-evolution notebook runs top to bottom in a real kernel, on the built graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.store.build import BuildResult

pytestmark = pytest.mark.slow
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_notebooks_found() -> None:
    assert [p.name for p in NOTEBOOKS] == ["policy_evolution.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("POLKG_OUT", str(built.out))  # the session's build: the notebook reuses it
    monkeypatch.setenv(
        "POLKG_SOURCES", str(built.sources.path if built.sources else "")
    )  # the folder it was built from, named as a team would
    monkeypatch.setenv("POLKG_VIEWS", str(tmp_path / "views"))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "continued through reorganisation: CBIRC -> NFRA (2023-05-18)" in text
    assert "compared: issuers against issuers" in text and "left after 2022" not in text
    markdown = [
        str(o["data"]["text/markdown"])
        for c in notebook.cells
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]
    assert markdown[-1].startswith("# Policy evolution brief: 2022 Opinions → 2025 Circular → 2026 Plan"), (
        "it ends with the chain brief"
    )
    assert "continued through reorganisation: CBIRC → NFRA" in markdown[-1]
    html = [o["data"]["text/html"] for c in notebook.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any("<iframe srcdoc=" in h and "polkg-data" in h for h in html), "the embedded view is shown"
    assert (tmp_path / "views" / "lineage.html").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_from_the_facade_only(path: Path) -> None:
    """Notebooks use the public API (``from graph_builder import ...``), never a module inside the package."""
    import ast

    import nbformat

    import graph_builder

    notebook = nbformat.read(path, as_version=4)
    imported = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("graph_builder"):
                assert node.module == "graph_builder", f"{path.name} imports from {node.module}"
                imported += [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("graph_builder.") for a in node.names), ast.unparse(node)
    assert imported and set(imported) <= set(graph_builder.__all__)


def test_notebook_extra_brings_jupyterlab() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(dep.startswith("jupyterlab>=") for dep in pyproject["project"]["optional-dependencies"]["notebook"])
