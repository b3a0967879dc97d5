"""Agencies and provisions: which agencies each provision names as responsible."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from graph_builder.analytics.data import ViewData
from graph_builder.analytics.networks import ALL, Analysis
from graph_builder.prefixes import compact
from graph_builder.views._common import (
    PROVISION_COLOUR,
    cap,
    doc_filter,
    doc_label,
    doc_order,
    kind_colours,
    kind_legend,
    left_out_note,
    short_provision,
    spring,
)
from graph_builder.views.page import Page, meta
from graph_builder.views.registry import register


def build(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(VIEW.name, VIEW.title, VIEW.description, ("responsibilities", "provisions", "agencies"))
    graph = nx.Graph()
    for r in data.responsibilities:
        graph.add_edge(r.agency, r.provision, weight=1)
    ranked = sorted(graph, key=lambda n: (-graph.degree(n), n))
    keep, left = cap(ranked, max_nodes)
    page.notes += left_out_note(left, len(ranked), "agencies and provisions", "those with the most responsibility links")
    positions = spring(graph.subgraph(keep), seed=11)
    kinds = kind_colours(data)
    agency_docs: dict[str, set[str]] = defaultdict(set)
    # in the order the data states them (a set's order changes from run to run, and the panel shows the first 12)
    agency_prov: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
    for r in data.responsibilities:
        agency_docs[r.agency].add(r.doc)
        agency_prov[r.agency][(r.source, r.locator)] = None
    # the side panel names the agencies of a provision and the provisions of an agency (not just how many)
    agency_names: dict[str, list[str]] = defaultdict(list)
    provision_names: dict[str, list[str]] = defaultdict(list)
    for r in data.responsibilities:
        info = data.agency(r.agency)
        agency_names[r.provision].append(info.short if info else r.acronym or r.agency_label)
        provision_names[r.agency].append(short_provision(doc_label(data, r.doc), r.number))
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
                    [
                        ("id", compact(r.agency)),
                        ("kind", r.kind),
                        ("responsible for", ", ".join(provision_names[r.agency])),
                    ],
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
            doc_short = doc_label(data, r.doc)
            provision_themes = list(p.theme_list) if p else []
            themes.update(provision_themes)
            x, y = positions[r.provision]
            page.add_node(
                r.provision,
                short_provision(doc_short, r.number),
                x,
                y,
                meta(
                    "Provision",
                    f"{short_provision(doc_short, r.number)}: {r.provision_label}",
                    [
                        ("id", compact(r.provision)),
                        ("document", doc_short),
                        ("themes", ", ".join(provision_themes)),
                        ("responsible agencies", ", ".join(agency_names[r.provision])),
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
                    f"{r.acronym or r.agency_label} → {short_provision(doc_label(data, r.doc), r.number)}",
                    [("agency", r.agency_label), ("provision", r.provision_label)],
                    [(r.source, r.locator)],
                    ("responsibilities",),
                ),
                docs=[r.doc, ALL],
                themes=list(p.theme_list) if p else [],
                color={"color": "#b0bac5", "highlight": "#d08770"},
            )
    responsible_docs = [d for d in doc_order(data) if data.responsibilities_of(d)]
    page.filters = [
        doc_filter(data, responsible_docs),
        {"name": "theme", "label": "Theme", "options": [[ALL, "All themes"]] + [[t, t] for t in sorted(themes)], "default": ALL},
    ]
    silent = [d.short for d in data.documents if d.kind == "official" and d.doc not in responsible_docs]
    if silent:
        page.notes.append(f"Not shown, as they name no responsible agency per provision: {', '.join(silent)}.")
    page.legend = [(PROVISION_COLOUR, "square", "provision"), *kind_legend(kinds, (r.kind for r in data.responsibilities))]
    return page


VIEW = register(
    "agency-provisions",
    "Agencies and provisions",
    "Which agencies each provision names as responsible, filterable by document and theme.",
    build,
)
