"""Every IRI polkg mints, from the ids in the sources (one place, so the graph and source locations agree)."""

from __future__ import annotations

from rdflib import URIRef

from graph_builder.graph.namespaces import ID
from graph_builder.sources import model


def doc_iri(doc_id: str) -> URIRef:
    return ID[f"doc/{doc_id}"]


def provision_iri(doc_id: str, number: str) -> URIRef:
    return ID[f"doc/{doc_id}/provision/{number}"]


def chapter_iri(doc_id: str, number: str) -> URIRef:
    return ID[f"doc/{doc_id}/chapter/{number}"]


def agency_iri(agency_id: str) -> URIRef:
    return ID[f"agency/{agency_id}"]


def agency_id(iri: str) -> str:
    """The curated id an agency IRI was minted from (``agency_iri``'s inverse); "" for any other IRI."""
    prefix = str(ID["agency/"])
    return iri[len(prefix) :] if iri.startswith(prefix) else ""


def concept_iri(scheme: str, concept_id: str) -> URIRef:
    return ID[f"concept/{scheme}/{concept_id}"]


def scheme_iri(scheme: str) -> URIRef:
    return ID[f"scheme/{scheme}"]


def sector_iri(sector_id: str) -> URIRef:
    return concept_iri("sectors", sector_id)


def theme_iri(theme_id: str) -> URIRef:
    return concept_iri("themes", theme_id)


def zone_iri(zone_id: str) -> URIRef:
    return ID[f"zone/{zone_id}"]


def place_iri(place_id: str) -> URIRef:
    return ID[f"place/{place_id}"]


def framework_iri(framework_id: str) -> URIRef:
    return ID[f"framework/{framework_id}"]


def source_iri(src: model.SourceInfo) -> URIRef:
    return doc_iri(src.document) if src.document else ID[f"source/{src.id}"]


def reorganisation_iri(reorg_id: str) -> URIRef:
    return ID[f"reorganisation/{reorg_id}"]


def case_group_iri(programme: str, number: int) -> URIRef:
    return ID[f"doc/{programme}/case-group/{number}"]


def case_iri(case_id: str) -> URIRef:
    return ID[f"case/{case_id}"]


def claim_iri(claim_id: str) -> URIRef:
    return ID[f"claim/{claim_id}"]


def evolution_iri(link: model.EvolutionLink) -> URIRef:
    return URIRef(f"{provision_ref_iri(link.later)}/evolution/{link.earlier.replace('/', '-')}")


def provision_ref_iri(ref: str) -> URIRef:
    doc_id, number = ref.split("/", 1)
    return provision_iri(doc_id, number)
