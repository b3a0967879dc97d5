"""The Engine protocol every store answers through, and what a query text is (its form, prefixes, syntax errors)."""

from __future__ import annotations

import re
from typing import Literal, Protocol, TypeVar

from graph_builder.errors import QueryError
from graph_builder.prefixes import PREFIXES
from graph_builder.query.results import ResultSet, Term

T = TypeVar("T")
QueryForm = Literal["select", "ask", "construct", "describe", "update"]
_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "construct",
    "DescribeQuery": "describe",
}
# a prefixed name's prefix (not a blank node's _:, a variable or a part of a longer name)
_PREFIXED = re.compile(r"(?<![\w.:?$-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)


class Engine(Protocol):
    """Anything that answers SPARQL: SELECT/ASK with bound variables as a ResultSet, CONSTRUCT/DESCRIBE as N-Triples.

    Implementations: ``query.embedded.EmbeddedEngine`` (a build's store) and ``query.remote.RemoteEngine``.
    ``fork_safe`` says whether forked worker processes may run queries through it (a store held wholly in
    this process's memory: no open files or background threads to share with a child).
    """

    fork_safe: bool

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> ResultSet: ...

    def construct(self, sparql: str) -> bytes: ...


def query_form(sparql: str) -> QueryForm | None:
    """What ``sparql`` is, as SPARQL 1.1's grammar (rdflib's parser) reads it: a query form, an update,
    or None when it parses as neither (a syntax error, or syntax only the store knows)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    # pyparsing's errors, and TypeError or ValueError for text the grammar cannot even start on
    failures = (ParseBaseException, TypeError, ValueError)
    try:
        return _FORMS.get(parseQuery(sparql)[1].name)
    except failures:
        try:
            return "update" if parseUpdate(sparql).request else None
        except failures:
            return None


def unknown_prefixes(sparql: str) -> list[str]:
    """The prefixes ``sparql`` uses that it does not declare and polkg does not predeclare."""
    from graph_builder.query.binding import mask_literals

    masked = mask_literals(sparql)
    declared = {name or "" for name in _DECLARED.findall(masked)} | set(PREFIXES)
    return list(dict.fromkeys(name or "" for name in _PREFIXED.findall(masked) if (name or "") not in declared))


def syntax_error(sparql: str, exc: BaseException) -> QueryError:
    """The parser's message, or, when the query uses a prefix nobody declared, that (the parser's own
    message for it lists the characters a name may hold instead)."""
    unknown = unknown_prefixes(sparql)
    if unknown:
        names = ", ".join(f"'{name}:'" for name in unknown)
        return QueryError(
            f"the query is not valid SPARQL: unknown prefix {names}; the predeclared prefixes are "
            f"{', '.join(PREFIXES)} (declare another with PREFIX {unknown[0] or 'name'}: <namespace IRI>)"
        )
    return QueryError(f"the query is not valid SPARQL: {exc}")
