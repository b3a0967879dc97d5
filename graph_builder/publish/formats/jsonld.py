"""JSON-LD: the graph as JSON-LD with polkg's prefixes as its context."""

from __future__ import annotations

from graph_builder.publish.formats import ExportFormat


def write(ntriples: bytes) -> bytes:
    """``ntriples`` as JSON-LD (keys sorted)."""
    from rdflib import Graph

    from graph_builder.prefixes import PREFIXES

    graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    return graph.serialize(format="json-ld", context=PREFIXES, encoding="utf-8", sort_keys=True)


JSONLD = ExportFormat("json-ld", "jsonld", "application/ld+json", write)
