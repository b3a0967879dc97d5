"""The site's offline search index: every document, provision, agency and concept under each name people type."""

from __future__ import annotations

import json
from collections.abc import Iterator

from graph_builder.analytics.entities import EntityData, joined
from graph_builder.views import paths
from graph_builder.views.entity_pages import CONCEPT_KINDS

INDEX_FILE = "search-index.js"
SCRIPT_FILE = "search.js"

Entry = tuple[str, str, str, list[str]]  # label, kind, href from the site root, names it is found by


def entries(data: EntityData) -> Iterator[Entry]:
    """The index entries, agencies (by every alias, acronym and Chinese name) and documents first."""
    for a in data.views.agencies:
        label = a.name + (f" ({a.acronym})" if a.acronym else "")
        names = [a.name, a.name_zh, a.acronym, a.id, *joined(a.aliases)]
        yield label, "Agency", paths.page("agency", a.id).href, [n for n in names if n]
    doc_short: dict[str, str] = {}
    for d in data.documents:
        short = f"{d.date[:4] or 'undated'} {d.doc_type}"
        doc_short[d.doc] = short
        names = [d.title, d.title_zh, d.id, d.number, *joined(d.number_alt), short]
        yield f"{d.title or d.id} ({d.date or 'undated'})", "Document", paths.page("document", d.id).href, [n for n in names if n]
    for p in data.provisions:
        short = doc_short.get(p.doc, "")
        doc_id = p.provision_id.partition("/")[0]
        yield (
            f"{short} ({p.number}) {p.label}",
            "Provision",
            paths.provision_page(doc_id, p.number).href,
            [p.label, f"{short} ({p.number})", p.provision_id],
        )
    aliases = {t.theme: joined(t.aliases) for t in data.themes}
    for c in data.concepts:
        names = [c.label, c.label_zh, c.acronym, c.id, *aliases.get(c.concept, ())]
        yield c.label, CONCEPT_KINDS[c.kind], paths.page(c.kind, c.id).href, [n for n in names if n]


def index_script(data: EntityData) -> str:
    """search-index.js: the entries as a JavaScript array (JSON, with "<" escaped so no text can end a script)."""
    text = json.dumps(list(entries(data)), ensure_ascii=False, separators=(",", ":"))
    return "window.POLKG_SEARCH = " + text.replace("<", "\\u003c") + ";\n"
