"""The coordination analysis as a person reads it or a tool takes it: table, markdown, csv and json."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from graph_builder.analytics.networks import BETWEENNESS_SAMPLES, DEFINITION, EXACT_BETWEENNESS, Analysis
from graph_builder.prefixes import compact

REPORT_FORMATS = ("table", "markdown", "csv", "json")


def _label(analysis: Analysis, iri: str) -> str:
    graph = analysis.combined.graph
    return graph.nodes[iri]["label"] if iri in graph else compact(iri)


def _shown(earlier: str, later: str, docs: set[str] | None) -> bool:
    """A change is shown for every document selected: both of its ends when two or more are, else either end."""
    if docs is None:
        return True
    return (earlier in docs and later in docs) if len(docs) > 1 else (earlier in docs or later in docs)


def to_json(analysis: Analysis, docs: set[str] | None = None) -> str:
    """Every figure, as one JSON document (IRIs in full, labels beside them)."""

    def keep(doc: str) -> bool:
        return docs is None or doc in docs

    payload: dict[str, Any] = {
        "definition": DEFINITION,
        "documents": [
            {
                "doc": n.doc,
                "label": n.label,
                "date": n.date,
                "basis": n.basis,
                "coverage": n.coverage,
                "agencies": n.graph.number_of_nodes(),
                "edges": n.graph.number_of_edges(),
                "stats": [{k: v for k, v in asdict(s).items() if k != "short"} for s in n.stats],
                "communities": [list(c) for c in n.communities],
            }
            for n in analysis.networks
            if keep(n.doc)
        ],
        "changes": [
            {
                **{k: v for k, v in asdict(c).items() if k != "successions"},
                "successions": [asdict(s) for s in c.successions],
            }
            for c in analysis.changes
            if _shown(c.earlier, c.later, docs)
        ],
        "withoutNetwork": sorted(docs - {n.doc for n in analysis.networks}) if docs else [],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def stats_result(analysis: Analysis, docs: set[str] | None = None, with_doc: bool = True, short: bool = False) -> Any:
    """The per-agency figures as a ResultSet, so the query-result formats render them; ``short`` labels
    (acronyms, first words) are for tables only, csv and json carry the full names."""
    from graph_builder.query.results import ResultSet, Term

    xsd = "http://www.w3.org/2001/XMLSchema#"
    rows = []
    for network in analysis.networks:
        if docs is not None and network.doc not in docs:
            continue
        for s in network.stats:
            rows.append(
                {
                    "doc": Term("uri", s.doc),
                    "agency": Term("uri", s.agency),
                    "label": Term("literal", s.short if short else s.label),
                    "degree": Term("literal", str(s.degree), xsd + "integer"),
                    "weightedDegree": Term("literal", str(s.weighted_degree), xsd + "integer"),
                    "betweenness": Term("literal", f"{s.betweenness:.4f}", xsd + "decimal"),
                    "community": Term("literal", str(s.community), xsd + "integer"),
                }
            )
    variables: tuple[str, ...] = ("doc", "agency", "label", "degree", "weightedDegree", "betweenness", "community")
    if not with_doc:
        variables = variables[1:]
        rows = [{k: v for k, v in row.items() if k != "doc"} for row in rows]
    return ResultSet(variables, tuple(rows))


def report(analysis: Analysis, fmt: str, docs: set[str] | None = None) -> str:
    """The analysis as text: json (everything), csv (per-agency figures), table or markdown (figures and changes)."""
    from graph_builder.query.results import render

    silent = sorted(docs - {n.doc for n in analysis.networks}) if docs else []
    if fmt == "json":
        return to_json(analysis, docs)
    if fmt == "csv":
        return render(stats_result(analysis, docs), "csv")
    markdown = fmt == "markdown"
    out: list[str] = []
    heading = "## " if markdown else ""
    for network in analysis.networks:
        if docs is not None and network.doc not in docs:
            continue
        graph = network.graph
        out.append(f"{heading}{network.label} ({compact(network.doc)}, {network.date or 'undated'})")
        sampled = (
            "" if len(graph) <= EXACT_BETWEENNESS else f"; betweenness estimated from {BETWEENNESS_SAMPLES} sampled agencies"
        )
        out.append(
            f"{graph.number_of_nodes()} agencies, {graph.number_of_edges()} links, basis: {network.basis}; "
            f"{len(network.communities)} communities{sampled}"
        )
        if network.coverage:
            out.append(f"coverage of the available source: {network.coverage}")
        out.append("")
        out.append(render(stats_result(analysis, {network.doc}, with_doc=False, short=True), fmt).rstrip("\n"))
        out.append("")
        for number, group in enumerate(network.communities, start=1):
            if len(group) > 1:
                out.append(f"{'- ' if markdown else '  '}community {number}: {', '.join(_label(analysis, a) for a in group)}")
        out.append("")
    for c in analysis.changes:
        if not _shown(c.earlier, c.later, docs):
            continue
        earlier, later = analysis.network(c.earlier), analysis.network(c.later)
        out.append(f"{heading}Change: {earlier.label} -> {later.label}")
        bullet = "- " if markdown else "  "

        def names(iris: Iterable[str]) -> str:
            listed = [_label(analysis, i) for i in iris]
            return ", ".join(listed) if listed else "none"

        out.append(f"{bullet}compared: {'every agency of both networks' if c.comparable else 'issuers against issuers'}")
        if c.note:
            out.append(f"{bullet}{c.note}")
        out.append(f"{bullet}joined ({len(c.joined)}): {names(c.joined)}")
        out.append(f"{bullet}left{' as issuers' if not c.comparable else ''} ({len(c.left)}): {names(c.left)}")
        if c.not_shown:
            out.append(
                f"{bullet}not named by the later source, not shown to have left ({len(c.not_shown)}): {names(c.not_shown)}"
            )
        out.append(f"{bullet}continued ({len(c.continued)}): {names(c.continued)}")
        for s in c.successions:
            out.append(
                f"{bullet}continued through reorganisation: "
                f"{_label(analysis, s.original)} -> {_label(analysis, s.resulting)} ({s.date})"
            )
        if c.comparable:
            out.append(f"{bullet}links gained {len(c.edges_gained)}, lost {len(c.edges_lost)}, kept {len(c.edges_kept)}")
        else:
            out.append(f"{bullet}links not compared (bases differ: {earlier.basis} vs {later.basis})")
        out.append("")
    for doc in silent:
        out.append(f"{compact(doc)} names no issuing or responsible agency, so it has no coordination network.")
    return "\n".join(out).rstrip("\n") + "\n"
