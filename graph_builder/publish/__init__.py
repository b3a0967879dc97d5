"""The publish step: export the graph in a registered format, push it into a triple store, or serve it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph_builder.publish import formats
    from graph_builder.publish.export import export_build, export_graph, export_remote, serialise_ntriples
    from graph_builder.publish.push import push_build, push_graph
    from graph_builder.publish.serve import serve_site, serve_sparql

# each name is imported at its first use, so reading the format names (for --help) loads no store or HTTP client
_HOMES = {
    "export_build": "graph_builder.publish.export",
    "export_graph": "graph_builder.publish.export",
    "export_remote": "graph_builder.publish.export",
    "serialise_ntriples": "graph_builder.publish.export",
    "push_build": "graph_builder.publish.push",
    "push_graph": "graph_builder.publish.push",
    "serve_site": "graph_builder.publish.serve",
    "serve_sparql": "graph_builder.publish.serve",
}
__all__ = [
    "export_build",
    "export_graph",
    "export_remote",
    "formats",
    "push_build",
    "push_graph",
    "serialise_ntriples",
    "serve_site",
    "serve_sparql",
]


def __getattr__(name: str) -> Any:
    """The re-exported ``name``, imported from its module now."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
