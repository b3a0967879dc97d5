"""A person's own SPARQL (``polkg sparql``): read the text, refuse updates and mismatched formats, run it."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from graph_builder.errors import UsageError
from graph_builder.query.engine import Engine, QueryForm, query_form
from graph_builder.query.limits import LIMITS, Limits, check_query
from graph_builder.query.results import FORMATS, ResultSet

DEFAULT_TIME_LIMIT = 30.0  # seconds a query on the embedded store may run when no --timeout is given

# what may open a query: a mistyped file name has none of these, a query text has at least one
_LOOKS_LIKE_QUERY = re.compile(r"\{|\b(?:SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE)(?=[\s?$*<{(]|$)", re.IGNORECASE)


def query_text(query_or_file: str) -> tuple[str, bool]:
    """The query ``query_or_file`` gives (text, a file, or - for stdin), and whether it was typed as text."""
    if query_or_file == "-":
        return sys.stdin.read(), False
    path = Path(query_or_file)
    try:
        if path.is_dir():
            raise UsageError(f"{query_or_file!r} is a folder; give a query file, the query text, or - for stdin")
        if path.is_file():
            return path.read_text(encoding="utf-8"), False
    except OSError:
        pass  # not a usable path (a long query text is too long a file name): it is the query itself
    return query_or_file, True


@dataclass(frozen=True)
class SparqlRequest:
    """A checked read-only query and the format its answer is written in (``auto`` resolved)."""

    text: str
    form: QueryForm | None
    writes_rdf: bool
    fmt: str

    def run(self, engine: Engine, timeout: float = DEFAULT_TIME_LIMIT) -> ResultSet | bytes:
        """The answer: a ResultSet for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE.

        On the embedded store the query runs in a child process stopped after ``timeout`` seconds, so
        neither a runaway query nor one that crashes the engine takes polkg with it; a remote endpoint
        applies its own limits (and ``timeout`` is already the remote engine's).
        """
        from graph_builder.query.embedded import EmbeddedEngine

        if isinstance(engine, EmbeddedEngine):
            from graph_builder.query.isolated import run_isolated

            check_query(self.text)  # with SERVICE refused: the embedded store never fetches a URL a query names
            return engine.repaired(lambda: run_isolated(engine.store_path, self.text, self.writes_rdf, timeout))
        return engine.construct(self.text) if self.writes_rdf else engine.select(self.text)


def sparql_request(query_or_file: str, fmt: str, rdf_formats: tuple[str, ...], limits: Limits = LIMITS) -> SparqlRequest:
    """Read and check ``query_or_file`` for ``--format fmt`` (``auto``, a results format or one of ``rdf_formats``).

    Raises UsageError for a missing file, an update, or a format that does not fit the query's form, and
    QueryError for a query over ``limits`` (checked first: a hostile query must reach no parser).
    """
    text, typed = query_text(query_or_file)
    check_query(text, replace(limits, service=True))  # SERVICE is refused where it would run here: see run
    try:
        form = query_form(text)
    except RecursionError:  # rdflib's parser recurses per nesting level; the engine's parser is the judge then
        form = None
    if form is None and typed and not _LOOKS_LIKE_QUERY.search(text):
        raise UsageError(f"no such file: {query_or_file!r} (give a query file, the query text, or - for stdin)")
    if form == "update":
        raise UsageError("polkg sparql runs read-only queries; updates are not allowed")
    writes_rdf = form in ("construct", "describe") or (form is None and fmt in rdf_formats)
    if writes_rdf and fmt in FORMATS:
        raise UsageError(
            f"--format {fmt} is for SELECT and ASK results; {(form or '').upper()} queries write RDF: "
            f"--format {' | '.join(rdf_formats)}"
        )
    if not writes_rdf and fmt in rdf_formats:
        raise UsageError(
            f"--format {fmt} writes RDF, for CONSTRUCT and DESCRIBE; {(form or '').upper()} queries give results: "
            f"--format {' | '.join(FORMATS)}"
        )
    resolved = fmt if fmt != "auto" else ("turtle" if writes_rdf else "table")
    return SparqlRequest(text, form, writes_rdf, resolved)
