"""Open the engine a command reads: a remote SPARQL endpoint, or the embedded store of a build (built on demand)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graph_builder.query.engine import Engine
from graph_builder.query.remote import DEFAULT_MAX_ANSWER_MB, DEFAULT_TIMEOUT


def open_engine(
    sources: Path | None = None,
    out: Path | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    echo: Callable[[str], None] | None = None,
    max_answer_mb: float | None = None,
) -> Engine:
    """The remote ``endpoint`` (its named ``graph`` as the default graph) if one is given, else the embedded
    store of build ``out`` from ``sources``, built first when not current and rebuilt once if found damaged
    (``echo`` says when either happens). ``max_answer_mb`` caps a remote answer (default DEFAULT_MAX_ANSWER_MB)."""
    if endpoint:
        from graph_builder.query.remote import RemoteEngine

        return RemoteEngine(endpoint, timeout=timeout, graph=graph, max_answer_mb=max_answer_mb or DEFAULT_MAX_ANSWER_MB)
    from graph_builder.layout import default_out
    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.store.build import ensure_built, repair

    build_dir = Path(out) if out else default_out()
    return EmbeddedEngine(ensure_built(sources, build_dir, echo), repair=lambda: repair(sources, build_dir, echo))
