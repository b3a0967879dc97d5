"""Themes × documents: how many provisions of each document are about each theme, as a table."""

from __future__ import annotations

from collections import Counter, defaultdict

from graph_builder.analytics.data import ThemeDocument, ViewData
from graph_builder.analytics.networks import Analysis
from graph_builder.views import paths
from graph_builder.views._common import cap, doc_label, doc_order, left_out_note
from graph_builder.views.page import Cell, Header, Page, Table, TableRow
from graph_builder.views.registry import register

SHADES = ((0.05, "s1"), (0.10, "s2"), (0.20, "s3"), (0.35, "s4"), (2.0, "s5"))  # share of the document's provisions


def shade(share: float) -> str:
    return next(css for limit, css in SHADES if share < limit)


def build(data: ViewData, analysis: Analysis, max_nodes: int) -> Page:
    page = Page(VIEW.name, VIEW.title, VIEW.description, ("theme-documents", "documents", "provisions"))
    rows = data.theme_documents
    in_rows = {r.doc for r in rows}
    docs = [d for d in doc_order(data) if d in in_rows] + sorted(in_rows - set(doc_order(data)))
    by_theme: dict[str, dict[str, ThemeDocument]] = defaultdict(dict)
    for r in rows:
        by_theme[r.theme][r.doc] = r
    totals = {t: sum(int(r.provisions) for r in mine.values()) for t, mine in by_theme.items()}
    labels = {t: next(iter(mine.values())).theme_label for t, mine in by_theme.items()}
    ranked = sorted(by_theme, key=lambda t: (-totals[t], labels[t]))
    keep, left = cap(ranked, max_nodes)
    page.notes += left_out_note(left, len(ranked), "themes", "those with the most provisions")
    in_document = Counter(p.doc for p in data.provisions)
    doc_ids = {r.doc: r.doc_id for r in rows}
    columns = []
    for doc in docs:
        document = data.document(doc)
        sub = document.date if document and document.date else "undated"
        title = f"{document.title} {document.number}".strip() if document else doc
        columns.append(Header(doc, doc_label(data, doc), sub, paths.page("document", doc_ids[doc]).href, title))
    columns.append(Header("total", "All documents", "provisions on the theme", css="total"))
    table = Table("Theme", columns)
    for theme in (t for t in ranked if t in keep):
        mine = by_theme[theme]
        first = next(iter(mine.values()))
        theme_page = paths.page("theme", first.theme_id).href
        cells = []
        for doc in docs:
            found = mine.get(doc)
            if found is None:
                cells.append(Cell())
                continue
            r = found
            n = int(r.provisions)
            of = in_document.get(doc, 0)
            share = n / of if of else 0.0
            percent = f"{share:.0%}" if of else ""
            title = f"{n} of the {of} provisions of {doc_label(data, doc)} ({percent}) are about {first.theme_label}"
            # sorts by count, then by share (so equal counts sort by how much of the document they are)
            cells.append(Cell(percent, str(n), theme_page, title if of else "", n + share / 10, shade(share)))
        cells.append(Cell(count=str(totals[theme]), sort=totals[theme], css="total"))
        table.rows.append(TableRow(Header(theme, first.theme_label, "", theme_page, first.theme_label), cells))
    table.footer = TableRow(
        Header("provisions", "Provisions in the document", "a provision may have several themes"),
        [Cell(count=str(in_document.get(doc, 0))) for doc in docs] + [Cell(count=str(sum(in_document[d] for d in docs)))],
    )
    bounds = [0.0] + [limit for limit, _ in SHADES[:-1]]
    table.legend = [
        (css, f"{low:.0%} to under {limit:.0%} of the document's provisions" if limit < 1 else f"{low:.0%} or more")
        for low, (limit, css) in zip(bounds, SHADES, strict=True)
    ]
    page.table = table
    page.notes.append(
        "Each cell: how many of the document's provisions are about the theme, and what share of the document they are "
        "(the darker, the larger the share). Sort by a document to see its emphasis; compare 2022 with 2026."
    )
    silent = [d.short for d in data.documents if d.doc not in in_rows]
    if silent:
        page.notes.append(f"Not shown, as none of their provisions has a theme: {', '.join(silent)}.")
    return page


VIEW = register(
    "theme-matrix",
    "Themes × documents",
    "How many provisions of each document are about each theme, so shifts of emphasis show at a glance; sortable.",
    build,
)
