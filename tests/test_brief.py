# ruff: noqa: F811 - the browser fixture is imported from test_browser, and tests take it as an argument
"""The evolution brief (`polkg compare`, `polkg report`) checked against the source texts by hand, in every format."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_browser import browser  # noqa: F401 - the Chromium fixture the views' tests use

from graph_builder.analytics.brief import NEW, NOT_REVIEWED, RELATED, WIDTH, Brief, build_brief, schema, to_json, to_markdown
from graph_builder.cli import main
from graph_builder.query.embedded import EmbeddedEngine
from graph_builder.store.build import BuildResult
from graph_builder.views.brief import to_html

CHAIN = ["opinions-2022", "circular-2025", "plan-2026"]


@pytest.fixture(scope="module")
def brief(engine: EmbeddedEngine) -> Brief:
    return build_brief(engine, CHAIN[:2])


@pytest.fixture(scope="module")
def chain(engine: EmbeddedEngine) -> Brief:
    return build_brief(engine, CHAIN)


def test_documents_say_what_the_available_source_is_and_does_not_cover(brief: Brief) -> None:
    opinions, circular = brief.documents
    assert (opinions.number, opinions.date, len(opinions.issuers)) == ("商服贸发〔2022〕102号", "2022-07-18", 27)
    assert [s.kind for s in opinions.sources] == ["Unofficial translation"] and opinions.names_responsible
    assert len(circular.issuers) == 9 and not circular.names_responsible
    assert [s.kind for s in circular.sources] == ["Law-firm summary"]
    # the summary excerpts measures I and VII-XIII only: II-VI are named as not covered
    assert "measures II-VI are not covered" in circular.coverage
    assert [m.number for m in brief.steps[0].measures] == ["I", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]


def test_measures_of_2025_against_the_2022_texts(brief: Brief) -> None:
    measures = {m.number: m for m in brief.steps[0].measures}
    # Measure X carries (25)'s IP-pledge financing and IP insurance on to all service trade. The issue says
    # "continues"; by the ontology's definitions widening a cultural-trade provision to all service trade is
    # `expands` (sources/README.md, "Reading lineage"), and that is the relation the curators recorded.
    x = measures["X"]
    assert x.status == RELATED and ("expands", "opinions-2022/25") in {(k.relation, k.earlier) for k in x.links}
    assert all(k.rationale and k.locator for k in x.links)
    # the settlement provision (27) lives on in IX, the exhibition provision (22) in XIII
    assert "opinions-2022/27" in {k.earlier for k in measures["IX"].links}
    assert "opinions-2022/22" in {k.earlier for k in measures["XIII"].links}
    assert {n for n, m in measures.items() if m.status == NEW} == {"VII", "VIII", "XI", "XII"}
    assert all(m.rationale for m in measures.values() if m.status == NEW)
    assert not [m for m in measures.values() if m.status == NOT_REVIEWED]


def test_not_carried_forward_is_not_called_a_drop_without_a_finding(brief: Brief) -> None:
    step = brief.steps[0]
    carried = {k.earlier for m in step.measures for k in m.links}
    assert {"opinions-2022/25", "opinions-2022/27", "opinions-2022/22"} <= carried
    assert {n.id for n in step.not_carried} == {f"opinions-2022/{i}" for i in range(1, 32)} - carried
    assert not any(n.shown_dropped for n in step.not_carried)
    assert all("measures II-VI are not covered" in n.reason for n in step.not_carried)


def test_agencies_compare_like_with_like(brief: Brief) -> None:
    step = brief.steps[0]
    issuers = step.issuers
    assert issuers.comparable and issuers.basis == "issuers"
    assert [(r.original.acronym, r.resulting.acronym, r.date) for r in issuers.reorganised] == [("CBIRC", "NFRA", "2023-05-18")]
    assert {b.acronym for b in issuers.continued} == {"MOFCOM", "CAC", "CNIPA", "GAC", "MOF", "PBOC", "SAFE", "STA"}
    assert issuers.joined == () and len(issuers.left) == 27 - 8 - 1
    # the 2025 summary names no responsible body per measure: nobody is said to have left on that basis
    responsible = step.responsible
    assert not responsible.comparable and responsible.left == () and responsible.joined == ()
    assert "names no responsible body" in responsible.note and "no comparison" in responsible.note
    # bodies named responsible in 2022 that issued nothing (Export-Import Bank, Sinosure) are not reported as leaving
    left = {b.label for b in issuers.left}
    assert not any("Export-Import" in name or "Sinosure" in name or "Export & Credit" in name for name in left)


def test_who_is_responsible_now_follows_cbirc_to_nfra(brief: Brief) -> None:
    step = brief.steps[0]
    p25 = next(r for r in step.living_on if r.id == "opinions-2022/25")
    assert p25.carried_by == ("circular-2025/X",)
    cbirc = next(h for h in p25.holders if "Banking and Insurance" in h.agency_label)
    assert cbirc.current_label == "National Financial Regulatory Administration" and cbirc.since == "2023-05-18"
    assert cbirc.locator and cbirc.query == "current-responsibility"
    assert {r.note for r in step.later_bodies} == {"not named by the available source"}


def test_emphasis_counts_provisions_per_theme(brief: Brief) -> None:
    em = brief.emphasis
    assert em.provisions == (31, 8)
    ip = next(t for t in em.themes if t.name == "Intellectual property")
    assert ip.counts == (2, 2) and ip.shares == (round(2 / 31, 3), 0.25)
    assert any("appears" in c for z in em.zones for c in z.changes)


def test_chain_brief_has_a_step_per_pair(chain: Brief) -> None:
    assert [(s.earlier, s.later) for s in chain.steps] == [(a, b) for a, b in itertools.pairwise(CHAIN)]
    plan = chain.steps[1]
    assert not plan.issuers.reorganised and {b.acronym for b in plan.issuers.continued} == {"MOFCOM"}
    assert not plan.responsible.comparable
    d1 = next(m for m in plan.measures if m.number == "D1")
    assert d1.status == "related to other documents only" and d1.other_links[0].earlier == "opinions-2022/3"
    # a 2022 provision the 2025 summary does not show, carried on by the 2026 plan
    first = {n.id: n for n in chain.steps[0].not_carried}
    assert first["opinions-2022/3"].carried_later == ("plan-2026/D1",)


def test_markdown_is_commonmark_and_fits_an_email(chain: Brief) -> None:
    from markdown_it import MarkdownIt

    text = to_markdown(chain)
    tokens = MarkdownIt("commonmark").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[:2] == ["Policy evolution brief: 2022 Opinions → 2025 Circular → 2026 Plan", "1. The documents"]
    assert {"5. Emphasis", "6. Who is responsible now", "2022 Opinions → 2025 Circular"} <= set(headings)
    assert sum(t.type == "bullet_list_open" for t in tokens) > 10
    html = MarkdownIt("commonmark").render(text)
    assert "<h1>" in html and "\\[2025\\]" not in html
    long = [line for line in text.splitlines() if len(line) > WIDTH and " " in line.strip()[2:] and not line.startswith("#")]
    assert long == []


def test_json_validates_against_the_shipped_schema(chain: Brief) -> None:
    import jsonschema

    data = json.loads(to_json(chain))
    jsonschema.validate(data, schema())
    assert data["steps"][0]["issuers"]["reorganised"][0]["resulting"]["acronym"] == "NFRA"
    broken = {**data, "steps": [{**data["steps"][0], "measures": [{"status": "dropped"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


def test_cli_compare_writes_atomically_and_report_refuses_reversed_order(runner: Any, built: Any, tmp_path: Path) -> None:
    target = tmp_path / "brief.md"
    result = runner.invoke(
        main, ["compare", "opinions-2022", "商服贸发〔2025〕186号", "--out", str(built.out), "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Policy evolution brief: 2022 Opinions → 2025 Circular")
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]
    result = runner.invoke(main, ["report", "plan-2026", "opinions-2022", "--out", str(built.out)])
    assert result.exit_code == 2
    assert "give the documents in date order: opinions-2022 plan-2026" in result.output
    result = runner.invoke(main, ["report", "no-such-paper", "plan-2026", "--out", str(built.out)])
    assert result.exit_code == 2 and "no such document" in result.output
    result = runner.invoke(main, ["report", *CHAIN, "--format", "json", "--out", str(built.out)])
    assert result.exit_code == 0 and len(json.loads(result.output)["steps"]) == 2


# ------------------------------------------------------------------ HTML in a real browser
def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str], list[str]]:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, requests, errors, dialogs


@pytest.mark.slow
def test_chain_brief_renders_offline_in_chromium(chain: Brief, browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "brief.html"
    path.write_text(to_html(chain, "../polkg-views"), encoding="utf-8")
    page, requests, errors, dialogs = _open(browser, path)
    assert [u for u in requests if not u.startswith("file://")] == [] and len(requests) == 1
    assert errors == [] and dialogs == []
    assert page.locator("h1").inner_text().startswith("Policy evolution brief: 2022 Opinions")
    assert page.locator("a[href='../polkg-views/doc/opinions-2022.html#p-25']").count() > 0
    assert page.locator("a[href='../polkg-views/agency/nfra.html']").count() > 0
    assert "continued through reorganisation: CBIRC → NFRA" in page.locator("body").inner_text()
    page.emulate_media(media="print")
    assert len(page.pdf()) > 10_000


@pytest.fixture(scope="module")
def hostile_engine(hostile_build: BuildResult) -> EmbeddedEngine:
    return EmbeddedEngine(hostile_build.out / "store")


def test_hostile_labels_stay_text_in_markdown(hostile_engine: EmbeddedEngine) -> None:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(to_markdown(build_brief(hostile_engine, ["early-opinions", "late-circular"])))
    assert not re.search(r"<(script|svg|b |img)", html)
    assert "&lt;svg onload=alert(7)&gt;" in html


@pytest.mark.slow
def test_hostile_labels_stay_text_in_html(hostile_engine: EmbeddedEngine, browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(to_html(build_brief(hostile_engine, ["early-opinions", "late-circular"])), encoding="utf-8")
    page, requests, errors, dialogs = _open(browser, path)
    assert errors == [] and dialogs == [] and len(requests) == 1
    assert page.locator("script, svg").count() == 0
    assert "<svg onload=alert(7)>" in page.locator("body").inner_text()


def test_readme_excerpt_is_the_brief(brief: Brief) -> None:
    """README's excerpt of the 2022 -> 2025 brief is what `polkg compare opinions-2022 circular-2025` prints."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("An excerpt of the 2022 → 2025 brief", 1)[1].split("```markdown\n", 1)[1].split("\n```", 1)[0]
    text = to_markdown(brief)
    lines = [line for line in block.splitlines() if line.strip() and line != "[...]"]
    assert len(lines) > 20
    assert [line for line in lines if line not in text.splitlines()] == []
