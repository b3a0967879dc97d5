"""The validation step: sources -> checked corpus -> RDF that conforms to the SHACL shapes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from graph_builder.resources import default_sources, ontology_file
from graph_builder.sources import Corpus


@dataclass
class Validated:
    """A corpus, its data graph and the ontology, all checked; with the seconds each step took."""

    corpus: Corpus
    data: Graph
    ontology: Graph
    seconds: dict[str, float] = field(default_factory=dict)


def canonical_ontology() -> Graph:
    """The ontology with its blank nodes (OWL lists) given content-derived labels, for byte-stable output."""
    from rdflib.compare import to_canonical_graph

    canonical = Graph()
    for triple in to_canonical_graph(Graph().parse(ontology_file(), format="turtle")):
        canonical.add(triple)
    return canonical


def validated_graph(sources: Path | None = None) -> Validated:
    """Load and cross-check ``sources``, emit RDF and validate it; raise SourceError or ShapeError."""
    from graph_builder.emit import emit
    from graph_builder.shacl import validate_graph
    from graph_builder.sources import load_sources

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    corpus = load_sources(Path(sources) if sources else default_sources())
    seconds["load"] = time.perf_counter() - t
    t = time.perf_counter()
    data = emit(corpus)
    ontology = canonical_ontology()
    seconds["emit"] = time.perf_counter() - t
    t = time.perf_counter()
    validate_graph(data, ontology)
    seconds["validate"] = time.perf_counter() - t
    return Validated(corpus, data, ontology, seconds)


def validate_sources(sources: Path | None = None) -> int:
    """Validate ``sources`` end to end, write nothing; return the number of data triples."""
    return len(validated_graph(sources).data)
