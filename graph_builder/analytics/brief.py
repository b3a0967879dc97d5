"""The evolution brief: what continued, widened, is new or was dropped between policy documents, and who carries it now.

A brief is built from stored-query results only (``document``, ``document-sources``, ``issuances``,
``provision``, ``new-measures``, ``current-responsibility``, ``evolution-links``, ``reorganisations``), so
it reads the same from the embedded store and from ``--endpoint``. Every item carries the source and
locator that state it and the stored query that gives it. Changes are reported only on a comparable
basis: issuers against issuers, responsible bodies against responsible bodies when both documents name
them per provision; what only reflects the coverage of an available source is said to be that.
"""

from __future__ import annotations

import itertools
import json
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from importlib.resources import files
from typing import Any

from graph_builder import __version__
from graph_builder.analytics.entities import joined
from graph_builder.errors import UsageError
from graph_builder.graph.iris import agency_id
from graph_builder.query.catalogue import load_catalogue
from graph_builder.query.engine import Engine
from graph_builder.query.params import resolve_value
from graph_builder.query.results import ResultSet, Term
from graph_builder.query.run import run_bound, run_stored

BRIEF_FORMATS = ("markdown", "html", "json")
SCHEMA_VERSION = 1
WIDTH = 76  # Markdown lines fit an email (RFC 5322 recommends 78 characters)

# what each status of a later measure means, as the brief says it
NEW = "new"
NOT_REVIEWED = "not yet reviewed"
RELATED = "related"
ELSEWHERE = "related to other documents only"


@dataclass(frozen=True)
class Body:
    """An agency as a document names it: issuer (lead / co-issuer) or responsible body."""

    iri: str
    id: str
    label: str
    acronym: str
    role: str
    source: str
    locator: str
    query: str

    @property
    def short(self) -> str:
        return self.acronym or self.label


@dataclass(frozen=True)
class AvailableSource:
    id: str
    kind: str
    title: str
    publisher: str
    date: str
    query: str = "document-sources"


@dataclass(frozen=True)
class BriefDocument:
    iri: str
    id: str
    title: str
    title_zh: str
    number: str
    date: str
    doc_type: str
    kind: str
    coverage: str
    sources: tuple[AvailableSource, ...]
    issuers: tuple[Body, ...]
    provisions: int
    names_responsible: bool
    query: str = "document"

    @property
    def short(self) -> str:
        """The year and the document type, e.g. "2022 Opinions"."""
        return f"{self.date[:4] or 'undated'} {self.doc_type}"

    @property
    def available(self) -> str:
        """What the available source is, in words: "law-firm summary (ForTran Law Firm, 2025-10-20)"."""
        if not self.sources:
            return "the graph records no source text that reports it"
        parts = []
        for s in self.sources:
            who = ", ".join(x for x in (s.publisher, s.date) if x)
            parts.append(s.kind.lower() + (f" ({who})" if who else "") + (f": {s.title}" if s.title else ""))
        return "; ".join(parts)


@dataclass(frozen=True)
class LineageLink:
    """One evolution link: ``later`` ``relation`` ``earlier``, with the curators' rationale."""

    later: str
    relation: str
    earlier: str
    earlier_doc: str
    earlier_number: str
    earlier_label: str
    rationale: str
    source: str
    locator: str
    query: str = "evolution-links"


@dataclass(frozen=True)
class Measure:
    """A measure of the later document and how it relates to the earlier one."""

    id: str
    number: str
    label: str
    status: str  # RELATED, ELSEWHERE, NEW or NOT_REVIEWED
    links: tuple[LineageLink, ...]  # to provisions of the earlier document
    other_links: tuple[LineageLink, ...]  # to provisions of other documents
    rationale: str  # why it is new (status NEW)
    source: str
    locator: str
    query: str


@dataclass(frozen=True)
class NotCarried:
    """A provision of the earlier document that no measure of the later one carries on."""

    id: str
    number: str
    label: str
    shown_dropped: bool  # a curated finding says the later source covers its subject (none is recorded yet)
    reason: str
    carried_later: tuple[str, ...]  # later documents' measures that carry it on after all
    source: str
    locator: str
    query: str = "provision, evolution-links"


@dataclass(frozen=True)
class Succession:
    original: Body
    resulting: Body
    date: str
    label: str
    query: str = "reorganisations"


@dataclass(frozen=True)
class AgencyComparison:
    """Agencies joined, left and continued, on one stated basis; ``comparable`` False says why not in ``note``."""

    basis: str  # "issuers" or "responsible bodies"
    comparable: bool
    note: str
    joined: tuple[Body, ...]
    left: tuple[Body, ...]
    continued: tuple[Body, ...]
    reorganised: tuple[Succession, ...]
    query: str
    not_shown: tuple[Body, ...] = ()  # earlier bodies a later source naming only the lead cannot show


@dataclass(frozen=True)
class Holder:
    """A body the text names responsible for a provision, and who holds its duties now."""

    agency: str
    agency_label: str
    current: str
    current_label: str
    via: str
    since: str
    source: str
    locator: str
    query: str = "current-responsibility"


@dataclass(frozen=True)
class ResponsibilityNow:
    id: str
    number: str
    label: str
    carried_by: tuple[str, ...]  # for an earlier provision: the later measures that carry it on
    holders: tuple[Holder, ...]
    note: str  # "not named by the available source" when there are no holders


@dataclass(frozen=True)
class Step:
    """One comparison: the earlier document against the later one (sections 2, 3, 4 and 6)."""

    earlier: str
    later: str
    later_coverage: str
    measures: tuple[Measure, ...]
    not_carried: tuple[NotCarried, ...]
    issuers: AgencyComparison
    responsible: AgencyComparison
    living_on: tuple[ResponsibilityNow, ...]
    later_bodies: tuple[ResponsibilityNow, ...]


@dataclass(frozen=True)
class Tally:
    """Provisions naming one theme or sector, per document (in brief order), with their shares."""

    name: str
    counts: tuple[int, ...]
    shares: tuple[float, ...]


@dataclass(frozen=True)
class Presence:
    """A zone or trade framework and the documents whose provisions name it; ``changes`` as "appears in X"."""

    name: str
    present: tuple[bool, ...]
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Emphasis:
    documents: tuple[str, ...]
    provisions: tuple[int, ...]
    themes: tuple[Tally, ...]
    sectors: tuple[Tally, ...]
    zones: tuple[Presence, ...]
    frameworks: tuple[Presence, ...]
    note: str
    query: str = "provision"


@dataclass(frozen=True)
class Brief:
    documents: tuple[BriefDocument, ...]
    steps: tuple[Step, ...]
    emphasis: Emphasis
    version: str = __version__

    def document(self, doc_id: str) -> BriefDocument:
        return next(d for d in self.documents if d.id == doc_id)


# ------------------------------------------------------------------ reading the stored queries
class _Queries:
    """The stored queries a brief runs, on one engine, the catalogue read once."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.catalogue = load_catalogue()

    def run(self, query_id: str, **values: str) -> ResultSet:
        return run_stored(self.catalogue[query_id], values, self.engine)

    def on(self, query_id: str, doc: Term) -> ResultSet:
        """A stored query on one document already resolved (resolving a title fragment costs a query of its own)."""
        return run_bound(self.catalogue[query_id], {"doc": doc}, self.engine)


def _v(row: dict[str, Any], name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


@dataclass(frozen=True)
class _ProvisionRow:
    id: str
    number: str
    label: str
    themes: tuple[str, ...]
    sectors: tuple[str, ...]
    zones: tuple[str, ...]
    frameworks: tuple[str, ...]
    source: str
    locator: str


@dataclass
class _Doc:
    info: BriefDocument
    provisions: list[_ProvisionRow]
    new: dict[str, dict[str, Any]]
    holders: dict[str, list[Holder]]  # provision id -> holders


def _document(q: _Queries, value: str) -> _Doc:
    doc = resolve_value("document", value, q.engine, "doc")
    rows = q.on("document", doc).rows
    if not rows:
        raise UsageError(f"no such document: {value!r}; 'polkg query run documents' lists them all")
    row = rows[0]
    doc_id = _v(row, "id")
    sources = tuple(
        AvailableSource(_v(r, "source"), _v(r, "sourceKind"), _v(r, "title"), _v(r, "publisher"), _v(r, "date"))
        for r in q.on("document-sources", doc).rows
    )
    issuers = tuple(
        Body(
            _v(r, "agency"),
            agency_id(_v(r, "agency")),
            _v(r, "agencyLabel"),
            _v(r, "acronym"),
            _v(r, "role"),
            _v(r, "source"),
            _v(r, "locator"),
            "issuances",
        )
        for r in q.on("issuances", doc).rows
    )
    provisions = [
        _ProvisionRow(
            _v(r, "provisionId"),
            _v(r, "number"),
            _v(r, "label"),
            joined(_v(r, "themes")),
            joined(_v(r, "sectors")),
            joined(_v(r, "zones")),
            joined(_v(r, "frameworks")),
            _v(r, "source"),
            _v(r, "locator"),
        )
        for r in q.on("provision", doc).rows
    ]
    new = {_v(r, "measure"): {k: _v(r, k) for k in ("rationale", "source", "locator")} for r in q.on("new-measures", doc).rows}
    holders: dict[str, list[Holder]] = {}
    for r in q.on("current-responsibility", doc).rows:
        number = _v(r, "number")
        holders.setdefault(f"{doc_id}/{number}", []).append(
            Holder(
                _v(r, "agency"),
                _v(r, "agencyLabel"),
                _v(r, "current"),
                _v(r, "currentLabel"),
                _v(r, "via"),
                _v(r, "since"),
                _v(r, "source"),
                _v(r, "locator"),
            )
        )
    info = BriefDocument(
        iri=doc.value,
        id=doc_id,
        title=_v(row, "title"),
        title_zh=_v(row, "titleZh"),
        number=_v(row, "number"),
        date=_v(row, "date"),
        doc_type=_v(row, "docType"),
        kind=_v(row, "kind"),
        coverage=_v(row, "coverage"),
        sources=sources,
        issuers=issuers,
        provisions=len(provisions),
        names_responsible=bool(holders),
    )
    return _Doc(info, provisions, new, holders)


def _documents(q: _Queries, values: Sequence[str]) -> list[_Doc]:
    """The documents named, each resolved like any document parameter; refused unless in date order."""
    if len(values) < 2:
        raise UsageError("a brief compares at least two documents")
    docs = [_document(q, v) for v in values]
    ids = [d.info.id for d in docs]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise UsageError(f"document {repeated[0]} is given twice; give each document once")
    for a, b in itertools.pairwise(docs):
        if (a.info.date or "9999") > (b.info.date or "9999"):
            ordered = sorted(docs, key=lambda d: d.info.date or "9999")
            raise UsageError(
                f"{a.info.id} ({a.info.date or 'undated'}) is later than {b.info.id} ({b.info.date or 'undated'}): "
                f"give the documents in date order: {' '.join(d.info.id for d in ordered)}"
            )
    return docs


def _links(q: _Queries, provision_labels: dict[str, tuple[str, str]]) -> list[LineageLink]:
    links = []
    for r in q.run("evolution-links").rows:
        earlier = _v(r, "earlier")
        number, label = provision_labels.get(earlier, (earlier.partition("/")[2], ""))
        links.append(
            LineageLink(
                later=_v(r, "later"),
                relation=_v(r, "relation"),
                earlier=earlier,
                earlier_doc=earlier.partition("/")[0],
                earlier_number=number,
                earlier_label=label,
                rationale=_v(r, "rationale"),
                source=_v(r, "source"),
                locator=_v(r, "locator"),
            )
        )
    return links


@dataclass(frozen=True)
class _Reorg:
    original: str
    original_label: str
    resulting: str
    resulting_label: str
    date: str
    label: str


def _reorganisations(q: _Queries) -> list[_Reorg]:
    return [
        _Reorg(
            _v(r, "original"), _v(r, "originalLabel"), _v(r, "resulting"), _v(r, "resultingLabel"), _v(r, "date"), _v(r, "label")
        )
        for r in q.run("reorganisations").rows
    ]


def _successor(reorgs: list[_Reorg], agency: str, by: str) -> _Reorg | None:
    """The last reorganisation (on or before ``by``) of ``agency``'s chain, resulting in the body that holds its duties."""
    found = None
    current = agency
    for _ in range(len(reorgs) + 1):
        step = next((r for r in reorgs if r.original == current and (not by or r.date <= by)), None)
        if step is None:
            break
        found = _Reorg(
            agency,
            found.original_label if found else step.original_label,
            step.resulting,
            step.resulting_label,
            step.date,
            step.label,
        )
        current = step.resulting
    return found


def _compare(
    earlier: Sequence[Body], later: Sequence[Body], reorgs: list[_Reorg], by: str, basis: str, query: str
) -> AgencyComparison:
    before = {b.iri: b for b in earlier}
    after = {b.iri: b for b in later}
    successions = []
    mapped: dict[str, str] = {}
    for iri, body in before.items():
        if iri in after:
            continue
        step = _successor(reorgs, iri, by)
        if step and step.resulting in after:
            mapped[iri] = step.resulting
            successions.append(Succession(body, after[step.resulting], step.date, step.label))
    continuing = set(before) & set(after)
    return AgencyComparison(
        basis=basis,
        comparable=True,
        note="",
        joined=tuple(b for iri, b in after.items() if iri not in before and iri not in mapped.values()),
        left=tuple(b for iri, b in before.items() if iri not in after and iri not in mapped),
        continued=tuple(b for iri, b in before.items() if iri in continuing),
        reorganised=tuple(successions),
        query=query,
    )


def _responsible_bodies(doc: _Doc) -> list[Body]:
    seen: dict[str, Body] = {}
    for holders in doc.holders.values():
        for h in holders:
            seen.setdefault(
                h.agency, Body(h.agency, agency_id(h.agency), h.agency_label, "", "responsible", h.source, h.locator, h.query)
            )
    return sorted(seen.values(), key=lambda b: b.label)


def _step(earlier: _Doc, later: _Doc, links: list[LineageLink], reorgs: list[_Reorg], chain_ids: list[str]) -> Step:
    e, lt = earlier.info, later.info
    earlier_ids = {p.id for p in earlier.provisions}
    measures = []
    for p in later.provisions:
        own = tuple(k for k in links if k.later == p.id and k.earlier in earlier_ids)
        other = tuple(k for k in links if k.later == p.id and k.earlier not in earlier_ids)
        finding = later.new.get(p.id)
        if own:
            status, rationale, source, locator, query = RELATED, "", own[0].source, own[0].locator, "evolution-links"
        elif finding:
            status, rationale, source, locator, query = (
                NEW,
                finding["rationale"],
                finding["source"],
                finding["locator"],
                "new-measures",
            )
        elif other:
            status, rationale, source, locator, query = ELSEWHERE, "", other[0].source, other[0].locator, "evolution-links"
        else:
            status, rationale, source, locator, query = NOT_REVIEWED, "", p.source, p.locator, "provision"
        measures.append(Measure(p.id, p.number, p.label, status, own, other, rationale, source, locator, query))

    later_ids = {p.id for p in later.provisions}
    carried = {k.earlier for k in links if k.later in later_ids}
    further = [d for d in chain_ids[chain_ids.index(lt.id) + 1 :]]
    not_carried = []
    for p in earlier.provisions:
        if p.id in carried:
            continue
        after = tuple(sorted({k.later for k in links if k.earlier == p.id and k.later.partition("/")[0] in further}))
        if lt.coverage:
            reason = f"the available source of the {lt.short} ({lt.available}) may cover it but does not show it: {lt.coverage}"
        else:
            reason = f"no measure of the {lt.short} is linked to it, and no curated finding says the {lt.short} drops it"
        not_carried.append(NotCarried(p.id, p.number, p.label, False, reason, after, p.source, p.locator))

    issuers = _compare(e.issuers, lt.issuers, reorgs, lt.date, "issuers", "issuances, reorganisations")
    if lt.coverage and [b.role for b in lt.issuers] == ["lead"]:
        issuers = replace(
            issuers,
            comparable=False,
            left=(),
            not_shown=issuers.left,
            note=f"the {lt.short}'s available source ({lt.available}) names only its lead issuer ({lt.coverage.rstrip('.')}), "
            f"so the {e.short}'s other issuers are not shown to have left",
        )
    if e.names_responsible and lt.names_responsible:
        responsible = _compare(
            _responsible_bodies(earlier),
            _responsible_bodies(later),
            reorgs,
            lt.date,
            "responsible bodies",
            "current-responsibility, reorganisations",
        )
    else:
        silent = [d for d in (e, lt) if not d.names_responsible]
        why = "; ".join(
            f"the {d.short}'s available source ({d.available}) names no responsible body per provision"
            + (f" ({d.coverage.rstrip('.')})" if d.coverage else "")
            for d in silent
        )
        responsible = AgencyComparison(
            "responsible bodies",
            False,
            f"{why}, so no comparison of responsible bodies is possible; a body missing there has not been shown to leave",
            (),
            (),
            (),
            (),
            "current-responsibility",
        )

    living_on = tuple(
        ResponsibilityNow(
            p.id,
            p.number,
            p.label,
            tuple(sorted({k.later for k in links if k.earlier == p.id and k.later in later_ids})),
            tuple(earlier.holders.get(p.id, ())),
            "" if earlier.holders.get(p.id) else "not named by the available source",
        )
        for p in earlier.provisions
        if p.id in carried
    )
    later_bodies = tuple(
        ResponsibilityNow(
            p.id,
            p.number,
            p.label,
            (),
            tuple(later.holders.get(p.id, ())),
            "" if later.holders.get(p.id) else "not named by the available source",
        )
        for p in later.provisions
    )
    return Step(e.id, lt.id, lt.coverage, tuple(measures), tuple(not_carried), issuers, responsible, living_on, later_bodies)


def _tallies(docs: list[_Doc], field: str) -> tuple[Tally, ...]:
    counts = [Counter(name for p in d.provisions for name in getattr(p, field)) for d in docs]
    names = sorted(set().union(*counts), key=lambda n: (-sum(c[n] for c in counts), n))
    return tuple(
        Tally(
            name,
            tuple(c[name] for c in counts),
            tuple(round(c[name] / len(d.provisions), 3) if d.provisions else 0.0 for c, d in zip(counts, docs, strict=True)),
        )
        for name in names
    )


def _presence(docs: list[_Doc], field: str) -> tuple[Presence, ...]:
    sets = [{name for p in d.provisions for name in getattr(p, field)} for d in docs]
    out = []
    for name in sorted(set().union(*sets)):
        present = tuple(name in s for s in sets)
        changes = []
        for (a, b), d in zip(itertools.pairwise(present), docs[1:], strict=False):
            if b and not a:
                changes.append(f"appears in the {d.info.short}")
            elif a and b:
                changes.append(f"continues in the {d.info.short}")
            elif a and not b:
                changes.append(f"not named in the {d.info.short}")
        out.append(Presence(name, present, tuple(changes)))
    return tuple(out)


def build_brief(engine: Engine, values: Sequence[str]) -> Brief:
    """The brief for ``values`` (documents as a person types them, in date order): two for a comparison, more for a chain."""
    q = _Queries(engine)
    docs = _documents(q, values)
    labels = {p.id: (p.number, p.label) for d in docs for p in d.provisions}
    links = _links(q, labels)
    reorgs = _reorganisations(q)
    ids = [d.info.id for d in docs]
    steps = tuple(_step(a, b, links, reorgs, ids) for a, b in itertools.pairwise(docs))
    partial = [d.info for d in docs if d.info.coverage]
    note = "Counts are provisions of each document that name the theme or sector, over what the available source shows"
    if partial:
        note += "; " + "; ".join(f"the {d.short}: {d.coverage.rstrip('.')}" for d in partial)
    emphasis = Emphasis(
        documents=tuple(ids),
        provisions=tuple(len(d.provisions) for d in docs),
        themes=_tallies(docs, "themes"),
        sectors=_tallies(docs, "sectors"),
        zones=_presence(docs, "zones"),
        frameworks=_presence(docs, "frameworks"),
        note=note + ".",
    )
    return Brief(tuple(d.info for d in docs), steps, emphasis)


# ------------------------------------------------------------------ JSON
def schema() -> dict[str, Any]:
    """The JSON Schema a brief's JSON follows (shipped with the package as brief.schema.json)."""
    loaded: dict[str, Any] = json.loads(
        files("graph_builder.analytics").joinpath("brief.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def to_data(brief: Brief) -> dict[str, Any]:
    """The brief as plain JSON data: everything the Markdown and HTML show."""
    data = asdict(brief)
    data["schemaVersion"] = SCHEMA_VERSION
    for doc, raw in zip(brief.documents, data["documents"], strict=True):
        raw["short"] = doc.short
        raw["available"] = doc.available
    return data


def to_json(brief: Brief) -> str:
    return json.dumps(to_data(brief), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------ Markdown
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|#])")
_BLOCK_START = re.compile(r"^(?:[-+*>#=]|\d+[.)])(?:\s|$)")


def md(text: str) -> str:
    """``text`` with CommonMark's active characters escaped, so a label stays text (and a tag stays visible)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """``text`` wrapped to WIDTH, the first line starting ``first`` and the others ``rest``; a continuation line
    that would open a block (a list, a heading, a quote) has its first character escaped."""
    lines = textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    ) or [first.rstrip()]
    out = [lines[0]]
    for line in lines[1:]:
        body = line[len(rest) :]
        if _BLOCK_START.match(body):
            body = "\\" + body
        out.append(rest + body)
    return out


def _item(text: str, level: int = 0) -> list[str]:
    pad = "  " * level
    return _wrap(text, pad + "- ", pad + "  ")


def _para(text: str) -> list[str]:
    return [*_wrap(text), ""]


def _names(bodies: Iterable[Body]) -> str:
    listed = [md(b.short) for b in bodies]
    return ", ".join(listed) if listed else "none"


def _cite(source: str, locator: str, query: str) -> str:
    where = ", ".join(md(x) for x in (source, locator) if x)
    return f"({where}; query {md(query)})" if where else f"(query {md(query)})"


def _prov(doc: BriefDocument, number: str, label: str) -> str:
    return f"{md(doc.short)} ({md(number)}) {md(label)}"


def to_markdown(brief: Brief) -> str:
    docs = brief.documents
    out: list[str] = [f"# Policy evolution brief: {' → '.join(md(d.short) for d in docs)}", ""]
    out += _para(
        f"Made by polkg {brief.version} from the graph's stored queries; each statement names where it is stated "
        "and the stored query that gives it (`polkg query run ID`). Changes are compared on a stated basis only."
    )
    out += ["## 1. The documents", ""]
    for d in docs:
        out.append(f"### {md(d.short)}: {md(d.title or d.id)}")
        out.append("")
        facts = [
            f"Id {md(d.id)}; number {md(d.number or 'none recorded')}; date {md(d.date or 'undated')}; "
            f"{md(d.kind)} (query document)"
        ]
        lead = [b for b in d.issuers if b.role == "lead"]
        facts.append(
            f"Issued by {len(d.issuers)} bodies"
            + (f", led by {_names(lead)}" if lead else "")
            + f": {_names(d.issuers)} "
            + _cite(d.issuers[0].source if d.issuers else "", d.issuers[0].locator if d.issuers else "", "issuances")
        )
        facts.append(f"Available source: {md(d.available)} (query document-sources)")
        facts.append(
            f"Coverage: {md(d.coverage)} (query document)" if d.coverage else "Coverage: no limit recorded (query document)"
        )
        facts.append(
            f"{d.provisions} provisions; responsible bodies named per provision: {'yes' if d.names_responsible else 'no'} "
            "(queries provision, current-responsibility)"
        )
        for f in facts:
            out += _item(f)
        out.append("")
    for s in brief.steps:
        e, lt = brief.document(s.earlier), brief.document(s.later)
        out += [f"## {md(e.short)} → {md(lt.short)}", ""]
        out += ["### 2. Measures of the " + md(lt.short), ""]
        if s.later_coverage:
            out += _para(f"Only what the available source shows: {md(s.later_coverage)}")
        for m in s.measures:
            head = f"**{md(m.number)}** {md(m.label)}: "
            if m.status == RELATED:
                head += "; ".join(f"{md(k.relation)} {_prov(e, k.earlier_number, k.earlier_label)}" for k in m.links)
            elif m.status == NEW:
                head += f"new: {md(m.rationale)} {_cite(m.source, m.locator, m.query)}"
            elif m.status == ELSEWHERE:
                head += (
                    "no link to the " + md(e.short) + "; " + "; ".join(f"{md(k.relation)} {md(k.earlier)}" for k in m.other_links)
                )
            else:
                head += "not yet reviewed (no evolution link and no new-measure finding)"
            out += _item(head)
            for k in m.links + (m.other_links if m.status == RELATED else ()):
                out += _item(f"{md(k.relation)} {md(k.earlier)}: {md(k.rationale)} {_cite(k.source, k.locator, k.query)}", 1)
        out += ["", "### 3. Provisions of the " + md(e.short) + " not carried forward", ""]
        dropped = [n for n in s.not_carried if n.shown_dropped]
        unshown = [n for n in s.not_carried if not n.shown_dropped]
        out += _para(
            f"Dropped, as far as the texts show: {len(dropped)}"
            + ("" if dropped else " (no curated finding says the later source covers and drops a provision)")
            + "."
        )
        if unshown:
            out += _para(f"The available source may cover them but does not show them ({len(unshown)}): {md(unshown[0].reason)}")
            for n in unshown:
                later = f"; carried on later by {', '.join(md(x) for x in n.carried_later)}" if n.carried_later else ""
                out += _item(f"({md(n.number)}) {md(n.label)} {_cite(n.source, n.locator, n.query)}{later}")
            out.append("")
        out += ["### 4. Agencies", ""]
        for c in (s.issuers, s.responsible):
            out += _item(f"**{md(c.basis.capitalize())}** ({md(e.short)} against {md(lt.short)}; query {md(c.query)}):")
            if not c.comparable:
                out += _item(md(c.note), 1)
                if not (c.continued or c.reorganised or c.joined or c.not_shown):
                    continue
            out += _item(f"continued ({len(c.continued)}): {_names(c.continued)}", 1)
            for succession in c.reorganised:
                out += _item(
                    f"continued through reorganisation: {md(succession.original.short)} → "
                    f"{md(succession.resulting.short)} ({md(succession.date)}, {md(succession.label)})",
                    1,
                )
            out += _item(f"joined ({len(c.joined)}): {_names(c.joined)}", 1)
            if c.not_shown:
                out += _item(
                    f"not named by the {md(lt.short)}'s source, not shown to have left ({len(c.not_shown)}): "
                    f"{_names(c.not_shown)}",
                    1,
                )
            else:
                out += _item(f"in the {md(e.short)}, not the {md(lt.short)} ({len(c.left)}): {_names(c.left)}", 1)
        out.append("")
    out += ["## 5. Emphasis", ""]
    em = brief.emphasis
    heads = ", ".join(f"{md(d.short)} ({n} provisions)" for d, n in zip(docs, em.provisions, strict=True))
    out += _para(f"{md(em.note)} Columns: {heads}. (query provision)")
    for title, tallies in (("Themes", em.themes), ("Sectors", em.sectors)):
        out += [f"{title}:", ""]
        for t in tallies:
            cells = " / ".join(f"{c} ({round(sh * 100)}%)" for c, sh in zip(t.counts, t.shares, strict=True))
            shift = round((t.shares[-1] - t.shares[0]) * 100)
            out += _item(f"{md(t.name)}: {cells}; shift {shift:+d} points")
        out.append("")
    for title, presences in (("Zones", em.zones), ("Trade frameworks", em.frameworks)):
        out += [f"{title}:", ""]
        for p in presences:
            out += _item(f"{md(p.name)}: {'; '.join(md(c) for c in p.changes) or 'in the first document only'}")
        if not presences:
            out += _item("none named")
        out.append("")
    out += ["## 6. Who is responsible now", ""]
    for s in brief.steps:
        e, lt = brief.document(s.earlier), brief.document(s.later)
        out += [f"### {md(e.short)} → {md(lt.short)}", ""]
        out += _para(
            f"Provisions of the {md(e.short)} that live on in the {md(lt.short)}, with the bodies the text names "
            "and who holds their duties today (query current-responsibility):"
        )
        for r in s.living_on:
            out += _item(f"({md(r.number)}) {md(r.label)}, carried on by {', '.join(md(x) for x in r.carried_by)}:")
            out += _holders(r)
        if not s.living_on:
            out += _item(f"none: no measure of the {md(lt.short)} is linked to a provision of the {md(e.short)}")
        out += ["", f"Measures of the {md(lt.short)} and the bodies named for them:", ""]
        for r in s.later_bodies:
            out += _item(f"**{md(r.number)}** {md(r.label)}:" + (f" {md(r.note)}" if r.note else ""))
            if r.holders:
                out += _holders(r)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _holders(r: ResponsibilityNow) -> list[str]:
    """The bodies named for one provision, on one line per place the text names them; a reorganised body with its successor."""
    if not r.holders:
        return _item(md(r.note), 1)
    places: dict[tuple[str, str, str], list[str]] = {}
    for h in r.holders:
        now = f" (now {md(h.current_label)}, {md(h.via)}, {md(h.since)})" if h.current != h.agency else ""
        places.setdefault((h.source, h.locator, h.query), []).append(md(h.agency_label) + now)
    out = []
    for (source, locator, query), names in places.items():
        out += _item(f"{'; '.join(names)} {_cite(source, locator, query)}", 1)
    return out


def render_brief(brief: Brief, fmt: str) -> str:
    """The brief as Markdown or JSON (HTML is rendered by ``views.brief``)."""
    if fmt == "json":
        return to_json(brief)
    if fmt == "markdown":
        return to_markdown(brief)
    raise UsageError(f"unknown brief format {fmt!r}; choose one of {', '.join(BRIEF_FORMATS)}")
