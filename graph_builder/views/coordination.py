"""Agency coordination: agencies linked by the provisions they are jointly responsible for."""

from __future__ import annotations

from collections import defaultdict

from graph_builder.analytics.data import ViewData
from graph_builder.analytics.networks import ALL, CO_ISSUANCE, Analysis
from graph_builder.prefixes import compact
from graph_builder.views._common import (
    PALETTE,
    cap,
    doc_label,
    kind_colours,
    kind_legend,
    left_out_note,
    short_provision,
    spring,
)
from graph_builder.views.page import Page, Row, meta
from graph_builder.views.registry import register

EDGES_PER_NODE = 8  # the coordination page's link budget, per node shown


def _provision_label(data: ViewData, iri: str) -> str:
    p = data.provision(iri)
    if p is None:
        return compact(iri)
    number = f"({p.number})" if p.number.isdigit() else p.number
    return f"{number} {p.provision_label}"


def _ordered(data: ViewData, provisions: set[str]) -> list[str]:
    """Provisions in the order of the provisions query (by document date, then number)."""
    return sorted(provisions, key=lambda p: (data.provision_rank(p), p))


def _provision_short(data: ViewData, iri: str) -> str:
    p = data.provision(iri)
    return short_provision(doc_label(data, p.doc), p.number) if p else compact(iri)


def build(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(VIEW.name, VIEW.title, VIEW.description, ("responsibilities", "issuances", "agencies"))
    combined = analysis.combined.graph
    ranked = sorted(
        combined, key=lambda n: (-combined.degree(n, weight="weight"), -combined.degree(n), combined.nodes[n]["label"])
    )
    keep, left = cap(ranked, max_nodes)
    page.notes += left_out_note(left, len(ranked), "agencies", "those with the highest weighted degree over all documents")
    positions = spring(combined.subgraph(keep))
    kinds = kind_colours(data)
    networks = [*analysis.networks, analysis.combined]
    provenance: dict[str, list[tuple[str, str]]] = defaultdict(list)
    roles: dict[str, list[str]] = defaultdict(list)
    for i in data.issuances:
        provenance[i.agency].append((i.source, i.locator))
        roles[i.agency].append(f"{i.role} of {doc_label(data, i.doc)}")
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
            linked = sorted(network.graph.nodes[n]["label"] for n in network.graph.neighbors(agency))
            variants[network.doc] = {
                "value": s.weighted_degree + 1,
                "stats": [s.degree, s.weighted_degree, round(s.betweenness, 3), s.community],
                "linked": ", ".join(linked),
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
                    ("responsible for", ", ".join(_provision_short(data, q) for q in _ordered(data, attrs["provisions"]))),
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
                docs = ", ".join(doc_label(data, doc) for doc in d["docs"])
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
            "options": [[ALL, "All documents"]]
            + [[n.doc, f"{n.label} ({n.basis if len(n.graph) > 1 else 'one agency'})"] for n in analysis.networks],
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
    for network in analysis.networks:
        if len(network.graph) == 1:
            (only,) = network.graph.nodes
            roles = network.graph.nodes[only]["roles"]
            part = "its lead issuer" if "lead" in roles else "its issuer" if "co-issuer" in roles else "responsible"
            if "responsible" in roles and part != "responsible":
                part += " and responsible for its provisions"
            page.doc_notes[network.doc] = (
                f"{network.label} names one agency only, {network.graph.nodes[only]['label']} ({part}): no coordination to show."
            )
    page.legend = kind_legend(kinds, (combined.nodes[n]["kind"] for n in keep))
    return page


VIEW = register(
    "coordination",
    "Agency coordination",
    "Agencies linked by the provisions they are jointly responsible for, per document or across all of them.",
    build,
)
