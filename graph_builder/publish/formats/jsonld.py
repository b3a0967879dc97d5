"""JSON-LD: the graph as JSON-LD with polkg's prefixes as its context."""

from __future__ import annotations

import json
import re
from typing import Any

from graph_builder.publish.formats import ExportFormat


def write(ntriples: bytes) -> bytes:
    """``ntriples`` as JSON-LD (keys sorted; blank nodes keep their N-Triples labels, so equal graphs give equal bytes)."""
    from rdflib import Graph

    from graph_builder.prefixes import PREFIXES

    # rdflib's N-Triples parser gives blank nodes new random ids; the input's labels are stable
    # (a bnode context that maps each label to itself keeps them)
    labels = {label.decode(): label.decode() for label in set(re.findall(rb"_:([A-Za-z0-9_.-]+)", ntriples))}
    graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt", bnode_context=labels)
    data = json.loads(graph.serialize(format="json-ld", context=PREFIXES, encoding="utf-8", sort_keys=True))
    # rdflib lists nodes and a property's values in its store's order, which varies from process to process
    return (json.dumps(_ordered(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _ordered(value: Any, key: str = "") -> Any:
    """``value`` with every JSON array sorted, except ``@list`` arrays (RDF collections, whose order is data)."""
    if isinstance(value, dict):
        return {k: _ordered(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_ordered(v) for v in value]
        return items if key == "@list" else sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


JSONLD = ExportFormat("json-ld", "jsonld", "application/ld+json", write)
