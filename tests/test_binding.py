"""Parameter values reach SPARQL only as serialised RDF terms in a VALUES block."""

from __future__ import annotations

import pyoxigraph
import pytest

from graph_builder.binding import BindingError, bind_values
from graph_builder.results import Term

QUERY = """# a comment that says WHERE { to mislead
SELECT ?label WHERE {
  { SELECT ?x WHERE { ?x ?p ?o } }
  ?x <http://example.org/label> ?label .
}"""


def test_values_open_the_outer_where() -> None:
    bound = bind_values(QUERY, {"x": Term("uri", "http://example.org/a")})
    assert "SELECT ?label WHERE {\n  VALUES (?x) { (<http://example.org/a>) }" in bound
    assert bound.count("VALUES") == 1


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
