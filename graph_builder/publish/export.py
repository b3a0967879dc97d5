"""The export step: the whole graph, from the build or from a remote store, in any registered format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from graph_builder.layout import NTRIPLES
from graph_builder.publish import formats
from graph_builder.query.remote import DEFAULT_MAX_ANSWER_MB, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from graph_builder.query.engine import Engine

EVERY_TRIPLE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def export_graph(
    fmt: str,
    sources: Path | None = None,
    out: Path | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    echo: Callable[[str], None] | None = None,
    max_answer_mb: float = DEFAULT_MAX_ANSWER_MB,
) -> bytes:
    """The whole graph (data and ontology) as ``fmt``: from ``endpoint`` (and ``graph``) if given, else from the build."""
    if endpoint:
        from graph_builder.query.open import open_engine

        return export_remote(open_engine(endpoint=endpoint, graph=graph, timeout=timeout, max_answer_mb=max_answer_mb), fmt)
    from graph_builder.store.build import ensure_built

    return export_build(ensure_built(sources, out, echo, verify_files=True).parent, fmt)


def export_build(build_dir: Path, fmt: str) -> bytes:
    """The graph in ``build_dir`` as ``fmt``: the build's own file of that format if it has one, else from graph.nt."""
    export_format = formats.get(fmt)
    if export_format.build_file:
        return (build_dir / export_format.build_file).read_bytes()
    return export_format.write((build_dir / NTRIPLES).read_bytes())


def export_remote(engine: Engine, fmt: str) -> bytes:
    """Every triple of ``engine`` (of its graph, if it has one) as ``fmt``."""
    return serialise_ntriples(engine.construct(EVERY_TRIPLE), fmt)


def serialise_ntriples(ntriples: bytes, fmt: str) -> bytes:
    """N-Triples (from a build, a remote store or a CONSTRUCT answer) serialised as ``fmt``."""
    return formats.get(fmt).write(ntriples)
