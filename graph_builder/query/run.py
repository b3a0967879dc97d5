"""Run a stored query by id with the values a person typed, and return its results."""

from __future__ import annotations

from dataclasses import replace

from graph_builder.query.catalogue import StoredQuery
from graph_builder.query.engine import Engine
from graph_builder.query.params import resolve
from graph_builder.query.results import ResultSet, Term


def run_stored(query: StoredQuery, values: dict[str, str], engine: Engine, lang: str = "en") -> ResultSet:
    """Resolve ``values``, bind them, run ``query``. Bound parameter columns are left out (they are constant);
    an optional parameter left unbound keeps its column (a whole-corpus listing needs to say which document).

    With ``lang`` other than "en", English names, titles and labels are shown in that language where the
    graph states them (``query.language.in_language``).
    """
    return run_bound(query, resolve(query, values, engine), engine, lang)


def run_bound(query: StoredQuery, bindings: dict[str, Term], engine: Engine, lang: str = "en") -> ResultSet:
    """Run ``query`` with parameters already resolved to terms (a caller running many queries on one document
    resolves it once); the answer is shaped as ``run_stored`` shapes it."""
    answer = engine.select(query.sparql, bindings)
    params = set(bindings)
    if params or query.booleans:  # else the rows are as the engine gave them: no copy of a whole-corpus listing
        variables = tuple(v for v in answer.variables if v not in params)
        rows = tuple(
            {k: _boolean(v) if k in query.booleans else v for k, v in row.items() if k not in params} for row in answer.rows
        )
        answer = replace(answer, variables=variables, rows=rows)
    if lang != "en":
        from graph_builder.query.language import in_language

        answer = in_language(answer, engine, lang)
    return answer


def run_query(query_id: str, values: dict[str, str] | None, engine: Engine, lang: str = "en") -> ResultSet:
    """Run the stored query ``query_id`` with ``values`` as a person would type them (``-p name=value``)."""
    from graph_builder.query.catalogue import get_query

    return run_stored(get_query(query_id), values or {}, engine, lang)


_XSD = "http://www.w3.org/2001/XMLSchema#"


def _boolean(term: Term) -> Term:
    """A boolean column's value as xsd:boolean: Virtuoso 7 sends true and false as xsd:integer 1 and 0."""
    if term.kind == "literal" and term.datatype == _XSD + "integer" and term.value in ("1", "0"):
        return Term("literal", "true" if term.value == "1" else "false", _XSD + "boolean")
    return term
