"""The ontology documents every term the builder writes, and reuses the standard vocabularies."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graph_builder.graph.namespaces import PK
from graph_builder.layout import ontology_file
from graph_builder.store.build import BuildResult

ONTOLOGY = URIRef("https://w3id.org/polkg/ontology")


def _ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


def test_header_has_version() -> None:
    graph = _ontology()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None


def test_every_term_is_declared_with_label_and_comment() -> None:
    graph = _ontology()
    names = list(PK.__annotations__)
    assert len(names) > 80
    for name in names:
        term = PK[name]
        labels = [o for o in graph.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == "en"]
        comments = [o for o in graph.objects(term, RDFS.comment) if isinstance(o, Literal) and o.language == "en"]
        assert labels and comments, f"pk:{name} needs rdfs:label and rdfs:comment"
    declared = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PK._NS))}
    assert declared == {PK[n] for n in names}


def test_standard_vocabularies_are_reused() -> None:
    graph = _ontology()
    parents = {str(o) for p in (RDFS.subClassOf, RDFS.subPropertyOf) for o in graph.objects(None, p)}
    for namespace in (
        "http://data.europa.eu/eli/ontology#",
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://purl.org/dc/terms/",
    ):
        assert any(p.startswith(namespace) for p in parents), namespace


def test_built_graph_uses_only_declared_pk_terms(built: BuildResult) -> None:
    data = Graph().parse(built.out / "graph.nt", format="nt")
    used = {t for triple in data for t in triple if isinstance(t, URIRef) and str(t).startswith(str(PK._NS))}
    assert used
    assert used <= {PK[n] for n in PK.__annotations__}
