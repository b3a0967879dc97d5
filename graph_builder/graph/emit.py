"""Turn a checked Corpus into RDF: stable IRIs, no blank nodes, provenance on every fact node."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from graph_builder.graph.iris import (
    agency_iri,
    case_group_iri,
    case_iri,
    chapter_iri,
    claim_iri,
    concept_iri,
    doc_iri,
    evolution_iri,
    framework_iri,
    place_iri,
    provision_iri,
    provision_ref_iri,
    reorganisation_iri,
    scheme_iri,
    sector_iri,
    source_iri,
    theme_iri,
    zone_iri,
)
from graph_builder.graph.namespaces import EBOPS, ELI, ID, PK, PREFIXES
from graph_builder.sources import model
from graph_builder.sources.corpus import Corpus

_PRECISION_TYPE = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}
_RELATION = {
    "continues": PK.continues,
    "expands": PK.expands,
    "refines": PK.refines,
    "implements": PK.implements,
    "replaces": PK.replaces,
}
_BASIS = {"stated": PK.StatedInSource, "curator-inference": PK.CuratorInference, "curator-knowledge": PK.CuratorKnowledge}
# the property a document field is written as (ELI's for a policy document, see document())
_FIELD_PROPERTY = {
    "title": DCTERMS.title,
    "number_alt": PK.officialNumberAlt,
    "based_on": PROV.wasDerivedFrom,
    "cites": DCTERMS.references,
    "date": PK.date,
}
_LEGAL_FIELD_PROPERTY = {**_FIELD_PROPERTY, "based_on": ELI.based_on, "cites": ELI.cites, "date": ELI.date_document}
_CLAIM_CLASS = {
    "figure": PK.Figure,
    "assessment": PK.Assessment,
    "expectation": PK.Expectation,
    "reported-content": PK.ReportedContent,
}
_ROLE_SLUG = {
    PK.LeadIssuer: "lead-issuer",
    PK.CoIssuer: "co-issuer",
    PK.Approver: "approver",
    PK.Drafter: "drafter",
    PK.Publisher: "publisher",
    PK.ResponsibleAgency: "responsible",
    PK.MentionedAgency: "mentioned",
}


def _date_literal(date: model.PartialDate) -> Literal:
    return Literal(date.text, datatype=_PRECISION_TYPE[date.precision])


def document_types(doc: model.Document) -> tuple[URIRef, ...]:
    """The classes of a document node."""
    if doc.class_ == "policy":
        return (PK.Document, PK.PolicyDocument, ELI.LegalResource)
    if doc.class_ == "statement":
        return (PK.Document, PK.OfficialStatement)
    return (PK.Document, PK.SecondarySource)


def measure_types(doc: model.Document) -> tuple[URIRef, ...]:
    """The classes of a provision (or, in a statement or a secondary source, an announcement) of ``doc``."""
    if doc.class_ == "policy":
        return (PK.Measure, PK.Provision, ELI.LegalResourceSubdivision)
    return (PK.Measure, PK.Announcement)


SOURCE_TYPES = (PK.SourceText, PROV.Entity)


def file_node_types(doc_file: model.DocumentFile) -> dict[URIRef, tuple[URIRef, ...]]:
    """The classes of the nodes of ``doc_file`` that other files may refer to (source, documents, provisions)."""
    types: dict[URIRef, tuple[URIRef, ...]] = {}
    source = source_iri(doc_file.source)
    for doc in doc_file.documents:
        types[doc_iri(doc.id)] = document_types(doc)
        for prov in doc.provisions:
            types[provision_iri(doc.id, prov.number)] = measure_types(doc)
    types[source] = tuple(dict.fromkeys((*types.get(source, ()), *SOURCE_TYPES)))
    return types


class _Emitter:
    def __init__(self, corpus: Corpus | None, prefixes: bool = True):
        # without prefixes, a lean store: per-file graphs are only iterated and serialised as N-Triples
        self.c = corpus
        self.g = Graph() if prefixes else Graph(store="SimpleMemory", bind_namespaces="none")
        if prefixes:
            for prefix, ns in PREFIXES.items():
                self.g.bind(prefix, ns, override=True)

    @property
    def corpus(self) -> Corpus:
        assert self.c is not None, "registry emission needs the corpus"
        return self.c

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.g.add((s, p, o))

    def label(self, s: URIRef, label: model.Label, *preds: URIRef) -> None:
        for pred in preds or (RDFS.label,):
            self.add(s, pred, Literal(label.en, lang="en"))
            if label.zh:
                self.add(s, pred, Literal(label.zh, lang="zh"))

    def provenance(self, node: URIRef, source: URIRef, locator: str, basis: str = "stated") -> None:
        self.add(node, PK.statedIn, source)
        self.add(node, PK.locator, Literal(locator))
        self.add(node, PK.basis, _BASIS[basis])

    def dated(self, node: URIRef, date: model.PartialDate | None, eli_pred: URIRef | None = None) -> None:
        if date is None:
            return
        self.add(node, PK.date, _date_literal(date))
        self.add(node, PK.sortDate, Literal(date.earliest.isoformat(), datatype=XSD.date))
        if eli_pred is not None and date.precision == "day":
            self.add(node, eli_pred, Literal(date.text, datatype=XSD.date))

    def participation(self, holder: URIRef, agency_id: str, role: URIRef, source: URIRef, locator: str) -> URIRef:
        node = URIRef(f"{holder}/participation/{_ROLE_SLUG[role]}/{agency_id}")
        self.add(holder, PROV.qualifiedAttribution, node)
        self.add(node, RDF.type, PK.Participation)
        self.add(node, RDF.type, PROV.Attribution)
        self.add(node, PROV.agent, agency_iri(agency_id))
        self.add(node, PK.hadRole, role)
        self.provenance(node, source, locator)
        return node

    # -------------------------------------------------------------- registries
    def vocabularies(self) -> None:
        for scheme in self.corpus.vocab.schemes:
            self.scheme(scheme.id, scheme.label, scheme.definition, scheme.concepts)

    def scheme(
        self,
        scheme_id: str,
        label: str,
        definition: str,
        concepts: Iterable[model.Concept],
        broader: dict[str, str | None] | None = None,
    ) -> None:
        s = scheme_iri(scheme_id)
        self.add(s, RDF.type, SKOS.ConceptScheme)
        self.add(s, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(s, RDFS.label, Literal(label, lang="en"))
        self.add(s, SKOS.definition, Literal(definition, lang="en"))
        self.add(s, DCTERMS.identifier, Literal(scheme_id))
        for concept in concepts:
            node = concept_iri(scheme_id, concept.id)
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, SKOS.inScheme, s)
            self.add(node, DCTERMS.identifier, Literal(concept.id))
            self.label(node, concept.label, SKOS.prefLabel, RDFS.label)
            self.add(node, SKOS.definition, Literal(concept.definition, lang="en"))
            parent = (broader or {}).get(concept.id)
            if parent:
                self.add(node, SKOS.broader, concept_iri(scheme_id, parent))
            else:
                self.add(node, SKOS.topConceptOf, s)

    def sectors(self) -> None:
        reg = self.corpus.sectors
        ebops_scheme = ID["scheme/ebops2010"]
        self.add(ebops_scheme, RDF.type, SKOS.ConceptScheme)
        self.add(
            ebops_scheme,
            SKOS.prefLabel,
            Literal("Extended Balance of Payments Services classification 2010 (EBOPS 2010)", lang="en"),
        )
        self.add(ebops_scheme, RDFS.label, Literal("EBOPS 2010", lang="en"))
        for item in reg.ebops:
            node = EBOPS[item.code]
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, SKOS.inScheme, ebops_scheme)
            self.add(node, SKOS.notation, Literal(item.code))
            self.add(node, DCTERMS.identifier, Literal(item.code))
            self.add(node, SKOS.prefLabel, Literal(item.label, lang="en"))
            self.add(node, RDFS.label, Literal(item.label, lang="en"))
        self.scheme(
            "sectors",
            "Service sectors",
            "Service sectors named in the sources, matched to EBOPS 2010.",
            reg.sectors,
            {s.id: s.broader for s in reg.sectors},
        )
        for sector in reg.sectors:
            for code in sector.ebops.exact:
                self.add(sector_iri(sector.id), SKOS.exactMatch, EBOPS[code])
            for code in sector.ebops.close:
                self.add(sector_iri(sector.id), SKOS.closeMatch, EBOPS[code])

    def themes(self) -> None:
        self.scheme("themes", "Policy instruments and themes", "What a measure does or works through.", self.corpus.themes.themes)
        for theme in self.corpus.themes.themes:
            for alias in theme.aliases:
                self.add(theme_iri(theme.id), SKOS.altLabel, Literal(alias, lang="en"))

    def frameworks(self) -> None:
        for fw in self.corpus.frameworks.frameworks:
            node = framework_iri(fw.id)
            self.add(node, RDF.type, PK.TradeFramework)
            self.add(node, DCTERMS.identifier, Literal(fw.id))
            self.label(node, fw.label, RDFS.label, SKOS.prefLabel)
            self.add(node, SKOS.definition, Literal(fw.definition, lang="en"))
            self.add(node, PK.frameworkKind, concept_iri("framework-kinds", fw.kind))
            if fw.acronym:
                self.add(node, PK.acronym, Literal(fw.acronym))

    def zones(self) -> None:
        for place in self.corpus.zones.places:
            node = place_iri(place.id)
            self.add(node, RDF.type, PK.Place)
            self.add(node, DCTERMS.identifier, Literal(place.id))
            self.label(node, place.label, RDFS.label, SKOS.prefLabel)
            self.add(node, PK.placeKind, Literal(place.kind))
            if place.province:
                self.add(node, PK.province, place_iri(place.province))
        for zone in self.corpus.zones.zones:
            node = zone_iri(zone.id)
            self.add(node, RDF.type, PK.Zone)
            self.add(node, DCTERMS.identifier, Literal(zone.id))
            self.label(node, zone.label, RDFS.label, SKOS.prefLabel)
            self.add(node, PK.zoneType, concept_iri("zone-types", zone.type))
            if zone.city:
                self.add(node, PK.city, place_iri(zone.city))
            if zone.province:
                self.add(node, PK.province, place_iri(zone.province))
            if zone.part_of:
                self.add(node, DCTERMS.isPartOf, zone_iri(zone.part_of))
            if zone.members:
                self.add(node, PK.memberCount, Literal(zone.members))
            self.dated(node, zone.established)

    def agencies(self) -> None:
        for agency in self.corpus.agencies.agencies:
            node = agency_iri(agency.id)
            if agency.group:
                self.add(node, RDF.type, PK.ActorGroup)
                self.add(node, RDF.type, PROV.Agent)
            else:
                self.add(node, RDF.type, PK.Agency)
                self.add(node, RDF.type, ORG.Organization)
            self.add(node, DCTERMS.identifier, Literal(agency.id))
            self.label(node, agency.name, SKOS.prefLabel, RDFS.label)
            for alias in agency.aliases:
                self.add(node, SKOS.altLabel, Literal(alias, lang="en"))
            if agency.acronym:
                self.add(node, PK.acronym, Literal(agency.acronym))
            self.add(node, PK.agencyKind, concept_iri("agency-kinds", agency.kind))
            for change in agency.kind_changes:
                self.kind_change(node, change)
            if agency.part_of:
                self.add(node, ORG.subOrganizationOf, agency_iri(agency.part_of))
            if agency.note:
                self.add(node, SKOS.note, Literal(agency.note, lang="en"))
        sources = {f.source.key: source_iri(f.source) for _, f in self.corpus.files}
        for reorg in self.corpus.agencies.reorganisations:
            node = reorganisation_iri(reorg.id)
            instant = ID[f"reorganisation/{reorg.id}/time"]
            self.add(node, RDF.type, PK.Reorganisation)
            self.add(node, RDF.type, ORG.ChangeEvent)
            self.add(node, DCTERMS.identifier, Literal(reorg.id))
            self.add(node, RDFS.label, Literal(reorg.label, lang="en"))
            self.dated(node, reorg.date)
            self.add(node, TIME.hasTime, instant)
            self.add(instant, RDF.type, TIME.Instant)
            self.add(
                instant, TIME.inXSDDate if reorg.date.precision == "day" else TIME.inXSDgYearMonth, _date_literal(reorg.date)
            )
            for agency_id in reorg.original:
                self.add(node, ORG.originalOrganization, agency_iri(agency_id))
                self.add(agency_iri(agency_id), ORG.changedBy, node)
            for agency_id in reorg.resulting:
                self.add(node, ORG.resultingOrganization, agency_iri(agency_id))
                self.add(agency_iri(agency_id), ORG.resultedFrom, node)
            self.add(node, PK.basis, _BASIS[reorg.basis])
            if reorg.note:
                self.add(node, SKOS.note, Literal(" ".join(reorg.note.split()), lang="en"))
            for ev in reorg.evidence:
                self.add(node, PK.statedIn, sources[ev.source])
                self.add(node, PK.locator, Literal(ev.locator))

    def kind_change(self, agency: URIRef, change: model.KindChange) -> None:
        """An agency's change of kind on a date (the kind it had before is ``pk:agencyKind``)."""
        node = URIRef(f"{agency}/kind-change/{change.date.text}")
        self.add(node, RDF.type, PK.KindChange)
        self.add(agency, PK.kindChange, node)
        self.add(node, PK.newKind, concept_iri("agency-kinds", change.kind))
        self.add(node, PK.since, _date_literal(change.date))
        self.add(node, PK.basis, _BASIS[change.basis])
        self.add(node, SKOS.note, Literal(" ".join(change.note.split()), lang="en"))

    # -------------------------------------------------------------- documents
    def document_file(self, doc_file: model.DocumentFile) -> None:
        src = doc_file.source
        source = source_iri(src)
        for cls in SOURCE_TYPES:
            self.add(source, RDF.type, cls)
        self.add(source, PK.sourceFile, Literal(src.file))
        self.add(source, PK.sourceKind, concept_iri("source-kinds", src.kind))
        if src.id:
            self.add(source, DCTERMS.identifier, Literal(src.id))
            self.add(source, RDFS.label, Literal(src.title or src.id, lang="en"))
            self.dated(source, src.date)
        for reported in src.reports:
            self.add(source, PK.reports, doc_iri(reported))
        if src.publisher:
            self.add(source, DCTERMS.publisher, agency_iri(src.publisher))
            self.participation(source, src.publisher, PK.Publisher, source, "masthead")
        for doc in doc_file.documents:
            self.document(doc, source)
        if doc_file.cases:
            self.cases(doc_file.cases, source)
        for claim in doc_file.claims:
            self.claim(claim, source)
        for link in doc_file.evolution:
            self.evolution(link, source)
        for found in doc_file.new:
            self.new_measure(found, source)

    def document(self, doc: model.Document, source: URIRef) -> None:
        node = doc_iri(doc.id)
        for cls in document_types(doc):
            self.add(node, RDF.type, cls)
        self.add(node, DCTERMS.identifier, Literal(doc.id))
        self.add(node, DCTERMS.type, concept_iri("document-types", doc.type))
        self.label(node, doc.title, DCTERMS.title, RDFS.label)
        # ELI's terms are for legal resources: a statement or a secondary source gets the DCMI/PROV/polkg term
        legal = doc.class_ == "policy"
        if doc.number:
            self.add(node, PK.officialNumber, Literal(doc.number))
            if legal:
                self.add(node, ELI.id_local, Literal(doc.number))
        for alt in doc.number_alt:
            self.add(node, PK.officialNumberAlt, Literal(alt))
        self.dated(node, doc.date, ELI.date_document if legal else None)
        if doc.published and doc.published.precision == "day":
            self.add(node, ELI.date_publication if legal else DCTERMS.issued, Literal(doc.published.text, datatype=XSD.date))
        if doc.coverage:
            self.add(node, PK.coverageNote, Literal(doc.coverage))
        if node != source:
            self.add(node, PK.statedIn, source)
        for based in doc.based_on:
            self.add(node, ELI.based_on if legal else PROV.wasDerivedFrom, doc_iri(based))
        for cited in doc.cites:
            self.add(node, ELI.cites if legal else DCTERMS.references, doc_iri(cited))
        for basis in doc.basis:
            self.field_basis(node, basis, legal)
        if doc.issuers:
            iss = doc.issuers
            for agency_id, role in [(iss.lead, PK.LeadIssuer), *((a, PK.CoIssuer) for a in iss.co)]:
                self.add(node, PK.issuedBy, agency_iri(agency_id))
                if legal:
                    self.add(node, ELI.passed_by, agency_iri(agency_id))
                self.participation(node, agency_id, role, source, iss.locator)
            self.add(node, PK.issuerCount, Literal(iss.count if iss.count is not None else 1 + len(iss.co)))
        for key, role in (("approved_by", PK.Approver), ("drafted_by", PK.Drafter)):
            ref: model.AgencyRef | None = getattr(doc, key)
            if ref:
                self.participation(node, ref.agency, role, source, ref.locator)
        for chapter in doc.chapters:
            ch = chapter_iri(doc.id, chapter.number)
            self.add(ch, RDF.type, PK.Chapter)
            self.add(ch, RDF.type, ELI.LegalResourceSubdivision)
            self.add(ch, ELI.number, Literal(chapter.number))
            self.add(ch, RDFS.label, Literal(chapter.label, lang="en"))
            self.add(ch, PK.inDocument, node)
            self.add(ch, ELI.is_part_of, node)
            self.add(node, ELI.has_part, ch)
        for ordinal, prov in enumerate(doc.provisions, start=1):
            self.provision(doc, prov, ordinal, source)

    def field_basis(self, doc: URIRef, basis: model.FieldBasis, legal: bool) -> None:
        """That the values of one of a document's properties come from the curators, not from a source text."""
        node = URIRef(f"{doc}/basis/{basis.field}")
        self.add(node, RDF.type, PK.PropertyBasis)
        self.add(doc, PK.propertyBasis, node)
        self.add(node, PK.onProperty, (_LEGAL_FIELD_PROPERTY if legal else _FIELD_PROPERTY)[basis.field])
        self.add(node, RDFS.label, Literal(basis.field.replace("_", " "), lang="en"))
        self.add(node, PK.basis, _BASIS[basis.basis])
        self.add(node, SKOS.note, Literal(" ".join(basis.note.split()), lang="en"))

    def provision(self, doc: model.Document, prov: model.Provision, ordinal: int, source: URIRef) -> None:
        node = provision_iri(doc.id, prov.number)
        parent = doc_iri(doc.id)
        legal = doc.class_ == "policy"  # a provision of a legal resource, with ELI's terms; otherwise DCMI's and polkg's
        for cls in measure_types(doc):
            self.add(node, RDF.type, cls)
        if legal:
            self.add(node, ELI.is_part_of, parent)
            self.add(parent, ELI.has_part, node)
        else:
            self.add(node, DCTERMS.isPartOf, parent)
        self.add(node, PK.inDocument, parent)
        self.add(node, DCTERMS.identifier, Literal(f"{doc.id}/{prov.number}"))
        self.add(node, PK.number, Literal(prov.number))
        if legal:
            self.add(node, ELI.number, Literal(prov.number))
        self.add(node, PK.ordinal, Literal(ordinal))
        if prov.numbering == "assigned":
            self.add(node, PK.numberAssigned, Literal(True))
        self.add(node, RDFS.label, Literal(prov.label, lang="en"))
        self.add(node, PK.shortLabel, Literal(prov.label, lang="en"))
        self.add(node, PK.summary, Literal(prov.summary, lang="en"))
        self.provenance(node, source, prov.where)
        if prov.chapter:
            ch = chapter_iri(doc.id, prov.chapter)
            self.add(node, PK.inChapter, ch)
            if legal:
                self.add(node, ELI.is_part_of, ch)
                self.add(ch, ELI.has_part, node)
        for agency_id in prov.agencies:
            self.add(node, PK.responsibleAgency, agency_iri(agency_id))
            self.participation(node, agency_id, PK.ResponsibleAgency, source, prov.where)
        if prov.agencies_open:
            self.add(node, PK.responsibilityOpenEnded, Literal(True))
        for agency_id in prov.mentions:
            self.add(node, PK.mentionsAgency, agency_iri(agency_id))
            self.participation(node, agency_id, PK.MentionedAgency, source, prov.where)
        for sector in prov.sectors:
            self.add(node, PK.concernsSector, sector_iri(sector))
        for theme in prov.themes:
            self.add(node, PK.concernsTheme, theme_iri(theme))
            if legal:
                self.add(node, ELI.is_about, theme_iri(theme))
        for zone in prov.zones:
            self.add(node, PK.concernsZone, zone_iri(zone))
        for framework in prov.frameworks:
            self.add(node, PK.invokesFramework, framework_iri(framework))
        if prov.target_year:
            self.add(node, PK.targetYear, Literal(str(prov.target_year), datatype=XSD.gYear))

    def cases(self, cases: model.Cases, source: URIRef) -> None:
        programme = doc_iri(cases.programme)
        if cases.total:
            self.add(programme, PK.caseCount, Literal(cases.total))
        groups, highlights = {}, {}
        for group in cases.groups:
            node = case_group_iri(cases.programme, group.number)
            groups[group.number] = node
            for highlight in group.highlights:
                hl = URIRef(f"{node}/highlight/{highlight.number}")
                highlights[(group.number, highlight.number)] = hl
                self.add(hl, RDF.type, PK.Highlight)
                self.add(hl, PK.highlightNumber, Literal(highlight.number))
                self.add(hl, RDFS.label, Literal(highlight.label, lang="en"))
                self.add(hl, DCTERMS.isPartOf, node)
                self.provenance(hl, source, highlight.locator)
            self.add(node, RDF.type, PK.CaseGroup)
            self.add(node, RDF.type, PROV.Collection)
            self.add(node, RDFS.label, Literal(f"Best-practice cases, group {group.number}", lang="en"))
            self.add(node, PK.groupNumber, Literal(group.number))
            if group.count is not None:
                self.add(node, PK.caseCount, Literal(group.count))
            self.add(node, DCTERMS.isPartOf, programme)
            self.provenance(node, source, group.locator)
        for item in cases.items:
            node = case_iri(item.id)
            self.add(node, RDF.type, PK.Case)
            self.add(node, RDF.type, PROV.Entity)
            self.add(node, DCTERMS.identifier, Literal(item.id))
            self.add(node, RDFS.label, Literal(item.label, lang="en"))
            self.add(node, PK.summary, Literal(item.summary, lang="en"))
            self.add(node, PK.caseGroup, groups[item.group])
            self.add(groups[item.group], PROV.hadMember, node)
            if item.highlight:
                self.add(node, PK.highlight, Literal(item.highlight))
                if (item.group, item.highlight) in highlights:
                    self.add(node, PK.underHighlight, highlights[(item.group, item.highlight)])
            if item.city:
                self.add(node, PK.locatedIn, place_iri(item.city))
            if item.zone:
                self.add(node, DCTERMS.spatial, zone_iri(item.zone))
            for theme in item.themes:
                self.add(node, DCTERMS.subject, theme_iri(theme))
            for sector in item.sectors:
                self.add(node, PK.concernsSector, sector_iri(sector))
            for framework in item.frameworks:
                self.add(node, PK.invokesFramework, framework_iri(framework))
            self.provenance(node, source, item.locator)

    def claim(self, claim: model.Claim, source: URIRef) -> None:
        node = claim_iri(claim.id)
        self.add(node, RDF.type, PK.Claim)
        self.add(node, RDF.type, _CLAIM_CLASS[claim.kind])
        self.add(node, DCTERMS.identifier, Literal(claim.id))
        self.add(node, RDFS.label, Literal(claim.label, lang="en"))
        self.add(node, PK.summary, Literal(claim.summary, lang="en"))
        if claim.value is not None:
            self.add(node, PK.value, Literal(str(claim.value), datatype=XSD.decimal))
        if claim.unit:
            self.add(node, PK.unit, Literal(claim.unit))
        if claim.metric:
            self.add(node, PK.metric, Literal(claim.metric))
        about = claim.about
        targets = [
            *(doc_iri(d) for d in about.documents),
            *(provision_ref_iri(p) for p in about.provisions),
            *(theme_iri(t) for t in about.themes),
            *(zone_iri(z) for z in about.zones),
            *(framework_iri(f) for f in about.frameworks),
            *(agency_iri(a) for a in about.agencies),
            *(sector_iri(s) for s in about.sectors),
        ]
        for target in targets:
            self.add(node, PK.claimAbout, target)
        for agency_id in about.agencies:
            self.participation(node, agency_id, PK.MentionedAgency, source, claim.locator)
        self.provenance(node, source, claim.locator)

    def evolution(self, link: model.EvolutionLink, source: URIRef) -> None:
        later, earlier = provision_ref_iri(link.later), provision_ref_iri(link.earlier)
        relation = _RELATION[link.relation]
        node = evolution_iri(link)
        self.add(later, relation, earlier)
        self.add(later, PK.evolvesFrom, earlier)
        self.add(later, PROV.wasDerivedFrom, earlier)
        self.add(later, PROV.qualifiedDerivation, node)
        self.add(node, RDF.type, PK.Evolution)
        self.add(node, RDF.type, PROV.Derivation)
        self.add(node, PK.later, later)
        self.add(node, PK.earlier, earlier)
        self.add(node, PROV.entity, earlier)
        self.add(node, PK.relation, relation)
        self.add(node, PK.rationale, Literal(link.rationale, lang="en"))
        self.provenance(node, source, link.locator, "curator-inference")

    def new_measure(self, found: model.NewMeasure, source: URIRef) -> None:
        """The lineage review's finding that a measure has no earlier counterpart in the corpus, with its reason."""
        measure = provision_ref_iri(found.measure)
        node = URIRef(f"{measure}/finding/new")
        self.add(node, RDF.type, PK.NewMeasureFinding)
        self.add(measure, PK.lineageFinding, node)
        self.add(node, PK.rationale, Literal(found.rationale, lang="en"))
        self.provenance(node, source, found.locator, "curator-inference")


def emit_registry(corpus: Corpus) -> Graph:
    """The registry files' graph: vocabularies, sectors, themes, frameworks, zones, agencies, reorganisations."""
    e = _Emitter(corpus)
    e.vocabularies()
    e.sectors()
    e.themes()
    e.frameworks()
    e.zones()
    e.agencies()
    return e.g


def emit_document_file(doc_file: model.DocumentFile) -> Graph:
    """One document file's graph (no prefixes bound); it depends on that file alone, so it can be built and cached on its own."""
    e = _Emitter(None, prefixes=False)
    e.document_file(doc_file)
    return e.g


def emit(corpus: Corpus) -> Graph:
    """Build the data graph of ``corpus`` (ontology not included): the registry and every document file."""
    graph = emit_registry(corpus)
    for _, doc_file in corpus.files:
        for triple in emit_document_file(doc_file):
            graph.add(triple)
    return graph
