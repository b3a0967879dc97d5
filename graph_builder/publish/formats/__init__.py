"""The registry of export formats: each name maps to a module attribute, imported only when the format is used."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, file extension and media type, and how it writes the graph from N-Triples."""

    name: str
    extension: str
    media_type: str
    write: Callable[[bytes], bytes]
    rdf: bool = True  # False: not an RDF syntax (polkg sparql cannot write CONSTRUCT answers in it)
    build_file: str | None = None  # a file of the build folder that holds the graph in this format already


REGISTRY: dict[str, tuple[str, str]] = {}  # name -> (module, attribute), in registration order


def register(name: str, module: str, attribute: str) -> None:
    """Offer the format ``name``: the ExportFormat ``attribute`` of ``module``, imported at its first use."""
    REGISTRY[name] = (module, attribute)


def get(name: str) -> ExportFormat:
    """The registered format ``name`` (its module imported now if it was not yet)."""
    if name not in REGISTRY:
        raise ValueError(f"unknown export format {name!r}")
    module, attribute = REGISTRY[name]
    found = getattr(importlib.import_module(module), attribute)
    if not isinstance(found, ExportFormat) or found.name != name:
        raise TypeError(f"{module}.{attribute} is not the ExportFormat {name!r}")
    return found


def names(rdf: bool | None = None) -> tuple[str, ...]:
    """The registered format names in registration order; with ``rdf``, only the (non-)RDF ones (this imports them)."""
    return tuple(name for name in REGISTRY if rdf is None or get(name).rdf == rdf)


register("turtle", "graph_builder.publish.formats.turtle", "TURTLE")
register("n-triples", "graph_builder.publish.formats.ntriples", "NTRIPLES")
register("json-ld", "graph_builder.publish.formats.jsonld", "JSONLD")
register("graphml", "graph_builder.publish.formats.graphml", "GRAPHML")
