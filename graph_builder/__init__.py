"""polkg: a knowledge graph of China's trade-in-services and foreign-cultural-trade policy; its public API.

The library comes first and the ``polkg`` command is a thin shell over it. Everything a script or a
notebook needs is importable from here; each name is loaded on first use, so ``import graph_builder``
stays cheap::

    from graph_builder import ensure_built, EmbeddedEngine, run_query, render
    engine = EmbeddedEngine(ensure_built())
    print(render(run_query("provision-agencies", {"doc": "opinions-2022", "provision": "25"}, engine), "table"))

The pipeline, one subpackage per step (data flows one way): ``sources`` (read and check the YAML)
-> ``graph`` (emit RDF, SHACL) -> ``store`` (graph files, query store, cache) -> ``query`` (stored
queries, parameters, engines, results) -> ``analytics`` -> ``views`` -> ``publish`` (export, push,
serve) -> ``cli``.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> (module, attribute)
_API: dict[str, tuple[str, str]] = {
    # sources -> graph -> store
    "load_sources": ("graph_builder.sources.load", "load_sources"),
    "Corpus": ("graph_builder.sources.corpus", "Corpus"),
    "validate_sources": ("graph_builder.graph.validate", "validate_sources"),
    "build": ("graph_builder.store.build", "build"),
    "ensure_built": ("graph_builder.store.build", "ensure_built"),
    "BuildResult": ("graph_builder.store.build", "BuildResult"),
    # query
    "Engine": ("graph_builder.query.engine", "Engine"),
    "EmbeddedEngine": ("graph_builder.query.embedded", "EmbeddedEngine"),
    "RemoteEngine": ("graph_builder.query.remote", "RemoteEngine"),
    "open_engine": ("graph_builder.query.open", "open_engine"),
    "load_catalogue": ("graph_builder.query.catalogue", "load_catalogue"),
    "get_query": ("graph_builder.query.catalogue", "get_query"),
    "run_query": ("graph_builder.query.run", "run_query"),
    "run_stored": ("graph_builder.query.run", "run_stored"),
    "ResultSet": ("graph_builder.query.results", "ResultSet"),
    "Term": ("graph_builder.query.results", "Term"),
    "render": ("graph_builder.query.results", "render"),
    # analytics, views, publish
    "fetch_view_data": ("graph_builder.analytics.data", "fetch"),
    "analyse": ("graph_builder.analytics.networks", "analyse"),
    "analysis_report": ("graph_builder.analytics.report", "report"),
    "build_brief": ("graph_builder.analytics.brief", "build_brief"),
    "render_brief": ("graph_builder.analytics.brief", "render_brief"),
    "brief_html": ("graph_builder.views.brief", "to_html"),
    "write_views": ("graph_builder.views.site", "generate"),
    "iframe": ("graph_builder.views.site", "iframe"),
    "export_graph": ("graph_builder.publish.export", "export_graph"),
    # errors
    "PolkgError": ("graph_builder.errors", "PolkgError"),
    "SourceError": ("graph_builder.errors", "SourceError"),
    "ShapeError": ("graph_builder.errors", "ShapeError"),
    "UsageError": ("graph_builder.errors", "UsageError"),
    "QueryError": ("graph_builder.errors", "QueryError"),
    "OutputError": ("graph_builder.errors", "OutputError"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'graph_builder' has no attribute {name!r}")
    module, attribute = _API[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
