"""The views site: one page per view from stored queries, offline, escaped, capped at scale, written atomically."""

from __future__ import annotations

import json
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import Run, column_set, page_data

from graph_builder.cli import main
from graph_builder.query.catalogue import load_catalogue
from graph_builder.views import SITE_MANIFEST, registry, views

VIEW_IDS = [spec.name for spec in views()]
MATRICES = ["agency-matrix", "theme-matrix"]  # the table views; test_view_kinds checks this against the site
NETWORKS = [v for v in VIEW_IDS if v not in MATRICES]
OPINIONS = "https://w3id.org/polkg/id/doc/opinions-2022"
AGENCY = "https://w3id.org/polkg/id/agency/"
HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(3)>", "</textarea><svg onload=alert(7)>")


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


class _Matrix(HTMLParser):
    """A table page as a reader sees it: per row key and column key, the cell's role and number; the links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.cells: dict[tuple[str, str], dict[str, str]] = {}
        self.row_links: dict[str, str] = {}
        self.column_links: dict[str, str] = {}
        self.text: list[str] = []
        self._row = self._col = self._span = ""
        self._where = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-order" in a:
            self._row = a["data-row"]
            self.rows.append(self._row)
        elif tag == "tr":
            self._row = ""
        elif tag in ("td", "th") and a.get("data-col"):
            self._col = a["data-col"]
            self._where = tag
            if tag == "td" and self._row:
                self.cells[self._row, self._col] = {"role": "", "n": ""}
        elif tag == "th" and a.get("scope") == "row":
            self._where, self._col = "row", ""
        elif tag == "span":
            self._span = a.get("class", "")
        elif tag == "a" and self._where == "row" and self._row:
            self.row_links[self._row] = a["href"]
        elif tag == "a" and self._where == "th":
            self.column_links[self._col] = a["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._span = ""
        elif tag in ("td", "th"):
            self._where, self._col = "", ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._where == "td" and self._row and self._span in ("role", "n"):
            self.cells[self._row, self._col][self._span] += data


def _matrix(page: Path) -> _Matrix:
    parser = _Matrix()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_views_found() -> None:
    assert VIEW_IDS, "the registry lists no view"
    assert len(set(VIEW_IDS)) == len(VIEW_IDS)
    package = Path(registry.__file__).parent
    registering = {f".{p.stem}" for p in package.glob("*.py") if "\nVIEW = register(" in p.read_text(encoding="utf-8")}
    assert registering, f"no view module found in {package}"
    assert sorted(registering) == sorted(registry.MODULES), "every view module is listed in registry.MODULES, and only those"


ENTITY_FILES = ["agency", "doc", "framework", "sector", "theme", "zone", "pages.json", "search-index.js", "search.js"]


def test_index_links_every_view_with_its_one_line_summary(site: Path) -> None:
    every = [attrs.get("href") for tag, attrs in _tags(site / "index.html") if tag == "a"]
    # the views in registry order, then the ontology's documentation page (issue 15), among the entity pages
    # (which live in folders)
    links = [link for link in every if "/" not in link]
    assert links == [*(spec.file for spec in views()), "ontology.html"]
    links = links[:-1]
    manifest = json.loads((site / SITE_MANIFEST).read_text(encoding="utf-8"))
    assert [(v["id"], v["title"], v["summary"]) for v in manifest["views"]] == [
        (spec.name, spec.title, spec.description) for spec in views()
    ]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert [view["file"] for view in manifest["views"]] == links, "the site manifest lists every view"
    for view in manifest["views"]:
        assert (site / view["file"]).is_file()
        assert view["summary"] in index and view["nodes"] > 0


@pytest.mark.parametrize("view", VIEW_IDS)
def test_page_loads_nothing_from_anywhere(site: Path, view: str) -> None:
    tags = _tags(site / f"{view}.html")
    assert [t for t, a in tags if t == "script" and "src" in a] == []
    assert [t for t, a in tags if t == "link"] == []
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp and csp.startswith("default-src 'none'")
    if view in MATRICES:  # no third-party code on a table page: only its own script and style run, by hash
        assert "unsafe" not in csp and csp.count("'sha256-") == 2, csp


def test_view_kinds(site: Path) -> None:
    manifest = json.loads((site / SITE_MANIFEST).read_text(encoding="utf-8"))
    assert {v["id"]: v["kind"] for v in manifest["views"]} == {v: "table" if v in MATRICES else "network" for v in VIEW_IDS}


@pytest.mark.parametrize("view", NETWORKS)
def test_every_node_and_edge_traces_to_a_stored_query(site: Path, view: str) -> None:
    data = page_data(site / f"{view}.html")
    catalogue = load_catalogue()
    assert data["nodes"] and data["edges"]
    for item in data["nodes"] + data["edges"]:
        meta = item["meta"]
        assert meta["label"] and meta["type"]
        assert meta["queries"] and set(meta["queries"]) <= set(catalogue), item["id"]
        if meta["type"] in ("Provision", "Responsibility", "Issuance", "Evolution link", "Names"):
            assert meta["provenance"], f"{item['id']} has no source and locator"
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])


def test_coordination_nodes_are_the_stored_query_agencies(site: Path, run: Run) -> None:
    data = page_data(site / "coordination.html")
    shown = {n["id"] for n in data["nodes"] if OPINIONS in n["docs"]}
    expected = column_set(run("responsibilities", doc="opinions-2022"), "agency") | column_set(
        run("issuances", doc="opinions-2022"), "agency"
    )
    assert len(expected) == 30 and shown == expected
    weights = {e["id"]: e["value"] for e in data["edges"] if e["docs"] == [OPINIONS]}
    pairs = run("agency-pairs", doc="opinions-2022")
    assert len(weights) == len(pairs.rows)
    for row in pairs.rows:
        a, b = sorted((row["agencyA"].value, row["agencyB"].value))
        assert weights[f"{OPINIONS}|{a}|{b}"] == int(row["shared"].value)


def test_lineage_shows_every_provision_and_link(site: Path, run: Run) -> None:
    data = page_data(site / "lineage.html")
    provisions = [n for n in data["nodes"] if n["meta"]["type"] == "Provision"]
    assert provisions and len(provisions) == len(run("provisions").rows)
    # 21 links after the 2026 lineage review (36 before: forced links removed, see CHANGELOG)
    assert len(data["edges"]) == len(run("evolution-links").rows) == 21
    assert {e["label"] for e in data["edges"]} <= {"continues", "expands", "refines", "implements", "replaces"}
    by_x: dict[str, set[float]] = {}
    for n in provisions:
        by_x.setdefault(n["meta"]["facts"][0][1].split("/")[0], set()).add(n["x"])
    assert len(by_x) > 1, "provisions of several documents"
    assert all(len(xs) == 1 for xs in by_x.values())  # one column per document
    assert len(set().union(*by_x.values())) == len(by_x), "each document in a column of its own"


def test_hostile_labels_stay_text(hostile_site: Path) -> None:
    for view in VIEW_IDS:
        page = hostile_site / f"{view}.html"
        tags = _tags(page)
        assert [t for t, _ in tags if t in ("img", "svg", "b", "textarea")] == [], view
        # data, vis-network, ours; a table page: data and its sorting script
        assert [t for t, a in tags if t == "script"] == ["script"] * (2 if view in MATRICES else 3), view
        handlers = [(t, k) for t, a in tags for k in a if k.startswith("on")]
        assert handlers == [], f"{view}: {handlers}"
        text = json.dumps(page_data(page), ensure_ascii=False)
        assert any(label in text for label in HOSTILE), view  # kept, as text, not dropped
        if view in MATRICES:  # and shown as text in the table itself
            shown = "".join(_matrix(page).text)
            assert any(label in shown for label in HOSTILE) or 'Tax" onmouseover="alert(4)" x="' in shown, view
    theme = next(f for f in page_data(hostile_site / "agency-provisions.html")["filters"] if f["name"] == "theme")
    assert ['Tax" onmouseover="alert(4)" x="'] * 2 in theme["options"]


def test_max_nodes_keeps_the_most_connected_and_says_so(engine, tmp_path: Path) -> None:
    from graph_builder.views import generate

    result = generate(engine, tmp_path / "site", "test", max_nodes=10)
    data = page_data(tmp_path / "site" / "coordination.html")
    assert len(data["nodes"]) == 10
    coordination = next(v for v in result.views if v.id == "coordination")
    assert any("Showing 10 of 31 agencies" in note for note in coordination.notes)
    assert "Showing 10 of 31 agencies" in (tmp_path / "site" / "coordination.html").read_text(encoding="utf-8")
    assert "MOFCOM" in {n["label"] for n in data["nodes"]}


def test_views_cli_writes_the_site(runner, built, tmp_path: Path) -> None:
    result = runner.invoke(main, ["views", "--build", str(built.out), "--site", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(VIEW_IDS)} views" in result.output
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == sorted(
        ["index.html", SITE_MANIFEST, "ontology.html", *(f"{v}.html" for v in VIEW_IDS), *ENTITY_FILES]
    )


def test_views_refuse_a_folder_that_is_not_a_site(runner, built, tmp_path: Path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "mine.txt").write_text("keep me", encoding="utf-8")
    result = runner.invoke(main, ["views", "--build", str(built.out), "--site", str(target)])
    assert result.exit_code == 2
    assert "is not a polkg views folder" in result.output and "Traceback" not in result.output
    assert (target / "mine.txt").read_text(encoding="utf-8") == "keep me"


def _files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_views_written_side_by_side_are_the_bytes_written_one_by_one(
    engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large corpus has its views written in forked workers: the site is the same, byte for byte."""
    from graph_builder.views import generate
    from graph_builder.views import site as site_module

    serial = _files(generate(engine, tmp_path / "serial", "the store").out)
    monkeypatch.setattr(site_module, "PARALLEL_VIEWS_FROM", 0)
    assert _files(generate(engine, tmp_path / "forked", "the store").out) == serial
    assert {Path(f"{v}.html") for v in VIEW_IDS} <= set(serial)


@pytest.mark.parametrize("forked", [False, True], ids=["one-by-one", "side-by-side"])
def test_a_failing_view_leaves_the_previous_site(forked: bool, engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph_builder.views import generate
    from graph_builder.views import site as site_module
    from graph_builder.views.page import Page

    if forked:
        monkeypatch.setattr(site_module, "PARALLEL_VIEWS_FROM", 0)

    site = generate(engine, tmp_path / "site", "first").out
    before = _files(site)
    assert len(before) > 20, "views, entity pages and the index"

    def broken(*args: object) -> Page:
        raise RuntimeError("view failed")

    first = views()[0]
    monkeypatch.setattr(registry, "views", lambda: (first, registry.ViewSpec("broken", "Broken", "Fails.", broken)))
    with pytest.raises(RuntimeError, match="view failed"):
        generate(engine, site, "second")
    assert _files(site) == before
    # no temporary folder left behind; the lock file beside the site (as beside a build) stays
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_synthetic_corpus_views_stay_within_the_cap(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_views", Path(__file__).resolve().parents[1] / "bench" / "views.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from graph_builder.views import write_site

    data = bench.synthetic(provisions=500, agencies=400)
    result = write_site(data, tmp_path / "site", "synthetic", max_nodes=60)
    for view in result.views:
        shown = page_data(tmp_path / "site" / view.file)
        if view.kind == "table":
            assert view.nodes == len(shown["table"]["rows"]) <= 60, view.id
            continue
        assert len(shown["nodes"]) == view.nodes
        assert len(shown["nodes"]) <= 60, view.id  # documents' headings count too
    capped = {v.id for v in result.views if any(note.startswith("Showing") for note in v.notes)}
    assert {"coordination", "agency-provisions", "lineage", "agency-matrix"} <= capped


EXTRA_VIEW = """
    \"\"\"A view added for a test: every document, one per row.\"\"\"

    from graph_builder.views import register
    from graph_builder.views.page import Page, meta


    def build(data, analysis, max_nodes):
        page = Page(VIEW.name, VIEW.title, VIEW.description, ("documents",))
        for n, d in enumerate(data.documents):
            page.add_node(d.doc, d.short, 0, 40 * n, meta("Document", d.title, [], [], ("documents",)), shape="box")
        return page


    VIEW = register("extra-documents", "Every document", "Each document of the graph, one per row.", build)
"""


def test_one_module_and_one_registration_add_a_view(
    runner, built, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "polkg_extra_view.py").write_text(textwrap.dedent(EXTRA_VIEW), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "MODULES", (*registry.MODULES, "polkg_extra_view"))
    names = [*VIEW_IDS, "extra-documents"]

    result = runner.invoke(main, ["views", "--help"])
    assert result.exit_code == 0, result.output
    assert f"Views: {', '.join(names)}." in result.output

    result = runner.invoke(main, ["views", "--build", str(built.out), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(names)} views" in result.output
    links = [attrs.get("href") for tag, attrs in _tags(tmp_path / "site" / "index.html") if tag == "a"]
    assert [link for link in links if "/" not in link] == [*(f"{name}.html" for name in names), "ontology.html"]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Every document" in index and "Each document of the graph, one per row." in index
    data = page_data(tmp_path / "site" / "extra-documents.html")
    assert data["view"] == "extra-documents" and len(data["nodes"]) == len(run("documents").rows)


def test_ontology_page_documents_every_term_offline(site: Path) -> None:
    """The ontology's documentation page: linked from the index, every pk term with its anchor, nothing loaded."""
    from rdflib import Graph
    from rdflib.namespace import RDFS

    from graph_builder.graph.namespaces import PK
    from graph_builder.layout import ontology_file

    page = site / "ontology.html"
    tags = _tags(page)
    assert [t for t, a in tags if t in ("script", "link", "img", "iframe", "object")] == []
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp == "default-src 'none'; style-src 'unsafe-inline'"
    anchors = {a["id"] for t, a in tags if "id" in a}
    assert {name for name in PK.__annotations__} <= anchors
    links = [a["href"] for t, a in tags if t == "a"]
    assert all(href == "index.html" or href.startswith("#") for href in links), "only links within the site"
    assert {f"#{name}" for name in PK.__annotations__} <= set(links)
    text = page.read_text(encoding="utf-8")
    ontology = Graph().parse(ontology_file(), format="turtle")
    for name in ("summary", "Reorganisation", "statedIn"):
        comment = str(ontology.value(PK[name], RDFS.comment))
        assert comment.replace('"', "&#34;").replace("'", "&#39;") in text
    assert "Outside OWL 2 DL" in text and "xsd:gYear" in text and "rdf:langString" in text
    manifest = json.loads((site / SITE_MANIFEST).read_text(encoding="utf-8"))
    assert manifest["ontology"]["file"] == "ontology.html" and manifest["ontology"]["terms"] == len(PK.__annotations__)


def test_ontology_page_escapes_every_label(tmp_path: Path) -> None:
    from graph_builder.layout import ontology_file
    from graph_builder.views.ontology_page import render
    from graph_builder.views.page import environment

    text = ontology_file().read_text(encoding="utf-8")
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text(
        text.replace('rdfs:label "Zone"@en', 'rdfs:label "Zone <script>alert(1)</script>"@en').replace(
            'rdfs:label "summary"@en', 'rdfs:label "<img src=x onerror=alert(2)>"@en'
        ),
        encoding="utf-8",
    )
    html, page = render(environment(), hostile)
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    assert page.terms > 80
    assert [t for t, _ in _tags(tmp_path / "page.html") if t in ("script", "img")] == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html


# ------------------------------------------------------------------ the matrices


def test_agency_matrix_cells_equal_the_stored_query(site: Path, run: Run) -> None:
    matrix = _matrix(site / "agency-matrix.html")
    rows = run("agency-documents").rows
    expected = {
        (r["agency"].value, r["doc"].value): {
            "role": r["role"].value if r.get("role") else "",
            "n": r["responsibilities"].value if int(r["responsibilities"].value) else "",
        }
        for r in rows
    }
    filled = {k: v for k, v in matrix.cells.items() if (v["role"] or v["n"]) and k[1] in matrix.column_links}
    assert len(expected) == len(rows) > 30
    assert filled == expected
    assert sorted(matrix.rows) == sorted({a for a, _ in expected}), "one row per agency"
    assert expected[AGENCY + "mofcom", OPINIONS] == {"role": "lead", "n": "24"}


def test_theme_matrix_cells_equal_the_stored_query(site: Path, run: Run) -> None:
    matrix = _matrix(site / "theme-matrix.html")
    rows = run("theme-documents").rows
    expected = {(r["theme"].value, r["doc"].value): r["provisions"].value for r in rows}
    filled = {k: v["n"] for k, v in matrix.cells.items() if v["n"] and k[1] in matrix.column_links}
    assert len(expected) == len(rows) > 30 and filled == expected
    # the share beside each count is of the document's provisions (the provisions query)
    per_doc: dict[str, int] = {}
    for provision in run("provisions").column("provision"):
        doc = str(provision).split("/provision/")[0]  # the doc parameter is not a result column
        per_doc[doc] = per_doc.get(doc, 0) + 1
    for (theme, doc), cell in matrix.cells.items():
        if cell["n"] and doc in matrix.column_links:
            assert cell["role"] == f"{int(cell['n']) / per_doc[doc]:.0%}", (theme, doc)


def test_agency_matrix_rows_keep_successors_beside_predecessors(site: Path, run: Run) -> None:
    matrix = _matrix(site / "agency-matrix.html")
    reorganisations = run("reorganisations").rows
    assert reorganisations
    for r in reorganisations:
        original, resulting = r["original"].value, r["resulting"].value
        assert matrix.rows.index(resulting) == matrix.rows.index(original) + 1
    columns = [c for c in matrix.column_links]
    dated = [d for d in column_set(run("documents"), "doc") if d in columns]
    assert columns == [d for d in run("documents").column("doc") if d in dated], "documents in date order"


def test_matrix_links_go_to_the_entity_pages(site: Path, run: Run) -> None:
    from graph_builder.views import paths

    agencies = _matrix(site / "agency-matrix.html")
    for r in run("agency-documents").rows:
        assert agencies.row_links[r["agency"].value] == paths.page("agency", r["agencyId"].value).href
        assert agencies.column_links[r["doc"].value] == paths.page("document", r["docId"].value).href
    themes = _matrix(site / "theme-matrix.html")
    for r in run("theme-documents").rows:
        assert themes.row_links[r["theme"].value] == paths.page("theme", r["themeId"].value).href
    html = (site / "agency-matrix.html").read_text(encoding="utf-8")
    assert 'href="doc/opinions-2022.html#p-25"' in html, "a single responsibility links to its provision's section"


# ------------------------------------------------------------------ what the network views' screenshots showed


def test_index_counts_what_each_page_shows(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    data = page_data(site / "coordination.html")
    shown_links = [e for e in data["edges"] if "all" in e["docs"]]
    assert len(shown_links) < len(data["edges"]), "the page holds more links than it shows at first"
    assert f"{len(data['nodes'])} nodes, {len(shown_links)} links shown" in index
    assert f"{len(data['edges'])} links" not in index


def test_max_nodes_counts_every_node_shown(engine, tmp_path: Path) -> None:
    from graph_builder.views import generate

    result = generate(engine, tmp_path / "site", "test", max_nodes=20)
    for view in result.views:
        if view.kind == "network":
            assert len(page_data(tmp_path / "site" / view.file)["nodes"]) <= 20, view.id
    lineage = next(v for v in result.views if v.id == "lineage")
    assert any("each document's heading counts as a node" in note for note in lineage.notes)


def test_one_colour_per_agency_kind_in_every_view(site: Path) -> None:
    colour_of: dict[str, set[str]] = {}
    for view in ("coordination", "issuance", "agency-provisions"):
        data = page_data(site / f"{view}.html")
        for node in data["nodes"]:
            if node["meta"]["type"] == "Agency":
                colour_of.setdefault(node["id"], set()).add(node["color"])
        for colour, _shape, text in _legend(site / f"{view}.html"):
            colour_of.setdefault(f"kind:{text}", set()).add(colour)
    assert all(len(colours) == 1 for colours in colour_of.values()), {k: v for k, v in colour_of.items() if len(v) > 1}


def _legend(page: Path) -> list[tuple[str, str, str]]:
    import re

    html = page.read_text(encoding="utf-8")
    return [
        (colour, shape, text)
        for shape, colour, text in re.findall(r'<span class="swatch ([a-z]+)" style="background: ([^"]+)"></span>([^<]+)<', html)
    ]


def test_legend_shapes_are_the_node_shapes(site: Path) -> None:
    from importlib.resources import files

    css = (files("graph_builder.views") / "templates" / "view.css").read_text(encoding="utf-8")
    for view in NETWORKS:
        legend = _legend(site / f"{view}.html")
        shapes = {n.get("shape") for n in page_data(site / f"{view}.html")["nodes"]}
        for _colour, shape, text in legend:
            assert shape == "line" or shape in shapes, f"{view}: legend {text!r} as {shape}, nodes are {shapes}"
            if shape not in ("dot", "line"):
                assert f"span.swatch.{shape}" in css, f"no legend style for {shape}"
    zones = {text: shape for _c, shape, text in _legend(site / "zones-frameworks.html")}
    assert zones["zone"] == "diamond" and zones["trade framework"] == "triangle"


def test_reorganisation_arrow_crosses_no_other_node(site: Path) -> None:
    data = page_data(site / "issuance.html")
    at = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    arrows = [e for e in data["edges"] if e["meta"]["type"] == "Reorganisation"]
    assert arrows
    for e in arrows:
        (x1, y1), (x2, y2) = at[e["from"]], at[e["to"]]
        for node, (x, y) in at.items():
            if node in (e["from"], e["to"]):
                continue
            t = max(0.0, min(1.0, ((x - x1) * (x2 - x1) + (y - y1) * (y2 - y1)) / ((x2 - x1) ** 2 + (y2 - y1) ** 2)))
            distance = ((x - x1 - t * (x2 - x1)) ** 2 + (y - y1 - t * (y2 - y1)) ** 2) ** 0.5
            assert distance > 40, f"{e['meta']['label']} runs through {node}"


def test_documents_with_a_single_node_say_why(site: Path) -> None:
    for view in ("coordination", "issuance", "lineage"):
        data = page_data(site / f"{view}.html")
        for doc, _text in next(f for f in data["filters"] if f["name"] == "doc")["options"][1:]:
            nodes = [n for n in data["nodes"] if doc in n.get("docs", []) and n["meta"]["type"] != "Document"]
            links = [e for e in data["edges"] if doc in e.get("docs", [])]
            if len(nodes) <= 1 or not links:
                assert data["docNotes"].get(doc), f"{view}: {doc} shows {len(nodes)} nodes, {len(links)} links, unexplained"
    notes = page_data(site / "coordination.html")["docNotes"]
    assert "names one agency only, MOFCOM" in notes["https://w3id.org/polkg/id/doc/plan-2026"]


def test_side_panels_name_rather_than_count(site: Path) -> None:
    import re

    for view in NETWORKS:
        for item in page_data(site / f"{view}.html")["nodes"]:
            bare = [(k, v) for k, v in item["meta"]["facts"] if re.fullmatch(r"\d+", v)]
            assert bare == [], f"{view} {item['id']}: {bare}"
    provision = next(n for n in page_data(site / "agency-provisions.html")["nodes"] if n["id"] == OPINIONS + "/provision/25")
    agencies = dict(provision["meta"]["facts"])["responsible agencies"]
    assert "PBOC" in agencies and "SINOSURE" in agencies.upper(), agencies
