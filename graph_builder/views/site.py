"""Write the views site: every registered view's page, the index and the manifest, replaced whole."""

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
from graph_builder.analytics.networks import Analysis, analyse
from graph_builder.errors import UsageError
from graph_builder.views import registry
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


def write_site(
    data: ViewData, out: Path, origin: str, max_nodes: int = DEFAULT_MAX_NODES, fetch_seconds: float = 0.0
) -> SiteResult:
    """Render every view and the index into ``out``, replacing it whole (a temporary folder renamed into place)."""
    if max_nodes < 1:
        raise UsageError("--max-nodes must be at least 1")
    out = Path(out)
    if not _fs.is_ours(out, SITE_MANIFEST):
        raise UsageError(f"{out} exists and is not a polkg views folder (no {SITE_MANIFEST}); choose another --out")
    analysis = analyse(data)
    with _fs.locked(out):
        return _write_site(data, out, origin, max_nodes, fetch_seconds, analysis)


def _write_site(data: ViewData, out: Path, origin: str, max_nodes: int, fetch_seconds: float, analysis: Analysis) -> SiteResult:
    env = environment()
    vis_js = vis_assets()
    tmp = _fs.temp_dir(out)
    written = []
    try:
        for spec in registry.views():
            started = time.perf_counter()
            page = spec.build(data, analysis, max_nodes)
            html = render_page(page, env, vis_js, origin)
            (tmp / f"{page.id}.html").write_text(html, encoding="utf-8")
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
        index = env.get_template("index.html.j2").render(views=written, origin=origin, version=__version__)
        (tmp / "index.html").write_text(index, encoding="utf-8")
        manifest = {
            "polkg": __version__,
            "origin": origin,
            "views": [{k: v for k, v in vf.__dict__.items() if k not in ("seconds",)} for vf in written],
        }
        (tmp / SITE_MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _fs.replace_dir(tmp, out, SITE_MANIFEST)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SiteResult(out, tuple(written), fetch_seconds)


def generate(engine: Any, out: Path, origin: str, max_nodes: int = DEFAULT_MAX_NODES) -> SiteResult:
    """Fetch the view inputs through ``engine`` (embedded or remote) and write the site."""
    from graph_builder.analytics.data import fetch

    started = time.perf_counter()
    data = fetch(engine)
    return write_site(data, out, origin, max_nodes, time.perf_counter() - started)


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
