"""Zones and frameworks: the provisions, cases or claims through which documents name them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from graph_builder.analytics.data import ViewData
from graph_builder.analytics.networks import ALL, Analysis
from graph_builder.prefixes import compact
from graph_builder.views._common import (
    DOCUMENT_COLOUR,
    MUTED,
    PROVISION_COLOUR,
    cap,
    doc_filter,
    doc_label,
    doc_order,
    left_out_note,
)
from graph_builder.views.page import Page, meta
from graph_builder.views.registry import register


def build(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(VIEW.name, VIEW.title, VIEW.description, ("zone-framework-mentions", "documents"))
    graph = nx.Graph()
    for m in data.mentions:
        graph.add_edge(m.doc, m.via)
        graph.add_edge(m.via, m.target)
    docs_in = [d for d in doc_order(data) if d in graph]
    ranked = sorted(graph, key=lambda n: (n not in docs_in, -graph.degree(n), n))
    keep, left = cap(ranked, max_nodes)
    page.notes += left_out_note(left, len(ranked), "nodes", "documents first, then the most connected")
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
                [("id", compact(via)), ("in", doc_label(data, m.doc))],
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
                [("id", compact(target)), ("named by", ", ".join(doc_label(data, d) for d in sorted(target_docs[target])))],
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
                    f"{m.via_label} in {doc_label(data, m.doc)}",
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
                    [("via", m.via_kind), ("document", doc_label(data, m.doc))],
                    [(m.source, m.locator)],
                    ("zone-framework-mentions",),
                ),
                color={"color": kind_colour.get(m.target_kind, "#888")},
                docs=[m.doc, ALL],
                arrows="to",
            )
    page.filters = [doc_filter(data, docs_in)]
    page.legend = [
        ("#59a14f", "diamond", "zone"),
        ("#f28e2b", "triangle", "trade framework"),
        (PROVISION_COLOUR, "box", "provision"),
        ("#cfe3c8", "box", "pilot case"),
        ("#f3d9b1", "box", "claim"),
    ]
    return page


VIEW = register(
    "zones-frameworks",
    "Zones and frameworks",
    "Documents and the provisions, cases or claims through which they name zones and trade frameworks.",
    build,
)
