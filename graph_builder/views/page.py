"""Render one view page: the Page record, its pyvis network, and the self-contained HTML from polkg's template."""

# vis-network is inlined from pyvis's package (no CDN, nothing third-party kept in this repository), every
# label goes through Jinja autoescaping or ``tojson``, and the browser-side code only ever writes text with
# ``textContent``.

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from graph_builder import __version__

Row = dict[str, Any]


@dataclass
class Page:
    """What one view page shows: a pyvis network plus its controls, notes and legend."""

    id: str
    title: str
    summary: str
    queries: tuple[str, ...]
    nodes: list[Row] = field(default_factory=list)
    edges: list[Row] = field(default_factory=list)
    filters: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    doc_notes: dict[str, str] = field(default_factory=dict)
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (colour, shape/line, text)
    select: str = "neighbours"  # or "chain"
    directed: bool = False

    def add_node(self, node_id: str, label: str, x: float, y: float, meta: Row, **vis: Any) -> None:
        self.nodes.append({"id": node_id, "label": label, "x": round(x, 1), "y": round(y, 1), "meta": meta, **vis})

    def add_edge(self, source: str, target: str, edge_id: str, meta: Row, **vis: Any) -> None:
        self.edges.append({"id": edge_id, "from": source, "to": target, "meta": meta, **vis})


def meta(
    kind: str, label: str, facts: Iterable[tuple[str, str]], provenance: Iterable[tuple[str, str]], queries: Iterable[str]
) -> Row:
    """The side-panel record of a node or edge: what it is, key facts, where it is stated, which stored query gave it."""
    prov = list(dict.fromkeys(provenance))  # first-stated first, duplicates dropped
    shown = [list(p) for p in prov[:12]]
    if len(prov) > 12:
        shown.append(["…", f"and {len(prov) - 12} more"])
    return {
        "type": kind,
        "label": label,
        "facts": [[k, v] for k, v in facts if v],
        "provenance": shown,
        "queries": sorted(set(queries)),
    }


VIS_OPTIONS: Row = {
    "physics": {"enabled": False},
    "interaction": {
        "hover": True,
        "tooltipDelay": 150,
        "hideEdgesOnDrag": True,
        "navigationButtons": False,
        "multiselect": False,
    },
    "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif"}, "scaling": {"min": 8, "max": 32}, "borderWidth": 1},
    "edges": {"smooth": False, "scaling": {"min": 1, "max": 10}, "selectionWidth": 2},
    "layout": {"improvedLayout": False},
}


def vis_assets() -> str:
    """vis-network, as shipped inside the installed pyvis package (read at generation time, never vendored here)."""
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    script = path.read_text(encoding="utf-8")
    return script.replace("</script", "<\\/script")


def to_pyvis(page: Page) -> Any:
    """The page as a pyvis Network (physics off, our positions).

    Nodes and edges are appended to the network's lists directly: pyvis's ``add_node``/``add_edge`` check for
    duplicates by scanning every node and edge already added, which is quadratic (51 s for 20,000 nodes);
    the ids here are unique by construction.
    """
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=page.directed, heading=page.title, cdn_resources="in_line")
    net.set_options(json.dumps(VIS_OPTIONS))
    for node in page.nodes:
        net.nodes.append(node)
        net.node_ids.append(node["id"])
        net.node_map[node["id"]] = node
    net.edges.extend(page.edges)
    return net


def environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("graph_builder.views", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )


def render_page(page: Page, env: Any | None = None, vis_js: str | None = None, origin: str = "") -> str:
    """One self-contained HTML page: data as JSON (``tojson`` escapes <, >, & and '), labels autoescaped."""
    from markupsafe import Markup

    env = env or environment()
    net = to_pyvis(page)
    nodes, edges, heading, _height, _width, options = net.get_network_data()
    data = {
        "view": page.id,
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "filters": page.filters,
        "docNotes": page.doc_notes,
        "select": page.select,
        "queries": list(page.queries),
    }
    script = (files("graph_builder.views") / "templates" / "view.js").read_text(encoding="utf-8")
    return str(
        env.get_template("view.html.j2").render(
            page=page,
            heading=heading,
            data=data,
            vis_js=Markup(vis_js if vis_js is not None else vis_assets()),  # noqa: S704 - pyvis's own bundled library
            view_js=Markup(script),  # noqa: S704 - our own static script
            origin=origin,
            version=__version__,
        )
    )
