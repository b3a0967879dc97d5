"""Source validation: valid fixtures build; each invalid fixture fails with its own precise message."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURES, expected_lines, overlay
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from graph_builder.cli import main
from graph_builder.errors import SourceError
from graph_builder.graph.emit import emit
from graph_builder.graph.iris import provision_iri
from graph_builder.graph.validate import validated_graph
from graph_builder.sources.load import load_sources

VALID = sorted(p for p in (FIXTURES / "valid").iterdir() if p.is_dir())
INVALID = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def test_fixtures_found() -> None:
    assert VALID and len(INVALID) >= 10


@pytest.mark.parametrize("folder", VALID, ids=lambda p: p.name)
def test_valid_fixture_validates(folder: Path) -> None:
    assert len(validated_graph(folder).data) > 50


@pytest.mark.parametrize("invalid", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_reports_its_error(invalid: Path, tmp_path: Path) -> None:
    sources = overlay(invalid, tmp_path / "sources")
    expected = expected_lines(invalid)
    with pytest.raises(SourceError) as caught:
        load_sources(sources)
    message = str(caught.value).replace(str(sources) + "/", "")
    for line in expected:
        assert line in message, f"expected {line!r} in:\n{message}"


def test_provision_graph_is_exactly_as_modelled() -> None:
    """The triples about one provision and its participations, compared by isomorphism.

    Issue 15 changed this pin on purpose: a measure's number, themes and zones are pk:number, pk:concernsTheme
    and pk:concernsZone on every measure (eli:number and eli:is_about stay on provisions of policy documents, as
    here; eli:relevant_for is gone, since its range makes a zone an eli:AdministrativeArea, a skos:Concept)."""
    corpus = load_sources(FIXTURES / "valid" / "minimal")
    graph = emit(corpus)
    node = provision_iri("early-opinions", "1")
    assert node == URIRef("https://w3id.org/polkg/id/doc/early-opinions/provision/1")
    part = Graph()
    for s, p, o in graph:
        if s == node or str(s).startswith(str(node) + "/"):
            part.add((s, p, o))
    expected = Graph().parse(
        data="""
        @prefix pk: <https://w3id.org/polkg/ontology#> . @prefix eli: <http://data.europa.eu/eli/ontology#> .
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix id: <https://w3id.org/polkg/id/> .
        @prefix p: <https://w3id.org/polkg/id/doc/early-opinions/provision/1/participation/responsible/> .
        <https://w3id.org/polkg/id/doc/early-opinions/provision/1>
            a pk:Measure, pk:Provision, eli:LegalResourceSubdivision ;
            eli:is_part_of <https://w3id.org/polkg/id/doc/early-opinions>,
                <https://w3id.org/polkg/id/doc/early-opinions/chapter/I> ;
            pk:inDocument <https://w3id.org/polkg/id/doc/early-opinions> ;
            pk:inChapter <https://w3id.org/polkg/id/doc/early-opinions/chapter/I> ;
            dcterms:identifier "early-opinions/1" ; pk:number "1" ; eli:number "1" ; pk:ordinal 1 ;
            rdfs:label "Tax relief for exporters"@en ; pk:shortLabel "Tax relief for exporters"@en ;
            pk:summary "Exporters of services pay no tax on exports."@en ;
            pk:statedIn id:source\\/early-translation ; pk:locator "provision (1)" ; pk:basis pk:StatedInSource ;
            pk:responsibleAgency id:agency\\/mof, id:agency\\/mofcom ; pk:responsibilityOpenEnded true ;
            prov:qualifiedAttribution p:mof, p:mofcom ;
            pk:concernsTheme id:concept\\/themes\\/tax ; eli:is_about id:concept\\/themes\\/tax ;
            pk:concernsSector id:concept\\/sectors\\/audiovisual ;
            pk:concernsZone id:zone\\/hainan-ftp ; pk:invokesFramework id:framework\\/rcep .
        p:mof a pk:Participation, prov:Attribution ; prov:agent id:agency\\/mof ; pk:hadRole pk:ResponsibleAgency ;
            pk:statedIn id:source\\/early-translation ; pk:locator "provision (1)" ; pk:basis pk:StatedInSource .
        p:mofcom a pk:Participation, prov:Attribution ; prov:agent id:agency\\/mofcom ; pk:hadRole pk:ResponsibleAgency ;
            pk:statedIn id:source\\/early-translation ; pk:locator "provision (1)" ; pk:basis pk:StatedInSource .
    """,
        format="turtle",
    )
    if not isomorphic(part, expected):
        extra = sorted(to_isomorphic(part) - to_isomorphic(expected))
        missing = sorted(to_isomorphic(expected) - to_isomorphic(part))
        pytest.fail(f"unexpected: {extra}\nmissing: {missing}")


def test_cli_build_with_bad_sources_keeps_previous_build(runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = runner.invoke(main, ["build", "--sources", str(FIXTURES / "valid" / "minimal"), "--out", str(out)])
    assert good.exit_code == 0, good.output
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert {Path("graph.nt"), Path("graph.ttl"), Path("manifest.json")} <= set(before), "the previous build is there"
    bad = overlay(FIXTURES / "invalid" / "unknown-agency", tmp_path / "bad")
    result = runner.invoke(main, ["build", "--sources", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "unknown agency 'mofcomm'" in result.output and "did you mean mofcom or mof?" in result.output
    assert "Traceback" not in result.output
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "bad", "out"], "no temporary folder is left behind"


def test_shape_violation_is_reported(tmp_path: Path) -> None:
    """A graph-level rule the YAML checks cannot see: SHACL catches an Expectation typed as a Measure."""
    from rdflib.namespace import RDF

    from graph_builder.errors import ShapeError
    from graph_builder.graph.namespaces import PK
    from graph_builder.graph.shapes import validate_graph

    checked = validated_graph(FIXTURES / "valid" / "minimal")
    checked.data.add((provision_iri("early-opinions", "1"), RDF.type, PK.Expectation))
    checked.data.add((provision_iri("early-opinions", "1"), RDF.type, PK.Claim))
    with pytest.raises(ShapeError, match="never also be an official measure"):
        validate_graph(checked.data, checked.ontology)


def test_shape_problem_names_the_source_file_and_line(sources_copy: Path, runner) -> None:
    """A problem only the shapes see (two dates on one document) points at the file and line that wrote the node."""
    path = sources_copy / "documents" / "plan-2026.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: plan-2026-article")
    date = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("date:"))
    assert lines[date].strip() == "date: 2026-05-21", "the article's own date, equal to its source text's date"
    lines[date] = lines[date].replace("2026-05-21", "2026-05-22")
    path.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(main, ["validate", "--sources", str(sources_copy)])
    assert result.exit_code == 2
    assert f"{path}:{start + 1}: pk:date: 'plan-2026-article': a document has at most one date" in result.output
    assert result.output.rstrip().endswith("nothing was written"), "validate never builds, and does not say it kept one"
