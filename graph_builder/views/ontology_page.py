"""Render the ontology's documentation page (ontology.html) from ontology/polkg.ttl: every term, offline, escaped."""

# The page is written with the views site (``site.write_site``) and linked from its index. It is made from the
# ontology file polkg ships, not from the graph, so it is the same whether the views read the build or an endpoint.
# Like the view pages it loads nothing: no script at all, inline styles only under a CSP that forbids every request,
# external terms shown as prefixed names (their IRI in a title), and every label and comment escaped by Jinja.

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_builder import __version__
from graph_builder.layout import ontology_file
from graph_builder.prefixes import compact

FILE = "ontology.html"
PK = "https://w3id.org/polkg/ontology#"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"

# (section id, heading, the owl type whose pk terms it lists)
SECTIONS = (
    ("classes", "Classes", _OWL + "Class"),
    ("object-properties", "Object properties", _OWL + "ObjectProperty"),
    ("data-properties", "Data properties", _OWL + "DatatypeProperty"),
    ("annotation-properties", "Annotation properties", _OWL + "AnnotationProperty"),
    ("individuals", "Named individuals", _OWL + "NamedIndividual"),
)


@dataclass(frozen=True)
class Ref:
    """A term as the page shows it: its prefixed name, its IRI, and its anchor when polkg defines it."""

    name: str
    iri: str
    anchor: str | None = None


@dataclass
class Term:
    ref: Ref
    label: str
    comment: str
    facts: list[tuple[str, list[Ref]]] = field(default_factory=list)


@dataclass
class OntologyPage:
    title: str
    iri: str
    header: list[tuple[str, str]]
    description: str
    notes: list[str]
    sections: list[tuple[str, str, list[Term]]]

    @property
    def terms(self) -> int:
        return sum(len(terms) for _, _, terms in self.sections)


def _ref(term: Any) -> Ref:
    iri = str(term)
    if iri.startswith(PK):
        return Ref(compact(iri), iri, iri[len(PK) :])
    return Ref(compact(iri), iri)


def _english(graph: Any, node: Any, predicate: Any) -> str:
    values = [str(v) for v in graph.objects(node, predicate) if getattr(v, "language", None) in ("en", None)]
    return " ".join(sorted(values))


def _refs(graph: Any, node: Any, predicate: Any) -> list[Ref]:
    from rdflib import BNode
    from rdflib.collection import Collection
    from rdflib.namespace import OWL

    found = []
    for value in graph.objects(node, predicate):
        if isinstance(value, BNode):  # a union: show its members
            members = graph.value(value, OWL.unionOf)
            found += [_ref(m) for m in Collection(graph, members)] if members is not None else []
        else:
            found.append(_ref(value))
    return sorted(found, key=lambda r: r.name)


def build(path: Path | None = None) -> OntologyPage:
    """What the page shows, read from the ontology file (``path``, default the one polkg ships)."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

    graph = Graph().parse(path or ontology_file(), format="turtle")
    ontology = next(iter(graph.subjects(RDF.type, OWL.Ontology)))
    header = []
    for label, predicate in (
        ("IRI", None),
        ("Version", OWL.versionInfo),
        ("Version IRI", OWL.versionIRI),
        ("Created", DCTERMS.created),
        ("Modified", DCTERMS.modified),
        ("Creator", DCTERMS.creator),
        ("Publisher", DCTERMS.publisher),
        ("Licence", DCTERMS.license),
        ("Rights", DCTERMS.rights),
        ("Preferred prefix", URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")),
        ("Namespace", URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")),
    ):
        value = str(ontology) if predicate is None else " ".join(str(v) for v in graph.objects(ontology, predicate))
        if value:
            header.append((label, value))
    sections = []
    for section, heading, kind in SECTIONS:
        terms = []
        members = {s for s in graph.subjects(RDF.type, URIRef(kind)) if str(s).startswith(PK)}
        for node in sorted(members, key=lambda s: str(s).lower()):
            types = [t for t in graph.objects(node, RDF.type) if t != URIRef(kind)]
            individual = section == "individuals"
            facts = [
                ("Type", [_ref(t) for t in types] if individual else []),
                ("Also a", [_ref(t) for t in types if str(t).startswith(PK)] if not individual else []),
                ("Subclass of", _refs(graph, node, RDFS.subClassOf)),
                ("Subproperty of", _refs(graph, node, RDFS.subPropertyOf)),
                ("Domain", _refs(graph, node, RDFS.domain)),
                ("Range", _refs(graph, node, RDFS.range)),
                ("Disjoint with", _refs(graph, node, OWL.disjointWith)),
                ("Subclasses", sorted((_ref(s) for s in graph.subjects(RDFS.subClassOf, node)), key=lambda r: r.name)),
                ("Members", sorted((_ref(s) for s in graph.subjects(RDF.type, node)), key=lambda r: r.name)),
            ]
            label, comment = _english(graph, node, RDFS.label), _english(graph, node, RDFS.comment)
            terms.append(Term(_ref(node), label, comment, [f for f in facts if f[1]]))
        sections.append((section, heading, terms))
    notes = sorted(str(n) for n in graph.objects(ontology, SKOS.editorialNote))
    title, description = _english(graph, ontology, DCTERMS.title), _english(graph, ontology, DCTERMS.description)
    return OntologyPage(title, str(ontology), header, description, notes, sections)


def render(env: Any, path: Path | None = None) -> tuple[str, OntologyPage]:
    """The page's HTML (from ``ontology.html.j2``, autoescaped) and what it shows."""
    page = build(path)
    return str(env.get_template("ontology.html.j2").render(page=page, version=__version__)), page
