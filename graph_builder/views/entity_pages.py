"""Render a page for every document (its provisions as sections), agency, theme, sector, zone and framework."""

# Every fact on a page comes from a stored-query record and shows where it is stated (source and locator)
# and the stored query that gives it, as a command a reader can run. Labels reach the HTML only through
# Jinja autoescaping. A page lists at most LIST_LIMIT rows of one kind and names the query for the rest,
# so no page grows past a laptop's reading (and 1 MB) however large the corpus.

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graph_builder.analytics.data import Evolution, Issuance, Responsibility
from graph_builder.analytics.entities import Claim, ConceptMention, EntityData, NewMeasure, ProvisionText, grouped, joined
from graph_builder.views import paths

LIST_LIMIT = 400
CONCEPT_KINDS = {"theme": "Theme", "sector": "Sector", "zone": "Zone", "framework": "Trade framework"}
DOCUMENT_KINDS = {"official": "Official document", "official statement": "Official statement", "secondary": "Secondary source"}


def command(query_id: str, **params: str) -> str:
    """The ``polkg query run`` line that gives a fact, quoted so it runs as shown."""
    words = ["polkg", "query", "run", query_id]
    for name, value in params.items():
        words += ["-p", f"{name}={value}"]
    return shlex.join(words)


@dataclass(frozen=True)
class Link:
    """A link to another entity's page (or plain text when it has none)."""

    text: str
    href: str = ""
    note: str = ""


@dataclass
class EntityPage:
    """One page to write: its file (relative to the site root), template, title and what the template shows."""

    file: str
    template: str
    title: str
    kind: str
    iri: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        return self.file.count("/")


class _Site:
    """Look-ups shared by every page: ids and page links of documents, agencies and concepts."""

    def __init__(self, data: EntityData):
        self.data = data
        self.docs = {d.doc: d for d in data.documents}
        self.doc_ids = {d.id: d for d in data.documents}
        self.agencies = {a.agency: a for a in data.views.agencies}
        self.agency_ids = {a.id: a for a in data.views.agencies}
        self.concepts = {c.concept: c for c in data.concepts}
        self.concept_by_label = {(c.kind, c.label): c for c in data.concepts}
        self.provisions = {p.provision_id: p for p in data.provisions}

    def doc_link(self, doc_id: str, depth: int) -> Link:
        doc = self.doc_ids.get(doc_id)
        if doc is None:
            return Link(doc_id)
        return Link(doc.title or doc_id, paths.page("document", doc_id).from_depth(depth), doc.date)

    def provision_link(self, provision_id: str, depth: int) -> Link:
        doc_id, _, number = provision_id.partition("/")
        prov = self.provisions.get(provision_id)
        text = f"{self.short(doc_id)} ({number})" + (f" {prov.label}" if prov else "")
        return Link(text, paths.provision_page(doc_id, number).from_depth(depth))

    def short(self, doc_id: str) -> str:
        doc = self.doc_ids.get(doc_id)
        if doc is None:
            return doc_id
        return f"{doc.date[:4] or 'undated'} {doc.doc_type}"

    def agency_link(self, iri: str, depth: int, label: str = "") -> Link:
        agency = self.agencies.get(iri)
        if agency is None:
            return Link(label or iri)
        name = agency.name + (f" ({agency.acronym})" if agency.acronym else "")
        return Link(name, paths.page("agency", agency.id).from_depth(depth), agency.name_zh)

    def concept_link(self, kind: str, label: str, depth: int) -> Link:
        concept = self.concept_by_label.get((kind, label))
        if concept is None:
            return Link(label)
        return Link(label, paths.page(kind, concept.id).from_depth(depth), concept.label_zh)


def build_pages(data: EntityData) -> Iterator[EntityPage]:
    """Every entity page of the site, documents first."""
    site = _Site(data)
    yield from _document_pages(site)
    yield from _agency_pages(site)
    yield from _concept_pages(site)


# ------------------------------------------------------------------ documents
def _document_pages(site: _Site) -> Iterator[EntityPage]:
    data = site.data
    provisions = grouped(data.provisions, lambda p: p.doc)
    issuances = grouped(data.views.issuances, lambda i: i.doc)
    earlier = grouped(data.views.evolutions, lambda e: e.later)
    later = grouped(data.views.evolutions, lambda e: e.earlier)
    new = {n.measure: n for n in data.new_measures}
    claims = grouped(data.claims, lambda c: c.doc)
    cases = grouped(data.cases, lambda c: c.source)
    responsible = grouped(data.views.responsibilities, lambda r: r.provision)
    for doc in data.documents:
        page = EntityPage(
            paths.page("document", doc.id).file, "entity/document.html.j2", doc.title or doc.id, "document", doc.doc
        )
        depth = page.depth
        sections = [
            _provision_section(site, prov, responsible.get(prov.provision, []), earlier, later, new, depth)
            for prov in provisions.get(doc.doc, [])
        ]
        chapters: list[dict[str, Any]] = []
        for section in sections:
            heading = section["chapter"]
            if not chapters or chapters[-1]["heading"] != heading:
                chapters.append({"heading": heading, "sections": []})
            chapters[-1]["sections"].append(section)
        page.context = {
            "doc": doc,
            "kind_label": DOCUMENT_KINDS.get(doc.kind, doc.kind),
            "numbers": [n for n in (doc.number, *joined(doc.number_alt)) if n],
            "reported_by": [_source_link(site, s, doc.id, depth) for s in joined(doc.reported_by)],
            "basis": [_basis(b) for b in joined(doc.curator_basis)],
            "based_on": [site.doc_link(d, depth) for d in joined(doc.based_on)],
            "cites": [site.doc_link(d, depth) for d in joined(doc.cites)],
            "approved_by": site.agency_link(doc.approved_by, depth, doc.approved_by_label) if doc.approved_by else None,
            "issuers": [_issuer(site, i, depth) for i in issuances.get(doc.doc, [])],
            "chapters": chapters,
            "provision_count": len(sections),
            "claims": [
                {
                    "source": site.doc_link(source.id, depth),
                    "claims": [_claim(c) for c in claims[source.doc]],
                    "query": command("source-claims", doc=source.id),
                }
                for source in (doc, *(site.doc_ids[s] for s in joined(doc.reported_by) if s in site.doc_ids and s != doc.id))
                if source.doc in claims
            ],
            "cases": cases.get(doc.id, []),
            "queries": {
                "document": command("document", doc=doc.id),
                "issuers": command("issuances", doc=doc.id),
                "cases": command("pilot-cases"),
            },
        }
        yield page


def _source_link(site: _Site, source_id: str, doc_id: str, depth: int) -> Link:
    if source_id == doc_id:
        return Link("this document itself")
    if source_id in site.doc_ids:
        return site.doc_link(source_id, depth)
    return Link(source_id)


def _basis(text: str) -> dict[str, str]:
    field_name, _, rest = text.partition(": ")
    basis, _, note = rest.partition(": ")
    return {"field": field_name, "basis": basis, "note": note}


def _issuer(site: _Site, issuance: Issuance, depth: int) -> dict[str, Any]:
    return {
        "agency": site.agency_link(issuance.agency, depth, issuance.agency_label),
        "role": issuance.role,
        "where": f"{issuance.source}, {issuance.locator}",
    }


def _provision_section(
    site: _Site,
    prov: ProvisionText,
    responsible: list[Responsibility],
    earlier: dict[str, list[Evolution]],
    later: dict[str, list[Evolution]],
    new: dict[str, NewMeasure],
    depth: int,
) -> dict[str, Any]:
    doc_id = prov.provision_id.partition("/")[0]
    found = new.get(prov.provision_id)
    return {
        "anchor": paths.provision_anchor(prov.number),
        "prov": prov,
        "chapter": f"{prov.chapter}. {prov.chapter_label}" if prov.chapter else "",
        "agencies": [site.agency_link(r.agency, depth, r.agency_label) for r in responsible],
        "open_ended": prov.open_ended == "true",
        "concepts": [
            (CONCEPT_KINDS[kind], [site.concept_link(kind, label, depth) for label in joined(getattr(prov, column))])
            for kind, column in (("theme", "themes"), ("sector", "sectors"), ("zone", "zones"), ("framework", "frameworks"))
            if getattr(prov, column)
        ],
        "earlier": [_lineage(site, e, e.earlier, depth) for e in earlier.get(prov.provision_id, [])],
        "later": [_lineage(site, e, e.later, depth) for e in later.get(prov.provision_id, [])],
        "new": found,
        "query": command("provision", doc=doc_id, provision=prov.number),
        "lineage_query": command("provision-lineage", doc=doc_id, provision=prov.number),
    }


def _lineage(site: _Site, link: Evolution, other: str, depth: int) -> dict[str, Any]:
    return {"relation": link.relation, "other": site.provision_link(other, depth), "rationale": link.rationale, "link": link}


def _claim(claim: Claim) -> dict[str, Any]:
    value = " ".join(v for v in (claim.value, claim.unit) if v)
    return {"claim": claim, "value": value}


# ------------------------------------------------------------------ agencies
def _agency_pages(site: _Site) -> Iterator[EntityPage]:
    data = site.data
    responsibilities = grouped(data.views.responsibilities, lambda r: r.agency)
    by_provision = grouped(data.views.responsibilities, lambda r: r.provision)
    issuances = grouped(data.views.issuances, lambda i: i.agency)
    later = grouped(data.views.evolutions, lambda e: e.earlier)
    changes = grouped(data.kind_changes, lambda k: k.agency)
    for agency in data.views.agencies:
        page = EntityPage(paths.page("agency", agency.id).file, "entity/agency.html.j2", agency.name, "agency", agency.agency)
        depth = page.depth
        own = responsibilities.get(agency.agency, [])
        partners: Counter[str] = Counter()
        for r in own:
            partners.update(other.agency for other in by_provision.get(r.provision, []) if other.agency != agency.agency)
        by_doc: list[dict[str, Any]] = []
        for doc_iri, rows in grouped(own, lambda r: r.doc).items():
            doc = site.docs.get(doc_iri)
            doc_id = doc.id if doc else ""
            by_doc.append(
                {
                    "doc": site.doc_link(doc_id, depth),
                    "provisions": [
                        {"link": site.provision_link(f"{doc_id}/{r.number}", depth), "locator": r.locator, "source": r.source}
                        for r in rows
                    ],
                }
            )
        successors = [
            {"from": site.provision_link(e.earlier, depth), "relation": e.relation, "to": site.provision_link(e.later, depth)}
            for r in own
            for e in later.get(_provision_id(site, r), [])
        ]
        page.context = {
            "agency": agency,
            "aliases": joined(agency.aliases),
            "parent": site.agency_link(site.agency_ids[agency.part_of].agency, depth)
            if agency.part_of in site.agency_ids
            else None,
            "kind_changes": changes.get(agency.agency, []),
            "reorganisations": [
                {
                    "date": r.date,
                    "label": r.label,
                    "basis": r.basis,
                    "predecessor": site.agency_link(r.original, depth, r.original_label),
                    "successor": site.agency_link(r.resulting, depth, r.resulting_label),
                }
                for r in data.views.reorganisations
                if agency.agency in (r.original, r.resulting)
            ],
            "issued": [
                {"doc": site.doc_link(site.docs[i.doc].id if i.doc in site.docs else "", depth), "role": i.role, "i": i}
                for i in issuances.get(agency.agency, [])
            ],
            "by_doc": _limited(by_doc),
            "responsibility_count": len(own),
            "partners": [{"agency": site.agency_link(iri, depth), "shared": n} for iri, n in partners.most_common(12)],
            "successors": _limited(successors),
            "queries": {
                "agency": command("agencies"),
                "timeline": command("agency-timeline", agency=agency.id),
                "provisions": command("agency-provisions", agency=agency.id),
                "reorganisations": command("reorganisations"),
                "kind_changes": command("kind-changes"),
                "lineage": command("evolution-links"),
            },
        }
        yield page


def _provision_id(site: _Site, r: Responsibility) -> str:
    doc = site.docs.get(r.doc)
    return f"{doc.id}/{r.number}" if doc else ""


def _limited(rows: list[Any]) -> dict[str, Any]:
    return {"rows": rows[:LIST_LIMIT], "more": max(0, len(rows) - LIST_LIMIT)}


# ------------------------------------------------------------------ themes, sectors, zones, frameworks
def _concept_pages(site: _Site) -> Iterator[EntityPage]:
    data = site.data
    mentions = grouped(data.mentions, lambda m: m.concept)
    for concept in data.concepts:
        page = EntityPage(
            paths.page(concept.kind, concept.id).file, "entity/concept.html.j2", concept.label, concept.kind, concept.concept
        )
        depth = page.depth
        rows = [_mention(site, m, depth) for m in mentions.get(concept.concept, [])]
        page.context = {
            "concept": concept,
            "kind_label": CONCEPT_KINDS[concept.kind],
            "exact": joined(concept.exact),
            "close": joined(concept.close),
            "mentions": _limited(rows),
            "counts": Counter(m["kind"] for m in rows),
            "queries": {"concepts": command("concepts"), "mentions": command("mentions")},
        }
        yield page


def _mention(site: _Site, mention: ConceptMention, depth: int) -> dict[str, Any]:
    doc = site.docs.get(mention.doc)
    doc_id = doc.id if doc else ""
    if mention.item_kind == "provision":
        item = site.provision_link(mention.item_id, depth)
    else:
        item = Link(mention.item_label, site.doc_link(doc_id, depth).href)
    return {
        "kind": mention.item_kind,
        "item": item,
        "date": mention.doc_date,
        "doc": site.doc_link(doc_id, depth),
        "source": mention.source,
        "locator": mention.locator,
    }
