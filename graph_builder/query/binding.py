"""Bind parameter values into a SPARQL query as a VALUES block: serialised RDF terms, never raw text."""

from __future__ import annotations

import re

from graph_builder.query.results import Term

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
# what may hide a keyword or a brace: strings (long and short), IRIs, comments
_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*'
)
_PARENS = re.compile(r"\([^()]*\)")
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


class BindingError(ValueError):
    """The query has no WHERE clause to put the VALUES block in."""


def serialise(term: Term) -> str:
    """The term in SPARQL/N-Triples syntax, escaped by pyoxigraph (an IRI is checked to be one)."""
    import pyoxigraph as ox

    if term.kind == "uri":
        return str(ox.NamedNode(term.value))
    if term.kind == "bnode":
        raise BindingError("blank nodes cannot be bound as parameters")
    if term.lang:
        return str(ox.Literal(term.value, language=term.lang))
    if term.datatype:
        return str(ox.Literal(term.value, datatype=ox.NamedNode(term.datatype)))
    return str(ox.Literal(term.value))


def mask_literals(sparql: str) -> str:
    """``sparql`` with its strings, IRIs and comments blanked out (same length, so every offset holds)."""
    return _LEXEMES.sub(lambda m: " " * len(m.group(0)), sparql)


def _projected(head: str) -> set[str]:
    """The variables a SELECT clause projects as they are (not those an expression computes: ``(... AS ?v)``)."""
    while True:
        stripped = _PARENS.sub(" ", head)
        if stripped == head:
            return set(_VARIABLE.findall(head))
        head = stripped


def _block(bindings: dict[str, Term]) -> str:
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(serialise(term) for term in bindings.values())
    return f"\n  VALUES ({names}) {{ ({values}) }}\n"


def bind_values(sparql: str, bindings: dict[str, Term]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (t1 t2) }`` opening its outermost WHERE group, and each subquery
    that projects some of those variables as they are with a VALUES block of those.

    A VALUES block at the start of the group joins first, so the engine evaluates only the bound
    case (pyoxigraph's SEP-0007 substitution evaluated grouped queries for every value, ~200x slower).
    A subquery is evaluated on its own before it joins the outer group, so it gets the block too: it
    then groups only the bound case, and its rows are the ones the outer join would have kept anyway.
    """
    if not bindings:
        return sparql
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise BindingError(f"not a SPARQL variable name: {name!r}")
    masked = mask_literals(sparql)
    match = _WHERE.search(masked)
    if match is None:
        raise BindingError("the query has no 'WHERE {' to bind parameters in")
    inserts = [(match.end(), _block(bindings))]
    for select in _SELECT.finditer(masked, match.end()):
        brace = masked.find("{", select.end())
        if brace < 0:
            raise BindingError("a subquery's SELECT has no '{' after it")
        projected = _projected(_WHERE.sub(" ", masked[select.end() : brace + 1]).rstrip("{"))
        shared = {name: term for name, term in bindings.items() if name in projected}
        if shared:
            inserts.append((brace + 1, _block(shared)))
    for position, block in sorted(inserts, reverse=True):
        sparql = sparql[:position] + block + sparql[position:]
    return sparql


def bind_rows(sparql: str, name: str, terms: list[Term]) -> str:
    """``sparql`` with ``VALUES ?name { t1 t2 ... }`` opening its outermost WHERE group: one row per term,
    each serialised (for a lookup over many values at once, such as the labels of a result)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise BindingError(f"not a SPARQL variable name: {name!r}")
    match = _WHERE.search(mask_literals(sparql))
    if match is None:
        raise BindingError("the query has no 'WHERE {' to bind parameters in")
    block = f"\n  VALUES ?{name} {{ {' '.join(serialise(term) for term in terms)} }}\n"
    return sparql[: match.end()] + block + sparql[match.end() :]
