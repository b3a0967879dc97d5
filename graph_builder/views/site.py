"""Build the interactive views (pyvis networks over stored-query results) into a static, offline site.

Each view is a pyvis ``Network`` whose nodes and edges come from the records in ``viewdata`` (so from stored
queries, over the embedded store or a remote endpoint) with networkx supplying positions, sizes and groupings.
Pages are rendered with polkg's own template: vis-network is inlined from pyvis's package (no CDN, nothing
third-party kept in this repository), every label goes through Jinja autoescaping or ``tojson``, and the
browser-side code only ever writes text with ``textContent``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx

from graph_builder import __version__, _fs
from graph_builder.analytics.data import ViewData
from graph_builder.analytics.networks import ALL, CO_ISSUANCE, Analysis, analyse
from graph_builder.errors import UsageError
from graph_builder.prefixes import compact

DEFAULT_MAX_NODES = 1000
EDGES_PER_NODE = 8  # the coordination page's link budget, per node shown
SITE_MANIFEST = "site.json"

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2",
    "#edc948", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b",
)  # fmt: skip
RELATION_COLOURS = {
    "continues": "#4e79a7",
    "expands": "#59a14f",
    "refines": "#b07aa1",
    "implements": "#f28e2b",
    "replaces": "#e15759",
}
DOCUMENT_COLOUR = "#3b4252"
PROVISION_COLOUR = "#a0b8d8"
MUTED = "#c8c8c8"

Row = dict[str, Any]


@dataclass
class Page:
    """What one view page shows: a pyvis network plus its controls, notes and legend."""

    id: str
    title: str
    summary: str
    queries: tuple[str, ...]
    nodes: list[Row] = field(default_factory=list)
    edges: list[Row] = field(default_factory=list)
    filters: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    doc_notes: dict[str, str] = field(default_factory=dict)
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (colour, shape/line, text)
    select: str = "neighbours"  # or "chain"
    directed: bool = False

    def add_node(self, node_id: str, label: str, x: float, y: float, meta: Row, **vis: Any) -> None:
        self.nodes.append({"id": node_id, "label": label, "x": round(x, 1), "y": round(y, 1), "meta": meta, **vis})

    def add_edge(self, source: str, target: str, edge_id: str, meta: Row, **vis: Any) -> None:
        self.edges.append({"id": edge_id, "from": source, "to": target, "meta": meta, **vis})


def meta(
    kind: str, label: str, facts: Iterable[tuple[str, str]], provenance: Iterable[tuple[str, str]], queries: Iterable[str]
) -> Row:
    """The side-panel record of a node or edge: what it is, key facts, where it is stated, which stored query gave it."""
    prov = list(dict.fromkeys(provenance))  # first-stated first, duplicates dropped
    shown = [list(p) for p in prov[:12]]
    if len(prov) > 12:
        shown.append(["…", f"and {len(prov) - 12} more"])
    return {
        "type": kind,
        "label": label,
        "facts": [[k, v] for k, v in facts if v],
        "provenance": shown,
        "queries": sorted(set(queries)),
    }


def _cap(ranked: list[str], limit: int) -> tuple[set[str], int]:
    """The first ``limit`` of ``ranked`` and how many were left out."""
    return set(ranked[:limit]), max(0, len(ranked) - limit)


def _left_out_note(left: int, total: int, what: str, rule: str) -> list[str]:
    if not left:
        return []
    return [f"Showing {total - left:,} of {total:,} {what} ({rule}); {left:,} left out. Use --max-nodes to show more."]


def _spring(graph: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Force-directed positions computed once here, so the browser runs no physics."""
    if not len(graph):
        return {}
    scale = 90.0 * math.sqrt(len(graph)) + 150.0
    k = 2.4 / math.sqrt(len(graph))
    raw = nx.spring_layout(graph, weight="weight", seed=seed, k=k, iterations=60 if len(graph) < 500 else 40)
    return {str(n): (float(p[0]) * scale, float(p[1]) * scale) for n, p in raw.items()}


def _doc_order(data: ViewData) -> list[str]:
    return [d.doc for d in data.documents]


def _doc_label(data: ViewData, iri: str) -> str:
    document = data.document(iri)
    return document.short if document else compact(iri)


def _provision_label(data: ViewData, iri: str) -> str:
    p = data.provision(iri)
    if p is None:
        return compact(iri)
    number = f"({p.number})" if p.number.isdigit() else p.number
    return f"{number} {p.provision_label}"


def _short_provision(doc_short: str, number: str) -> str:
    return f"{doc_short} {'(' + number + ')' if number.isdigit() else number}"


def _doc_filter(data: ViewData, docs: Iterable[str], label: str = "Document") -> Row:
    """The document switch: "All documents", then each of ``docs`` by its short label."""
    return {
        "name": "doc",
        "label": label,
        "options": [[ALL, "All documents"]] + [[d, _doc_label(data, d)] for d in docs],
        "default": ALL,
    }


def _kind_colours(kinds: Iterable[str]) -> dict[str, str]:
    return {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(sorted(set(kinds)))}


# --------------------------------------------------------------------------- views


def coordination_view(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(
        "coordination",
        "Agency coordination",
        "Agencies linked by the provisions they are jointly responsible for, per document or across all of them.",
        ("responsibilities", "issuances", "agencies"),
    )
    combined = analysis.combined.graph
    ranked = sorted(
        combined, key=lambda n: (-combined.degree(n, weight="weight"), -combined.degree(n), combined.nodes[n]["label"])
    )
    keep, left = _cap(ranked, max_nodes)
    page.notes += _left_out_note(left, len(ranked), "agencies", "those with the highest weighted degree over all documents")
    positions = _spring(combined.subgraph(keep))
    kinds = _kind_colours(combined.nodes[n]["kind"] for n in combined)
    networks = [*analysis.networks, analysis.combined]
    provenance: dict[str, list[tuple[str, str]]] = defaultdict(list)
    roles: dict[str, list[str]] = defaultdict(list)
    for i in data.issuances:
        provenance[i.agency].append((i.source, i.locator))
        roles[i.agency].append(f"{i.role} of {_doc_label(data, i.doc)}")
    for r in data.responsibilities:
        provenance[r.agency].append((r.source, r.locator))
    locators = {p.provision: (p.source, p.locator) for p in data.provisions}

    for agency in ranked:
        if agency not in keep:
            continue
        attrs = combined.nodes[agency]
        info = data.agency(agency)
        variants: Row = {}
        community_colours: Row = {}
        present = []
        for network in networks:
            if agency not in network.graph:
                continue
            present.append(network.doc)
            s = network.stat(agency)
            # compact: the page's script turns stats into the side panel's facts
            variants[network.doc] = {
                "value": s.weighted_degree + 1,
                "stats": [s.degree, s.weighted_degree, round(s.betweenness, 3), s.community],
            }
            community_colours[network.doc] = PALETTE[(s.community - 1) % len(PALETTE)]
        x, y = positions[agency]
        page.add_node(
            agency,
            attrs["label"],
            x,
            y,
            meta(
                "Agency",
                attrs["name"],
                [
                    ("id", compact(agency)),
                    ("kind", attrs["kind"]),
                    ("acronym", info.acronym if info else ""),
                    ("Chinese name", info.name_zh if info else ""),
                    ("also called", info.aliases if info else ""),
                    ("issued", "; ".join(roles[agency])),
                    ("responsible for", f"{len(attrs['provisions'])} provisions" if attrs["provisions"] else ""),
                ],
                provenance[agency],
                page.queries,
            ),
            shape="dot",
            value=variants[ALL]["value"],
            docs=present,
            variants=variants,
            colors={"kind": kinds[attrs["kind"]], "community": community_colours},
            color=kinds[attrs["kind"]],
        )

    # One budget of links for the whole page: half for "all documents", the rest shared by the documents.
    budget = EDGES_PER_NODE * max_nodes
    per_document = max(50, budget // 2 // max(1, len(analysis.networks)))
    for network in networks:
        graph = network.graph
        edges = sorted(
            ((*sorted((a, b)), d) for a, b, d in graph.edges(data=True) if a in keep and b in keep),
            key=lambda e: (-e[2]["weight"], e[0], e[1]),
        )
        limit = budget // 2 if network.doc == ALL else per_document
        if len(edges) > limit:
            page.doc_notes[network.doc] = f"Showing the {limit:,} strongest of {len(edges):,} links."
            edges = edges[:limit]
        for a, b, d in edges:
            la, lb = graph.nodes[a]["label"], graph.nodes[b]["label"]
            if network.doc == ALL:
                docs = ", ".join(_doc_label(data, doc) for doc in d["docs"])
                what = f"{d['weight']} joint provisions or co-issued documents, in {docs}"
                queries = ["responsibilities", "issuances"]
            elif d["basis"] == CO_ISSUANCE:
                what = f"co-issued {network.label}, which names no responsible agency per measure"
                queries = ["issuances"]
            else:
                what = f"jointly responsible for {d['weight']} provision{'s' if d['weight'] != 1 else ''} of {network.label}"
                queries = ["responsibilities"]
            shared = ", ".join(_provision_label(data, p) for p in sorted(set(d["provisions"]))[:8])
            page.add_edge(
                a,
                b,
                f"{network.doc}|{a}|{b}",
                meta(
                    "Coordination link",
                    f"{la} – {lb}",
                    [("link", what), ("provisions", shared)],
                    [locators[p] for p in d["provisions"] if p in locators],
                    queries,
                ),
                value=d["weight"],
                docs=[network.doc],
                dashes=d.get("basis") == CO_ISSUANCE,
                color={"color": "#9aa5b1", "highlight": "#d08770", "opacity": 0.7},
            )
    page.filters = [
        {
            "name": "doc",
            "label": "Document",
            "options": [[ALL, "All documents"]] + [[n.doc, f"{n.label} ({n.basis})"] for n in analysis.networks],
            "default": ALL,
        },
        {
            "name": "colour",
            "label": "Colour by",
            "options": [["kind", "agency kind"], ["community", "community in this document"]],
            "default": "kind",
        },
    ]
    page.notes.append(
        "Node size: weighted degree (the number of joint provisions) in the selected document. Links: joint responsibility "
        "for provisions; dashed links join the co-issuers of a document that names no responsible agency per measure."
    )
    for network in analysis.networks:
        if network.basis == CO_ISSUANCE and network.graph.number_of_edges():
            page.doc_notes.setdefault(
                network.doc, f"{network.label} names no responsible agency per measure: its co-issuers are linked instead."
            )
    page.legend = [(colour, "dot", kind) for kind, colour in kinds.items()]
    return page


def agency_provision_view(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(
        "agency-provisions",
        "Agencies and provisions",
        "Which agencies each provision names as responsible, filterable by document and theme.",
        ("responsibilities", "provisions", "agencies"),
    )
    graph = nx.Graph()
    for r in data.responsibilities:
        graph.add_edge(r.agency, r.provision, weight=1)
    ranked = sorted(graph, key=lambda n: (-graph.degree(n), n))
    keep, left = _cap(ranked, max_nodes)
    page.notes += _left_out_note(left, len(ranked), "agencies and provisions", "those with the most responsibility links")
    positions = _spring(graph.subgraph(keep), seed=11)
    kinds = _kind_colours(r.kind for r in data.responsibilities)
    agency_docs: dict[str, set[str]] = defaultdict(set)
    agency_prov: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in data.responsibilities:
        agency_docs[r.agency].add(r.doc)
        agency_prov[r.agency].add((r.source, r.locator))
    themes: set[str] = set()
    seen: set[str] = set()
    for r in data.responsibilities:
        if r.agency in keep and r.agency not in seen:
            seen.add(r.agency)
            info = data.agency(r.agency)
            x, y = positions[r.agency]
            page.add_node(
                r.agency,
                info.short if info else r.agency_label,
                x,
                y,
                meta(
                    "Agency",
                    r.agency_label,
                    [("id", compact(r.agency)), ("kind", r.kind), ("responsible for", f"{graph.degree(r.agency)} provisions")],
                    agency_prov[r.agency],
                    ("responsibilities", "agencies"),
                ),
                shape="dot",
                value=graph.degree(r.agency),
                color=kinds[r.kind],
                docs=[*sorted(agency_docs[r.agency]), ALL],
                orphanable=True,
            )
        if r.provision in keep and r.provision not in seen:
            seen.add(r.provision)
            p = data.provision(r.provision)
            doc_short = _doc_label(data, r.doc)
            provision_themes = list(p.theme_list) if p else []
            themes.update(provision_themes)
            x, y = positions[r.provision]
            page.add_node(
                r.provision,
                _short_provision(doc_short, r.number),
                x,
                y,
                meta(
                    "Provision",
                    f"{_short_provision(doc_short, r.number)}: {r.provision_label}",
                    [
                        ("id", compact(r.provision)),
                        ("document", doc_short),
                        ("themes", ", ".join(provision_themes)),
                        ("responsible agencies", str(graph.degree(r.provision))),
                    ],
                    [(p.source, p.locator)] if p else [],
                    ("provisions", "responsibilities"),
                ),
                shape="square",
                size=9,
                color=PROVISION_COLOUR,
                docs=[r.doc, ALL],
                themes=provision_themes,
            )
        if r.agency in keep and r.provision in keep:
            p = data.provision(r.provision)
            page.add_edge(
                r.agency,
                r.provision,
                f"{r.agency}|{r.provision}",
                meta(
                    "Responsibility",
                    f"{r.acronym or r.agency_label} → {_short_provision(_doc_label(data, r.doc), r.number)}",
                    [("agency", r.agency_label), ("provision", r.provision_label)],
                    [(r.source, r.locator)],
                    ("responsibilities",),
                ),
                docs=[r.doc, ALL],
                themes=list(p.theme_list) if p else [],
                color={"color": "#b0bac5", "highlight": "#d08770"},
            )
    responsible_docs = [d for d in _doc_order(data) if data.responsibilities_of(d)]
    page.filters = [
        _doc_filter(data, responsible_docs),
        {"name": "theme", "label": "Theme", "options": [[ALL, "All themes"]] + [[t, t] for t in sorted(themes)], "default": ALL},
    ]
    silent = [d.short for d in data.documents if d.kind == "official" and d.doc not in responsible_docs]
    if silent:
        page.notes.append(f"Not shown, as they name no responsible agency per provision: {', '.join(silent)}.")
    page.legend = [(PROVISION_COLOUR, "square", "provision")] + [(c, "dot", k) for k, c in kinds.items()]
    return page


def _chains(data: ViewData, ids: dict[str, str]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for e in data.evolutions:
        if e.earlier in ids and e.later in ids:
            graph.add_edge(ids[e.earlier], ids[e.later])
    return graph


def _columns(data: ViewData, docs: Iterable[str]) -> dict[str, float]:
    """x per document: one column per document, left to right by date (undated documents last)."""
    wanted = set(docs)
    return {doc: 340.0 * i for i, doc in enumerate(d for d in _doc_order(data) if d in wanted)}


def lineage_view(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(
        "lineage",
        "Provision lineage",
        "Provisions of every document left to right by date, with typed evolution links; select one to see its chain.",
        ("provisions", "evolution-links"),
        select="chain",
        directed=True,
    )
    ids = {p.provision_id: p.provision for p in data.provisions}
    chains = _chains(data, ids)
    linked = set(chains)
    by_iri = {p.provision: p for p in data.provisions}
    components = {n: len(c) for c in nx.weakly_connected_components(chains) for n in c}
    ranked = sorted(
        by_iri, key=lambda p: (p not in linked, -components.get(p, 0), by_iri[p].doc_date, int(by_iri[p].ordinal or 0))
    )
    keep, left = _cap(ranked, max_nodes)
    page.notes += _left_out_note(left, len(ranked), "provisions", "linked provisions first, longest chains first")
    columns = _columns(data, {by_iri[p].doc for p in keep})
    # which documents' chains each provision belongs to (for the document switch)
    chain_docs: dict[str, set[str]] = defaultdict(set)
    undirected = chains.to_undirected()
    for p in keep:
        doc = by_iri[p].doc
        chain_docs[p].add(doc)
        if p in undirected:
            for q in nx.node_connected_component(undirected, p):
                chain_docs[q].add(doc)
    rows: dict[str, int] = defaultdict(int)
    for doc, x in columns.items():
        document = data.document(doc)
        label = f"{document.date or 'undated'}\n{document.doc_type}" if document else compact(doc)
        page.add_node(
            doc,
            label,
            x,
            -70,
            meta(
                "Document",
                document.title if document else doc,
                [
                    ("id", compact(doc)),
                    ("date", document.date if document else ""),
                    ("type", document.doc_type if document else ""),
                ],
                [],
                ("documents", "provisions"),
            ),
            shape="box",
            color=DOCUMENT_COLOUR,
            font={"color": "#ffffff"},
            docs=[*sorted({d for p in keep if by_iri[p].doc == doc for d in chain_docs[p]}), ALL],
            fixed=True,
        )
    for p in sorted(keep, key=lambda p: (by_iri[p].doc, int(by_iri[p].ordinal or 0))):
        record = by_iri[p]
        rows[record.doc] += 1
        short = _short_provision(_doc_label(data, record.doc), record.number)
        degree_in = chains.in_degree(p) if p in chains else 0
        degree_out = chains.out_degree(p) if p in chains else 0
        page.add_node(
            p,
            f"{'(' + record.number + ')' if record.number.isdigit() else record.number} {record.provision_label[:28]}",
            columns[record.doc],
            rows[record.doc] * 46.0,
            meta(
                "Provision",
                f"{short}: {record.provision_label}",
                [
                    ("id", compact(p)),
                    ("kind", record.kind),
                    ("themes", ", ".join(record.theme_list)),
                    ("earlier provisions it draws on", str(degree_in)),
                    ("later provisions drawing on it", str(degree_out)),
                ],
                [(record.source, record.locator)],
                ("provisions",),
            ),
            shape="box",
            color="#e5edf7" if p in linked else "#f4f4f4",
            docs=[*sorted(chain_docs[p]), ALL],
            font={"size": 12},
        )
    for e in data.evolutions:
        a, b = ids.get(e.earlier), ids.get(e.later)
        if a not in keep or b not in keep or a is None or b is None:
            continue
        page.add_edge(
            a,
            b,
            f"{e.earlier}|{e.relation}|{e.later}",
            meta(
                "Evolution link",
                f"{e.later} {e.relation} {e.earlier}",
                [("relation", e.relation), ("rationale", e.rationale), ("dates", f"{e.earlier_date} → {e.later_date}")],
                [(e.source, e.locator)],
                ("evolution-links",),
            ),
            label=e.relation,
            arrows="to",
            color={"color": RELATION_COLOURS.get(e.relation, "#888"), "highlight": "#d08770"},
            docs=[*sorted(chain_docs[a] & chain_docs[b]), ALL],
            font={"size": 10, "align": "middle"},
        )
    page.filters = [_doc_filter(data, columns, "Chains of")]
    page.notes.append("Arrows point forward in time; the label says how the later provision relates to the earlier one.")
    page.legend = [(c, "line", r) for r, c in RELATION_COLOURS.items()]
    return page


def issuance_view(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(
        "issuance",
        "Issuance over time",
        "Documents on a time axis with their lead and co-issuing agencies; reorganised agencies linked to their successors.",
        ("documents", "issuances", "reorganisations"),
    )
    issued = list(data.issuances)
    docs_with = {i.doc for i in issued}
    graph = nx.Graph()
    for i in issued:
        graph.add_edge(i.doc, i.agency)
    for r in data.reorganisations:
        graph.add_edge(r.original, r.resulting)
    ranked = sorted(graph, key=lambda n: (n not in docs_with, -graph.degree(n), n))
    keep, left = _cap(ranked, max_nodes)
    page.notes += _left_out_note(left, len(ranked), "documents and agencies", "documents first, then the most active agencies")
    columns = _columns(data, [d for d in docs_with if d in keep])
    agency_docs: dict[str, list[str]] = defaultdict(list)
    for i in issued:
        if i.doc in keep:
            agency_docs[i.agency].append(i.doc)
    for r in data.reorganisations:
        for agency in (r.original, r.resulting):
            agency_docs.setdefault(agency, [])
    # agencies sit below the mean column of the documents they issued, stacked to avoid overlaps
    slots: dict[int, int] = defaultdict(int)
    placed: dict[str, tuple[float, float]] = {}
    for agency in sorted(agency_docs, key=lambda a: (-len(agency_docs[a]), a)):
        if agency not in keep:
            continue
        xs = [columns[d] for d in agency_docs[agency] if d in columns]
        if not xs:
            successor = next((r.resulting for r in data.reorganisations if r.original == agency), None)
            predecessor = next((r.original for r in data.reorganisations if r.resulting == agency), None)
            xs = [placed[n][0] + 170 for n in (successor, predecessor) if n in placed] or [0.0]
        x = sum(xs) / len(xs)
        slot = round(x / 85)
        k = slots[slot]
        slots[slot] += 1
        placed[agency] = (slot * 85.0 + 80.0 * (k // 12), 50.0 + 48.0 * (k % 12))  # columns of twelve
    kinds = _kind_colours(i.kind for i in issued)
    info_kind = {i.agency: i.kind for i in issued}
    by_doc: dict[str, list[Any]] = defaultdict(list)
    by_agency: dict[str, list[Any]] = defaultdict(list)
    for i in issued:
        by_doc[i.doc].append(i)
        by_agency[i.agency].append(i)
    for doc, x in columns.items():
        document = data.document(doc)
        n_issuers = len(by_doc[doc])
        page.add_node(
            doc,
            f"{document.date if document else ''}\n{document.doc_type if document else compact(doc)}",
            x,
            -60,
            meta(
                "Document",
                document.title if document else doc,
                [
                    ("id", compact(doc)),
                    ("date", document.date if document else ""),
                    ("number", document.number if document else ""),
                    ("issuers", str(n_issuers)),
                ],
                [(i.source, i.locator) for i in by_doc[doc][:1]],
                ("documents", "issuances"),
            ),
            shape="box",
            color=DOCUMENT_COLOUR,
            font={"color": "#ffffff"},
            docs=[doc, ALL],
            fixed=True,
        )
    reorg_ends = {r.original for r in data.reorganisations} | {r.resulting for r in data.reorganisations}
    for agency, (x, y) in placed.items():
        info = data.agency(agency)
        mine = by_agency[agency]
        roles = "; ".join(f"{i.role} of {_doc_label(data, i.doc)}" for i in mine)
        changes = [
            f"{r.original_label} replaced by {r.resulting_label} ({r.date})"
            for r in data.reorganisations
            if agency in (r.original, r.resulting)
        ]
        kind = info_kind.get(agency) or (info.kind if info else "")
        docs_of = sorted(set(agency_docs[agency]))
        if agency in reorg_ends:
            partners = {r.original for r in data.reorganisations if r.resulting == agency}
            partners |= {r.resulting for r in data.reorganisations if r.original == agency}
            docs_of = sorted(set(docs_of) | {d for p in partners for d in agency_docs.get(p, [])})
        page.add_node(
            agency,
            info.short if info else compact(agency),
            x,
            y,
            meta(
                "Agency",
                info.name if info else agency,
                [("id", compact(agency)), ("kind", kind), ("issued", roles), ("reorganisation", "; ".join(changes))],
                [(i.source, i.locator) for i in mine],
                ("issuances", "agencies", "reorganisations"),
            ),
            shape="dot",
            size=10 + 3 * len(mine),
            color=kinds.get(kind, MUTED),
            docs=[*docs_of, ALL],
        )
    for i in issued:
        if i.doc in columns and i.agency in placed:
            lead = i.role == "lead"
            page.add_edge(
                i.agency,
                i.doc,
                f"{i.doc}|{i.role}|{i.agency}",
                meta(
                    "Issuance",
                    f"{i.acronym or i.agency_label}: {i.role} of {_doc_label(data, i.doc)}",
                    [("role", i.role), ("document", _doc_label(data, i.doc))],
                    [(i.source, i.locator)],
                    ("issuances",),
                ),
                width=4 if lead else 1,
                color={"color": "#d08770" if lead else "#b0bac5", "highlight": "#bf616a"},
                docs=[i.doc, ALL],
            )
    for r in data.reorganisations:
        if r.original in placed and r.resulting in placed:
            docs = sorted(set(agency_docs.get(r.original, [])) | set(agency_docs.get(r.resulting, [])))
            page.add_edge(
                r.original,
                r.resulting,
                f"reorganisation|{r.original}|{r.resulting}",
                meta(
                    "Reorganisation",
                    r.label,
                    [("date", r.date), ("from", r.original_label), ("to", r.resulting_label), ("basis", r.basis)],
                    [],
                    ("reorganisations",),
                ),
                label=f"replaced by ({r.date})",
                arrows="to",
                dashes=True,
                color={"color": "#bf616a"},
                docs=[*docs, ALL],
            )
    page.filters = [_doc_filter(data, columns)]
    page.notes.append("Thick orange link: lead issuer; thin grey: co-issuer; dashed red arrow: reorganisation.")
    page.legend = [(c, "dot", k) for k, c in kinds.items()] + [("#bf616a", "line", "replaced by")]
    return page


def zones_view(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(
        "zones-frameworks",
        "Zones and frameworks",
        "Documents and the provisions, cases or claims through which they name zones and trade frameworks.",
        ("zone-framework-mentions", "documents"),
    )
    graph = nx.Graph()
    for m in data.mentions:
        graph.add_edge(m.doc, m.via)
        graph.add_edge(m.via, m.target)
    docs_in = [d for d in _doc_order(data) if d in graph]
    ranked = sorted(graph, key=lambda n: (n not in docs_in, -graph.degree(n), n))
    keep, left = _cap(ranked, max_nodes)
    page.notes += _left_out_note(left, len(ranked), "nodes", "documents first, then the most connected")
    vias = sorted({(m.doc, m.via) for m in data.mentions if m.via in keep}, key=lambda dv: (docs_in.index(dv[0]), dv[1]))
    targets = sorted({(m.target_kind, m.target_label, m.target) for m in data.mentions if m.target in keep})
    span = max(len(vias), len(targets), len(docs_in), 1) * 26.0
    step_docs = span / max(len(docs_in), 1)
    step_targets = span / max(len(targets), 1)
    kind_colour = {"zone": "#59a14f", "framework": "#f28e2b"}
    via_colour = {"provision": PROVISION_COLOUR, "case": "#cfe3c8", "claim": "#f3d9b1"}
    via_docs: dict[str, set[str]] = defaultdict(set)
    target_docs: dict[str, set[str]] = defaultdict(set)
    via_mentions: dict[str, list[Any]] = defaultdict(list)
    for m in data.mentions:
        via_mentions[m.via].append(m)
        via_docs[m.via].add(m.doc)
        target_docs[m.target].add(m.doc)
    for n, doc in enumerate(d for d in docs_in if d in keep):
        document = data.document(doc)
        page.add_node(
            doc,
            document.short if document else compact(doc),
            0,
            n * step_docs,
            meta(
                "Document",
                document.title if document else doc,
                [("id", compact(doc)), ("date", document.date if document else ""), ("kind", document.kind if document else "")],
                [],
                ("documents", "zone-framework-mentions"),
            ),
            shape="box",
            color=DOCUMENT_COLOUR,
            font={"color": "#ffffff"},
            docs=[doc, ALL],
        )
    seen: set[str] = set()
    for n, (_doc, via) in enumerate(vias):
        if via in seen:
            continue
        seen.add(via)
        m = via_mentions[via][0]
        page.add_node(
            via,
            m.via_label[:30],
            420,
            n * 26.0,
            meta(
                m.via_kind.capitalize(),
                m.via_label,
                [("id", compact(via)), ("in", _doc_label(data, m.doc))],
                [(x.source, x.locator) for x in via_mentions[via]],
                ("zone-framework-mentions",),
            ),
            shape="box",
            color=via_colour.get(m.via_kind, MUTED),
            font={"size": 11},
            docs=[*sorted(via_docs[via]), ALL],
        )
    for n, (kind, label, target) in enumerate(targets):
        page.add_node(
            target,
            label[:40],
            860,
            n * step_targets,
            meta(
                "Zone" if kind == "zone" else "Trade framework",
                label,
                [("id", compact(target)), ("named by", ", ".join(_doc_label(data, d) for d in sorted(target_docs[target])))],
                [],
                ("zone-framework-mentions",),
            ),
            shape="diamond" if kind == "zone" else "triangle",
            size=12,
            color=kind_colour.get(kind, MUTED),
            docs=[*sorted(target_docs[target]), ALL],
        )
    done: set[str] = set()
    for m in data.mentions:
        if m.doc in keep and m.via in keep and f"{m.doc}|{m.via}" not in done:
            done.add(f"{m.doc}|{m.via}")
            page.add_edge(
                m.doc,
                m.via,
                f"{m.doc}|{m.via}",
                meta(
                    "Part of",
                    f"{m.via_label} in {_doc_label(data, m.doc)}",
                    [],
                    [(m.source, m.locator)],
                    ("zone-framework-mentions",),
                ),
                color={"color": "#d8dee9"},
                docs=[m.doc, ALL],
            )
        if m.via in keep and m.target in keep:
            page.add_edge(
                m.via,
                m.target,
                f"{m.via}|{m.target}",
                meta(
                    "Names",
                    f"{m.via_label} names {m.target_label}",
                    [("via", m.via_kind), ("document", _doc_label(data, m.doc))],
                    [(m.source, m.locator)],
                    ("zone-framework-mentions",),
                ),
                color={"color": kind_colour.get(m.target_kind, "#888")},
                docs=[m.doc, ALL],
                arrows="to",
            )
    page.filters = [_doc_filter(data, docs_in)]
    page.legend = [
        ("#59a14f", "diamond", "zone"),
        ("#f28e2b", "triangle", "trade framework"),
        (PROVISION_COLOUR, "square", "provision"),
        ("#cfe3c8", "square", "pilot case"),
        ("#f3d9b1", "square", "claim"),
    ]
    return page


@dataclass(frozen=True)
class ViewSpec:
    id: str
    build: Callable[[ViewData, Analysis, int], Page]


VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec("coordination", coordination_view),
    ViewSpec("agency-provisions", agency_provision_view),
    ViewSpec("lineage", lineage_view),
    ViewSpec("issuance", issuance_view),
    ViewSpec("zones-frameworks", zones_view),
)

# --------------------------------------------------------------------------- rendering

VIS_OPTIONS: Row = {
    "physics": {"enabled": False},
    "interaction": {
        "hover": True,
        "tooltipDelay": 150,
        "hideEdgesOnDrag": True,
        "navigationButtons": False,
        "multiselect": False,
    },
    "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif"}, "scaling": {"min": 8, "max": 32}, "borderWidth": 1},
    "edges": {"smooth": False, "scaling": {"min": 1, "max": 10}, "selectionWidth": 2},
    "layout": {"improvedLayout": False},
}


def _vis_assets() -> str:
    """vis-network, as shipped inside the installed pyvis package (read at generation time, never vendored here)."""
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    script = path.read_text(encoding="utf-8")
    return script.replace("</script", "<\\/script")


def to_pyvis(page: Page) -> Any:
    """The page as a pyvis Network (physics off, our positions).

    Nodes and edges are appended to the network's lists directly: pyvis's ``add_node``/``add_edge`` check for
    duplicates by scanning every node and edge already added, which is quadratic (51 s for 20,000 nodes);
    the ids here are unique by construction.
    """
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=page.directed, heading=page.title, cdn_resources="in_line")
    net.set_options(json.dumps(VIS_OPTIONS))
    for node in page.nodes:
        net.nodes.append(node)
        net.node_ids.append(node["id"])
        net.node_map[node["id"]] = node
    net.edges.extend(page.edges)
    return net


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("graph_builder", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )


def render_page(page: Page, env: Any | None = None, vis_js: str | None = None, origin: str = "") -> str:
    """One self-contained HTML page: data as JSON (``tojson`` escapes <, >, & and '), labels autoescaped."""
    from markupsafe import Markup

    env = env or _environment()
    net = to_pyvis(page)
    nodes, edges, heading, _height, _width, options = net.get_network_data()
    data = {
        "view": page.id,
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "filters": page.filters,
        "docNotes": page.doc_notes,
        "select": page.select,
        "queries": list(page.queries),
    }
    script = (files("graph_builder") / "templates" / "view.js").read_text(encoding="utf-8")
    return str(
        env.get_template("view.html.j2").render(
            page=page,
            heading=heading,
            data=data,
            vis_js=Markup(vis_js if vis_js is not None else _vis_assets()),  # noqa: S704 - pyvis's own bundled library
            view_js=Markup(script),  # noqa: S704 - our own static script
            origin=origin,
            version=__version__,
        )
    )


@dataclass(frozen=True)
class ViewFile:
    id: str
    title: str
    summary: str
    file: str
    nodes: int
    edges: int
    bytes: int
    seconds: float
    queries: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SiteResult:
    out: Path
    views: tuple[ViewFile, ...]
    fetch_seconds: float


def build_pages(data: ViewData, max_nodes: int = DEFAULT_MAX_NODES) -> list[Page]:
    analysis = analyse(data)
    return [spec.build(data, analysis, max_nodes) for spec in VIEWS]


def write_site(
    data: ViewData, out: Path, origin: str, max_nodes: int = DEFAULT_MAX_NODES, fetch_seconds: float = 0.0
) -> SiteResult:
    """Render every view and the index into ``out``, replacing it whole (a temporary folder renamed into place)."""
    if max_nodes < 1:
        raise UsageError("--max-nodes must be at least 1")
    out = Path(out)
    if out.exists() and not (out / SITE_MANIFEST).exists() and any(out.iterdir()):
        raise UsageError(f"{out} exists and is not a polkg views folder (no {SITE_MANIFEST}); choose another --out")
    env = _environment()
    vis_js = _vis_assets()
    analysis = analyse(data)
    tmp = _fs.temp_dir(out)
    written = []
    try:
        for spec in VIEWS:
            started = time.perf_counter()
            page = spec.build(data, analysis, max_nodes)
            html = render_page(page, env, vis_js, origin)
            (tmp / f"{page.id}.html").write_text(html, encoding="utf-8")
            written.append(
                ViewFile(
                    page.id,
                    page.title,
                    page.summary,
                    f"{page.id}.html",
                    len(page.nodes),
                    len(page.edges),
                    len(html.encode("utf-8")),
                    time.perf_counter() - started,
                    page.queries,
                    tuple(page.notes),
                )
            )
        index = env.get_template("index.html.j2").render(views=written, origin=origin, version=__version__)
        (tmp / "index.html").write_text(index, encoding="utf-8")
        manifest = {
            "polkg": __version__,
            "origin": origin,
            "views": [{k: v for k, v in vf.__dict__.items() if k not in ("seconds",)} for vf in written],
        }
        (tmp / SITE_MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _fs.replace_dir(tmp, out, SITE_MANIFEST)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SiteResult(out, tuple(written), fetch_seconds)


def generate(engine: Any, out: Path, origin: str, max_nodes: int = DEFAULT_MAX_NODES) -> SiteResult:
    """Fetch the view inputs through ``engine`` (embedded or remote) and write the site."""
    from graph_builder.analytics.data import fetch

    started = time.perf_counter()
    data = fetch(engine)
    return write_site(data, out, origin, max_nodes, time.perf_counter() - started)


def default_site() -> Path:
    """Where views go unless --out says otherwise: $POLKG_VIEWS or ./polkg-views (beside, not inside, the build)."""
    return Path(os.environ.get("POLKG_VIEWS", "polkg-views"))


def iframe(page: Path, height: int = 620) -> str:
    """A view page wrapped in an <iframe srcdoc> (the whole page escaped into the attribute), for notebooks."""
    import html

    document = Path(page).read_text(encoding="utf-8")
    return (
        f'<div class="polkg-view"><iframe srcdoc="{html.escape(document, quote=True)}" '
        f'style="width: 100%; height: {int(height)}px; border: 1px solid #ddd" '
        f'sandbox="allow-scripts" title="{html.escape(Path(page).stem)}"></iframe></div>'
    )
