"""Where in the sources each graph node was written (file and line), so shape problems point at the source."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rdflib import URIRef

from graph_builder.graph import iris
from graph_builder.sources.corpus import Corpus
from graph_builder.sources.files import REGISTRY_NAMES

Location = tuple[Path, tuple[Any, ...]]


def _registry(corpus: Corpus) -> Iterator[tuple[URIRef, str, tuple[Any, ...]]]:
    vocabularies, agencies, sectors, themes, zones, frameworks = REGISTRY_NAMES
    for i, scheme in enumerate(corpus.vocab.schemes):
        yield iris.scheme_iri(scheme.id), vocabularies, ("schemes", i, "id")
        for j, concept in enumerate(scheme.concepts):
            yield iris.concept_iri(scheme.id, concept.id), vocabularies, ("schemes", i, "concepts", j, "id")
    # (IRI of an id, file, key of its list, the list): each entry is found by its id at (key, index, "id")
    lists: tuple[tuple[Callable[[str], URIRef], str, str, Sequence[Any]], ...] = (
        (iris.agency_iri, agencies, "agencies", corpus.agencies.agencies),
        (iris.reorganisation_iri, agencies, "reorganisations", corpus.agencies.reorganisations),
        (iris.sector_iri, sectors, "sectors", corpus.sectors.sectors),
        (iris.theme_iri, themes, "themes", corpus.themes.themes),
        (iris.place_iri, zones, "places", corpus.zones.places),
        (iris.zone_iri, zones, "zones", corpus.zones.zones),
        (iris.framework_iri, frameworks, "frameworks", corpus.frameworks.frameworks),
    )
    for mint, name, key, items in lists:
        for i, item in enumerate(items):
            yield mint(item.id), name, (key, i, "id")


def node_locations(corpus: Corpus) -> dict[str, Location]:
    """Node IRI -> (file, location path in its YAML) for every node a source file defines."""
    found: dict[str, Location] = {}
    for node, name, loc in _registry(corpus):
        found.setdefault(str(node), (corpus.root / "registry" / name, loc))
    for path, doc_file in corpus.files:

        def put(node: URIRef, loc: tuple[Any, ...], path: Path = path) -> None:
            found.setdefault(str(node), (path, loc))

        for i, doc in enumerate(doc_file.documents):
            put(iris.doc_iri(doc.id), ("documents", i, "id"))
            for j, chapter in enumerate(doc.chapters):
                put(iris.chapter_iri(doc.id, chapter.number), ("documents", i, "chapters", j, "number"))
            for j, provision in enumerate(doc.provisions):
                put(iris.provision_iri(doc.id, provision.number), ("documents", i, "provisions", j, "number"))
        if doc_file.cases is not None:
            for k, group in enumerate(doc_file.cases.groups):
                put(iris.case_group_iri(doc_file.cases.programme, group.number), ("cases", "groups", k, "number"))
            for k, item in enumerate(doc_file.cases.items):
                put(iris.case_iri(item.id), ("cases", "items", k, "id"))
        for k, claim in enumerate(doc_file.claims):
            put(iris.claim_iri(claim.id), ("claims", k, "id"))
        for k, link in enumerate(doc_file.evolution):
            put(iris.evolution_iri(link), ("evolution", k))
        put(iris.source_iri(doc_file.source), ("source",))
    return found
