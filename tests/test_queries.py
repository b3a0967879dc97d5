"""Every stored query runs on the built graph with its example parameters and returns its contract columns."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import Node

from graph_builder.layout import queries_dir
from graph_builder.prefixes import PREFIXES
from graph_builder.query.binding import bind_values
from graph_builder.query.catalogue import StoredQuery, load_catalogue, parse_query_file
from graph_builder.query.embedded import EmbeddedEngine
from graph_builder.query.params import resolve
from graph_builder.query.results import Term
from graph_builder.query.run import run_stored
from graph_builder.store.build import BuildResult

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
    "current-responsibility": (
        {"doc", "provision"},
        ["number", "agency", "agencyLabel", "current", "currentLabel", "via", "since", "source", "locator"],
    ),
    "document-sources": ({"doc"}, ["source", "sourceKind", "title", "publisher", "date"]),
}

QUERY_FILES = sorted(queries_dir().glob("*.rq"))
STORED_QUERIES = 33  # the .rq files in queries/: change this when a stored query is added or removed


def test_query_files_found() -> None:
    assert len(QUERY_FILES) == STORED_QUERIES, f"{len(QUERY_FILES)} stored queries in {queries_dir()}"
    assert sorted(path.stem for path in QUERY_FILES) == sorted(load_catalogue()), "the catalogue is every .rq file"
    assert set(CONTRACT) <= set(load_catalogue())


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_stored_query_runs_with_its_examples(path: Path, engine: EmbeddedEngine) -> None:
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
    assert list(result.variables[: len(variables)]) == variables, "the contract columns come first, in README's order"


def test_headers_keep_files_valid_sparql() -> None:
    """The #+ header is a comment: every stored file's raw text, its parameters left unbound, parses as SPARQL
    for rdflib and for pyoxigraph (on an empty store), with no prefix declared for it."""
    import pyoxigraph
    from rdflib.plugins.sparql import prepareQuery

    parsed = []
    for path in QUERY_FILES:
        text = path.read_text(encoding="utf-8")
        prepareQuery(text)  # raises on a syntax error or an undeclared prefix
        solutions = pyoxigraph.Store().query(text)  # raises SyntaxError likewise
        assert isinstance(solutions, pyoxigraph.QuerySolutions), f"{path.name}: a stored query is a SELECT"
        parsed.append(path.name)
    assert len(parsed) == STORED_QUERIES, parsed


@pytest.fixture(scope="module")
def plain_graph(built: BuildResult) -> Graph:
    graph = Graph()
    graph.parse(built.out / "graph.nt", format="nt")
    return graph


_CONCAT = re.compile(r'GROUP_CONCAT\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)', re.I)


def _comparable(
    variables: tuple[str, ...], rows: Sequence[Mapping[str, Node]], concatenated: dict[str, str]
) -> Counter[tuple[object, ...]]:
    """Rows as tuples of Python values (so "30"^^xsd:decimal equals "30.0"), each GROUP_CONCAT's parts
    as a sorted tuple (SPARQL leaves their order to the engine)."""

    def value(name: str, node: Node | None) -> object:
        if node is None:
            return None
        if name in concatenated:
            return tuple(sorted(str(node).split(concatenated[name])))
        return node.toPython() if isinstance(node, Literal) else str(node)

    return Counter(tuple(value(name, row.get(name)) for name in variables) for row in rows)


# queries plain rdflib cannot run, with why (provisions was one until its themes were joined in a subquery:
# rdflib raised NotBoundError when GROUP_CONCAT met an unbound value, a provision with no theme)
RDFLIB_CANNOT: dict[str, str] = {}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=RDFLIB_CANNOT[p.stem], strict=True)) if p.stem in RDFLIB_CANNOT else p
        for p in QUERY_FILES
    ],
    ids=lambda p: p.stem,
)
def test_every_stored_query_is_plain_sparql_giving_the_same_rows_on_rdflib(
    path: Path, engine: EmbeddedEngine, plain_graph: Graph
) -> None:
    """No engine extension, so an endpoint other than Oxigraph runs them: plain rdflib gives the embedded rows."""
    query = parse_query_file(path)
    bindings = resolve(query, {p.name: p.example for p in query.params if p.example}, engine)
    embedded = engine.select(query.sparql, bindings)
    assert embedded.rows, f"{query.id} returned no rows"
    answer = plain_graph.query(bind_values(query.sparql, bindings), initNs=PREFIXES)
    plain = [{str(k): v for k, v in row.asdict().items()} for row in answer if isinstance(row, ResultRow)]
    mine = [{k: _node(t) for k, t in row.items()} for row in embedded.rows]
    concatenated = {name: separator for separator, name in _CONCAT.findall(query.sparql)}
    assert _comparable(embedded.variables, plain, concatenated) == _comparable(embedded.variables, mine, concatenated)


def _node(term: Term) -> Node:
    if term.kind == "uri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    return Literal(term.value, lang=term.lang, datatype=URIRef(term.datatype) if term.datatype else None)


def test_agency_timeline_gives_each_document_and_role_once(engine: EmbeddedEngine) -> None:
    """A document that is its own source text has two English labels; it is still one row per role, with one title."""
    agencies = run_stored(load_catalogue()["agencies"], {}, engine)
    ids = [row["agency"].value.rsplit("/", 1)[1] for row in agencies.rows]
    assert len(ids) >= 30, "the registry's agencies are missing"
    timeline = load_catalogue()["agency-timeline"]
    checked = 0
    for agency in ids:
        result = run_stored(timeline, {"agency": agency}, engine)
        keys = Counter(tuple(row[v].value for v in ("date", "doc", "role", "actor") if v in row) for row in result.rows)
        repeated = {key: n for key, n in keys.items() if n > 1}
        assert not repeated, f"agency-timeline -p agency={agency} repeats rows: {repeated}"
        titles = {row["doc"].value: row["docTitle"].value for row in result.rows if "docTitle" in row}
        assert all(title != doc for doc, title in titles.items()), f"{agency}: a title is the document id"
        checked += bool(result.rows)
    assert checked >= 30, "most agencies take part in some document"


@pytest.fixture(scope="module")
def in_memory(engine: EmbeddedEngine) -> EmbeddedEngine:
    loaded = engine.in_memory()
    assert loaded is not engine, "the build's graph.nt is intact, so it is loaded into memory"
    return loaded


def _runs_in_memory() -> list[object]:
    """Each stored query with its examples and, where no parameter is required, over the whole corpus."""
    runs: list[object] = []
    for path in QUERY_FILES:
        query = parse_query_file(path)
        runs.append(pytest.param(query, {p.name: p.example for p in query.params if p.example}, id=f"{query.id}-examples"))
        if not any(p.required for p in query.params):
            runs.append(pytest.param(query, {}, id=f"{query.id}-whole-corpus"))
    assert len(runs) > len(QUERY_FILES), "every query once, some twice"
    return runs


@pytest.mark.parametrize(("query", "values"), _runs_in_memory())
def test_the_in_memory_copy_gives_the_stores_rows_in_its_order(
    query: StoredQuery, values: dict[str, str], engine: EmbeddedEngine, in_memory: EmbeddedEngine
) -> None:
    """The site reads an in-memory copy of the build's graph: every stored query gives the same rows in the
    same order as the store."""
    on_disk = run_stored(query, values, engine)
    assert on_disk.rows, f"{query.id} returned no rows for {values}"
    assert run_stored(query, values, in_memory) == on_disk


def test_forked_workers_fetch_the_records_threads_fetch(engine: EmbeddedEngine, in_memory: EmbeddedEngine) -> None:
    """The site's records, fetched by forked workers from the in-memory copy, are those threads fetch from the store."""
    from graph_builder.analytics.data import fetch
    from graph_builder.analytics.entities import fetch_entities

    assert in_memory.fork_safe and not engine.fork_safe
    threaded, forked = fetch(engine), fetch(in_memory)
    assert forked == threaded and forked.responsibilities and forked.provisions
    assert fetch_entities(in_memory, forked) == fetch_entities(engine, threaded)


def test_a_graph_too_large_for_free_memory_is_read_where_it_is(engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph_builder.query import embedded

    size = (engine.store_path.parent / "graph.nt").stat().st_size
    monkeypatch.setattr(embedded, "available_memory", lambda: size * embedded.MEMORY_PER_NT_BYTE * 2 - 1)
    assert engine.in_memory() is engine
    monkeypatch.setattr(embedded, "available_memory", lambda: size * embedded.MEMORY_PER_NT_BYTE * 2)
    assert engine.in_memory() is not engine


@pytest.mark.parametrize("damage", ["changed", "missing", "unrecorded"])
def test_a_graph_file_that_is_not_the_builds_is_never_loaded(damage: str, tmp_path: Path, built: BuildResult) -> None:
    """A graph.nt changed, removed or without its recorded digest since the build: the store itself answers."""
    import json
    import shutil

    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    nt, manifest = out / "graph.nt", out / "manifest.json"
    if damage == "changed":
        nt.write_bytes(nt.read_bytes().replace(b"Ministry of Commerce", b"Ministry of Trade", 1))
    elif damage == "missing":
        nt.unlink()
    else:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        del recorded["nt_sha256"]
        manifest.write_text(json.dumps(recorded), encoding="utf-8")
    engine = EmbeddedEngine(out / "store")
    assert engine.in_memory() is engine
    names = {row["name"].value for row in run_stored(parse_query_file(queries_dir() / "agencies.rq"), {}, engine).rows}
    assert "Ministry of Commerce" in names and "Ministry of Trade" not in names
