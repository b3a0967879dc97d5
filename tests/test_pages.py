"""The entity pages of the site: a page per document (provisions as sections), agency and concept, each fact as
the stored queries give it, with where it is stated and the command that gives it; search index; pages.json."""

from __future__ import annotations

import html.parser
import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import Run

from graph_builder.cli import main
from graph_builder.views import paths
from graph_builder.views.search import INDEX_FILE


class _Sections(html.parser.HTMLParser):
    """Each provision section of a document page: its anchor, its text and the hrefs of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, list[str]]] = {}
        self.current: str | None = None
        self.depth = 0
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "section" and (found.get("class") or "") == "prov":
            self.current = found["id"]
            self.sections[self.current or ""] = {"text": [], "links": []}
        elif self.current and tag == "a":
            self.sections[self.current]["links"].append(found.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current:
            self.sections[self.current]["text"].append(data)


def _parse(page: Path) -> _Sections:
    parser = _Sections()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _text(page: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())


def test_a_page_for_every_document_agency_and_concept(site: Path, run: Run) -> None:
    docs = run("document").rows
    agencies = run("agencies").rows
    concepts = run("concepts").rows
    files = {p.relative_to(site).as_posix() for p in site.glob("*/*.html")}
    assert files, "entity pages were written"
    expected = {paths.page("document", r["id"].value).file for r in docs}
    expected |= {paths.page("agency", r["id"].value).file for r in agencies}
    expected |= {paths.page(r["kind"].value, r["id"].value).file for r in concepts}
    assert files == expected
    assert len(docs) >= 9 and len(agencies) == 37 and len(concepts) > 90


def test_opinions_page_shows_every_provision_with_its_summary_and_responsible_bodies(site: Path, run: Run) -> None:
    parsed = _parse(site / "doc" / "opinions-2022.html")
    provisions = run("provision", doc="opinions-2022").rows
    assert len(provisions) == 31 and len(parsed.sections) == 31
    chapters = {r["number"].value: r["chapter"].value for r in provisions if "chapter" in r}
    assert len(chapters) == 31 and chapters["25"] == "VII" and chapters["1"] == "I", "every provision's chapter"
    agencies = {r["agency"].value: r["id"].value for r in run("agencies").rows}
    responsible: dict[str, set[str]] = {}
    for row in run("responsibilities", doc="opinions-2022").rows:
        responsible.setdefault(row["number"].value, set()).add(agencies[row["agency"].value])
    assert len(responsible) == 28, "provisions (4)-(31) name their responsible bodies"
    for row in provisions:
        number = row["number"].value
        section = parsed.sections[paths.provision_anchor(number)]
        text = " ".join("".join(section["text"]).split())
        assert row["summary"].value in text and row["label"].value in text
        linked = {Path(href).stem for href in section["links"] if href.startswith("../agency/")}
        assert linked == responsible.get(number, set()), number
        if row["openEnded"].value == "true":
            assert "etc." in text
        assert f"polkg query run provision -p doc=opinions-2022 -p provision={number}" in text


def test_lineage_is_shown_typed_with_rationale_on_both_pages(site: Path, run: Run) -> None:
    later = _parse(site / "doc" / "circular-2025.html").sections[paths.provision_anchor("X")]
    text = " ".join("".join(later["text"]).split())
    assert "expands" in text and "../doc/opinions-2022.html#p-25" in later["links"]
    links = {(r["later"].value, r["earlier"].value): r["rationale"].value for r in run("evolution-links").rows}
    assert links[("circular-2025/X", "opinions-2022/25")] in text
    earlier = _parse(site / "doc" / "opinions-2022.html").sections[paths.provision_anchor("25")]
    assert "../doc/circular-2025.html#p-X" in earlier["links"]
    new = _parse(site / "doc" / "circular-2025.html").sections[paths.provision_anchor("VII")]
    assert "New in this document" in "".join(new["text"])


def test_secondary_claims_are_kept_apart_from_measures(site: Path, run: Run) -> None:
    page = (site / "doc" / "plan-2026.html").read_text(encoding="utf-8")
    measures, _, claims = page.partition('<div class="claims">')
    assert claims, "the article's own claims are on the plan's page, in their own box"
    for row in run("source-claims", doc="plan-2026-article").rows:
        label = row["label"].value.replace("'", "&#39;").replace('"', "&#34;")
        assert label in claims and label not in measures


def test_coverage_and_curator_basis_are_shown(site: Path, run: Run) -> None:
    text = _text(site / "doc" / "circular-2025.html")
    coverage = run("document", doc="circular-2025").rows[0]["coverage"].value
    assert coverage in text.replace("&#39;", "'")
    assert "curator knowledge" in text and "商服贸发〔2025〕186号" in text


def test_mofcom_page_lists_every_document_it_issued(site: Path, run: Run) -> None:
    page = _parse(site / "agency" / "mofcom.html")
    issued = {r["doc"].value for r in run("issuances").rows if r["agency"].value.endswith("/agency/mofcom")}
    docs = {r["doc"].value: r["id"].value for r in run("document").rows}
    hrefs = {href for tag, attrs in page.tags if tag == "a" for href in [attrs.get("href") or ""]}
    assert issued and {f"../doc/{docs[d]}.html" for d in issued} <= hrefs


def test_agency_page_shows_reorganisation_and_kind_changes(site: Path) -> None:
    nfra = _text(site / "agency" / "nfra.html")
    assert "2023-05-18" in nfra and "China Banking and Insurance Regulatory Commission" in nfra
    csrc = _text(site / "agency" / "csrc.html")
    assert "from 2023-03" in csrc and "curator knowledge" in csrc


def test_concept_pages_list_provisions_cases_and_claims(site: Path, run: Run) -> None:
    rows = [r for r in run("mentions").rows if r["conceptId"].value == "high-standard-rules"]
    kinds = {r["itemKind"].value for r in rows}
    assert kinds == {"provision", "case", "claim"}
    text = _text(site / "framework" / "high-standard-rules.html")
    assert f"({sum(r['itemKind'].value == 'provision' for r in rows)} provisions" in text
    assert "claim of a secondary source" in text


def test_every_command_shown_runs(site: Path) -> None:
    """The stored-query lines a page shows run as shown (a sample of each kind of page)."""
    shown: set[str] = set()
    for page in ("doc/opinions-2022.html", "doc/plan-2026.html", "agency/nfra.html", "theme/intellectual-property.html"):
        shown |= set(re.findall(r"<code>(polkg query run [^<]+)</code>", (site / page).read_text(encoding="utf-8")))
    assert len(shown) > 20
    runner = CliRunner()
    for line in sorted(shown)[:40]:
        words = shlex.split(line.replace("&#39;", "'"))
        result = runner.invoke(main, [*words[1:], "--format", "csv"])
        assert result.exit_code == 0, (line, result.output)


def test_pages_manifest_maps_iris_to_pages(site: Path, run: Run) -> None:
    manifest = json.loads((site / paths.PAGES_MANIFEST).read_text(encoding="utf-8"))
    agency = next(r["agency"].value for r in run("agencies").rows if r["id"].value == "mofcom")
    assert manifest[agency] == "agency/mofcom.html"
    provision = run("provision", doc="opinions-2022", provision="25").rows[0]
    assert "provision" not in provision  # bound parameters are left out
    assert manifest["https://w3id.org/polkg/id/doc/opinions-2022/provision/25"] == "doc/opinions-2022.html#p-25"
    for href in manifest.values():
        assert (site / href.partition("#")[0]).is_file(), href


def test_search_index_names_every_entity_by_alias_and_chinese_name(site: Path, run: Run) -> None:
    text = (site / INDEX_FILE).read_text(encoding="utf-8")
    entries = json.loads(text.removeprefix("window.POLKG_SEARCH = ").removesuffix(";\n"))
    names = {name: href for _, _, href, found in entries for name in found}
    assert names["Cultural Relics Bureau"] == names["国家文物局"] == "agency/ncha.html"
    assert names["IP"] == "theme/intellectual-property.html"
    assert names["商服贸发〔2022〕102号"] == "doc/opinions-2022.html"
    assert sum(kind == "Provision" for _, kind, _, _ in entries) == len(run("provision").rows) == 56


@pytest.mark.parametrize("folder", ["doc", "agency", "theme"])
def test_hostile_labels_stay_text_on_entity_pages(hostile_site: Path, folder: str) -> None:
    pages = sorted((hostile_site / folder).glob("*.html"))
    assert pages
    for page in pages:
        parsed = _parse(page)
        assert [t for t, _ in parsed.tags if t in ("img", "svg", "b", "textarea")] == [], page
        assert [a.get("src") for t, a in parsed.tags if t == "script"] == ["../search-index.js", "../search.js"], page
        assert [(t, k) for t, a in parsed.tags for k in a if k.startswith("on")] == [], page
    index = (hostile_site / INDEX_FILE).read_text(encoding="utf-8")
    assert "</script" not in index.lower() and "<script" not in index.lower()
