"""The embedded engine: SPARQL over the read-only Oxigraph store a build wrote, with parameters bound as values."""

from __future__ import annotations

import copy
import hashlib
import os
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


# an in-memory Oxigraph store of a graph takes about 3.3 bytes per byte of its N-Triples file (1.1 million
# triples: 174 MB of N-Triples, 571 MB resident after loading); 4 leaves room for the file read in whole
MEMORY_PER_NT_BYTE = 4


def available_memory() -> int:
    """Bytes of memory this machine can give without swapping (Linux's MemAvailable; else free pages)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0


def _damaged(exc: BaseException) -> bool:
    """True when ``exc`` is the store reporting damaged files (RocksDB says "Corruption")."""
    return "corruption" in str(exc).lower() or "checksum" in str(exc).lower()


class EmbeddedEngine:
    """The read-only Oxigraph store a build wrote.

    ``repair``, when given, rebuilds the store and returns its folder: a store found damaged (on
    opening, or by a query) is then rebuilt once and the query answered from the new one.
    """

    fork_safe = False  # RocksDB's files and threads; the in-memory copy (``in_memory``) is fork safe

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

    def in_memory(self) -> EmbeddedEngine:
        """The same build's graph in an in-memory store, for commands that read the whole corpus (a lookup there
        costs a fraction of one through RocksDB). It is loaded from the build's graph.nt, read once and used
        only when its SHA-256 is the one the build recorded; otherwise this engine is returned as it is."""
        import pyoxigraph as ox

        from graph_builder.layout import NTRIPLES, STORE_DIR
        from graph_builder.store.manifest import read_manifest

        out = self.store_path.parent
        manifest = read_manifest(out) or {}
        if self.store_path.name != STORE_DIR or not isinstance(manifest.get("nt_sha256"), str):
            return self
        try:
            if (out / NTRIPLES).stat().st_size * MEMORY_PER_NT_BYTE > available_memory() // 2:
                return self  # a graph too large for this machine's free memory is read where it is
            ntriples = (out / NTRIPLES).read_bytes()
        except OSError:
            return self
        if hashlib.sha256(ntriples).hexdigest() != manifest["nt_sha256"]:
            return self  # a damaged or foreign graph.nt: the store itself still answers correctly
        store = ox.Store()
        try:
            store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
        except (OSError, SyntaxError, ValueError) as exc:
            raise QueryError(f"cannot load {out / NTRIPLES} into memory: {exc}") from None
        loaded = copy.copy(self)
        loaded.store, loaded._repair, loaded.fork_safe = store, None, True
        return loaded

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
        terms: dict[Any, Term] = {}  # a listing repeats its labels and IRIs row after row: convert each once
        try:
            for solution in answer:
                row = {}
                for name in variables:
                    value = solution[name]
                    if value is not None:
                        term = terms.get(value)
                        if term is None:
                            term = terms[value] = _to_term(value)
                        row[name] = term
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
