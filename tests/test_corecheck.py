"""The compiled SHACL Core checks agree with pySHACL on the real graph, for every component the shapes use."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD

from graph_builder.graph.corecheck import ShapeCompileError, check, compile_shapes, index_graph
from graph_builder.graph.namespaces import PK
from graph_builder.graph.shapes import ShapeProblem, class_hierarchy, core_shapes
from graph_builder.graph.validate import Validated, validated_graph
from graph_builder.layout import default_sources

ELI = "http://data.europa.eu/eli/ontology#"
Found = set[tuple[str, str, str]]


@pytest.fixture(scope="module")
def curated() -> Validated:
    return validated_graph(default_sources())


def _instances(graph: Graph, cls: URIRef) -> list[URIRef]:
    found = sorted(n for n in graph.subjects(RDF.type, cls) if isinstance(n, URIRef))
    assert found, f"the curated graph has no {cls}"
    return found


def _set(graph: Graph, node: URIRef, path: URIRef, value: object) -> None:
    graph.remove((node, path, None))
    graph.add((node, path, value))  # type: ignore[arg-type]


# each mutation breaks one component on its own node; (component, what it does)
Mutation = Callable[[Graph], None]
MUTATIONS: dict[str, Mutation] = {
    "MinCount": lambda g: g.remove((_instances(g, PK.Measure)[0], DCTERMS.identifier, None)),
    "MaxCount": lambda g: g.add((_instances(g, PK.Participation)[0], PK.locator, Literal("a second locator"))),
    "Datatype": lambda g: _set(g, _instances(g, PK.Measure)[1], PK.ordinal, Literal("three")),
    "Class": lambda g: g.add((_instances(g, PK.Measure)[2], PK.responsibleAgency, _instances(g, PK.Zone)[0])),
    "NodeKind": lambda g: g.add((_instances(g, PK.Document)[0], URIRef(ELI + "passed_by"), Literal("MOFCOM"))),
    "In": lambda g: _set(g, _instances(g, PK.Participation)[1], PK.hadRole, PK.Measure),
    "MinLength": lambda g: _set(g, _instances(g, PK.Participation)[2], PK.locator, Literal("")),
    "MinInclusive": lambda g: _set(g, _instances(g, PK.Zone)[0], PK.memberCount, Literal(0)),
    "UniqueLang": lambda g: g.add((_instances(g, PK.Measure)[3], RDFS.label, Literal("another label", lang="en"))),
    "Not": lambda g: g.add((_instances(g, PK.Measure)[4], RDF.type, PK.Claim)),
    "TargetSubjectsOf": lambda g: g.remove((next(g.subjects(SKOS.inScheme, None)), SKOS.prefLabel, None)),
}


def _pyshacl(data: Graph, ontology: Graph) -> Found:
    import pyshacl

    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=core_shapes(), ont_graph=ontology, inference="none", advanced=False, allow_warnings=False
    )
    assert isinstance(report, Graph)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        component = str(report.value(result, SH.sourceConstraintComponent)).removeprefix(str(SH))
        found.add((str(report.value(result, SH.focusNode)), str(path) if path else "", component))
    assert conforms == (not found)
    return found


def _compiled(data: Graph, ontology: Graph) -> Found:
    index = index_graph(data)
    violations = check(compile_shapes(core_shapes()), index, class_hierarchy(ontology), list(index))
    return {(str(v.focus), str(v.path) if v.path else "", str(v.component).removeprefix(str(SH))) for v in violations}


def test_curated_graph_conforms_for_both(curated: Validated) -> None:
    assert _compiled(curated.data, curated.ontology) == set() == _pyshacl(curated.data, curated.ontology)


def test_every_component_agrees_with_pyshacl(curated: Validated) -> None:
    data = Graph()
    for triple in curated.data:
        data.add(triple)
    for mutate in MUTATIONS.values():
        mutate(data)
    expected = _pyshacl(data, curated.ontology)
    assert _compiled(data, curated.ontology) == expected
    components = {component for _, _, component in expected}
    for name in MUTATIONS:
        if name != "TargetSubjectsOf":
            assert f"{name}ConstraintComponent" in components, f"the {name} mutation broke nothing: the test would not see a bug"
    assert any(path == str(SKOS.prefLabel) for _, path, _ in expected)


def test_messages_come_from_the_shapes(curated: Validated) -> None:
    data = Graph()
    for triple in curated.data:
        data.add(triple)
    MUTATIONS["Not"](data)
    index = index_graph(data)
    violations = check(compile_shapes(core_shapes()), index, class_hierarchy(curated.ontology), list(index))
    assert [v.message for v in violations] == ["a commentator's claim or expectation must never also be an official measure"]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ('sh:property [ sh:path pk:summary ; sh:pattern "^A" ]', "http://www.w3.org/ns/shacl#pattern"),
        ("sh:property [ sh:path ( pk:summary pk:locator ) ; sh:minCount 1 ]", "only a single predicate"),
        ("sh:closed true", "http://www.w3.org/ns/shacl#closed"),
    ],
)
def test_unsupported_shapes_are_refused_not_skipped(extra: str, named: str) -> None:
    shapes = Graph().parse(
        data=f"""@prefix sh: <{SH}> . @prefix pk: <{PK}> . @prefix xsd: <{XSD}> .
        <urn:shape> a sh:NodeShape ; sh:targetClass pk:Measure ; {extra} .""",
        format="turtle",
    )
    with pytest.raises(ShapeCompileError, match=named.replace("(", r"\(")):
        compile_shapes(shapes)


def _sparql_mutations(g: Graph) -> None:
    """Break each SHACL-SPARQL constraint once, on different nodes."""
    later, earlier = PK.later, PK.earlier
    links = _instances(g, PK.Evolution)
    # a backward link: swap the ends of the first evolution link
    a, b = g.value(links[0], later), g.value(links[0], earlier)
    _set(g, links[0], later, b)
    _set(g, links[0], earlier, a)
    # a link within one document: both ends the later measure
    _set(g, links[1], earlier, g.value(links[1], later))
    # two measures of one document with the same number (pk:number since issue 15: eli:number is for legal works only)
    number = PK.number
    measures = [
        m
        for m in _instances(g, PK.Provision)
        if g.value(m, PK.inDocument) == g.value(_instances(g, PK.Provision)[0], PK.inDocument)
    ]
    _set(g, measures[1], number, g.value(measures[0], number))
    # two lead issuers: every issuing participation of a document becomes a lead
    document = next(d for d in _instances(g, PK.Document) if len(list(g.objects(d, PROV.qualifiedAttribution))) > 1)
    for participation in g.objects(document, PROV.qualifiedAttribution):
        _set(g, participation, PK.hadRole, PK.LeadIssuer)


def test_sparql_constraints_on_the_store_agree_with_pyshacl(curated: Validated) -> None:
    import pyoxigraph

    from graph_builder.errors import ShapeError
    from graph_builder.graph.shapes import check_sparql_constraints, report_lines, shapes_graph

    data = Graph()
    for triple in curated.data:
        data.add(triple)
    _sparql_mutations(data)
    conforms, report, _ = pyshacl_validate(data, shapes_graph(), curated.ontology)
    assert not conforms
    expected = set()
    for line, result in zip(report_lines(report, data), report.subjects(RDF.type, SH.ValidationResult), strict=True):
        if report.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent:
            expected.add(line)
    assert len(expected) >= 4
    assert {"backward in time", "same document", "share the number", "more than one lead"} <= {
        key
        for key in ("backward in time", "same document", "share the number", "more than one lead")
        if any(key in e.message for e in expected)
    }
    store = pyoxigraph.Store()
    store.bulk_load(data.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.bulk_load(curated.ontology.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    with pytest.raises(ShapeError) as caught:
        check_sparql_constraints(store)
    assert {_without_via(p) for p in caught.value.shapes} == {_without_via(p) for p in expected}


def _without_via(problem: ShapeProblem) -> tuple[object, ...]:
    """A shape problem's node, id, property and message (pySHACL and the store find the linking nodes differently)."""
    return (problem.focus, problem.identifier, problem.path, problem.message)


def pyshacl_validate(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, str]:
    import pyshacl

    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False
    )
    assert isinstance(report, Graph)
    return bool(conforms), report, str(text)
