"""SHACL Core shapes compiled once into plain checks, for the build's per-file validation (pySHACL is the reference).

pySHACL re-creates every constraint object for every focus node, which costs about 8 ms per source
file: 80 s of CPU for 10,000 files, more than the whole build may take. The shapes polkg uses are
a small part of SHACL Core on simple predicate paths, so this module compiles them once into
plain Python checks over one pass of the data. It supports exactly the components listed in
``NODE_KEYS`` and ``PROPERTY_KEYS`` and refuses any other term in a shape (``ShapeCompileError``),
so a constraint added to shapes.ttl is never silently skipped. tests/test_corecheck.py checks it
against pySHACL on the real graph, with violations of every supported component.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

Index = dict[Node, dict[Node, list[Node]]]

# the terms a node shape / property shape may use (anything else is refused when compiling)
NODE_KEYS = frozenset(
    {RDF.type, RDFS.comment, RDFS.label, SH.targetClass, SH.targetSubjectsOf, SH.property, SH["not"], SH.message, SH["class"]}
)
PROPERTY_KEYS = frozenset(
    {
        SH.path,
        SH.message,
        SH.name,
        SH.description,
        SH.minCount,
        SH.maxCount,
        SH.datatype,
        SH["class"],
        SH.nodeKind,
        SH["in"],
        SH.minLength,
        SH.minInclusive,
        SH.uniqueLang,
    }
)


class ShapeCompileError(ValueError):
    """The shapes use a SHACL feature this module does not compile: validate with pySHACL, or add it here."""


@dataclass(frozen=True)
class Violation:
    """One constraint a focus node breaks: the node, the property path (None at node level), the component, a message."""

    focus: Node
    path: URIRef | None
    component: URIRef
    message: str


@dataclass(frozen=True)
class PropertyCheck:
    path: URIRef
    message: str | None
    min_count: int | None = None
    max_count: int | None = None
    datatype: URIRef | None = None
    classes: tuple[URIRef, ...] = ()
    node_kind: URIRef | None = None
    allowed: frozenset[Node] | None = None
    min_length: int | None = None
    min_inclusive: Literal | None = None
    unique_lang: bool = False


@dataclass(frozen=True)
class NodeCheck:
    shape: Node
    target_classes: tuple[URIRef, ...]
    target_subjects_of: tuple[URIRef, ...]
    message: str | None
    properties: tuple[PropertyCheck, ...]
    classes: tuple[URIRef, ...]  # sh:class on the focus node itself
    negated: tuple[NodeCheck, ...]  # sh:not


def _one(shapes: Graph, node: Node, key: URIRef) -> Node | None:
    values = list(shapes.objects(node, key))
    if len(values) > 1:
        raise ShapeCompileError(f"shape {node} has {len(values)} values of {key}; one is supported")
    return values[0] if values else None


def _int(shapes: Graph, node: Node, key: URIRef) -> int | None:
    value = _one(shapes, node, key)
    return int(value) if isinstance(value, Literal) else None


def _refuse_unknown(shapes: Graph, node: Node, allowed: frozenset[URIRef]) -> None:
    unknown = sorted(str(p) for p in set(shapes.predicates(node, None)) - allowed)
    if unknown:
        raise ShapeCompileError(f"shape {node} uses {', '.join(unknown)}, which polkg's SHACL Core checks do not compile")


def _property(shapes: Graph, node: Node) -> PropertyCheck:
    _refuse_unknown(shapes, node, PROPERTY_KEYS)
    path = _one(shapes, node, SH.path)
    if not isinstance(path, URIRef):
        raise ShapeCompileError(f"property shape {node}: only a single predicate is supported as sh:path, not {path!r}")
    in_list = _one(shapes, node, SH["in"])
    message = _one(shapes, node, SH.message)
    min_inclusive = _one(shapes, node, SH.minInclusive)
    return PropertyCheck(
        path=path,
        message=str(message) if message is not None else None,
        min_count=_int(shapes, node, SH.minCount),
        max_count=_int(shapes, node, SH.maxCount),
        datatype=_uri(_one(shapes, node, SH.datatype)),
        classes=tuple(sorted(c for c in shapes.objects(node, SH["class"]) if isinstance(c, URIRef))),
        node_kind=_uri(_one(shapes, node, SH.nodeKind)),
        allowed=frozenset(Collection(shapes, in_list)) if in_list is not None else None,
        min_length=_int(shapes, node, SH.minLength),
        min_inclusive=min_inclusive if isinstance(min_inclusive, Literal) else None,
        unique_lang=bool(_one(shapes, node, SH.uniqueLang)),
    )


def _uri(node: Node | None) -> URIRef | None:
    return node if isinstance(node, URIRef) else None


def _node(shapes: Graph, node: Node) -> NodeCheck:
    _refuse_unknown(shapes, node, NODE_KEYS)
    if (node_kind := _one(shapes, node, SH.nodeKind)) is not None:
        raise ShapeCompileError(f"shape {node}: sh:nodeKind at node level ({node_kind}) is not compiled")
    message = _one(shapes, node, SH.message)
    return NodeCheck(
        shape=node,
        target_classes=tuple(sorted(c for c in shapes.objects(node, SH.targetClass) if isinstance(c, URIRef))),
        target_subjects_of=tuple(sorted(p for p in shapes.objects(node, SH.targetSubjectsOf) if isinstance(p, URIRef))),
        message=str(message) if message is not None else None,
        properties=tuple(_property(shapes, p) for p in sorted(shapes.objects(node, SH.property), key=_sort_key(shapes))),
        classes=tuple(sorted(c for c in shapes.objects(node, SH["class"]) if isinstance(c, URIRef))),
        negated=tuple(_node(shapes, n) for n in sorted(shapes.objects(node, SH["not"]), key=_sort_key(shapes))),
    )


def _sort_key(shapes: Graph):  # type: ignore[no-untyped-def]
    return lambda n: (str(_one(shapes, n, SH.path) or ""), str(n) if not isinstance(n, BNode) else "")


def compile_shapes(shapes: Graph) -> tuple[NodeCheck, ...]:
    """Every node shape of ``shapes`` that has targets, compiled; ShapeCompileError on anything not supported."""
    roots = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(SH.targetClass, None))
    roots |= set(shapes.subjects(SH.targetSubjectsOf, None))
    for key in (SH.targetNode, SH.targetObjectsOf, SH.target):
        if (found := next(shapes.subjects(key, None), None)) is not None:
            raise ShapeCompileError(f"shape {found} uses {key}, which polkg's SHACL Core checks do not compile")
    return tuple(_node(shapes, node) for node in sorted(roots, key=str))


class Hierarchy:
    """Class membership through rdfs:subClassOf (the ontology's class hierarchy)."""

    def __init__(self, hierarchy: Graph):
        parents: dict[Node, set[Node]] = defaultdict(set)
        for sub, sup in hierarchy.subject_objects(RDFS.subClassOf):
            parents[sub].add(sup)
        self._parents = parents

    @cache  # noqa: B019 - one Hierarchy per process, kept for the build
    def ancestors(self, cls: Node) -> frozenset[Node]:
        """``cls`` and every class it is a subclass of."""
        seen = {cls}
        todo = [cls]
        while todo:
            for parent in self._parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    def classes_of(self, index: Index, node: Node) -> frozenset[Node]:
        """Every class ``node`` is an instance of, by its ``rdf:type`` values in ``index`` and their superclasses."""
        props = index.get(node)
        types = props.get(RDF.type) if props is not None else None
        if not types:
            return frozenset()
        return self._union(tuple(types))

    @cache  # noqa: B019 - one Hierarchy per process, kept for the build
    def _union(self, types: tuple[Node, ...]) -> frozenset[Node]:
        return frozenset().union(*(self.ancestors(t) for t in types))


def index_graph(triples: Iterable[tuple[Node, Node, Node]]) -> Index:
    """subject -> predicate -> objects, in one pass over ``triples`` (a Graph, say)."""
    index: Index = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        index[s][p].append(o)
    return index


def check(checks: Iterable[NodeCheck], index: Index, hierarchy: Hierarchy, focus: Iterable[Node]) -> list[Violation]:
    """The violations of the ``focus`` nodes in ``index`` (only focus nodes that a shape targets are checked)."""
    checks = tuple(checks)
    found: list[Violation] = []
    for node in focus:
        props = index.get(node)
        if props is None:
            continue
        classes = hierarchy.classes_of(index, node)
        for shape in checks:
            if any(c in classes for c in shape.target_classes) or any(p in props for p in shape.target_subjects_of):
                found.extend(_check_node(shape, node, props, classes, index, hierarchy))
    return found


def _check_node(
    shape: NodeCheck, node: Node, props: dict[Node, list[Node]], classes: frozenset[Node], index: Index, hierarchy: Hierarchy
) -> Iterable[Violation]:
    for cls in shape.classes:
        if cls not in classes:
            yield Violation(node, None, SH.ClassConstraintComponent, shape.message or f"must be an instance of {cls}")
    for negated in shape.negated:
        if not any(True for _ in _check_node(negated, node, props, classes, index, hierarchy)):
            yield Violation(node, None, SH.NotConstraintComponent, shape.message or "conforms to a shape it must not")
    for prop in shape.properties:
        values = props.get(prop.path, ())
        yield from _check_property(prop, node, values, index, hierarchy)


def _check_property(
    prop: PropertyCheck, node: Node, values: Iterable[Node], index: Index, hierarchy: Hierarchy
) -> Iterable[Violation]:
    values = list(dict.fromkeys(values))

    def fail(component: URIRef, default: str) -> Violation:
        return Violation(node, prop.path, component, prop.message or default)

    if prop.min_count is not None and len(values) < prop.min_count:
        yield fail(SH.MinCountConstraintComponent, f"needs at least {prop.min_count} value(s)")
    if prop.max_count is not None and len(values) > prop.max_count:
        yield fail(SH.MaxCountConstraintComponent, f"allows at most {prop.max_count} value(s)")
    if prop.unique_lang:
        langs = [v.language for v in values if isinstance(v, Literal) and v.language]
        if len(langs) != len(set(langs)):
            yield fail(SH.UniqueLangConstraintComponent, "has two values in the same language")
    for value in values:
        if prop.datatype is not None and not _has_datatype(value, prop.datatype):
            yield fail(SH.DatatypeConstraintComponent, f"must be a literal of datatype {prop.datatype}")
        for cls in prop.classes:
            if cls not in hierarchy.classes_of(index, value):
                yield fail(SH.ClassConstraintComponent, f"must be an instance of {cls}")
        if prop.node_kind is not None and not _has_node_kind(value, prop.node_kind):
            yield fail(SH.NodeKindConstraintComponent, f"must be of node kind {prop.node_kind}")
        if prop.allowed is not None and value not in prop.allowed:
            yield fail(SH.InConstraintComponent, "is not one of the allowed values")
        if prop.min_length is not None and (isinstance(value, BNode) or len(str(value)) < prop.min_length):
            yield fail(SH.MinLengthConstraintComponent, f"must be at least {prop.min_length} characters long")
        if prop.min_inclusive is not None and not _at_least(value, prop.min_inclusive):
            yield fail(SH.MinInclusiveConstraintComponent, f"must be at least {prop.min_inclusive}")


def _has_datatype(value: Node, datatype: URIRef) -> bool:
    if not isinstance(value, Literal) or value.ill_typed:
        return False
    if value.datatype is None:
        return datatype == (RDF.langString if value.language else XSD.string)
    return value.datatype == datatype


def _has_node_kind(value: Node, kind: URIRef) -> bool:
    kinds = {
        SH.IRI: isinstance(value, URIRef),
        SH.BlankNode: isinstance(value, BNode),
        SH.Literal: isinstance(value, Literal),
        SH.BlankNodeOrIRI: isinstance(value, (BNode, URIRef)),
        SH.BlankNodeOrLiteral: isinstance(value, (BNode, Literal)),
        SH.IRIOrLiteral: isinstance(value, (URIRef, Literal)),
    }
    if kind not in kinds:
        raise ShapeCompileError(f"unknown sh:nodeKind {kind}")
    return kinds[kind]


def _at_least(value: Node, bound: Literal) -> bool:
    if not isinstance(value, Literal) or value.ill_typed:
        return False
    try:
        return bool(value.toPython() >= bound.toPython())
    except TypeError:  # incomparable values (a string against a number) do not conform
        return False
