"""GraphML: resources as nodes (label, types), resource-to-resource triples as edges (predicate)."""

from __future__ import annotations

from graph_builder.publish.formats import ExportFormat


def write(ntriples: bytes) -> bytes:
    """The resources and links of ``ntriples`` as a GraphML multigraph (rdf:type and literals become node data)."""
    import io

    import networkx as nx
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    from graph_builder.prefixes import compact

    graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt")
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


GRAPHML = ExportFormat("graphml", "graphml", "application/graphml+xml", write, rdf=False)
