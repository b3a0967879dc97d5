"""Helpers shared by several views: caps and their notes, layout, document labels and filters, colours."""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx

from graph_builder.analytics.data import ViewData
from graph_builder.analytics.networks import ALL
from graph_builder.prefixes import compact
from graph_builder.views.page import Row

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2",
    "#edc948", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b",
    "#17becf", "#bcbd22", "#e377c2", "#7f7f7f", "#2ca02c", "#aec7e8",
)  # fmt: skip  # distinct for up to 18 agency kinds (the registry has 16)
DOCUMENT_COLOUR = "#3b4252"
PROVISION_COLOUR = "#a0b8d8"
MUTED = "#c8c8c8"


def cap(ranked: list[str], limit: int) -> tuple[set[str], int]:
    """The first ``limit`` of ``ranked`` and how many were left out."""
    return set(ranked[:limit]), max(0, len(ranked) - limit)


def left_out_note(left: int, total: int, what: str, rule: str) -> list[str]:
    if not left:
        return []
    return [f"Showing {total - left:,} of {total:,} {what} ({rule}); {left:,} left out. Use --max-nodes to show more."]


def spring(graph: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Force-directed positions computed once here, so the browser runs no physics."""
    if not len(graph):
        return {}
    scale = 90.0 * math.sqrt(len(graph)) + 150.0
    k = 2.4 / math.sqrt(len(graph))
    raw = nx.spring_layout(graph, weight="weight", seed=seed, k=k, iterations=60 if len(graph) < 500 else 40)
    return {str(n): (float(p[0]) * scale, float(p[1]) * scale) for n, p in raw.items()}


def doc_order(data: ViewData) -> list[str]:
    return [d.doc for d in data.documents]


def doc_label(data: ViewData, iri: str) -> str:
    document = data.document(iri)
    return document.short if document else compact(iri)


def short_provision(doc_short: str, number: str) -> str:
    return f"{doc_short} {'(' + number + ')' if number.isdigit() else number}"


def doc_filter(data: ViewData, docs: Iterable[str], label: str = "Document") -> Row:
    """The document switch: "All documents", then each of ``docs`` by its short label."""
    return {
        "name": "doc",
        "label": label,
        "options": [[ALL, "All documents"]] + [[d, doc_label(data, d)] for d in docs],
        "default": ALL,
    }


def kind_colours(data: ViewData) -> dict[str, str]:
    """One colour per agency kind, the same in every view: over every kind the graph's agencies have."""
    kinds = {a.kind for a in data.agencies} | {r.kind for r in data.responsibilities} | {i.kind for i in data.issuances}
    return {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(sorted(kinds - {""}))}


def kind_legend(colours: dict[str, str], shown: Iterable[str]) -> list[tuple[str, str, str]]:
    """Legend rows for the agency kinds a view shows, in the shared colours."""
    present = set(shown)
    return [(colour, "dot", kind) for kind, colour in colours.items() if kind in present]


def date_columns(data: ViewData, docs: Iterable[str]) -> dict[str, float]:
    """x per document: one column per document, left to right by date (undated documents last)."""
    wanted = set(docs)
    return {doc: 340.0 * i for i, doc in enumerate(d for d in doc_order(data) if d in wanted)}
