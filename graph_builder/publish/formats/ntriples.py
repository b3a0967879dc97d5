"""N-Triples: the graph one triple a line, sorted, each triple once."""

from __future__ import annotations

from graph_builder import layout
from graph_builder.publish.formats import ExportFormat


def write(ntriples: bytes) -> bytes:
    """``ntriples`` sorted, without repeated lines."""
    return b"".join(sorted(set(ntriples.splitlines(keepends=True))))


NTRIPLES = ExportFormat("n-triples", "nt", "application/n-triples", write, build_file=layout.NTRIPLES)
