"""Coordination networks per document (networkx): centralities, communities and the change from one document to the next.

A document's coordination network has a node for every agency that issued it or is named responsible for
one of its provisions. Two agencies are linked when they are jointly responsible for at least one provision,
weighted by the number of such provisions (basis "joint responsibility"). A document that names no
responsible agency for any provision (the 2025 Circular, the 2026 Plan) can only be read at the level of the
whole document: its issuers are linked pairwise with weight 1 (basis "co-issuance").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations, pairwise

import networkx as nx

from graph_builder.analytics.data import ViewData

# what a coordination network is, as reports state it
DEFINITION = (__doc__ or "").split("\n\n", 1)[-1].strip()
JOINT = "joint responsibility"
CO_ISSUANCE = "co-issuance"
ISSUERS = "issuers"
ALL = "all"


@dataclass(frozen=True)
class AgencyStat:
    """One agency's place in one document's coordination network."""

    doc: str
    agency: str
    label: str  # the full name, for csv and json
    short: str  # the acronym or the first words, for tables
    kind: str
    degree: int
    weighted_degree: int
    betweenness: float
    community: int


@dataclass(frozen=True)
class Succession:
    original: str
    resulting: str
    date: str


@dataclass(frozen=True)
class NetworkChange:
    """How the coordination network changed from ``earlier`` to ``later`` (agencies mapped through reorganisations)."""

    earlier: str
    later: str
    joined: tuple[str, ...]
    left: tuple[str, ...]
    continued: tuple[str, ...]
    successions: tuple[Succession, ...]
    edges_gained: tuple[tuple[str, str], ...]
    edges_lost: tuple[tuple[str, str], ...]
    edges_kept: tuple[tuple[str, str], ...]
    comparable: bool
    basis: str = JOINT  # what is compared: JOINT (every agency of both networks) or ISSUERS (issuers against issuers)
    note: str = ""  # why the comparison is on issuers only and links are not compared, with the coverage notes
    not_shown: tuple[str, ...] = ()  # earlier issuers a later source that names only the lead cannot show


@dataclass
class DocumentNetwork:
    """The coordination network of one document (or of all documents together, doc == "all")."""

    doc: str
    label: str
    date: str
    basis: str
    graph: nx.Graph
    stats: tuple[AgencyStat, ...] = ()
    communities: tuple[tuple[str, ...], ...] = ()
    coverage: str = ""  # what the available source covers and does not (stored query documents)

    def stat(self, agency: str) -> AgencyStat:
        return next(s for s in self.stats if s.agency == agency)


@dataclass
class Analysis:
    networks: list[DocumentNetwork]
    combined: DocumentNetwork
    changes: list[NetworkChange] = field(default_factory=list)

    def network(self, doc: str) -> DocumentNetwork:
        return next(n for n in self.networks if n.doc == doc)


def _add_agency(graph: nx.Graph, data: ViewData, iri: str, label: str, kind: str) -> None:
    if iri not in graph:
        info = data.agency(iri)
        graph.add_node(iri, label=info.short if info else label, name=label, kind=kind, roles=set(), provisions=set())


def document_network(data: ViewData, doc: str) -> nx.Graph:
    """The coordination graph of ``doc``; edge attribute ``provisions`` lists the shared provisions."""
    graph = nx.Graph(doc=doc)
    by_provision: dict[str, list[str]] = defaultdict(list)
    for r in data.responsibilities_of(doc):
        _add_agency(graph, data, r.agency, r.agency_label, r.kind)
        graph.nodes[r.agency]["provisions"].add(r.provision)
        graph.nodes[r.agency]["roles"].add("responsible")
        by_provision[r.provision].append(r.agency)
    issuers = []
    for i in data.issuances_of(doc):
        _add_agency(graph, data, i.agency, i.agency_label, i.kind)
        graph.nodes[i.agency]["roles"].add(i.role)
        issuers.append(i.agency)
    if by_provision:
        graph.graph["basis"] = JOINT
        for provision, agencies in by_provision.items():
            for a, b in combinations(sorted(set(agencies)), 2):
                if graph.has_edge(a, b):
                    graph[a][b]["weight"] += 1
                    graph[a][b]["provisions"].append(provision)
                else:
                    graph.add_edge(a, b, weight=1, provisions=[provision], basis=JOINT)
    else:
        graph.graph["basis"] = CO_ISSUANCE
        for a, b in combinations(sorted(set(issuers)), 2):
            graph.add_edge(a, b, weight=1, provisions=[], basis=CO_ISSUANCE)
    return graph


def combine(graphs: Iterable[nx.Graph]) -> nx.Graph:
    """All documents together: edge weights summed, node roles and provisions merged."""
    combined = nx.Graph(doc=ALL, basis="all documents")
    for graph in graphs:
        for node, attrs in graph.nodes(data=True):
            if node not in combined:
                combined.add_node(node, **{**attrs, "roles": set(), "provisions": set()})
            combined.nodes[node]["roles"] |= attrs["roles"]
            combined.nodes[node]["provisions"] |= attrs["provisions"]
        for a, b, attrs in graph.edges(data=True):
            if combined.has_edge(a, b):
                combined[a][b]["weight"] += attrs["weight"]
                combined[a][b]["provisions"] = combined[a][b]["provisions"] + attrs["provisions"]
                combined[a][b]["docs"].append(graph.graph["doc"])
            else:
                combined.add_edge(a, b, weight=attrs["weight"], provisions=list(attrs["provisions"]), docs=[graph.graph["doc"]])
    return combined


EXACT_BETWEENNESS = 1000  # above this many agencies, betweenness is estimated from sampled sources
BETWEENNESS_SAMPLES = 200
SEED = 7


def communities(graph: nx.Graph) -> tuple[tuple[str, ...], ...]:
    """Louvain communities (seeded, so repeatable), largest first; agencies without a link are each their own."""
    linked = graph.subgraph([n for n in graph if graph.degree(n) > 0])
    groups: list[frozenset[str]] = []
    if linked.number_of_edges():
        groups = [frozenset(c) for c in nx.community.louvain_communities(linked, weight="weight", seed=SEED)]
    groups += [frozenset([n]) for n in graph if graph.degree(n) == 0]
    ordered = sorted(groups, key=lambda c: (-len(c), min(graph.nodes[n]["label"] for n in c)))
    return tuple(tuple(sorted(c, key=lambda n: graph.nodes[n]["label"])) for c in ordered)


def betweenness(graph: nx.Graph) -> tuple[dict[str, float], int | None]:
    """Normalised, unweighted betweenness: exact up to EXACT_BETWEENNESS agencies, else estimated from
    BETWEENNESS_SAMPLES seeded source agencies (the second value says how many; None when exact)."""
    if len(graph) <= 2:
        return dict.fromkeys(graph, 0.0), None
    if len(graph) <= EXACT_BETWEENNESS:
        return nx.betweenness_centrality(graph, normalized=True), None
    return nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLES, normalized=True, seed=SEED), BETWEENNESS_SAMPLES


def agency_stats(graph: nx.Graph, groups: tuple[tuple[str, ...], ...]) -> tuple[AgencyStat, ...]:
    """Degree, weighted degree (sum of edge weights), betweenness and community per agency."""
    between, _ = betweenness(graph)
    community_of = {node: number for number, group in enumerate(groups, start=1) for node in group}
    stats = [
        AgencyStat(
            doc=graph.graph["doc"],
            agency=node,
            label=attrs["name"],
            short=attrs["label"],
            kind=attrs["kind"],
            degree=graph.degree(node),
            weighted_degree=int(graph.degree(node, weight="weight")),
            betweenness=round(between[node], 6),
            community=community_of[node],
        )
        for node, attrs in graph.nodes(data=True)
    ]
    return tuple(sorted(stats, key=lambda s: (-s.weighted_degree, -s.degree, s.short)))


PARALLEL_FROM = 100  # networks; fewer are measured in this process, in well under a second


def _measured(indices: list[int]) -> list[tuple[tuple[tuple[str, ...], ...], tuple[AgencyStat, ...]]]:
    """Communities and agency statistics of the shared networks at ``indices`` (in a forked worker of ``analyse``)."""
    from graph_builder._parallel import shared

    graphs: list[nx.Graph] = shared()
    measured = []
    for i in indices:
        groups = communities(graphs[i])
        measured.append((groups, agency_stats(graphs[i], groups)))
    return measured


def _successor(data: ViewData, agency: str, before: str) -> tuple[str, str] | None:
    """The agency that replaced ``agency`` on or before the date ``before``, with the date (followed transitively)."""
    found = None
    current = agency
    for _ in range(len(data.reorganisations) + 1):
        step = next((r for r in data.reorganisations if r.original == current and (not before or r.date <= before)), None)
        if step is None:
            break
        current, found = step.resulting, (step.resulting, step.date)
    return found


def _lead_only(network: DocumentNetwork) -> bool:
    """The document names only its lead issuer and its available source is partial (a coverage note says so)."""
    roles = [attrs["roles"] for _, attrs in network.graph.nodes(data=True)]
    return bool(network.coverage) and not any("co-issuer" in r for r in roles) and sum("lead" in r for r in roles) == 1


def _issuers(network: DocumentNetwork) -> set[str]:
    return {n for n, attrs in network.graph.nodes(data=True) if attrs["roles"] & {"lead", "co-issuer"}}


def change(data: ViewData, earlier: DocumentNetwork, later: DocumentNetwork) -> NetworkChange:
    """Agencies joined, left and continued (directly or through a reorganisation); edges gained, lost and kept.

    Like is compared with like: when both documents name responsible bodies per provision, every agency of
    both networks; otherwise issuers against issuers only, and links not at all, since an agency missing
    from a document that names no responsible body has not been shown to leave (``note`` says so, with the
    coverage notes of the documents' available sources).
    """
    comparable = earlier.basis == later.basis == JOINT
    if comparable:
        before_nodes, after_nodes, basis, note = set(earlier.graph), set(later.graph), JOINT, ""
    else:
        before_nodes, after_nodes, basis = _issuers(earlier), _issuers(later), ISSUERS
        silent = [n for n in (earlier, later) if n.basis != JOINT]
        note = (
            "; ".join(
                f"{n.label} names no responsible body per provision"
                + (f" (coverage: {n.coverage.rstrip('.')})" if n.coverage else "")
                for n in silent
            )
            + ": agencies are compared as issuers only, and links are not compared"
        )
    partial = not comparable and _lead_only(later)
    if partial:
        note += (
            f"; the available source of {later.label} names only its lead issuer, "
            "so an earlier issuer it does not name is not shown to have left"
        )
    mapping: dict[str, str] = {}
    successions = []
    for agency in sorted(before_nodes):
        succ = _successor(data, agency, later.date)
        if succ and agency not in after_nodes:
            mapping[agency] = succ[0]
            if succ[0] in after_nodes:
                successions.append(Succession(agency, succ[0], succ[1]))
    before = {mapping.get(a, a) for a in before_nodes}
    succeeded = {s.original for s in successions}

    def pairs(graph: nx.Graph, mapped: dict[str, str]) -> set[tuple[str, str]]:
        out = set()
        for a, b in graph.edges():
            x, y = sorted((mapped.get(a, a), mapped.get(b, b)))
            if x != y:
                out.add((x, y))
        return out

    old_edges, new_edges = (pairs(earlier.graph, mapping), pairs(later.graph, {})) if comparable else (set(), set())
    gone = tuple(sorted(a for a in before_nodes if mapping.get(a, a) not in after_nodes))
    return NetworkChange(
        earlier=earlier.doc,
        later=later.doc,
        joined=tuple(sorted(after_nodes - before)),
        left=() if partial else gone,
        not_shown=gone if partial else (),
        continued=tuple(sorted(a for a in before_nodes if a in after_nodes and a not in succeeded)),
        successions=tuple(successions),
        edges_gained=tuple(sorted(new_edges - old_edges)),
        edges_lost=tuple(sorted(old_edges - new_edges)),
        edges_kept=tuple(sorted(old_edges & new_edges)),
        comparable=comparable,
        basis=basis,
        note=note,
    )


def analyse(data: ViewData, compare: tuple[str, str] | None = None) -> Analysis:
    """Every document with at least one agency, in date order; the combined network; and the change from each
    policy document to the next (statements such as press-conference answers are left out of that sequence),
    or, with ``compare``, the change between exactly those two documents (earlier first)."""
    from graph_builder._parallel import chunked_map

    documents = [(document, document_network(data, document.doc)) for document in data.documents]
    documents = [(document, graph) for document, graph in documents if len(graph)]
    graphs = [combine(graph for _, graph in documents), *(graph for _, graph in documents)]
    # each network measured on its own, side by side in forked workers from PARALLEL_FROM networks
    measured = list(chunked_map(_measured, range(len(graphs)), chunk=20, serial_below=PARALLEL_FROM, shared=graphs))
    combined = DocumentNetwork(ALL, "All documents", "", graphs[0].graph["basis"], graphs[0], measured[0][1], measured[0][0])
    networks = [
        DocumentNetwork(d.doc, d.short, d.date, graph.graph["basis"], graph, stats, groups, d.coverage)
        for (d, graph), (groups, stats) in zip(documents, measured[1:], strict=True)
    ]
    policy = [network for (d, _), network in zip(documents, networks, strict=True) if d.kind == "official"]
    if compare is None:
        changes = [change(data, a, b) for a, b in pairwise(policy)]
    else:
        chosen = [n for n in networks if n.doc in compare]  # in date order
        changes = [change(data, chosen[0], chosen[1])] if len(chosen) == 2 else []
    return Analysis(networks, combined, changes)
