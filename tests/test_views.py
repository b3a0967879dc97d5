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
OPINIONS = "https://w3id.org/polkg/id/doc/opinions-2022"
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


def test_views_found() -> None:
    assert VIEW_IDS, "the registry lists no view"
    assert len(set(VIEW_IDS)) == len(VIEW_IDS)
    package = Path(registry.__file__).parent
    registering = {f".{p.stem}" for p in package.glob("*.py") if "\nVIEW = register(" in p.read_text(encoding="utf-8")}
    assert registering, f"no view module found in {package}"
    assert sorted(registering) == sorted(registry.MODULES), "every view module is listed in registry.MODULES, and only those"


def test_index_links_every_view_with_its_one_line_summary(site: Path) -> None:
    links = [attrs.get("href") for tag, attrs in _tags(site / "index.html") if tag == "a"]
    assert links == [spec.file for spec in views()]
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


@pytest.mark.parametrize("view", VIEW_IDS)
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
        assert [t for t, a in tags if t == "script"] == ["script"] * 3, view  # data, vis-network, ours
        handlers = [(t, k) for t, a in tags for k in a if k.startswith("on")]
        assert handlers == [], f"{view}: {handlers}"
        text = json.dumps(page_data(page), ensure_ascii=False)
        assert any(label in text for label in HOSTILE), view  # kept, as text, not dropped
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
        ["index.html", SITE_MANIFEST, *(f"{v}.html" for v in VIEW_IDS)]
    )


def test_views_refuse_a_folder_that_is_not_a_site(runner, built, tmp_path: Path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "mine.txt").write_text("keep me", encoding="utf-8")
    result = runner.invoke(main, ["views", "--build", str(built.out), "--site", str(target)])
    assert result.exit_code == 2
    assert "is not a polkg views folder" in result.output and "Traceback" not in result.output
    assert (target / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_a_failing_view_leaves_the_previous_site(engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph_builder.views import generate
    from graph_builder.views.page import Page

    site = generate(engine, tmp_path / "site", "first").out
    before = {p.name: p.read_bytes() for p in site.iterdir()}

    def broken(*args: object) -> Page:
        raise RuntimeError("view failed")

    first = views()[0]
    monkeypatch.setattr(registry, "views", lambda: (first, registry.ViewSpec("broken", "Broken", "Fails.", broken)))
    with pytest.raises(RuntimeError):
        generate(engine, site, "second")
    assert {p.name: p.read_bytes() for p in site.iterdir()} == before
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
        nodes = page_data(tmp_path / "site" / view.file)["nodes"]
        assert len(nodes) == view.nodes
        assert len([n for n in nodes if n["meta"]["type"] != "Document"]) <= 60, view.id
    capped = {v.id for v in result.views if any(note.startswith("Showing") for note in v.notes)}
    assert {"coordination", "agency-provisions", "lineage"} <= capped


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
    assert links == [f"{name}.html" for name in names]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Every document" in index and "Each document of the graph, one per row." in index
    data = page_data(tmp_path / "site" / "extra-documents.html")
    assert data["view"] == "extra-documents" and len(data["nodes"]) == len(run("documents").rows)
