"""Closed namespaces for every RDF term polkg writes, so a misspelt term fails at import time."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

from graph_builder.prefixes import BASE, PREFIXES

#: Instance IRIs live under ``ID``; ontology terms under ``PK``.
ID = Namespace(BASE + "id/")
EBOPS = Namespace(BASE + "id/ebops2010/")


class PK(DefinedNamespace):
    """The polkg ontology (``ontology/polkg.ttl``). Every term here is declared and documented there."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # --- classes: documents and their parts
    Document: URIRef  # any document the graph describes
    PolicyDocument: URIRef  # an official policy text (eli:LegalResource)
    OfficialStatement: URIRef  # an official statement that is not a legal text (press conference answer)
    SecondarySource: URIRef  # a text that reports on policy: law-firm summary, analysis, commentary, translation
    SourceText: URIRef  # a text a fact was curated from (the provenance target)
    Chapter: URIRef  # a numbered chapter of a policy document
    Measure: URIRef  # a measure, provision, direction or announcement within a document
    Provision: URIRef  # a measure of a policy document (eli:LegalResourceSubdivision)
    Announcement: URIRef  # a measure announced in an official statement
    # --- classes: actors
    Agency: URIRef  # a public body, party organ, institution or association (org:Organization)
    Actor: URIRef  # an agency or a group of actors: whoever can hold a role in a policy text
    ActorGroup: URIRef  # a collective kind of actor, such as local people's governments
    Reorganisation: URIRef  # an org:ChangeEvent that replaced or merged agencies
    Participation: URIRef  # a qualified attribution: an agent in a role for a document or measure
    Role: URIRef  # a prov:Role an agent plays
    # --- classes: places, zones, frameworks, cases, claims, lineage
    Place: URIRef  # a city or province
    Zone: URIRef  # a zone, base or area, or a programme-level group of them
    TradeFramework: URIRef  # a trade agreement, initiative or cooperation mechanism
    Case: URIRef  # a best-practice case of the service-trade innovation pilot
    CaseGroup: URIRef  # a numbered group of best-practice cases
    Claim: URIRef  # something a secondary source asserts
    Figure: URIRef  # a claim that is a reported number
    Expectation: URIRef  # a commentator's expectation or speculation: not an official measure
    Assessment: URIRef  # a commentator's assessment or interpretation
    ReportedContent: URIRef  # content of an official document as a secondary source reports it
    Evolution: URIRef  # a qualified evolution link between a later and an earlier measure
    LineageRelation: URIRef  # the typed lineage properties, as individuals (the objects of pk:relation)
    EvidenceBasis: URIRef  # how a statement is grounded

    # --- roles (instances of Role)
    LeadIssuer: URIRef
    CoIssuer: URIRef
    Approver: URIRef
    ResponsibleAgency: URIRef
    Publisher: URIRef
    Compiler: URIRef
    Drafter: URIRef
    MentionedAgency: URIRef

    # --- evidence bases (instances of EvidenceBasis)
    StatedInSource: URIRef
    CuratorInference: URIRef
    CuratorKnowledge: URIRef

    # --- properties: provenance
    statedIn: URIRef  # -> SourceText (subproperty of dcterms:source)
    locator: URIRef  # where in the source text: provision number, section, paragraph
    basis: URIRef  # -> EvidenceBasis
    reports: URIRef  # SecondarySource -> Document it reports on
    sourceFile: URIRef  # file name of the seed text a SourceText was curated from
    sourceKind: URIRef  # SourceText -> concept (official text, translation, summary, ...)
    # --- properties: documents and measures
    inDocument: URIRef  # Measure/Chapter -> Document
    inChapter: URIRef  # Provision -> Chapter
    ordinal: URIRef  # integer position for sorting
    number: URIRef  # a measure's number as printed (also eli:number on provisions of policy documents)
    officialNumber: URIRef  # a document's official number (also eli:id_local on policy documents)
    numberAssigned: URIRef  # true when the number was assigned by curators, not printed
    shortLabel: URIRef  # a short label in the curators' words
    summary: URIRef  # a one-line summary in the curators' words
    officialNumberAlt: URIRef  # another rendering of the official number
    coverageNote: URIRef  # what part of the document the available source covers
    issuerCount: URIRef  # how many issuing bodies the document names
    targetYear: URIRef  # a target year a measure sets
    concernsSector: URIRef  # -> sector concept (subproperty of dcterms:subject)
    concernsTheme: URIRef  # Measure -> theme concept (also eli:is_about on provisions of policy documents)
    concernsZone: URIRef  # Measure -> Zone (subproperty of dcterms:spatial)
    invokesFramework: URIRef  # -> TradeFramework
    mentionsAgency: URIRef  # -> agent named in passing (not an issuer or responsible body)
    # --- properties: agencies and participation
    issuedBy: URIRef  # Document -> issuing actor (also eli:passed_by on policy documents)
    hadRole: URIRef  # Participation -> Role (PROV-O's prov:hadRole is for associations and instantaneous events)
    responsibleAgency: URIRef  # Measure -> agent responsible (shortcut of a Participation)
    responsibilityOpenEnded: URIRef  # true where the text ends its list with "etc."
    acronym: URIRef
    agencyKind: URIRef  # subproperty of dcterms:type
    # --- properties: zones and places
    zoneType: URIRef
    city: URIRef
    province: URIRef
    placeKind: URIRef  # "municipality", "province", "city" or "region"
    memberCount: URIRef  # stated number of members of a programme-level zone group
    frameworkKind: URIRef
    # --- properties: cases
    caseGroup: URIRef
    groupNumber: URIRef
    caseCount: URIRef
    highlight: URIRef  # the numbered highlight a case illustrates
    underHighlight: URIRef  # a case -> the pk:Highlight it illustrates
    highlightNumber: URIRef  # the ordinal of a highlight within its case group
    Highlight: URIRef  # a heading under which a case group is presented
    NewMeasureFinding: URIRef  # the lineage review's finding that a measure has no earlier counterpart
    lineageFinding: URIRef  # a measure -> its pk:NewMeasureFinding
    PropertyBasis: URIRef  # that a document property's values come from the curators, not a source text
    propertyBasis: URIRef  # a document -> its pk:PropertyBasis statements
    onProperty: URIRef  # the property a pk:PropertyBasis is about
    KindChange: URIRef  # a dated change of an agency's kind
    kindChange: URIRef  # an agency -> its pk:KindChange
    newKind: URIRef  # the kind that holds from a pk:KindChange on
    since: URIRef  # the date from which a change holds
    locatedIn: URIRef
    # --- properties: claims
    claimAbout: URIRef  # Claim -> anything it is about
    value: URIRef
    unit: URIRef
    metric: URIRef
    # --- properties: lineage
    evolvesFrom: URIRef  # later measure -> earlier measure (superproperty of the typed relations)
    continues: URIRef
    expands: URIRef
    refines: URIRef
    implements: URIRef
    replaces: URIRef
    earlier: URIRef  # Evolution -> earlier measure
    later: URIRef  # Evolution -> later measure
    relation: URIRef  # Evolution -> the typed relation property
    rationale: URIRef
    # --- properties: time
    date: URIRef  # a date of any precision (xsd:date, xsd:gYearMonth, xsd:gYear)
    sortDate: URIRef  # the earliest xsd:date the date can denote, for ordering and filtering


class ELI(DefinedNamespace):
    """European Legislation Identifier ontology: the terms polkg uses."""

    _NS = Namespace("http://data.europa.eu/eli/ontology#")
    _fail = True

    LegalResource: URIRef
    LegalResourceSubdivision: URIRef
    has_part: URIRef
    is_part_of: URIRef
    number: URIRef
    id_local: URIRef
    date_document: URIRef
    date_publication: URIRef
    passed_by: URIRef
    based_on: URIRef
    cites: URIRef
    is_about: URIRef


__all__ = ["BASE", "EBOPS", "ELI", "ID", "PK", "PREFIXES"]
