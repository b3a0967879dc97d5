"""The validation step: sources -> checked corpus -> RDF that conforms to the SHACL shapes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Graph

from graph_builder.graph.units import Span, UnitCache, UnitEntry, UnitsResult
from graph_builder.layout import default_sources, ontology_file
from graph_builder.sources.corpus import Corpus
from graph_builder.sources.load import ParsedCache


class BuildCache(ParsedCache, UnitCache, Protocol):
    """A cache of both parsed files and checked units (``store.cache.Cache``)."""


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
    from graph_builder.graph.emit import emit
    from graph_builder.graph.shapes import validate_graph
    from graph_builder.sources.load import load_sources

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    corpus = load_sources(Path(sources) if sources else default_sources())
    seconds["load"] = time.perf_counter() - t
    t = time.perf_counter()
    data = emit(corpus)
    ontology = canonical_ontology()
    seconds["emit"] = time.perf_counter() - t
    t = time.perf_counter()
    validate_graph(data, ontology, corpus=corpus)
    seconds["validate"] = time.perf_counter() - t
    return Validated(corpus, data, ontology, seconds)


@dataclass
class Checked:
    """The build's checked sources: the corpus, every unit's validated graph, the ontology; seconds per step."""

    corpus: Corpus
    units: UnitsResult
    ontology: Graph
    seconds: dict[str, float] = field(default_factory=dict)

    def ontology_ntriples(self) -> bytes:
        return b"".join(sorted(set(self.ontology.serialize(format="nt", encoding="utf-8").splitlines(keepends=True))))


def check_sources(
    sources: Path | None = None,
    cache: BuildCache | None = None,
    workers: int | None = None,
    old_parts: Callable[[], dict[str, tuple[str, Span]]] | None = None,
) -> Checked:
    """Load and cross-check ``sources``, emit and SHACL-check each file (reusing ``cache``); raise on any problem.

    The SHACL-SPARQL constraints, which span files, are left to ``check_sparql_constraints`` on the store.
    """
    from graph_builder._parallel import collector_paused
    from graph_builder.graph.shapes import shape_error
    from graph_builder.graph.units import build_units
    from graph_builder.sources.load import load_sources

    seconds: dict[str, float] = {}
    with collector_paused():  # the models, type index and registry graph live until the build ends
        t = time.perf_counter()
        corpus = load_sources(Path(sources) if sources else default_sources(), cache)
        seconds["load"] = time.perf_counter() - t
        t = time.perf_counter()
        ontology = canonical_ontology()
        units = build_units(corpus, ontology, cache, workers, old_parts)
    if units.violations:
        raise shape_error(units.violations, corpus)
    seconds["validate"] = time.perf_counter() - t
    return Checked(corpus, units, ontology, seconds)


@dataclass(frozen=True)
class Validation:
    """What validating a sources folder found: the number of triples, and the hidden entries it skipped."""

    triples: int
    skipped: tuple[Path, ...] = ()


def validate_sources(sources: Path | None = None) -> Validation:
    """Validate ``sources`` end to end (as a build does), write nothing; return the triples and skipped entries."""
    import pyoxigraph

    from graph_builder.graph.shapes import check_sparql_constraints

    checked = check_sources(sources)
    store = pyoxigraph.Store()
    store.bulk_load(checked.ontology_ntriples(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    for entry in checked.units.entries:
        assert isinstance(entry, UnitEntry), "without a cache every unit is emitted here"
        store.bulk_load(entry.ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    check_sparql_constraints(store, checked.corpus)
    return Validation(len(store), tuple(checked.corpus.skipped))
