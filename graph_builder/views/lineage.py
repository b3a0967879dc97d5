"""Provision lineage: provisions by document and date, with their typed evolution links."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from graph_builder.analytics.data import ViewData
from graph_builder.analytics.networks import ALL, Analysis
from graph_builder.prefixes import compact
from graph_builder.views._common import (
    DOCUMENT_COLOUR,
    date_columns,
    doc_filter,
    doc_label,
    left_out_note,
    short_provision,
)
from graph_builder.views.page import Page, meta
from graph_builder.views.registry import register

RELATION_COLOURS = {
    "continues": "#4e79a7",
    "expands": "#59a14f",
    "refines": "#b07aa1",
    "implements": "#f28e2b",
    "replaces": "#e15759",
}


def _chains(data: ViewData, ids: dict[str, str]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for e in data.evolutions:
        if e.earlier in ids and e.later in ids:
            graph.add_edge(ids[e.earlier], ids[e.later])
    return graph


def _cap(ranked: list[str], by_iri: dict[str, Any], limit: int) -> tuple[set[str], int]:
    """The first provisions of ``ranked`` that fit in ``limit`` nodes with their documents' headings counted."""
    keep: set[str] = set()
    docs: set[str] = set()
    for p in ranked:
        cost = 1 + (by_iri[p].doc not in docs)
        if len(keep) + len(docs) + cost > limit:
            continue  # a later provision of a document already shown may still fit
        keep.add(p)
        docs.add(by_iri[p].doc)
    return keep, len(ranked) - len(keep)


def build(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(VIEW.name, VIEW.title, VIEW.description, ("provisions", "evolution-links"), select="chain", directed=True)
    ids = {p.provision_id: p.provision for p in data.provisions}
    chains = _chains(data, ids)
    linked = set(chains)
    by_iri = {p.provision: p for p in data.provisions}
    components = {n: len(c) for c in nx.weakly_connected_components(chains) for n in c}
    ranked = sorted(
        by_iri, key=lambda p: (p not in linked, -components.get(p, 0), by_iri[p].doc_date, int(by_iri[p].ordinal or 0))
    )
    keep, left = _cap(ranked, by_iri, max_nodes)
    page.notes += left_out_note(left, len(ranked), "provisions", "linked provisions first, longest chains first")
    if left:
        page.notes[-1] = page.notes[-1].replace("left out.", "left out; each document's heading counts as a node.")
    columns = date_columns(data, {by_iri[p].doc for p in keep})
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
    order = {p.provision: i for i, p in enumerate(data.provisions)}
    relation = {(ids[e.earlier], ids[e.later]): e.relation for e in data.evolutions if e.earlier in ids and e.later in ids}

    def name(iri: str) -> str:
        return short_provision(doc_label(data, by_iri[iri].doc), by_iri[iri].number)

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
        short = short_provision(doc_label(data, record.doc), record.number)
        earlier = sorted(chains.predecessors(p), key=order.__getitem__) if p in chains else []
        later = sorted(chains.successors(p), key=order.__getitem__) if p in chains else []
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
                    ("draws on", ", ".join(f"{name(q)} ({relation[q, p]})" for q in earlier) or "none"),
                    ("drawn on by", ", ".join(f"{name(q)} ({relation[p, q]})" for q in later) or "none"),
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
    for doc in columns:
        mine = [p for p in keep if by_iri[p].doc == doc]
        if mine and not any(p in linked for p in mine):
            count = "its one provision has" if len(mine) == 1 else f"none of its {len(mine)} provisions has"
            page.doc_notes[doc] = f"{doc_label(data, doc)}: {count} an evolution link to another document."
    page.filters = [doc_filter(data, columns, "Chains of")]
    page.notes.append("Arrows point forward in time; the label says how the later provision relates to the earlier one.")
    page.legend = [(c, "line", r) for r, c in RELATION_COLOURS.items()]
    return page


VIEW = register(
    "lineage",
    "Provision lineage",
    "Provisions of every document left to right by date, with typed evolution links; select one to see its chain.",
    build,
)
