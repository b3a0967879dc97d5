"""Where in the sources each graph node was written (file and line), so shape problems point at the source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import URIRef

from graph_builder import emit
from graph_builder.fingerprint import REGISTRY_NAMES
from graph_builder.sources import Corpus

Location = tuple[Path, tuple[Any, ...]]


def _registry(corpus: Corpus) -> Iterator[tuple[URIRef, str, tuple[Any, ...]]]:
    vocabularies, agencies, sectors, themes, zones, frameworks = REGISTRY_NAMES
    for i, scheme in enumerate(corpus.vocab.schemes):
        yield emit.scheme_iri(scheme.id), vocabularies, ("schemes", i, "id")
        for j, concept in enumerate(scheme.concepts):
            yield emit.concept_iri(scheme.id, concept.id), vocabularies, ("schemes", i, "concepts", j, "id")
    for i, agency in enumerate(corpus.agencies.agencies):
        yield emit.agency_iri(agency.id), agencies, ("agencies", i, "id")
    for i, reorg in enumerate(corpus.agencies.reorganisations):
        yield emit.reorganisation_iri(reorg.id), agencies, ("reorganisations", i, "id")
    for i, sector in enumerate(corpus.sectors.sectors):
        yield emit.sector_iri(sector.id), sectors, ("sectors", i, "id")
    for i, theme in enumerate(corpus.themes.themes):
        yield emit.theme_iri(theme.id), themes, ("themes", i, "id")
    for i, place in enumerate(corpus.zones.places):
        yield emit.place_iri(place.id), zones, ("places", i, "id")
    for i, zone in enumerate(corpus.zones.zones):
        yield emit.zone_iri(zone.id), zones, ("zones", i, "id")
    for i, framework in enumerate(corpus.frameworks.frameworks):
        yield emit.framework_iri(framework.id), frameworks, ("frameworks", i, "id")


def node_locations(corpus: Corpus) -> dict[str, Location]:
    """Node IRI -> (file, location path in its YAML) for every node a source file defines."""
    found: dict[str, Location] = {}
    for node, name, loc in _registry(corpus):
        found.setdefault(str(node), (corpus.root / "registry" / name, loc))
    for path, doc_file in corpus.files:

        def put(node: URIRef, loc: tuple[Any, ...], path: Path = path) -> None:
            found.setdefault(str(node), (path, loc))

        for i, doc in enumerate(doc_file.documents):
            put(emit.doc_iri(doc.id), ("documents", i, "id"))
            for j, chapter in enumerate(doc.chapters):
                put(emit.chapter_iri(doc.id, chapter.number), ("documents", i, "chapters", j, "number"))
            for j, provision in enumerate(doc.provisions):
                put(emit.provision_iri(doc.id, provision.number), ("documents", i, "provisions", j, "number"))
        if doc_file.cases is not None:
            for k, group in enumerate(doc_file.cases.groups):
                put(emit.case_group_iri(doc_file.cases.programme, group.number), ("cases", "groups", k, "number"))
            for k, item in enumerate(doc_file.cases.items):
                put(emit.case_iri(item.id), ("cases", "items", k, "id"))
        for k, claim in enumerate(doc_file.claims):
            put(emit.claim_iri(claim.id), ("claims", k, "id"))
        for k, link in enumerate(doc_file.evolution):
            put(emit.evolution_iri(link), ("evolution", k))
        put(emit.source_iri(doc_file.source), ("source",))
    return found

