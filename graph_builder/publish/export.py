"""The export step: the built graph as Turtle, JSON-LD, N-Triples or GraphML."""

from __future__ import annotations

from pathlib import Path

from graph_builder.layout import NTRIPLES, TURTLE


def export_graph(build_dir: Path, fmt: str) -> bytes:
    """The graph in ``build_dir`` serialised as ``fmt`` (turtle, json-ld, n-triples, graphml)."""
    if fmt == "turtle":
        return (build_dir / TURTLE).read_bytes()
    if fmt == "n-triples":
        return (build_dir / NTRIPLES).read_bytes()
    return serialise_ntriples((build_dir / NTRIPLES).read_bytes(), fmt)


def serialise_ntriples(ntriples: bytes, fmt: str) -> bytes:
    """N-Triples (from a build or a remote CONSTRUCT) serialised as ``fmt``."""
    from rdflib import Graph

    if fmt == "n-triples":
        return b"".join(sorted(set(ntriples.splitlines(keepends=True))))
    graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    if fmt == "turtle":
        from graph_builder.prefixes import PREFIXES

        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        return graph.serialize(format="longturtle", encoding="utf-8")
    if fmt == "json-ld":
        from graph_builder.prefixes import PREFIXES

        return graph.serialize(format="json-ld", context=PREFIXES, encoding="utf-8", sort_keys=True)
    if fmt == "graphml":
        return _graphml(graph)
    raise ValueError(f"unknown export format {fmt!r}")


def _graphml(graph: object) -> bytes:
    """Resources as nodes (label, types), resource-to-resource triples as edges (predicate)."""
    import io

    import networkx as nx
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    from graph_builder.prefixes import compact

    assert isinstance(graph, Graph)
    nxg = nx.MultiDiGraph()

    def node(term: URIRef) -> str:
        key = str(term)
        if key not in nxg:
            label = next(
                (str(o) for o in graph.objects(term, RDFS.label) if isinstance(o, Literal) and o.language in (None, "en")),
                compact(key),
            )
            types = " ".join(sorted(compact(str(t)) for t in graph.objects(term, RDF.type)))
            nxg.add_node(key, label=label, types=types)
        return key

    for s, p, o in sorted(graph):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and p != RDF.type:
            nxg.add_edge(node(s), node(o), predicate=compact(str(p)))
    buffer = io.BytesIO()
    nx.write_graphml(nxg, buffer)
    return buffer.getvalue()
