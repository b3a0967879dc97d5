"""Validate graphs against the SHACL shapes and report each violation readably, located in the sources.

Two ways in. ``validate_graph`` runs pySHACL over one whole graph (the reference). The build
splits the same shapes in two: the core constraints, compiled into plain checks (``corecheck``),
run on each source file's graph (``check_unit``: file-local, so cached and parallel), and the
SHACL-SPARQL constraints, which follow links between files, run once over the finished store
(``check_sparql_constraints``: one query per constraint with ``$this`` left free, not one per focus node).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.term import Node

from graph_builder.errors import ShapeError
from graph_builder.graph.corecheck import Hierarchy, Index, NodeCheck, Violation, check, compile_shapes
from graph_builder.layout import shapes_file
from graph_builder.prefixes import compact

if TYPE_CHECKING:
    import pyoxigraph

    from graph_builder.sources.corpus import Corpus


@cache
def _shapes_text() -> str:
    return shapes_file().read_text(encoding="utf-8")


def shapes_graph() -> Graph:
    """The shapes, freshly parsed (callers may change their copy)."""
    return Graph().parse(data=_shapes_text(), format="turtle")


def validate_graph(data: Graph, ontology: Graph | None = None, shapes: Graph | None = None, corpus: Corpus | None = None) -> None:
    """Raise ShapeError listing every violation of the shapes (the ontology supplies class hierarchy)."""
    import pyshacl

    shapes = shapes if shapes is not None else shapes_graph()
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False
    )
    if not conforms:
        assert isinstance(report, Graph)
        raise shape_error(report_lines(report, data), corpus)


def report_lines(report: Graph, data: Graph) -> list[ShapeProblem]:
    """One readable line per result of a pySHACL report: the node's source id, the property, the message."""
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        identifier = data.value(focus, DCTERMS.identifier) if isinstance(focus, URIRef) else None
        via = tuple(str(s) for s in data.subjects(None, focus)) if focus is not None else ()
        lines.append(_line(identifier, focus, path if isinstance(path, URIRef) else None, str(message), via))
    return lines


@dataclass(frozen=True, order=True)
class ShapeProblem:
    """One shape violation as data: the focus node, its source id, the property, the message, and the nodes
    that link to the focus (nearest first), through which a node minted under another is found in the sources."""

    focus: str
    identifier: str | None
    path: str | None
    message: str
    via: tuple[str, ...] = ()

    def __str__(self) -> str:
        """The one format of a shape problem: the node's source id (else its compact IRI), the property, the message."""
        where = f"'{self.identifier}'" if self.identifier else compact(self.focus)
        prop = f" {compact(self.path)}:" if self.path is not None else ""
        return f"{where}:{prop} {self.message}"


def _line(identifier: object, focus: object, path: URIRef | None, message: str, via: tuple[str, ...] = ()) -> ShapeProblem:
    label = str(identifier) if identifier else None
    return ShapeProblem(str(focus), label, str(path) if path is not None else None, message, via)


def shape_error(problems: Iterable[ShapeProblem], corpus: Corpus | None = None) -> ShapeError:
    """The error for ``problems``, each located in the source file (and line) that wrote its node when ``corpus`` is given."""
    from graph_builder.errors import Problem

    found = sorted(set(problems))
    located: list[Problem] = []
    locations = None
    if corpus is not None:
        from graph_builder.graph.locate import node_locations
        from graph_builder.sources.corpus import line_of

        locations = node_locations(corpus)
    for problem in found:
        where = None
        if locations is not None:
            where = next((locations[n] for n in (problem.focus, *problem.via) if n in locations), None)
        field = compact(problem.path) if problem.path else ""
        subject = f"'{problem.identifier}'" if problem.identifier else compact(problem.focus)
        message = f"{subject}: {problem.message}"
        if where is None:
            located.append(Problem(None, None, field, message))
        else:
            path, loc = where
            located.append(Problem(path, line_of(path, loc), field, message))
    return ShapeError(located, found)


# ------------------------------------------------------------------ the build's split
@cache
def core_shapes() -> Graph:
    """The shapes without their SHACL-SPARQL constraints (those run over the whole store)."""
    shapes = shapes_graph()
    shapes.remove((None, SH.sparql, None))
    return shapes


@cache
def _core_checks() -> tuple[NodeCheck, ...]:
    return compile_shapes(core_shapes())


def check_unit(data: Index, focus: Iterable[Node], hierarchy: Hierarchy) -> list[Violation]:
    """The violations of the core shapes by the ``focus`` nodes of ``data`` (compiled checks, see corecheck).

    ``data`` indexes one or more source files' graphs plus the types of the nodes they link to in
    other files; ``hierarchy`` is the ontology's class hierarchy, so ``sh:class`` sees subclasses.
    """
    return check(_core_checks(), data, hierarchy, focus)


def violation_line(data: Index, violation: Violation) -> ShapeProblem:
    """A violation as data: the node's source id, the property, the message, the nodes linking to it (as ``report_lines``)."""
    identifiers = data.get(violation.focus, {}).get(DCTERMS.identifier, ())
    via = tuple(str(s) for s, props in data.items() if any(violation.focus in values for values in props.values()))
    return _line(identifiers[0] if identifiers else None, violation.focus, violation.path, violation.message, via)


def class_hierarchy(ontology: Graph) -> Hierarchy:
    """The class hierarchy of ``ontology`` (its ``rdfs:subClassOf`` statements): all ``validate_unit`` needs of it."""
    hierarchy = Graph()
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return Hierarchy(hierarchy)


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint: the shape, its target classes, the SELECT (prefixes declared) and message."""

    shape: URIRef
    targets: tuple[URIRef, ...]
    select: str
    message: str


@cache
def sparql_constraints() -> tuple[SparqlConstraint, ...]:
    """Every SHACL-SPARQL constraint of the shapes, with the ``sh:declare`` prefixes it may use."""
    shapes = shapes_graph()
    prologue = "".join(
        f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>\n"
        for decl in sorted(shapes.objects(None, SH.declare), key=str)
    )
    found = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=str):
        assert isinstance(shape, URIRef)
        targets = tuple(sorted(t for t in shapes.objects(shape, SH.targetClass) if isinstance(t, URIRef)))
        found.append(
            SparqlConstraint(
                shape, targets, prologue + str(shapes.value(constraint, SH.select)), str(shapes.value(constraint, SH.message))
            )
        )
    return tuple(found)


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


_INSTANCES = """
SELECT ?this ?class WHERE { ?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class . ?this a ?sub }
"""


def check_sparql_constraints(store: pyoxigraph.Store, corpus: Corpus | None = None) -> None:
    """Run every SHACL-SPARQL constraint once over ``store``; raise ShapeError listing each violation
    (located in the sources of ``corpus`` when given).

    Same results as pre-binding ``$this`` to each target node in turn (SHACL 5.3.1): the query runs
    with ``$this`` free and only rows whose ``$this`` is an instance of a target class count (looked
    up only when there are rows: a conforming store costs one query per constraint).
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph

    def rows_of(constraint: SparqlConstraint) -> list[dict[str, Any]]:
        solutions = store.query(constraint.select)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{name: row[name] for name in names} for row in solutions]

    constraints = sparql_constraints()
    # pyoxigraph evaluates without holding the GIL, so the queries run side by side
    with ThreadPoolExecutor(max(1, min(len(constraints), os.cpu_count() or 1))) as pool:
        answers = list(pool.map(rows_of, constraints))
    lines = []
    for constraint, rows in zip(constraints, answers, strict=True):
        if not rows:
            continue
        focus = {
            found["this"]
            for target in constraint.targets
            for found in store.query(  # type: ignore[union-attr]
                _INSTANCES, substitutions={pyoxigraph.Variable("class"): pyoxigraph.NamedNode(str(target))}
            )
        }
        for row in rows:
            if row["this"] in focus:
                via = tuple(str(getattr(q.subject, "value", "")) for q in store.quads_for_pattern(None, None, row["this"]))
                lines.append(
                    _line(_store_identifier(store, row["this"]), row["this"].value, None, _fill(constraint.message, row), via)
                )
    if lines:
        raise shape_error(lines, corpus)


def _fill(message: str, values: dict[str, object]) -> str:
    """``message`` with each ``{?var}`` / ``{$var}`` replaced by that variable's value in the row."""
    return _PLACEHOLDER.sub(lambda m: _plain(values.get(m.group(1))), message)


def _plain(term: object) -> str:
    return getattr(term, "value", "") if term is not None else ""


def _store_identifier(store: pyoxigraph.Store, node: pyoxigraph.NamedNode) -> str | None:
    import pyoxigraph

    for quad in store.quads_for_pattern(node, pyoxigraph.NamedNode(str(DCTERMS.identifier)), None):
        return str(getattr(quad.object, "value", quad.object))
    return None
