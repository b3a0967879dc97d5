"""Every stored query runs on the built graph with its example parameters and returns its contract columns."""

from __future__ import annotations

import pytest

from graph_builder.catalogue import load_catalogue, parse_query_file
from graph_builder.engine import EmbeddedEngine
from graph_builder.query import run_stored
from graph_builder.resources import queries_dir

# The result variables other tools rely on (issue #2); more columns are allowed.
CONTRACT = {
    "documents": ({}, ["doc", "title", "date", "docType", "number"]),
    "document-issuers": ({"doc"}, ["agency", "agencyLabel", "role"]),
    "provision-agencies": ({"doc", "provision"}, ["agency", "agencyLabel"]),
    "agency-load": ({"doc"}, ["agency", "agencyLabel", "provisions"]),
    "agency-pairs": ({"doc"}, ["agencyA", "agencyALabel", "agencyB", "agencyBLabel", "shared"]),
    "continuing-issuers": ({"from", "to"}, ["agency", "agencyLabel", "via"]),
    "provision-lineage": (
        {"doc", "provision"},
        ["related", "relatedNumber", "relatedLabel", "relatedDoc", "date", "relation", "direction"],
    ),
    "unsucceeded-provisions": ({"doc"}, ["provision", "number", "label"]),
    "document-zones": ({"doc"}, ["zone", "zoneLabel", "zoneType"]),
    "document-frameworks": ({"doc"}, ["framework", "frameworkLabel"]),
    "agency-timeline": ({"agency"}, ["date", "doc", "docTitle", "role", "provisions"]),
    "theme-timeline": ({"theme"}, ["date", "doc", "provision", "number", "label"]),
}

QUERY_FILES = sorted(queries_dir().glob("*.rq"))


def test_query_files_found() -> None:
    assert len(QUERY_FILES) >= len(CONTRACT) + 4, "the stored queries are missing"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_stored_query_runs_with_its_examples(path, engine: EmbeddedEngine) -> None:
    query = parse_query_file(path)
    assert query.summary
    for param in query.params:
        assert param.example, f"{path.name}: param {param.name} needs an example value"
    values = {p.name: p.example for p in query.params if p.example}
    result = run_stored(query, values, engine)
    assert result.rows, f"{query.id} returned no rows for its example parameters {values}"
    for row in result.rows:
        assert set(row) <= set(result.variables)


@pytest.mark.parametrize("query_id", sorted(CONTRACT))
def test_contract_ids_parameters_and_variables(query_id: str, engine: EmbeddedEngine) -> None:
    catalogue = load_catalogue()
    assert query_id in catalogue
    query = catalogue[query_id]
    params, variables = CONTRACT[query_id]
    assert {p.name for p in query.params} == set(params)
    result = run_stored(query, {p.name: p.example for p in query.params if p.example}, engine)
    assert list(result.variables[: len(variables)]) == variables or set(variables) <= set(result.variables)


def test_headers_keep_files_valid_sparql(engine: EmbeddedEngine) -> None:
    """The #+ header is a comment: the raw file text parses as SPARQL (pyoxigraph would raise)."""
    import pyoxigraph

    for path in QUERY_FILES:
        text = path.read_text(encoding="utf-8")
        store = pyoxigraph.Store()
        params = parse_query_file(path).params
        if params:
            continue  # bound variables need values; covered above
        store.query(text)
