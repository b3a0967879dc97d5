"""Write the views site: every registered view, a page per entity, the search index, the ontology's page and the index."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_builder import __version__, _fs
from graph_builder.analytics.data import ViewData
from graph_builder.analytics.entities import EntityData
from graph_builder.analytics.networks import Analysis, analyse
from graph_builder.errors import UsageError
from graph_builder.views import ontology_page, registry
from graph_builder.views.page import environment, render_page, vis_assets

DEFAULT_MAX_NODES = 1000
SITE_MANIFEST = "site.json"


@dataclass(frozen=True)
class ViewFile:
    """One written page: nodes and edges are a network's whole data (rows and filled cells of a table); shown
    says what the page shows as it opens, as the page itself counts it."""

    id: str
    title: str
    summary: str
    file: str
    kind: str
    nodes: int
    edges: int
    shown: str
    bytes: int
    seconds: float
    queries: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SiteResult:
    out: Path
    views: tuple[ViewFile, ...]
    fetch_seconds: float
    pages: int = 0
    largest_page: tuple[str, int] = ("", 0)


def write_site(
    data: ViewData,
    out: Path,
    origin: str,
    max_nodes: int = DEFAULT_MAX_NODES,
    fetch_seconds: float = 0.0,
    entities: EntityData | None = None,
) -> SiteResult:
    """Render every view, the entity pages (given ``entities``) and the index into ``out``, replacing it whole
    (a temporary folder renamed into place)."""
    if max_nodes < 1:
        raise UsageError("--max-nodes must be at least 1")
    out = Path(out)
    if not _fs.is_ours(out, SITE_MANIFEST):
        raise UsageError(f"{out} exists and is not a polkg views folder (no {SITE_MANIFEST}); choose another --out")
    analysis = analyse(data)
    with _fs.locked(out):
        return _write_site(data, out, origin, max_nodes, fetch_seconds, analysis, entities)


def _write_site(
    data: ViewData,
    out: Path,
    origin: str,
    max_nodes: int,
    fetch_seconds: float,
    analysis: Analysis,
    entities: EntityData | None,
) -> SiteResult:
    from graph_builder._parallel import chunked_map

    env = environment()
    tmp = _fs.temp_dir(out)
    try:
        views = registry.views()
        # the views of a large corpus take seconds each: side by side in forked workers, one view a task
        workers = None if len(data.provisions) >= PARALLEL_VIEWS_FROM else 1
        shared = _ViewJob(data, analysis, max_nodes, vis_assets(), origin, tmp)
        written = list(chunked_map(_write_views, range(len(views)), chunk=1, workers=workers, shared=shared))
        pages, largest = _write_entity_pages(entities, tmp, env, origin) if entities else (0, ("", 0))
        ontology_html, ontology = ontology_page.render(env)
        (tmp / ontology_page.FILE).write_text(ontology_html, encoding="utf-8")
        ontology_entry = {"file": ontology_page.FILE, "title": ontology.title, "terms": ontology.terms}
        index = env.get_template("index.html.j2").render(
            views=written,
            ontology=ontology_entry,
            origin=origin,
            version=__version__,
            listing=_listing(entities) if entities else None,
        )
        (tmp / "index.html").write_text(index, encoding="utf-8")
        manifest = {
            "polkg": __version__,
            "origin": origin,
            "views": [{k: v for k, v in vf.__dict__.items() if k not in ("seconds",)} for vf in written],
            "ontology": ontology_entry,
        }
        (tmp / SITE_MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _fs.replace_dir(tmp, out, SITE_MANIFEST)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SiteResult(out, tuple(written), fetch_seconds, pages, largest)


PARALLEL_VIEWS_FROM = 500  # provisions; below this the views take well under a second in all


@dataclass(frozen=True)
class _ViewJob:
    """What the view writers read (inherited by the forked workers, never pickled)."""

    data: ViewData
    analysis: Analysis
    max_nodes: int
    vis_js: str
    origin: str
    folder: Path


def _write_views(indices: list[int]) -> list[ViewFile]:
    """Build and write the registered views at ``indices`` (in a forked worker past PARALLEL_VIEWS_FROM)."""
    from graph_builder._parallel import shared

    job: _ViewJob = shared()
    env = environment()
    specs = registry.views()
    written = []
    for i in indices:
        started = time.perf_counter()
        page = specs[i].build(job.data, job.analysis, job.max_nodes)
        html = render_page(page, env, job.vis_js, job.origin)
        (job.folder / f"{page.id}.html").write_text(html, encoding="utf-8")
        nodes, edges = page.shown() if page.table is not None else (len(page.nodes), len(page.edges))
        written.append(
            ViewFile(
                page.id,
                page.title,
                page.summary,
                f"{page.id}.html",
                page.kind,
                nodes,
                edges,
                page.counts(),
                len(html.encode("utf-8")),
                time.perf_counter() - started,
                page.queries,
                tuple(page.notes),
            )
        )
    return written


def _render_pages(indices: list[int]) -> list[tuple[str, str, int]]:
    """Write the pages at ``indices`` of the pages being written (in a forked worker); (file, IRI, bytes) each."""
    from graph_builder._parallel import shared

    pages, folder, origin = shared()
    env = environment()
    written = []
    for i in indices:
        page = pages[i]
        html = env.get_template(page.template).render(
            page=page, ctx=page.context, root="../" * page.depth, origin=origin, version=__version__
        )
        data = html.encode("utf-8")
        (folder / page.file).write_bytes(data)
        written.append((page.file, page.iri, len(data)))
    return written


def _write_entity_pages(entities: EntityData, folder: Path, env: Any, origin: str) -> tuple[int, tuple[str, int]]:
    """Every entity page (in forked workers past a few hundred), the search index and script, and pages.json
    (IRI -> page, for `polkg serve`)."""
    from importlib.resources import files

    from graph_builder._parallel import chunked_map
    from graph_builder.views import paths, search
    from graph_builder.views.entity_pages import build_pages

    for folder_name in paths.FOLDERS.values():
        (folder / folder_name).mkdir(exist_ok=True)
    pages = list(build_pages(entities))
    shared = (pages, folder, origin)
    written = list(chunked_map(_render_pages, range(len(pages)), chunk=250, serial_below=500, shared=shared))
    iri_pages = {iri: file for file, iri, _ in written}
    largest = max(((file, size) for file, _, size in written), key=lambda item: item[1], default=("", 0))
    count = len(written)
    for prov in entities.provisions:
        iri_pages[prov.provision] = paths.provision_page(prov.provision_id.partition("/")[0], prov.number).href
    (folder / search.INDEX_FILE).write_text(search.index_script(entities), encoding="utf-8")
    script = (files("graph_builder.views") / "templates" / search.SCRIPT_FILE).read_text(encoding="utf-8")
    (folder / search.SCRIPT_FILE).write_text(script, encoding="utf-8")
    (folder / paths.PAGES_MANIFEST).write_text(json.dumps(iri_pages, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return count, largest


def _listing(entities: EntityData) -> dict[str, Any]:
    """What the index lists after the views: documents by date with kind and coverage, then every entity."""
    from graph_builder.views import paths
    from graph_builder.views.entity_pages import DOCUMENT_KINDS

    concepts: dict[str, list[Any]] = {}
    for c in sorted(entities.concepts, key=lambda c: c.label.lower()):
        concepts.setdefault(c.kind, []).append({"label": c.label, "zh": c.label_zh, "href": paths.page(c.kind, c.id).href})
    return {
        "documents": [
            {"doc": d, "kind": DOCUMENT_KINDS.get(d.kind, d.kind), "href": paths.page("document", d.id).href}
            for d in entities.documents
        ],
        "agencies": [
            {"label": a.name + (f" ({a.acronym})" if a.acronym else ""), "zh": a.name_zh, "href": paths.page("agency", a.id).href}
            for a in sorted(entities.views.agencies, key=lambda a: a.name.lower())
        ],
        "concepts": [(kind, concepts.get(kind, [])) for kind in ("theme", "sector", "zone", "framework")],
    }


def generate(engine: Any, out: Path, origin: str, max_nodes: int = DEFAULT_MAX_NODES) -> SiteResult:
    """Fetch the view and page inputs through ``engine`` (embedded or remote) and write the site. An embedded
    store is read from an in-memory copy of its graph: the site lists the whole corpus many times over."""
    from graph_builder.analytics.data import fetch
    from graph_builder.analytics.entities import fetch_entities
    from graph_builder.query.embedded import EmbeddedEngine

    started = time.perf_counter()
    if isinstance(engine, EmbeddedEngine):
        engine = engine.in_memory()
    data = fetch(engine)
    entities = fetch_entities(engine, data)
    return write_site(data, out, origin, max_nodes, time.perf_counter() - started, entities)


def default_site() -> Path:
    """Where views go unless --out says otherwise: $POLKG_VIEWS or ./polkg-views (beside, not inside, the build)."""
    return Path(os.environ.get("POLKG_VIEWS", "polkg-views"))


def iframe(page: Path, height: int = 620) -> str:
    """A view page wrapped in an <iframe srcdoc> (the whole page escaped into the attribute), for notebooks."""
    import html

    document = Path(page).read_text(encoding="utf-8")
    return (
        f'<div class="polkg-view"><iframe srcdoc="{html.escape(document, quote=True)}" '
        f'style="width: 100%; height: {int(height)}px; border: 1px solid #ddd" '
        f'sandbox="allow-scripts" title="{html.escape(Path(page).stem)}"></iframe></div>'
    )
