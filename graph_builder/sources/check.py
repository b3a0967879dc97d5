"""Cross-file checks of loaded sources: every reference resolves, ids are unique, dates and lineage make sense."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from graph_builder.errors import Problem
from graph_builder.sources import model
from graph_builder.sources.corpus import Corpus, Loaded
from graph_builder.sources.names import normalise_name
from graph_builder.sources.yamlio import dotted


@dataclass(frozen=True)
class _Known:
    """The ids the document files may refer to, gathered once from the registries and all document files."""

    agencies: set[str]
    sectors: set[str]
    themes: set[str]
    zones: set[str]
    places: set[str]
    frameworks: set[str]
    documents: set[str]
    docs: dict[str, model.Document]
    provisions: dict[str, tuple[model.Document, model.Provision]]
    source_kinds: dict[str, model.Concept]
    document_types: dict[str, model.Concept]

    @classmethod
    def of(cls, c: Corpus) -> _Known:
        return cls(
            agencies={a.id for a in c.agencies.agencies},
            sectors={s.id for s in c.sectors.sectors},
            themes={t.id for t in c.themes.themes},
            zones={z.id for z in c.zones.zones},
            places={p.id for p in c.zones.places},
            frameworks={f.id for f in c.frameworks.frameworks},
            documents={d.id for _, d in c.documents()},
            docs={d.id: d for _, d in c.documents()},
            provisions={f"{d.id}/{p.number}": (d, p) for _, d in c.documents() for p in d.provisions},
            source_kinds=c.scheme("source-kinds"),
            document_types=c.scheme("document-types"),
        )


class Checker:
    """Cross-file checks: every reference resolves, ids are unique, dates and lineage make sense."""

    def __init__(self, corpus: Corpus, registry: dict[str, Loaded], doc_loaded: list[Loaded]):
        self.c = corpus
        self.reg = registry
        self.doc_loaded = doc_loaded
        self.problems: list[Problem] = []
        self.owner: dict[str, tuple[str, Loaded, tuple[Any, ...]]] = {}

    # ------------------------------------------------------------------ helpers
    def problem(self, loaded: Loaded, loc: tuple[Any, ...], message: str, fix: str = "") -> None:
        self.problems.append(Problem(loaded.path, loaded.at(*loc), dotted(loc), message, fix))

    def claim_id(self, kind: str, id_: str, loaded: Loaded, loc: tuple[Any, ...]) -> None:
        if id_ in self.owner:
            other_kind, other, other_loc = self.owner[id_]
            self.problem(
                loaded,
                loc,
                f"id '{id_}' is already used by a {other_kind} at {other.path}:{other.at(*other_loc)}",
                "ids must be unique across all source files; choose another id",
            )
        else:
            self.owner[id_] = (kind, loaded, loc)  # the line is looked up only if it is needed

    def ref(self, known: Collection[str], value: str | None, what: str, loaded: Loaded, loc: tuple[Any, ...]) -> None:
        if value is None:
            return
        if value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}?" if close else f"add '{value}' to the {what} registry or correct the id"
            self.problem(loaded, loc, f"unknown {what} '{value}'", hint)

    def refs(self, known: Collection[str], values: list[str], what: str, loaded: Loaded, loc: tuple[Any, ...]) -> None:
        if not values or (len(set(values)) == len(values) and all(value in known for value in values)):
            return  # the common case, without building locations
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                self.problem(loaded, (*loc, i), f"'{value}' is listed twice", "remove the duplicate")
            seen.add(value)
            self.ref(known, value, what, loaded, (*loc, i))

    # ------------------------------------------------------------------ checks
    def run(self) -> list[Problem]:
        self.check_registries()
        self.check_documents()
        return self.problems

    def check_registries(self) -> None:
        c = self.c
        vocab = self.reg["vocabularies.yaml"]
        for i, scheme in enumerate(c.vocab.schemes):
            self.claim_id("concept scheme", scheme.id, vocab, ("schemes", i, "id"))
            seen: set[str] = set()
            for j, concept in enumerate(scheme.concepts):
                if concept.id in seen:
                    self.problem(
                        vocab,
                        ("schemes", i, "concepts", j, "id"),
                        f"concept '{concept.id}' appears twice in scheme '{scheme.id}'",
                        "remove the duplicate",
                    )
                seen.add(concept.id)
        for required in ("document-types", "source-kinds", "agency-kinds", "zone-types", "framework-kinds"):
            if not c.scheme(required):
                self.problem(vocab, ("schemes",), f"scheme '{required}' is missing", "add it with at least one concept")

        ag = self.reg["agencies.yaml"]
        agency_ids = {a.id for a in c.agencies.agencies}
        names: dict[str, str] = {}
        for i, agency in enumerate(c.agencies.agencies):
            self.claim_id("agency", agency.id, ag, ("agencies", i, "id"))
            self.ref(c.scheme("agency-kinds"), agency.kind, "agency kind", ag, ("agencies", i, "kind"))
            previous: model.PartialDate | None = None
            for j, change in enumerate(agency.kind_changes):
                cl = ("agencies", i, "kind_changes", j)
                self.ref(c.scheme("agency-kinds"), change.kind, "agency kind", ag, (*cl, "kind"))
                if previous is not None and change.date.earliest <= previous.earliest:
                    message = f"{change.date.text} is not after the change before it"
                    self.problem(ag, (*cl, "date"), message, "list changes by date")
                previous = change.date
            self.ref(agency_ids, agency.part_of, "agency", ag, ("agencies", i, "part_of"))
            if agency.part_of == agency.id:
                self.problem(ag, ("agencies", i, "part_of"), "an agency cannot be part of itself", "remove part_of")
            spellings = [("name", agency.name.en), *(("aliases", a) for a in agency.aliases)]
            if agency.acronym:
                spellings.append(("acronym", agency.acronym))
            if agency.name.zh:
                spellings.append(("name", agency.name.zh))
            for key, spelling in spellings:
                norm = normalise_name(spelling)
                other = names.get(norm)
                if other is not None and other != agency.id:
                    self.problem(
                        ag,
                        ("agencies", i, key),
                        f"'{spelling}' is also a name of agency '{other}'",
                        "a name may belong to one agency only; remove it from one of them",
                    )
                names[norm] = agency.id
        source_keys = {f.source.key for _, f in c.files}
        for i, reorg in enumerate(c.agencies.reorganisations):
            self.claim_id("reorganisation", reorg.id, ag, ("reorganisations", i, "id"))
            self.refs(agency_ids, reorg.original, "agency", ag, ("reorganisations", i, "original"))
            self.refs(agency_ids, reorg.resulting, "agency", ag, ("reorganisations", i, "resulting"))
            for j, ev in enumerate(reorg.evidence):
                self.ref(source_keys, ev.source, "source", ag, ("reorganisations", i, "evidence", j, "source"))

        se = self.reg["sectors.yaml"]
        codes = {e.code for e in c.sectors.ebops}
        sector_ids = {s.id for s in c.sectors.sectors}
        for i, sector in enumerate(c.sectors.sectors):
            self.claim_id("sector", sector.id, se, ("sectors", i, "id"))
            self.ref(sector_ids, sector.broader, "sector", se, ("sectors", i, "broader"))
            self.refs(codes, sector.ebops.exact, "EBOPS code", se, ("sectors", i, "ebops", "exact"))
            self.refs(codes, sector.ebops.close, "EBOPS code", se, ("sectors", i, "ebops", "close"))
        th = self.reg["themes.yaml"]
        for i, theme in enumerate(c.themes.themes):
            self.claim_id("theme", theme.id, th, ("themes", i, "id"))
        fw = self.reg["frameworks.yaml"]
        for i, framework in enumerate(c.frameworks.frameworks):
            self.claim_id("framework", framework.id, fw, ("frameworks", i, "id"))
            self.ref(c.scheme("framework-kinds"), framework.kind, "framework kind", fw, ("frameworks", i, "kind"))
        zo = self.reg["zones.yaml"]
        place_ids = {p.id for p in c.zones.places}
        zone_ids = {z.id for z in c.zones.zones}
        for i, place in enumerate(c.zones.places):
            self.claim_id("place", place.id, zo, ("places", i, "id"))
            self.ref(place_ids, place.province, "place", zo, ("places", i, "province"))
        for i, zone in enumerate(c.zones.zones):
            self.claim_id("zone", zone.id, zo, ("zones", i, "id"))
            self.ref(c.scheme("zone-types"), zone.type, "zone type", zo, ("zones", i, "type"))
            self.ref(place_ids, zone.city, "place", zo, ("zones", i, "city"))
            self.ref(place_ids, zone.province, "place", zo, ("zones", i, "province"))
            self.ref(zone_ids, zone.part_of, "zone", zo, ("zones", i, "part_of"))

    def check_documents(self) -> None:
        k = _Known.of(self.c)
        for (_path, doc_file), loaded in zip(self.c.files, self.doc_loaded, strict=True):
            self.check_source(k, doc_file, loaded)
            for i, doc in enumerate(doc_file.documents):
                self.check_document(k, doc, ("documents", i), loaded)
            if doc_file.cases:
                self.check_cases(k, doc_file.cases, loaded)
            self.check_claims(k, doc_file, loaded)
            self.check_evolution(doc_file, loaded, k.provisions)
        self.check_cycles(k.provisions)
        self.check_new(k.provisions)

    def check_source(self, k: _Known, doc_file: model.DocumentFile, loaded: Loaded) -> None:
        """The file's source text: given by document or by id and title, its kind, publisher and what it reports."""
        src = doc_file.source
        if src.document and src.id and src.id != src.document:
            self.problem(
                loaded,
                ("source", "id"),
                f"with 'document: {src.document}' the id must be the same or omitted",
                "remove 'id' or make it equal to 'document'",
            )
        if not src.document and not src.id:
            self.problem(
                loaded,
                ("source",),
                "give either 'document' (the source is a document of this file) or 'id' and 'title'",
                "a translation is 'id'+'title'; a summary, article or statement is 'document'",
            )
        if src.id and not src.document:
            self.claim_id("source text", src.id, loaded, ("source", "id"))
            if not src.title:
                self.problem(loaded, ("source", "title"), "a source given by 'id' needs a 'title'", "add a title")
        if src.document and src.document not in {d.id for d in doc_file.documents}:
            self.problem(
                loaded,
                ("source", "document"),
                f"'{src.document}' is not a document of this file",
                "list the source itself under 'documents' with class secondary or statement",
            )
        self.ref(k.source_kinds, src.kind, "source kind", loaded, ("source", "kind"))
        self.ref(k.agencies, src.publisher, "agency", loaded, ("source", "publisher"))
        self.refs(k.documents, src.reports, "document", loaded, ("source", "reports"))
        for j, reported in enumerate(src.reports):
            rep = k.docs.get(reported)
            if rep and rep.date and src.date and src.date.earliest < rep.date.earliest:
                self.problem(
                    loaded,
                    ("source", "reports", j),
                    f"the source is dated {src.date.text}, before '{reported}' ({rep.date.text}) that it reports",
                    "check both dates",
                )

    def check_document(self, k: _Known, doc: model.Document, base: tuple[Any, ...], loaded: Loaded) -> None:
        """One document: its id, type, dates, issuers, approval and basis, chapters, then its provisions."""
        self.claim_id("document", doc.id, loaded, (*base, "id"))
        self.ref(k.document_types, doc.type, "document type", loaded, (*base, "type"))
        if doc.date and doc.published and doc.published.earliest < doc.date.earliest:
            self.problem(
                loaded,
                (*base, "published"),
                f"published {doc.published.text} before its date {doc.date.text}",
                "check both dates",
            )
        if doc.issuers:
            iss = doc.issuers
            self.ref(k.agencies, iss.lead, "agency", loaded, (*base, "issuers", "lead"))
            self.refs(k.agencies, iss.co, "agency", loaded, (*base, "issuers", "co"))
            if iss.lead in iss.co:
                self.problem(
                    loaded,
                    (*base, "issuers", "co"),
                    f"the lead issuer '{iss.lead}' is also listed as a co-issuer",
                    "list it only as lead",
                )
            if iss.count is not None and iss.count != 1 + len(iss.co):
                self.problem(
                    loaded,
                    (*base, "issuers", "count"),
                    f"the text states {iss.count} issuers but lead + co-issuers give {1 + len(iss.co)}",
                    "add the missing co-issuers or correct the count",
                )
        for key in ("approved_by", "drafted_by"):
            ref = getattr(doc, key)
            if ref:
                self.ref(k.agencies, ref.agency, "agency", loaded, (*base, key, "agency"))
        for key in ("based_on", "cites"):
            targets: list[str] = getattr(doc, key)
            self.refs(k.documents, targets, "document", loaded, (*base, key))
            if doc.id in targets:
                self.problem(loaded, (*base, key, targets.index(doc.id)), f"'{doc.id}' refers to itself", "remove it")
        fields: set[str] = set()
        for j, basis in enumerate(doc.basis):
            if basis.field in fields:
                self.problem(loaded, (*base, "basis", j, "field"), f"'{basis.field}' has two bases", "keep one")
            fields.add(basis.field)
            if not getattr(doc, basis.field):
                self.problem(
                    loaded, (*base, "basis", j, "field"), f"'{basis.field}' is not given for '{doc.id}'", "remove this basis"
                )
        chapters = set()
        for j, chapter in enumerate(doc.chapters):
            if chapter.number in chapters:
                self.problem(
                    loaded,
                    (*base, "chapters", j, "number"),
                    f"chapter {chapter.number} appears twice",
                    "number chapters uniquely",
                )
            chapters.add(chapter.number)
        self.check_provisions(k, doc, base, chapters, loaded)

    def check_provisions(self, k: _Known, doc: model.Document, base: tuple[Any, ...], chapters: set[str], loaded: Loaded) -> None:
        """The provisions of one document: unique numbers, known chapters, and every id they name."""
        numbers: set[str] = set()
        for j, prov in enumerate(doc.provisions):
            pl = (*base, "provisions", j)
            if prov.number in numbers:
                self.problem(
                    loaded,
                    (*pl, "number"),
                    f"provision {prov.number} appears twice in '{doc.id}'",
                    "number provisions uniquely",
                )
            numbers.add(prov.number)
            if prov.chapter is not None and prov.chapter not in chapters:
                self.problem(
                    loaded,
                    (*pl, "chapter"),
                    f"chapter '{prov.chapter}' is not among the chapters of '{doc.id}'",
                    f"use one of: {', '.join(sorted(chapters)) or '(none defined)'}",
                )
            self.refs(k.agencies, prov.agencies, "agency", loaded, (*pl, "agencies"))
            self.refs(k.agencies, prov.mentions, "agency", loaded, (*pl, "mentions"))
            self.refs(k.sectors, prov.sectors, "sector", loaded, (*pl, "sectors"))
            self.refs(k.themes, prov.themes, "theme", loaded, (*pl, "themes"))
            self.refs(k.zones, prov.zones, "zone", loaded, (*pl, "zones"))
            self.refs(k.frameworks, prov.frameworks, "framework", loaded, (*pl, "frameworks"))
            if prov.agencies_open and not prov.agencies:
                self.problem(
                    loaded,
                    (*pl, "agencies_open"),
                    "agencies_open is set but no agencies are listed",
                    "list the agencies named before 'etc.'",
                )

    def check_cases(self, k: _Known, cases: model.Cases, loaded: Loaded) -> None:
        """A file's best-practice cases: unique ids, defined groups within their counts, known places and concepts."""
        self.ref(k.documents, cases.programme, "document", loaded, ("cases", "programme"))
        groups = {g.number for g in cases.groups}
        for i, item in enumerate(cases.items):
            il = ("cases", "items", i)
            self.claim_id("case", item.id, loaded, (*il, "id"))
            if item.group not in groups:
                self.problem(
                    loaded,
                    (*il, "group"),
                    f"case group {item.group} is not defined",
                    f"add it under cases.groups (defined: {sorted(groups)})",
                )
            self.ref(k.places, item.city, "place", loaded, (*il, "city"))
            self.ref(k.zones, item.zone, "zone", loaded, (*il, "zone"))
            self.refs(k.themes, item.themes, "theme", loaded, (*il, "themes"))
            self.refs(k.sectors, item.sectors, "sector", loaded, (*il, "sectors"))
            self.refs(k.frameworks, item.frameworks, "framework", loaded, (*il, "frameworks"))
            highlights = next((g.highlights for g in cases.groups if g.number == item.group), [])
            if item.highlight is not None and highlights and item.highlight not in {h.number for h in highlights}:
                self.problem(
                    loaded,
                    (*il, "highlight"),
                    f"group {item.group} has no highlight {item.highlight}",
                    f"use one of {sorted(h.number for h in highlights)}",
                )
        for i, group in enumerate(cases.groups):
            members = sum(1 for item in cases.items if item.group == group.number)
            if group.count is not None and members > group.count:
                self.problem(
                    loaded,
                    ("cases", "groups", i, "count"),
                    f"group {group.number} has {members} cases listed but its count is {group.count}",
                    "correct the count or the cases",
                )

    def check_claims(self, k: _Known, doc_file: model.DocumentFile, loaded: Loaded) -> None:
        """A secondary source's claims: unique ids, figures with values, and everything they are about."""
        for i, claim in enumerate(doc_file.claims):
            cl = ("claims", i)
            self.claim_id("claim", claim.id, loaded, (*cl, "id"))
            if claim.kind == "figure" and claim.value is None:
                self.problem(loaded, (*cl, "value"), "a figure needs a value", "add value (and unit, metric)")
            about = claim.about
            self.refs(k.documents, about.documents, "document", loaded, (*cl, "about", "documents"))
            self.refs(k.provisions, about.provisions, "provision", loaded, (*cl, "about", "provisions"))
            self.refs(k.themes, about.themes, "theme", loaded, (*cl, "about", "themes"))
            self.refs(k.zones, about.zones, "zone", loaded, (*cl, "about", "zones"))
            self.refs(k.frameworks, about.frameworks, "framework", loaded, (*cl, "about", "frameworks"))
            self.refs(k.agencies, about.agencies, "agency", loaded, (*cl, "about", "agencies"))
            self.refs(k.sectors, about.sectors, "sector", loaded, (*cl, "about", "sectors"))

    def check_evolution(
        self, doc_file: model.DocumentFile, loaded: Loaded, provisions: dict[str, tuple[model.Document, model.Provision]]
    ) -> None:
        seen: set[tuple[str, str]] = set()
        for i, link in enumerate(doc_file.evolution):
            el = ("evolution", i)
            for end in ("later", "earlier"):
                value = getattr(link, end)
                if value not in provisions:
                    doc_id = value.split("/", 1)[0]
                    known = sorted(k.split("/", 1)[1] for k in provisions if k.startswith(doc_id + "/"))
                    fix = (
                        f"'{doc_id}' has provisions {', '.join(known)}"
                        if known
                        else f"no document '{doc_id}' with provisions exists"
                    )
                    self.problem(loaded, (*el, end), f"unknown provision '{value}'", fix)
            if link.later == link.earlier:
                self.problem(loaded, (*el, "earlier"), "a provision cannot evolve from itself", "link two different provisions")
            if (link.later, link.earlier) in seen:
                self.problem(
                    loaded,
                    el,
                    f"the link {link.later} -> {link.earlier} is given twice",
                    "keep one, with the most precise relation",
                )
            seen.add((link.later, link.earlier))
            if link.later in provisions and link.earlier in provisions:
                later_doc, _ = provisions[link.later]
                earlier_doc, _ = provisions[link.earlier]
                if later_doc.id == earlier_doc.id:
                    self.problem(
                        loaded,
                        el,
                        "evolution links join provisions of different documents",
                        "link to a provision of an earlier document",
                    )
                elif later_doc.date is None or earlier_doc.date is None:
                    undated = later_doc.id if later_doc.date is None else earlier_doc.id
                    self.problem(
                        loaded,
                        el,
                        f"cannot check that the link runs forward in time: '{undated}' has no date",
                        "date the document or drop the link",
                    )
                elif later_doc.date.earliest < earlier_doc.date.earliest:
                    self.problem(
                        loaded,
                        (*el, "earlier"),
                        f"runs backward in time: {link.later} ({later_doc.date.text}) "
                        f"is older than {link.earlier} ({earlier_doc.date.text})",
                        "swap 'later' and 'earlier'",
                    )

    def check_new(self, provisions: dict[str, tuple[model.Document, model.Provision]]) -> None:
        """Measures found new in their document: known, listed once, and not also linked to an earlier one."""
        linked = {link.later for _, doc_file in self.c.files for link in doc_file.evolution}
        seen: set[str] = set()
        for (_, doc_file), loaded in zip(self.c.files, self.doc_loaded, strict=True):
            for i, found in enumerate(doc_file.new):
                loc = ("new", i, "measure")
                if found.measure not in provisions:
                    self.problem(loaded, loc, f"unknown provision '{found.measure}'", "name a provision as document/number")
                elif found.measure in seen:
                    self.problem(loaded, loc, f"'{found.measure}' is marked new twice", "keep one")
                elif found.measure in linked:
                    self.problem(
                        loaded,
                        loc,
                        f"'{found.measure}' is marked new but has an evolution link to an earlier provision",
                        "remove the link or this finding",
                    )
                seen.add(found.measure)

    def check_cycles(self, provisions: dict[str, tuple[model.Document, model.Provision]]) -> None:
        """Report one cycle of evolution links, if any.

        Every link already runs forward in time or is reported, so a cycle can only join documents of
        one date: when no link runs backward or lacks a date, only the links between same-date
        documents are searched (the sum of a cycle's date steps is zero, and none is negative).
        """
        links: list[tuple[str, str, Loaded, int]] = []
        all_links: list[tuple[str, str, Loaded, int]] = []
        whole = False
        for (_, doc_file), loaded in zip(self.c.files, self.doc_loaded, strict=True):
            for i, link in enumerate(doc_file.evolution):
                all_links.append((link.later, link.earlier, loaded, i))
                later_end, earlier_end = provisions.get(link.later), provisions.get(link.earlier)
                if later_end is None or earlier_end is None:
                    continue  # an unknown end is reported already and cannot close a cycle
                later_date, earlier_date = later_end[0].date, earlier_end[0].date
                if later_date is None or earlier_date is None or later_date.earliest < earlier_date.earliest:
                    whole = True
                elif later_date.earliest == earlier_date.earliest:
                    links.append((link.later, link.earlier, loaded, i))
        if whole:
            links = all_links
        if not links:
            return
        from graphlib import CycleError, TopologicalSorter

        graph: TopologicalSorter[str] = TopologicalSorter()
        where: dict[tuple[str, str], tuple[Loaded, int]] = {}
        for later, earlier, loaded, i in links:
            graph.add(earlier, later)  # later comes first, so a reported cycle runs later -> earlier
            where[(later, earlier)] = (loaded, i)
        try:
            graph.prepare()
        except CycleError as exc:
            cycle: list[str] = exc.args[1]
            loaded, i = where[(cycle[0], cycle[1])]
            chain = " -> ".join(cycle)
            self.problem(
                loaded, ("evolution", i), f"evolution links form a cycle: {chain}", "remove or reverse one of these links"
            )
