"""The entity pages and the index in headless Chromium: offline, no console error, search finds agencies by alias and
by Chinese name, and hostile labels stay text."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser, and tests take them as arguments

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_browser import _offline, _screenshot, browser, open_view  # noqa: F401 - fixtures shared with the views' tests


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.glob("*/*.html"))
    assert len(pages) > 100, "every entity page of the curated site"
    return pages


def test_every_entity_page_loads_offline(site: Path, open_view: Any) -> None:
    for page in [site / "index.html", *_pages(site)]:
        opened = open_view(page)
        _offline(opened)
        assert opened.page.locator("h1").count() == 1, page


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Cultural Relics Bureau", "agency/ncha.html"),
        ("国家文物局", "agency/ncha.html"),
        ("NFRA", "agency/nfra.html"),
        ("商服贸发〔2022〕102号", "doc/opinions-2022.html"),
        ("IP", "theme/intellectual-property.html"),
        ("foreign cultural tra", "doc/opinions-2022.html"),
    ],
)
def test_search_box_finds_by_alias_chinese_name_and_prefix(site: Path, open_view: Any, typed: str, expected: str) -> None:
    opened = open_view(site / "agency" / "mofcom.html")  # the box on an entity page, as on the index
    opened.page.fill("#search", typed)
    first = opened.page.locator("#search-results a").first
    assert first.get_attribute("href") == "../" + expected
    first.click()
    opened.page.wait_for_load_state()
    assert opened.page.url.endswith(expected)
    _offline(opened)


def test_chinese_matches_inside_a_name(site: Path, open_view: Any) -> None:
    opened = open_view(site / "index.html")
    opened.page.fill("#search", "文物")  # Chinese has no word breaks: 国家文物局 and 文物和博物馆 both match
    hrefs = opened.page.locator("#search-results a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"agency/ncha.html", "sector/heritage.html"} <= set(hrefs)


def test_whole_words_and_prefixes_only(site: Path, open_view: Any) -> None:
    opened = open_view(site / "index.html")
    opened.page.fill("#search", "eadership")  # inside a word: no match
    assert opened.page.locator("#search-results a").count() == 0
    opened.page.fill("#search", "leadership")
    assert opened.page.locator("#search-results a").count() > 0


def test_document_page_screenshot(site: Path, open_view: Any) -> None:
    opened = open_view(site / "doc" / "opinions-2022.html")
    opened.page.goto((site / "doc" / "opinions-2022.html").resolve().as_uri() + "#p-25")
    _screenshot(opened, "page-opinions-2022-p25")
    opened = open_view(site / "index.html")
    opened.page.fill("#search", "Cultural Relics")
    _screenshot(opened, "page-index-search")


def test_hostile_labels_render_as_text_on_pages(hostile_site: Path, open_view: Any) -> None:
    pages = sorted(hostile_site.glob("*/*.html"))
    assert pages
    for page in pages:
        opened = open_view(page)
        _offline(opened)
        assert opened.dialogs == []
    opened = open_view(hostile_site / "agency" / "old-regulator.html")
    assert "Old <script>alert(1)</script> Regulator" in opened.page.locator("h1").inner_text()
    opened.page.fill("#search", "Old")
    assert "<script>" in opened.page.locator("#search-results").inner_text()
    assert opened.dialogs == []
