"""Turtle: the graph as rdflib's long-form Turtle, with polkg's prefixes."""

from __future__ import annotations

from graph_builder import layout
from graph_builder.publish.formats import ExportFormat


def write(ntriples: bytes) -> bytes:
    """``ntriples`` as Turtle."""
    from rdflib import Graph

    from graph_builder.prefixes import PREFIXES

    graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph.serialize(format="longturtle", encoding="utf-8")


TURTLE = ExportFormat("turtle", "ttl", "text/turtle", write, build_file=layout.TURTLE)
