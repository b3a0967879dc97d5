"""Shared fixtures: one build of the bundled sources per test session, an engine over it, a CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_builder.layout import default_sources
from graph_builder.query.catalogue import get_query
from graph_builder.query.engine import EmbeddedEngine
from graph_builder.query.results import ResultSet
from graph_builder.query.run import run_stored
from graph_builder.store.build import BuildResult, build

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(os.environ.get("POLKG_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds"))
OPINIONS_SEED = SEEDS / "002_1fb6f873d9b9dbd3.txt"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(default_sources(), tmp_path_factory.mktemp("graph") / "out")


@pytest.fixture(scope="session")
def engine(built: BuildResult) -> EmbeddedEngine:
    return EmbeddedEngine(built.out / "store")


Run = Callable[..., ResultSet]


@pytest.fixture(scope="session")
def run(engine: EmbeddedEngine) -> Run:
    """run("query-id", doc="...", ...) -> ResultSet, through the same path as `polkg query run`."""

    def _run(query_id: str, **params: str) -> ResultSet:
        return run_stored(get_query(query_id), params, engine)

    return _run


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled sources, safe to edit."""
    target = tmp_path / "team-sources"
    shutil.copytree(default_sources(), target)
    return target


def column_set(result: ResultSet, column: str) -> set[str]:
    """The distinct values of ``column`` (IRIs in full)."""
    return {value for value in result.column(column) if value is not None}


def agency_set(*agency_ids: str) -> set[str]:
    from graph_builder.graph.emit import agency_iri

    return {str(agency_iri(a)) for a in agency_ids}


def _alias_index() -> list[tuple[str, str]]:
    from graph_builder.sources.load import load_sources
    from graph_builder.sources.names import normalise_name

    corpus = load_sources(default_sources())
    index = []
    for agency in corpus.agencies.agencies:
        for name in [agency.name.en, *agency.aliases]:
            index.append((normalise_name(name), agency.id))
    return sorted(index, key=lambda kv: -len(kv[0]))  # longest names first


def seed_names_to_ids(text: str) -> set[str]:
    """The agency ids whose names or aliases occur in ``text`` (longest names matched first)."""
    import re

    from graph_builder.sources.names import normalise_name

    text = normalise_name(text)
    found = set()
    for name, agency_id in _alias_index():
        if re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", text):
            found.add(agency_id)
            text = text.replace(name, " ")
    return found


def seed_responsibility_lists() -> dict[str, set[str]]:
    """Provision number -> responsible agency ids, read straight from the 2022 Opinions seed text."""
    import re

    text = OPINIONS_SEED.read_text(encoding="utf-8")
    lists = dict(re.findall(r"^\((\d+)\) .*\(([^()]*(?:responsible)[^()]*)\)\s*$", text, flags=re.MULTILINE))
    return {number: seed_names_to_ids(names.split(" are responsible")[0]) for number, names in lists.items()}


@pytest.fixture(scope="session")
def site(engine: EmbeddedEngine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The views site of the curated graph."""
    from graph_builder.views import generate

    return generate(engine, tmp_path_factory.mktemp("views") / "site", "the embedded store").out


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The views of fixtures/valid/minimal overlaid with fixtures/hostile (labels that try to break out of HTML)."""
    from graph_builder.views import generate

    root = tmp_path_factory.mktemp("hostile")
    sources = root / "sources"
    shutil.copytree(FIXTURES / "valid" / "minimal", sources)
    shutil.copytree(FIXTURES / "hostile", sources, dirs_exist_ok=True)
    result = build(sources, root / "out")
    return generate(EmbeddedEngine(result.out / "store"), root / "site", "the embedded store").out


def page_data(page: Path) -> dict:
    """The JSON a view page embeds (nodes, edges, filters)."""
    import json
    import re

    html = page.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="polkg-data">(.*?)</script>', html, flags=re.DOTALL)
    assert match, f"{page} embeds no view data"
    return json.loads(match.group(1))
