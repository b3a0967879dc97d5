"""Every view in a real headless Chromium (Debian's package, driven by Playwright) opened from file://.

Checks: no console error, no request leaving file://, the rendered node count equals what the stored
queries return, the document switch changes what is shown, selection shows provenance, hostile labels stay
text. A screenshot of each view is written to $POLKG_ARTIFACTS (default: test-artifacts/).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers import Run, column_set, page_data

from graph_builder.views import views

pytestmark = pytest.mark.slow
ARTIFACTS = Path(os.environ.get("POLKG_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))
OPINIONS = "https://w3id.org/polkg/id/doc/opinions-2022"
CIRCULAR = "https://w3id.org/polkg/id/doc/circular-2025"
PLAN = "https://w3id.org/polkg/id/doc/plan-2026"
MATRICES = ["agency-matrix", "theme-matrix"]
NETWORKS = [spec.name for spec in views() if spec.name not in MATRICES]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    found = os.environ.get("POLKG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("no Chromium found: install Debian's chromium package (apt-get install chromium) or set POLKG_CHROMIUM")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Opened:
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def visible(self, kind: str | None = None) -> list[str]:
        nodes = self.page.evaluate("window.polkg.visibleNodes()")
        return [n["id"] for n in nodes if kind is None or n["type"] == kind]


@pytest.fixture
def open_view(browser: Any) -> Iterator[Any]:
    contexts = []

    def _open(path: Path) -> Opened:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: opened.errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-ready='1']", state="attached", timeout=30_000)
        return opened

    yield _open
    for context in contexts:
        context.close()


def _offline(opened: Opened) -> None:
    assert opened.requests, "the page itself should be a request"
    assert [u for u in opened.requests if not u.startswith(("file://", "data:", "blob:", "about:"))] == []
    assert opened.errors == []
    assert opened.dialogs == []


def _switch(opened: Opened, name: str, value: str) -> None:
    opened.page.select_option(f"#filter-{name}", value)  # the real control, as a person uses it
    assert opened.page.evaluate(f"window.polkg.state['{name}']") == value


def _screenshot(opened: Opened, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def _expected(run: Run, view: str) -> tuple[str, int]:
    """(document to switch to, node count the stored queries give for it)."""
    if view == "coordination":
        agencies = column_set(run("responsibilities", doc="opinions-2022"), "agency")
        return OPINIONS, len(agencies | column_set(run("issuances", doc="opinions-2022"), "agency"))
    if view == "agency-provisions":
        rows = run("responsibilities", doc="opinions-2022")
        return OPINIONS, len(column_set(rows, "agency")) + len(column_set(rows, "provision"))
    if view == "lineage":
        return CIRCULAR, -1  # what a document's chains contain is checked by the chain test below
    if view == "issuance":
        issuers = column_set(run("issuances", doc="circular-2025"), "agency")
        reorg = run("reorganisations")
        partners = {r["original"].value for r in reorg.rows if r["resulting"].value in issuers}
        return CIRCULAR, 1 + len(issuers | partners)
    rows = run("zone-framework-mentions", doc="plan-2026")
    return PLAN, 1 + len(column_set(rows, "via")) + len(column_set(rows, "target"))


@pytest.mark.parametrize("view", NETWORKS)
def test_view_in_chromium(view: str, site: Path, open_view: Any, run: Run) -> None:
    opened = open_view(site / f"{view}.html")
    everything = page_data(site / f"{view}.html")
    shown_all = opened.visible()
    assert len(shown_all) == len([n for n in everything["nodes"] if "all" in n.get("docs", ["all"])]) > 0
    doc, count = _expected(run, view)
    _switch(opened, "doc", doc)
    shown = opened.visible()
    assert shown != shown_all and 0 < len(shown) < len(shown_all)
    if count >= 0:
        assert len(shown) == count
    _offline(opened)
    _switch(opened, "doc", "all")
    _screenshot(opened, view)


def test_coordination_click_shows_facts_and_provenance(site: Path, open_view: Any) -> None:
    opened = open_view(site / "coordination.html")
    _switch(opened, "doc", OPINIONS)
    mofcom = "https://w3id.org/polkg/id/agency/mofcom"
    point = opened.page.evaluate(
        "id => { const p = window.polkg.network.getPositions([id])[id]; return window.polkg.network.canvasToDOM(p); }", mofcom
    )
    box = opened.page.locator("#network").bounding_box()
    opened.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    details = opened.page.evaluate("window.polkg.details()")
    assert "Ministry of Commerce" in details and "weighted degree128" in details
    assert "opinions-2022-translation — signature block" in details
    assert "polkg query run responsibilities" in details
    _switch(opened, "colour", "community")
    colours = opened.page.evaluate("window.polkg.network.body.data.nodes.get().map(n => n.color)")
    assert len(set(map(str, colours))) >= 3  # four communities in 2022
    assert opened.page.locator("#legend-community").is_visible() and not opened.page.locator("#legend-items").is_visible()
    opened.page.evaluate("window.polkg.select(null)")
    opened.page.mouse.move(box["x"] + 8, box["y"] + box["height"] - 8)  # an empty corner: no tooltip in the screenshot
    opened.page.wait_for_timeout(300)
    _offline(opened)
    _screenshot(opened, "coordination-2022-communities")


def test_lineage_selection_highlights_the_whole_chain(site: Path, open_view: Any, run: Run) -> None:
    opened = open_view(site / "lineage.html")
    provision = "https://w3id.org/polkg/id/doc/opinions-2022/provision/25"
    related = column_set(run("provision-lineage", doc="opinions-2022", provision="25"), "related")
    assert len(related) >= 1  # (25) -> 2025 X since the lineage review of issue 15 (it reached D3 of 2026 before)
    highlighted = set(opened.page.evaluate("id => window.polkg.select(id)", provision))
    assert highlighted == related | {provision}, "exactly (25) and every provision its chain reaches"
    _offline(opened)
    _screenshot(opened, "lineage-chain-25")


def test_hostile_labels_render_as_text(hostile_site: Path, open_view: Any) -> None:
    for view in MATRICES:
        opened = open_view(hostile_site / f"{view}.html")
        _offline(opened)
        opened.page.evaluate("window.polkg.sort(0, false)")
        assert opened.page.locator("#matrix :is(script, img, svg, b, textarea)").count() == 0, view
        assert opened.page.locator("#matrix tbody tr").count() > 0, view
        assert opened.dialogs == []
    text = open_view(hostile_site / "agency-matrix.html").page.locator("#matrix").inner_text()
    assert "Old <script>alert(1)</script> Regulator" in text
    for spec in views():
        if spec.name in MATRICES:
            continue
        opened = open_view(hostile_site / spec.file)
        _offline(opened)
        nodes = opened.visible()
        assert nodes, f"{spec.id} shows the hostile fixture's nodes"
        for node in nodes:
            opened.page.evaluate("id => window.polkg.select(id)", node)
        assert opened.dialogs == []
    opened = open_view(hostile_site / "agency-provisions.html")
    options = opened.page.locator("#filter-theme option").all_text_contents()
    assert 'Tax" onmouseover="alert(4)" x="' in options
    opened = open_view(hostile_site / "coordination.html")
    old = "https://w3id.org/polkg/id/agency/old-regulator"
    opened.page.evaluate("id => window.polkg.select(id)", old)
    assert "Old <script>alert(1)</script> Regulator" in opened.page.evaluate("window.polkg.details()")
    point = opened.page.evaluate(
        "id => { const p = window.polkg.network.getPositions([id])[id]; return window.polkg.network.canvasToDOM(p); }", old
    )
    box = opened.page.locator("#network").bounding_box()
    opened.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = opened.page.locator(".vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.text_content().startswith("Old <script>alert(1)</script> Regulator")
    assert opened.page.locator(":is(#network, #details, .vis-tooltip) :is(script, img, svg, b, textarea)").count() == 0
    _offline(opened)
    _screenshot(opened, "hostile-coordination")


def test_index_opens_offline(site: Path, open_view: Any, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((site / "index.html").resolve().as_uri())
    assert page.locator("ul.views li a").count() == len(views())
    page.locator("li a").first.click()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    assert page.url.endswith("/coordination.html")
    assert [u for u in requests if not u.startswith("file://")] == []
    context.close()


def test_ontology_page_opens_offline(site: Path, browser: Any) -> None:
    """The ontology's documentation page (issue 15), reached from the index: no request leaves the disk."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((site / "index.html").resolve().as_uri())
    page.locator("p.ontology a").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/ontology.html")
    assert page.locator("div.term").count() > 80
    page.locator('a[href="#Reorganisation"]').first.click()
    assert page.url.endswith("#Reorganisation")
    assert [u for u in requests if not u.startswith("file://")] == []
    context.close()


@pytest.mark.parametrize("view", MATRICES)
def test_matrix_in_chromium_sorts(view: str, site: Path, open_view: Any) -> None:
    opened = open_view(site / f"{view}.html")
    default = opened.page.evaluate("window.polkg.order()")
    assert len(default) == opened.page.locator("#matrix tbody tr").count() > 10
    column = 2  # the 2022 Opinions: the row heading is column 0, the 2020 approval column 1
    header = opened.page.locator("#matrix thead th").nth(column)
    assert "2022" in header.inner_text()
    header.locator("button.sort").click()  # the real control: largest first
    assert header.get_attribute("aria-sort") == "descending"
    keys = opened.page.evaluate(
        "i => Array.from(document.querySelectorAll('#matrix tbody tr')).map(r => parseFloat(r.cells[i].dataset.sort))", column
    )
    filled = [k for k in keys if k >= 0]
    assert filled == sorted(filled, reverse=True) and keys[: len(filled)] == filled, "largest first, empty cells last"
    assert opened.page.evaluate("window.polkg.order()") != default
    header.locator("button.sort").click()
    assert header.get_attribute("aria-sort") == "ascending"
    opened.page.locator("#matrix thead th").first.locator("button.sort").click()
    names = opened.page.locator("#matrix tbody th").all_inner_texts()
    assert [n.lower() for n in names] == sorted(n.lower() for n in names)
    opened.page.locator("#default-order").click()
    assert opened.page.evaluate("window.polkg.order()") == default
    # the headings stay in view when the table scrolls
    opened.page.locator("#matrix-wrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    top = opened.page.locator("#matrix thead th").first.bounding_box()
    wrap = opened.page.locator("#matrix-wrap").bounding_box()
    assert top is not None and wrap is not None and abs(top["y"] - wrap["y"]) < 12
    opened.page.locator("#matrix-wrap").evaluate("el => el.scrollTo(0, 0)")
    _offline(opened)
    _screenshot(opened, view)
    opened.page.emulate_media(media="print")
    assert opened.page.locator("#controls").is_hidden()
    _screenshot(opened, f"{view}-print")


@pytest.mark.parametrize("view", NETWORKS)
def test_network_fits_the_window(view: str, site: Path, open_view: Any) -> None:
    """Every node, box and label whole inside the network's area at 1400×900 (the issuance dates were cut off)."""
    opened = open_view(site / f"{view}.html")
    area = opened.page.locator("#network").bounding_box()
    assert area is not None
    cut = [
        b["id"]
        for b in opened.page.evaluate("window.polkg.boxes()")
        if b["left"] < -1 or b["top"] < -1 or b["right"] > area["width"] + 1 or b["bottom"] > area["height"] + 1
    ]
    assert cut == []


def test_index_counts_what_the_pages_show(site: Path, open_view: Any, browser: Any) -> None:
    context = browser.new_context()
    index = context.new_page()
    index.goto((site / "index.html").resolve().as_uri())
    for view in NETWORKS:
        meta = index.locator(f"li:has(a[href='{view}.html']) .meta").inner_text()
        shown = open_view(site / f"{view}.html").page.locator("#count").inner_text()
        assert meta.startswith(shown), (view, meta, shown)
    context.close()


def test_zone_legend_draws_the_node_shapes(site: Path, open_view: Any) -> None:
    opened = open_view(site / "zones-frameworks.html")
    diamond = opened.page.locator("#legend .swatch.diamond")
    triangle = opened.page.locator("#legend .swatch.triangle")
    assert diamond.evaluate("el => getComputedStyle(el).transform") != "none"
    assert diamond.evaluate("el => getComputedStyle(el).borderRadius") == "0px"
    assert "polygon" in triangle.evaluate("el => getComputedStyle(el).clipPath")
    _offline(opened)
