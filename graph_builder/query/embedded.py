"""The embedded engine: SPARQL over the read-only Oxigraph store a build wrote, with parameters bound as values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from graph_builder.errors import QueryError
from graph_builder.prefixes import PREFIXES
from graph_builder.query.engine import syntax_error
from graph_builder.query.results import ResultSet, Term

T = TypeVar("T")


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

    def repaired(self, run: Callable[[], T]) -> T:
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
        return self.repaired(lambda: self._select(sparql, bindings))

    def _answer(self, sparql: str) -> Any:
        """The store's answer to ``sparql``, with its syntax and evaluation errors as QueryError."""
        try:
            return self.store.query(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise syntax_error(sparql, exc) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None

    def _select(self, sparql: str, bindings: dict[str, Term] | None) -> ResultSet:
        import pyoxigraph as ox

        from graph_builder.query.binding import bind_values

        answer = self._answer(bind_values(sparql, bindings or {}))
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
        return self.repaired(lambda: self._construct(sparql))

    def _construct(self, sparql: str) -> bytes:
        import pyoxigraph as ox

        answer = self._answer(sparql)
        if not isinstance(answer, ox.QueryTriples):
            raise QueryError(
                "expected a CONSTRUCT or DESCRIBE query (SELECT and ASK give tables: --format table|csv|json|markdown)"
            )
        return answer.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
