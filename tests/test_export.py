"""The export formats: every registered one holds the built graph, and a new one is one module and one registration."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from graph_builder.cli import main
from graph_builder.publish import formats
from graph_builder.publish.export import export_build, serialise_ntriples
from graph_builder.store.build import BuildResult

# rdflib's own JSON-LD parser (used here to read the export back) warns about its internal ConjunctiveGraph.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

FORMAT_NAMES = formats.names()
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def test_the_registry_offers_the_export_formats() -> None:
    assert FORMAT_NAMES, "no export format is registered"
    assert {"turtle", "n-triples", "json-ld", "graphml"} <= set(FORMAT_NAMES)
    assert formats.names(rdf=True) == tuple(name for name in FORMAT_NAMES if name != "graphml")
    assert formats.names(rdf=False) == ("graphml",)
    with pytest.raises(ValueError, match="unknown export format 'nope'"):
        formats.get("nope")


def _graphml_holds(data: bytes, reference: Graph) -> None:
    """Well-formed GraphML with a node per linked resource and an edge per resource-to-resource triple."""
    root = ET.fromstring(data)
    links = [(s, o) for s, p, o in reference if isinstance(s, URIRef) and isinstance(o, URIRef) and p != RDF.type]
    assert len(list(root.iter(f"{GRAPHML}node"))) == len({term for link in links for term in link})
    assert len(list(root.iter(f"{GRAPHML}edge"))) == len(links)


NOT_RDF = {"graphml": _graphml_holds}  # how to check each format that is not RDF


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_holds_the_built_graph(name: str, built: BuildResult) -> None:
    export_format = formats.get(name)
    assert export_format.name == name and export_format.extension and "/" in export_format.media_type
    ntriples = (built.out / "graph.nt").read_bytes()
    reference = Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    for data in (export_build(built.out, name), serialise_ntriples(ntriples, name)):
        if export_format.rdf:
            exported = Graph().parse(data=data.decode("utf-8"), format=export_format.media_type)
            assert len(exported) == built.triples
            assert isomorphic(exported, reference)
        else:
            assert name in NOT_RDF, f"add a check for the non-RDF format {name} to NOT_RDF"
            NOT_RDF[name](data, reference)


RDF_XML_MODULE = '''
"""RDF/XML, registered from outside polkg."""

from rdflib import Graph

from graph_builder.publish.formats import ExportFormat


def write(ntriples: bytes) -> bytes:
    return Graph().parse(data=ntriples.decode("utf-8"), format="nt").serialize(format="xml", encoding="utf-8")


RDFXML = ExportFormat("rdf-xml", "rdf", "application/rdf+xml", write)
'''


def test_a_registered_format_is_offered_by_the_cli(
    built: BuildResult, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new format is one module and one registration line: polkg export and polkg sparql offer it."""
    (tmp_path / "polkg_test_rdfxml.py").write_text(textwrap.dedent(RDF_XML_MODULE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(formats, "REGISTRY", dict(formats.REGISTRY))  # the registration ends with the test
    assert "rdf-xml" not in runner.invoke(main, ["export", "--help"]).output

    formats.register("rdf-xml", "polkg_test_rdfxml", "RDFXML")

    assert "|graphml|rdf-xml]" in runner.invoke(main, ["export", "--help"]).output
    assert "rdf-xml" in runner.invoke(main, ["sparql", "--help"]).output
    target = tmp_path / "graph.rdf"
    result = runner.invoke(main, ["export", "--format", "rdf-xml", "-o", str(target), "--out", str(built.out)])
    assert result.exit_code == 0, result.output
    reference = Graph().parse(built.out / "graph.nt", format="nt")
    assert isomorphic(Graph().parse(target, format="xml"), reference)
    described = runner.invoke(main, ["sparql", "DESCRIBE agency:mofcom", "--format", "rdf-xml", "--out", str(built.out)])
    assert described.exit_code == 0, described.output
    assert len(Graph().parse(data=described.output, format="xml")) > 0


def test_reading_the_format_names_imports_no_exporter() -> None:
    """polkg's help stays fast: the registry names its formats without importing rdflib or networkx."""
    probe = (
        "import sys; import graph_builder.cli; from graph_builder.publish import formats; formats.names(rdf=True); "
        "print(sorted(m for m in ('rdflib', 'networkx', 'SPARQLWrapper', 'graph_builder.store.build') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip() == "[]"
