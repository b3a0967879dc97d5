"""Run SPARQL against the embedded Oxigraph store, with parameters bound as values, never pasted."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

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
    """Anything that answers SPARQL SELECT/ASK queries with bound variables."""

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> ResultSet: ...


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


def _to_term(term: Any) -> Term:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        lang = term.language
        datatype = None if lang else term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = None
        return Term("literal", term.value, datatype, lang)
    raise QueryError(f"unsupported term in results: {term!r}")


def _damaged(exc: BaseException) -> bool:
    """True when ``exc`` is the store reporting damaged files (RocksDB says "Corruption")."""
    return "corruption" in str(exc).lower() or "checksum" in str(exc).lower()


class EmbeddedEngine:
    """The read-only Oxigraph store a build wrote.

    ``repair``, when given, rebuilds the store and returns its folder: a store found damaged (on
    opening, or by a query) is then rebuilt once and the query answered from the new one.
    """

    def __init__(self, store_path: Path, repair: Callable[[], Path] | None = None):
        self.store_path = Path(store_path)
        self._repair = repair
        try:
            self.store = self._open()
        except QueryError:
            if self._repair is None:
                raise
            self._rebuild()

    def _rebuild(self) -> None:
        """Rebuild the damaged store (once) and open the new one."""
        assert self._repair is not None
        self.store_path, self._repair = self._repair(), None
        self.store = self._open()

    def _repaired(self, run: Callable[[], T]) -> T:
        """``run()``; if it finds the store damaged and a repair is possible, rebuild the store and run it again."""
        try:
            return run()
        except QueryError as exc:
            if self._repair is None or not _damaged(exc):
                raise
        self._rebuild()
        return run()

    def _open(self) -> Any:
        import pyoxigraph as ox

        try:
            return ox.Store.read_only(str(self.store_path))
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"cannot open the graph store at {self.store_path}: {exc}; run 'polkg build'") from None

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> ResultSet:
        return self._repaired(lambda: self._select(sparql, bindings))

    def _select(self, sparql: str, bindings: dict[str, Term] | None) -> ResultSet:
        import pyoxigraph as ox

        from graph_builder.query.binding import bind_values

        sparql = bind_values(sparql, bindings or {})
        try:
            answer = self.store.query(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise syntax_error(sparql, exc) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None
        if isinstance(answer, bool | ox.QueryBoolean):
            return ResultSet((), (), boolean=bool(answer))
        if not isinstance(answer, ox.QuerySolutions):
            raise QueryError(
                "only SELECT and ASK queries give tabular results; a CONSTRUCT or DESCRIBE query writes RDF "
                "(polkg sparql --format turtle|n-triples|json-ld)"
            )
        variables = tuple(v.value for v in answer.variables)
        rows = []
        try:
            for solution in answer:
                row = {}
                for name in variables:
                    value = solution[name]
                    if value is not None:
                        row[name] = _to_term(value)
                rows.append(row)
        except (OSError, ValueError, RuntimeError) as exc:  # solutions are computed as they are read
            raise QueryError(f"the query failed: {exc}") from None
        return ResultSet(variables, tuple(rows))

    def construct(self, sparql: str) -> bytes:
        """N-Triples answer to a CONSTRUCT or DESCRIBE query."""
        return self._repaired(lambda: self._construct(sparql))

    def _construct(self, sparql: str) -> bytes:
        import pyoxigraph as ox

        try:
            answer = self.store.query(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise syntax_error(sparql, exc) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None
        if not isinstance(answer, ox.QueryTriples):
            raise QueryError(
                "expected a CONSTRUCT or DESCRIBE query (SELECT and ASK give tables: --format table|csv|json|markdown)"
            )
        return answer.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
