"""Issuance over time: documents with their lead and co-issuing agencies, and reorganisations."""

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
    cap,
    date_columns,
    doc_filter,
    doc_label,
    kind_colours,
    kind_legend,
    left_out_note,
)
from graph_builder.views.page import Page, meta
from graph_builder.views.registry import register


def _short(data: ViewData, issuance: Any) -> str:
    info = data.agency(issuance.agency)
    return info.short if info else issuance.acronym or issuance.agency_label


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def build(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(VIEW.name, VIEW.title, VIEW.description, ("documents", "issuances", "reorganisations"))
    issued = list(data.issuances)
    docs_with = {i.doc for i in issued}
    graph = nx.Graph()
    for i in issued:
        graph.add_edge(i.doc, i.agency)
    for r in data.reorganisations:
        graph.add_edge(r.original, r.resulting)
    ranked = sorted(graph, key=lambda n: (n not in docs_with, -graph.degree(n), n))
    keep, left = cap(ranked, max_nodes)
    page.notes += left_out_note(left, len(ranked), "documents and agencies", "documents first, then the most active agencies")
    columns = date_columns(data, [d for d in docs_with if d in keep])
    agency_docs: dict[str, list[str]] = defaultdict(list)
    for i in issued:
        if i.doc in keep:
            agency_docs[i.agency].append(i.doc)
    for r in data.reorganisations:
        for agency in (r.original, r.resulting):
            agency_docs.setdefault(agency, [])
    # agencies sit below the mean column of the documents they issued, stacked to avoid overlaps; agencies
    # in a reorganisation sit on a lane of their own below every stack, so its arrow crosses no other node
    reorganised = {r.original for r in data.reorganisations} | {r.resulting for r in data.reorganisations}
    slots: dict[int, int] = defaultdict(int)
    placed: dict[str, tuple[float, float]] = {}
    lane: list[str] = []
    for agency in sorted(agency_docs, key=lambda a: (-len(agency_docs[a]), a)):
        if agency not in keep:
            continue
        if agency in reorganised:
            lane.append(agency)
            continue
        x = _mean([columns[d] for d in agency_docs[agency] if d in columns])
        slot = round(x / 85)
        k = slots[slot]
        slots[slot] += 1
        placed[agency] = (slot * 85.0 + 80.0 * (k // 12), 50.0 + 48.0 * (k % 12))  # columns of twelve
    lane_y = max((y for _, y in placed.values()), default=0.0) + 110.0
    lane_x: dict[str, float] = {}
    for agency in lane:  # at its documents' column, else beside the partner it replaced or that replaced it
        xs = [columns[d] for d in agency_docs[agency] if d in columns]
        lane_x[agency] = _mean(xs) if xs else float("nan")
    for agency in lane:
        if lane_x[agency] != lane_x[agency]:  # NaN: no document of its own shown
            beside = [lane_x[r.resulting] for r in data.reorganisations if r.original == agency and r.resulting in lane_x]
            beside += [lane_x[r.original] for r in data.reorganisations if r.resulting == agency and r.original in lane_x]
            known = [x for x in beside if x == x]
            lane_x[agency] = (known[0] - 170.0) if known else 0.0
    used: dict[int, int] = defaultdict(int)
    for agency in sorted(lane, key=lambda a: (lane_x[a], a)):
        slot = round(lane_x[agency] / 85)
        placed[agency] = (slot * 85.0 + 90.0 * used[slot], lane_y)  # side by side, never stacked across the lane
        used[slot] += 1
    kinds = kind_colours(data)
    info_kind = {i.agency: i.kind for i in issued}
    by_doc: dict[str, list[Any]] = defaultdict(list)
    by_agency: dict[str, list[Any]] = defaultdict(list)
    for i in issued:
        by_doc[i.doc].append(i)
        by_agency[i.agency].append(i)
    for doc, x in columns.items():
        document = data.document(doc)
        leads = [_short(data, i) for i in by_doc[doc] if i.role == "lead"]
        co_issuers = [_short(data, i) for i in by_doc[doc] if i.role != "lead"]
        if len(by_doc[doc]) == 1:
            page.doc_notes[doc] = (
                f"{doc_label(data, doc)} has one issuer, {leads[0] if leads else co_issuers[0]}: no co-issuer to show."
            )
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
                    ("lead issuer", ", ".join(leads)),
                    ("co-issuers", ", ".join(co_issuers) or "none"),
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
        roles = "; ".join(f"{i.role} of {doc_label(data, i.doc)}" for i in mine)
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
                    f"{i.acronym or i.agency_label}: {i.role} of {doc_label(data, i.doc)}",
                    [("role", i.role), ("document", doc_label(data, i.doc))],
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
    page.filters = [doc_filter(data, columns)]
    page.notes.append("Thick orange link: lead issuer; thin grey: co-issuer; dashed red arrow: reorganisation.")
    shown_kinds = [info_kind.get(a) or (info.kind if (info := data.agency(a)) else "") for a in placed]
    page.legend = [*kind_legend(kinds, shown_kinds), ("#bf616a", "line", "replaced by")]
    return page


VIEW = register(
    "issuance",
    "Issuance over time",
    "Documents on a time axis with their lead and co-issuing agencies; reorganised agencies linked to their successors.",
    build,
)
