"""Shared fixtures: one build of the bundled sources per test session, an engine over it, a CLI runner, the views.

Helpers the test modules import (folders, result and page readers) live in helpers.py, not here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, Run

from graph_builder.layout import default_sources
from graph_builder.query.catalogue import get_query
from graph_builder.query.embedded import EmbeddedEngine
from graph_builder.query.results import ResultSet
from graph_builder.query.run import run_stored
from graph_builder.store.build import BuildResult, build


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(default_sources(), tmp_path_factory.mktemp("graph") / "out")


@pytest.fixture(scope="session")
def engine(built: BuildResult) -> EmbeddedEngine:
    return EmbeddedEngine(built.out / "store")


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


@pytest.fixture(scope="session")
def site(engine: EmbeddedEngine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The views site of the curated graph."""
    from graph_builder.views import generate

    return generate(engine, tmp_path_factory.mktemp("views") / "site", "the embedded store").out


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The build of fixtures/valid/minimal overlaid with fixtures/hostile (labels that try to break out of HTML)."""
    root = tmp_path_factory.mktemp("hostile")
    sources = root / "sources"
    shutil.copytree(FIXTURES / "valid" / "minimal", sources)
    shutil.copytree(FIXTURES / "hostile", sources, dirs_exist_ok=True)
    return build(sources, root / "out")


@pytest.fixture(scope="session")
def hostile_site(hostile_build: BuildResult) -> Path:
    """The views of the hostile build."""
    from graph_builder.views import generate

    return generate(EmbeddedEngine(hostile_build.out / "store"), hostile_build.out.parent / "site", "the embedded store").out
