"""Agencies × documents: each agency's role in each document and the provisions naming it responsible, as a table."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from graph_builder.analytics.data import AgencyDocument, ViewData
from graph_builder.analytics.networks import Analysis
from graph_builder.views import paths
from graph_builder.views._common import cap, doc_label, doc_order, left_out_note, short_provision
from graph_builder.views.page import Cell, Header, Page, Table, TableRow
from graph_builder.views.registry import register

ROLE_RANK = {"lead": 2000, "co-issuer": 1000, "": 0}  # a cell sorts by role, then by its responsibilities


def beside_predecessors(ranked: list[str], data: ViewData) -> list[str]:
    """``ranked`` with each reorganised agency next to its predecessor, the pair where its higher-ranked member was."""
    shown = set(ranked)
    chains = nx.DiGraph()
    for r in data.reorganisations:
        if r.original in shown and r.resulting in shown:
            chains.add_edge(r.original, r.resulting)
    position = {a: i for i, a in enumerate(ranked)}
    out: list[str] = []
    placed: set[str] = set()
    for agency in ranked:
        if agency in placed:
            continue
        members = [agency]
        if agency in chains:  # the whole chain of reorganisations, predecessors first
            group = chains.subgraph(nx.node_connected_component(chains.to_undirected(), agency))
            members = (
                list(nx.lexicographical_topological_sort(group, key=lambda a: f"{position[a]:09d}"))
                if nx.is_directed_acyclic_graph(group)
                else sorted(group, key=position.__getitem__)
            )
        out += members
        placed |= set(members)
    return out


def build(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(VIEW.name, VIEW.title, VIEW.description, ("agency-documents", "documents", "reorganisations"))
    rows = data.agency_documents
    in_rows = {r.doc for r in rows}
    docs = [d for d in doc_order(data) if d in in_rows] + sorted(in_rows - set(doc_order(data)))
    by_agency: dict[str, dict[str, AgencyDocument]] = defaultdict(dict)
    for r in rows:
        by_agency[r.agency][r.doc] = r

    def weight(agency: str) -> tuple[int, int, int, str]:
        mine = by_agency[agency].values()
        label = next(iter(mine)).agency_label
        return (-len(mine), -sum(ROLE_RANK[r.role] for r in mine), -sum(int(r.responsibilities) for r in mine), label)

    ranked = sorted(by_agency, key=weight)
    keep, left = cap(ranked, max_nodes)
    page.notes += left_out_note(left, len(ranked), "agencies", "those in the most documents, with the most responsibilities")
    order = beside_predecessors([a for a in ranked if a in keep], data)

    doc_ids = {r.doc: r.doc_id for r in rows}
    per_measure = {r.doc for r in rows if int(r.responsibilities)}  # documents that name responsible agencies
    columns = []
    for doc in docs:
        document = data.document(doc)
        sub = document.date if document and document.date else "undated"
        if doc not in per_measure:
            sub += " · no per-measure responsibilities"
        title = f"{document.title} {document.number}".strip() if document else doc
        columns.append(Header(doc, doc_label(data, doc), sub, paths.page("document", doc_ids[doc]).href, title))
    columns += [
        Header("documents", "Documents", "the agency takes part in", css="total"),
        Header("responsibilities", "Responsibilities", "provisions naming it, all documents", css="total"),
    ]
    provisions: dict[tuple[str, str], list[str]] = defaultdict(list)
    numbers: dict[tuple[str, str], list[str]] = defaultdict(list)
    for resp in data.responsibilities:
        provisions[resp.agency, resp.doc].append(short_provision(doc_label(data, resp.doc), resp.number))
        numbers[resp.agency, resp.doc].append(resp.number)
    reorganisations = [r for r in data.reorganisations if r.original in keep or r.resulting in keep]
    table = Table("Agency", columns)
    for agency in order:
        mine = by_agency[agency]
        first = next(iter(mine.values()))
        info = data.agency(agency)
        short = info.short if info else first.agency_label
        agency_page = paths.page("agency", first.agency_id).href
        cells = []
        for doc in docs:
            found = mine.get(doc)
            if found is None:
                cells.append(Cell())
                continue
            r = found
            n = int(r.responsibilities)
            named = provisions[agency, doc]
            title = f"{short}: {r.role + ' of' if r.role else 'named in'} {doc_label(data, doc)}"
            title += f"; responsible for {', '.join(named)}" if named else "; no provision names it responsible"
            if n == 1 and numbers[agency, doc]:
                href = paths.provision_page(r.doc_id, numbers[agency, doc][0]).href
            else:
                href = agency_page if n else paths.page("document", r.doc_id).href
            cells.append(Cell(r.role, str(n) if n else "", href, title, ROLE_RANK[r.role] + n, r.role or "responsible"))
        total = sum(int(r.responsibilities) for r in mine.values())
        cells += [
            Cell(count=str(len(mine)), sort=len(mine), css="total"),
            Cell(count=str(total), sort=total, css="total"),
        ]
        lines = [info.acronym] if info and info.acronym else []
        css = ""
        for reorg in reorganisations:
            if reorg.resulting == agency:
                lines.append(f"successor of {reorg.original_label} ({reorg.date})")
                css = "successor"
            if reorg.original == agency:
                lines.append(f"replaced by {reorg.resulting_label} ({reorg.date})")
                css = css or "predecessor"
        title = f"{first.agency_label}" + (f" · {info.kind}" if info and info.kind else "")
        table.rows.append(TableRow(Header(agency, first.agency_label, " · ".join(lines), agency_page, title), cells, css))
    table.legend = [
        ("lead", "lead issuer of the document (the number: provisions naming the agency responsible)"),
        ("co-issuer", "co-issuer"),
        ("responsible", "not an issuer, but named responsible for provisions"),
    ]
    page.table = table
    page.notes.append(
        "Each cell: the agency's role in the document and how many of its provisions name the agency responsible. "
        "Rows: agencies in the most documents first; a successor agency sits under the agency it replaced. "
        "Links open the agency's and the document's pages (a single provision's section where there is one)."
    )
    silent = [d.short for d in data.documents if d.doc not in in_rows]
    if silent:
        page.notes.append(f"Not shown, as they name no issuing or responsible agency: {', '.join(silent)}.")
    return page


VIEW = register(
    "agency-matrix",
    "Agencies × documents",
    "One row per agency, one column per document: its role (lead, co-issuer) and how many provisions name it responsible.",
    build,
)
