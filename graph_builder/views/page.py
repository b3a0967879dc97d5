"""Render one view page: the Page record (a pyvis network or a table) and its self-contained HTML."""

# vis-network is inlined from pyvis's package (no CDN, nothing third-party kept in this repository), every
# label goes through Jinja autoescaping or ``tojson``, and the browser-side code only ever writes text with
# ``textContent``. Both kinds of page share base.html.j2 (header, notes, Content-Security-Policy); a table
# page runs no third-party code, so its policy allows only its own script and style, by hash.

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from graph_builder import __version__

Row = dict[str, Any]


@dataclass
class Header:
    """A row or column heading of a table: its label, a second line, the entity page it links to, a tooltip."""

    key: str
    label: str
    sub: str = ""
    href: str = ""
    title: str = ""
    css: str = ""


@dataclass
class Cell:
    """One table cell: a word (a role, say) and a number, a link, a tooltip, the value it sorts by, a CSS class."""

    text: str = ""
    count: str = ""
    href: str = ""
    title: str = ""
    sort: float = -1.0  # empty cells sort last
    css: str = ""


@dataclass
class TableRow:
    header: Header
    cells: list[Cell]
    css: str = ""


@dataclass
class Table:
    """A matrix: one row per entity, one column per document (then summary columns), sortable by any column."""

    corner: str  # the heading of the row-label column
    columns: list[Header]
    rows: list[TableRow] = field(default_factory=list)
    footer: TableRow | None = None  # a row of totals, never sorted
    legend: list[tuple[str, str]] = field(default_factory=list)  # (CSS class of a sample cell, text)


@dataclass
class Page:
    """What one view page shows: a pyvis network plus its controls, notes and legend, or a table."""

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
    table: Table | None = None

    @property
    def kind(self) -> str:
        return "table" if self.table is not None else "network"

    def shown(self) -> tuple[int, int]:
        """(nodes, links) a network page shows as it opens, by the rule of view.js; (rows, filled cells) of a table."""
        if self.table is not None:
            columns = self._doc_columns()
            return len(self.table.rows), sum(1 for row in self.table.rows for c in row.cells[:columns] if c.text or c.count)
        state = {f["name"]: f["default"] for f in self.filters}

        def passes(item: Row) -> bool:
            if "docs" in item and "doc" in state and state["doc"] not in item["docs"]:
                return False
            return not ("themes" in item and state.get("theme", "all") != "all" and state["theme"] not in item["themes"])

        nodes = {n["id"] for n in self.nodes if passes(n)}
        edges = [e for e in self.edges if passes(e) and e["from"] in nodes and e["to"] in nodes]
        touched = {e["from"] for e in edges} | {e["to"] for e in edges}
        nodes -= {n["id"] for n in self.nodes if n.get("orphanable") and n["id"] not in touched}
        return len(nodes), sum(1 for e in edges if e["from"] in nodes and e["to"] in nodes)

    def _doc_columns(self) -> int:
        assert self.table is not None
        return sum(1 for c in self.table.columns if "total" not in c.css.split())

    def counts(self) -> str:
        """What the page shows as it opens, in words, for the index and `polkg views`."""
        first, second = self.shown()
        if self.table is not None:
            columns = self._doc_columns()
            return f"{first} rows × {columns} documents, {second} filled cells"
        return f"{first} nodes, {second} links shown"

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


def _template(name: str) -> str:
    return (files("graph_builder.views") / "templates" / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


NETWORK_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:"


def strict_csp(scripts: Iterable[str], styles: Iterable[str]) -> str:
    """A policy that runs exactly these inline scripts and styles (by hash) and loads nothing at all."""
    return (
        f"default-src 'none'; script-src {' '.join(map(_sha256, scripts))}; style-src {' '.join(map(_sha256, styles))}; "
        "base-uri 'none'; form-action 'none'"
    )


def environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("graph_builder.views", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )
    # ``tojson`` writes a dataclass as its fields, read as the encoder reaches them: no deep copy first
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": _fields}
    return env


def _fields(value: Any) -> dict[str, Any]:
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def render_page(page: Page, env: Any | None = None, vis_js: str | None = None, origin: str = "") -> str:
    """One self-contained HTML page: data as JSON (``tojson`` escapes <, >, & and '), labels autoescaped."""
    env = env or environment()
    if page.table is not None:
        return render_table(page, env, origin)
    from markupsafe import Markup

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
    script = _template("view.js")
    return str(
        env.get_template("view.html.j2").render(
            page=page,
            heading=heading,
            data=data,
            csp=NETWORK_CSP,
            style=Markup(_template("base.css") + _template("view.css")),  # noqa: S704 - our own static style
            vis_js=Markup(vis_js if vis_js is not None else vis_assets()),  # noqa: S704 - pyvis's own bundled library
            view_js=Markup(script),  # noqa: S704 - our own static script
            origin=origin,
            version=__version__,
        )
    )


def render_table(page: Page, env: Any, origin: str = "") -> str:
    """A table page: the matrix as HTML (autoescaped), its data as JSON, and the small sorting script."""
    from markupsafe import Markup

    assert page.table is not None
    style = _template("base.css") + _template("table.css")
    script = _template("table.js")
    data = {"view": page.id, "kind": "table", "queries": list(page.queries), "table": page.table}
    return str(
        env.get_template("table.html.j2").render(
            page=page,
            heading=page.title,
            table=page.table,
            data=data,
            csp=strict_csp([script], [style]),
            style=Markup(style),  # noqa: S704 - our own static style
            table_js=Markup(script),  # noqa: S704 - our own static script
            origin=origin,
            version=__version__,
        )
    )
