"""Resolve a stored query's parameters from what a person typed, by each parameter's type, in date order where asked."""

from __future__ import annotations

import itertools

from graph_builder.errors import UsageError
from graph_builder.query.catalogue import StoredQuery
from graph_builder.query.engine import Engine
from graph_builder.query.param_types import KINDS
from graph_builder.query.results import Term

_DATES = """
SELECT ?id ?date ?sortDate WHERE {
  ?doc dcterms:identifier ?id ; pk:sortDate ?sortDate .
  OPTIONAL { ?doc pk:date ?date }
}"""


def resolve(query: StoredQuery, values: dict[str, str], engine: Engine) -> dict[str, Term]:
    """Bindings for ``query`` from the raw ``values``: every unknown or ambiguous value is a UsageError."""
    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        accepted = ", ".join(p.name for p in query.params) or "none"
        raise UsageError(f"query '{query.id}' has no parameter {', '.join(unknown)} (parameters: {accepted})")
    bindings: dict[str, Term] = {}
    ordered = sorted(query.params, key=lambda p: KINDS[p.type].needs_document)  # documents before provisions
    for param in ordered:
        value = values.get(param.name, param.default)
        if value is None:
            if param.required:
                raise UsageError(f"query '{query.id}' needs --param {param.name}=... ({param.type}: {param.description})")
            continue
        kind = KINDS[param.type]
        document = None
        if kind.needs_document:
            document = next((bindings[p.name] for p in query.params if p.type == "document" and p.name in bindings), None)
            if document is None:
                raise UsageError(f"query '{query.id}': give the document before a provision number")
        bindings[param.name] = kind.resolve(param.name, value, engine, document)
    check_order(query, bindings, engine)
    return bindings


def resolve_value(kind: str, value: str, engine: Engine, name: str = "value") -> Term:
    """The term ``value`` stands for as a ``kind`` (document, agency, theme ...), as a parameter ``name`` would resolve."""
    return KINDS[kind].resolve(name, value, engine, None)


def check_order(query: StoredQuery, bindings: dict[str, Term], engine: Engine) -> None:
    """Refuse documents given out of the date order the query's ``order`` header asks for (an empty answer
    would look like a real one)."""
    dated: list[tuple[str, str, str, str]] = []
    for name in query.order:
        if name not in bindings:
            continue
        rows = engine.select(_DATES, {"doc": bindings[name]}).rows
        if rows:
            row = min(rows, key=lambda r: r["sortDate"].value)
            date = row["date"].value if "date" in row else row["sortDate"].value
            dated.append((name, row["id"].value, row["sortDate"].value, date))
    for (a, doc_a, sort_a, date_a), (b, doc_b, sort_b, date_b) in itertools.pairwise(dated):
        if sort_a > sort_b:
            raise UsageError(f"{a}={doc_a} ({date_a}) is later than {b}={doc_b} ({date_b}): swap them")
