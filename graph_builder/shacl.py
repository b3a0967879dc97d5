"""Validate the built graph against the SHACL shapes and report each violation readably."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from graph_builder.errors import ShapeError
from graph_builder.prefixes import compact
from graph_builder.resources import shapes_file


def validate_graph(data: Graph, ontology: Graph | None = None, shapes: Graph | None = None) -> None:
    """Raise ShapeError listing every violation of the shapes (the ontology supplies class hierarchy)."""
    import pyshacl

    shapes = shapes if shapes is not None else Graph().parse(shapes_file(), format="turtle")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False
    )
    if conforms:
        return
    assert isinstance(report, Graph)
    lines = []
    for result in sorted(report.subjects(RDF.type, SH.ValidationResult), key=str):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        identifier = data.value(focus, DCTERMS.identifier) if isinstance(focus, URIRef) else None
        where = f"'{identifier}'" if identifier else compact(str(focus))
        prop = f" {compact(str(path))}:" if isinstance(path, URIRef) else ""
        lines.append(f"{where}:{prop} {message}")
    lines = sorted(set(lines))
    raise ShapeError(f"the graph does not conform to the shapes ({len(lines)} problems):\n" + "\n".join(lines))
