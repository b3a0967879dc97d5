"""Parameter values reach SPARQL only as serialised RDF terms in a VALUES block."""

from __future__ import annotations

import pyoxigraph
import pytest

from graph_builder.query.binding import BindingError, bind_values
from graph_builder.query.results import Term

QUERY = """# a comment that says WHERE { to mislead
SELECT ?label WHERE {
  { SELECT ?x WHERE { ?x ?p ?o } }
  ?x <http://example.org/label> ?label .
}"""


def test_values_open_the_outer_where_and_each_subquery_projecting_the_variable() -> None:
    bound = bind_values(QUERY, {"x": Term("uri", "http://example.org/a")})
    assert "SELECT ?label WHERE {\n  VALUES (?x) { (<http://example.org/a>) }" in bound
    assert "{ SELECT ?x WHERE {\n  VALUES (?x) { (<http://example.org/a>) }" in bound
    assert bound.count("VALUES") == 2


NESTED = """SELECT ?a ?n ?b WHERE {
  { SELECT ?a (COUNT(?o) AS ?n) WHERE { ?a <http://example.org/p> ?o } GROUP BY ?a }
  { SELECT (SAMPLE(?z) AS ?b) WHERE { ?z <http://example.org/q> "?b { SELECT ?b WHERE {" } }
  { SELECT ?c WHERE { ?c <http://example.org/r> ?b } }
}"""


def test_subqueries_get_only_the_variables_they_project_as_they_are() -> None:
    """Not a variable an expression computes (``AS ?b``), nor one used inside without being projected,
    nor text inside a string; and the bound query gives the rows the outer VALUES alone gives."""
    a, b = Term("uri", "http://example.org/a"), Term("uri", "http://example.org/b")
    bound = bind_values(NESTED, {"a": a, "b": b})
    assert bound.count("VALUES") == 2
    assert "{ SELECT ?a (COUNT(?o) AS ?n) WHERE {\n  VALUES (?a) { (<http://example.org/a>) }" in bound
    assert '"?b { SELECT ?b WHERE {"' in bound

    store = pyoxigraph.Store()
    ex = "http://example.org/"
    for s, p, o in [("a", "p", "o1"), ("a", "p", "o2"), ("x", "p", "o3"), ("a", "r", "b")]:
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(ex + s), pyoxigraph.NamedNode(ex + p), pyoxigraph.NamedNode(ex + o)))
    query = "SELECT ?a ?n WHERE { { SELECT ?a (COUNT(?o) AS ?n) WHERE { ?a <http://example.org/p> ?o } GROUP BY ?a } }"
    rows = list(store.query(bind_values(query, {"a": a})))
    assert [(row["a"].value, row["n"].value) for row in rows] == [(ex + "a", "2")]


def test_hostile_literal_stays_a_literal() -> None:
    store = pyoxigraph.Store()
    store.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode("http://example.org/a"),
            pyoxigraph.NamedNode("http://example.org/label"),
            pyoxigraph.Literal('x" } ?s ?p ?o {'),
        )
    )
    hostile = Term("literal", 'x" } ?s ?p ?o {')
    query = "SELECT ?s WHERE { ?s <http://example.org/label> ?label }"
    rows = list(store.query(bind_values(query, {"label": hostile})))
    assert [row["s"].value for row in rows] == ["http://example.org/a"]
    assert list(store.query(bind_values(query, {"label": Term("literal", "other")}))) == []


def test_bad_iri_and_names_are_refused() -> None:
    with pytest.raises(ValueError):
        bind_values(QUERY, {"x": Term("uri", "http://example.org/a> } DROP ALL {")})
    with pytest.raises(BindingError):
        bind_values(QUERY, {"x y": Term("literal", "v")})
    with pytest.raises(BindingError):
        bind_values("SELECT * { ?s ?p ?o }", {"s": Term("literal", "v")})
