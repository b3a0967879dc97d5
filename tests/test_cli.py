"""The `polkg` CLI through click's CliRunner: commands, formats, exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, expected_lines, overlay
from rdflib import Graph
from rdflib.compare import isomorphic

from graph_builder.cli import main
from graph_builder.query.catalogue import load_catalogue
from graph_builder.store.build import BuildResult


@pytest.fixture
def out_args(built: BuildResult) -> list[str]:
    return ["--out", str(built.out)]


@pytest.mark.parametrize("args", [["--help"], ["query", "run", "--help"], ["build", "--help"]], ids=" ".join)
def test_help_documents_exit_codes(runner: CliRunner, args: list[str]) -> None:
    """polkg --help and each command's --help end with the table of exit codes, 0 to 9."""
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    _, found, after = result.output.partition("Exit codes:\n")
    assert found, result.output
    table = [line.strip() for line in after.splitlines() if line.strip()]
    assert [line.split()[0] for line in table] == [str(code) for code in range(10)], table
    assert "2  invalid sources, unknown or ambiguous parameter value, bad usage" in table
    assert "9  cannot write the output (permission denied, disk full, read-only)" in table


def test_query_list_shows_every_query(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "list"])
    assert result.exit_code == 0
    catalogue = load_catalogue()
    assert len(catalogue) >= 16
    for query_id in catalogue:
        assert query_id in result.output
    assert "e.g. polkg query run provision-agencies -p doc=opinions-2022 -p provision=25" in result.output


def test_query_show_prints_the_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "show", "agency-pairs"])
    assert result.exit_code == 0 and result.output.startswith("#+ summary:")
    assert "SELECT" in result.output


@pytest.mark.parametrize("query_id", sorted(load_catalogue()))
def test_run_table_fits_80_columns(runner: CliRunner, out_args: list[str], query_id: str) -> None:
    from graph_builder.query.results import display_width

    query = load_catalogue()[query_id]
    params = [arg for p in query.params for arg in ("-p", f"{p.name}={p.example}")]
    result = runner.invoke(main, ["query", "run", query_id, *params, *out_args])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    footer = re.fullmatch(r"\((\d+) rows?\)", lines[-1])
    assert footer and int(footer.group(1)) > 0, f"{query_id}: its examples give rows, so the width is measured on a table"
    assert max(display_width(line) for line in lines) <= 80, "tables stay readable in an 80-column terminal"


def test_table_wraps_instead_of_cutting(runner: CliRunner, out_args: list[str]) -> None:
    result = runner.invoke(main, ["query", "run", "agency-load", "-p", "doc=opinions-2022", *out_args])
    assert "Central Publicity Department" in result.output
    assert "商服贸发" in runner.invoke(main, ["query", "run", "documents", *out_args]).output


def test_run_json_is_sparql_results_json(runner: CliRunner, out_args: list[str]) -> None:
    result = runner.invoke(
        main, ["query", "run", "document-issuers", "--param", "doc=opinions-2022", "--format", "json", *out_args]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["head"]["vars"][:3] == ["agency", "agencyLabel", "role"]
    bindings = data["results"]["bindings"]
    assert len(bindings) == 27
    assert bindings[0]["agency"] == {"type": "uri", "value": "https://w3id.org/polkg/id/agency/mofcom"}
    assert bindings[0]["agencyLabel"] == {"type": "literal", "value": "Ministry of Commerce", "xml:lang": "en"}


def test_run_csv_and_markdown(runner: CliRunner, out_args: list[str]) -> None:
    result = runner.invoke(main, ["query", "run", "documents", "--format", "csv", *out_args])
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0][:5] == ["doc", "title", "date", "docType", "number"] and len(rows) == 10
    md = runner.invoke(main, ["query", "run", "documents", "--format", "markdown", *out_args]).output
    assert md.startswith("| doc | title |") and md.count("\n") == 11


def test_unknown_query_and_bad_params_exit_2(runner: CliRunner, out_args: list[str]) -> None:
    unknown = runner.invoke(main, ["query", "run", "agency-loads", *out_args])
    assert unknown.exit_code == 2 and "did you mean agency-load" in unknown.output
    ambiguous = runner.invoke(main, ["query", "run", "document-issuers", "-p", "doc=service", *out_args])
    assert ambiguous.exit_code == 2 and "circular-2025" in ambiguous.output and "Traceback" not in ambiguous.output
    missing = runner.invoke(main, ["query", "run", "document-issuers", *out_args])
    assert missing.exit_code == 2 and "needs --param doc=" in missing.output
    extra = runner.invoke(main, ["query", "run", "documents", "-p", "doc=x", *out_args])
    assert extra.exit_code == 2 and "has no parameter doc" in extra.output
    malformed = runner.invoke(main, ["query", "run", "documents", "-p", "doc", *out_args])
    assert malformed.exit_code == 2 and "NAME=VALUE" in malformed.output


def test_a_parameter_given_twice_is_refused(runner: CliRunner, out_args: list[str]) -> None:
    args = ["query", "run", "document-issuers", "-p", "doc=opinions-2022", "-p", "doc=circular-2025", *out_args]
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--param doc is given twice ('opinions-2022' and 'circular-2025')" in result.output


def test_documents_out_of_date_order_are_refused(runner: CliRunner, out_args: list[str]) -> None:
    """continuing-issuers asks for the earlier document first (its #+ order header): reversed, it says so."""
    stored = load_catalogue()["continuing-issuers"]
    assert stored.order == ("from", "to")
    listing = runner.invoke(main, ["query", "run", "documents", "--format", "json", *out_args])
    bindings = json.loads(listing.output)["results"]["bindings"]
    dates = {b["doc"]["value"].rsplit("/", 1)[1]: b["date"]["value"] for b in bindings if "date" in b}
    earlier, later = (stored.param("from").example, stored.param("to").example)  # type: ignore[union-attr]
    assert dates[earlier] < dates[later]
    forward = runner.invoke(main, ["query", "run", stored.id, "-p", f"from={earlier}", "-p", f"to={later}", *out_args])
    assert forward.exit_code == 0 and "(0 rows)" not in forward.output
    reversed_ = runner.invoke(main, ["query", "run", stored.id, "-p", f"from={later}", "-p", f"to={earlier}", *out_args])
    assert reversed_.exit_code == 2 and "Traceback" not in reversed_.output
    expected = f"from={later} ({dates[later]}) is later than to={earlier} ({dates[earlier]}): swap them"
    assert expected in reversed_.output
    same = runner.invoke(main, ["query", "run", stored.id, "-p", f"from={later}", "-p", f"to={later}", *out_args])
    assert same.exit_code == 0, "one date is not out of order"


@pytest.mark.parametrize("order", ["[from]", "[from, nowhere]", "from"])
def test_order_header_must_name_document_parameters(tmp_path: Path, order: str) -> None:
    from graph_builder.errors import QueryFileError
    from graph_builder.query.catalogue import parse_query_file

    source = load_catalogue()["continuing-issuers"].path.read_text(encoding="utf-8")
    broken = tmp_path / "broken.rq"
    broken.write_text(source.replace("#+ order: [from, to]", f"#+ order: {order}"), encoding="utf-8")
    with pytest.raises(QueryFileError, match="'order' lists two or more of its document parameters"):
        parse_query_file(broken)


def test_injection_attempt_is_just_an_unknown_value(runner: CliRunner, out_args: list[str]) -> None:
    hostile = 'x" } UNION { ?s ?p ?o } #'
    result = runner.invoke(main, ["query", "run", "agency-timeline", "-p", f"agency={hostile}", *out_args])
    assert result.exit_code == 2 and "no such agency" in result.output


def test_sparql_command(runner: CliRunner, out_args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(main, ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?p a pk:Provision }", "--format", "csv", *out_args])
    assert result.exit_code == 0 and int(result.output.splitlines()[1]) >= 31 + 8 + 12
    ask = runner.invoke(main, ["sparql", "ASK { agency:nfra org:resultedFrom ?e }", *out_args])
    assert ask.output.strip() == "true"
    query_file = tmp_path / "q.rq"
    query_file.write_text("SELECT ?d WHERE { ?d a pk:PolicyDocument }", encoding="utf-8")
    assert runner.invoke(main, ["sparql", str(query_file), *out_args]).exit_code == 0
    broken = runner.invoke(main, ["sparql", "SELECT ?x WHERE { ?x", *out_args])
    assert broken.exit_code == 3 and "not valid SPARQL" in broken.output and "Traceback" not in broken.output


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparql_construct_and_describe_write_rdf(runner: CliRunner, out_args: list[str]) -> None:
    construct = "CONSTRUCT { ?a skos:prefLabel ?name } WHERE { ?a a pk:Agency ; skos:prefLabel ?name }"
    names = runner.invoke(
        main, ["sparql", "SELECT ?a ?name WHERE { ?a a pk:Agency ; skos:prefLabel ?name }", "--format", "json", *out_args]
    )
    expected = len(json.loads(names.output)["results"]["bindings"])
    assert expected >= 30
    default = runner.invoke(main, ["sparql", construct, *out_args])
    assert default.exit_code == 0, default.output
    turtle = Graph().parse(data=default.output, format="turtle")
    assert len(turtle) == expected
    for fmt, rdf_format in (("n-triples", "nt"), ("json-ld", "json-ld"), ("turtle", "turtle")):
        result = runner.invoke(main, ["sparql", construct, "--format", fmt, *out_args])
        assert result.exit_code == 0, result.output
        assert isomorphic(Graph().parse(data=result.output, format=rdf_format), turtle), fmt
    described = runner.invoke(main, ["sparql", "DESCRIBE agency:nfra", "--format", "n-triples", *out_args])
    assert described.exit_code == 0
    assert '<https://w3id.org/polkg/id/agency/nfra> <http://www.w3.org/2004/02/skos/core#prefLabel> "National Financial' in (
        described.output
    )
    table = runner.invoke(main, ["sparql", "SELECT ?n WHERE { agency:nfra pk:acronym ?n }", *out_args])
    assert table.exit_code == 0 and table.output.splitlines()[-1] == "(1 row)", "SELECT still prints a table"


@pytest.mark.parametrize(
    ("query", "fmt", "message"),
    [
        ("CONSTRUCT WHERE { ?s a pk:Agency }", "csv", "--format csv is for SELECT and ASK results; CONSTRUCT queries write RDF"),
        ("DESCRIBE agency:nfra", "table", "DESCRIBE queries write RDF: --format turtle | n-triples | json-ld"),
        ("SELECT * WHERE { ?s a pk:Agency }", "turtle", "SELECT queries give results: --format table | csv | json | markdown"),
        ("ASK { ?s a pk:Agency }", "n-triples", "--format n-triples writes RDF, for CONSTRUCT and DESCRIBE"),
    ],
)
def test_sparql_format_must_suit_the_query(runner: CliRunner, out_args: list[str], query: str, fmt: str, message: str) -> None:
    result = runner.invoke(main, ["sparql", query, "--format", fmt, *out_args])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { agency:nfra skos:altLabel 'x' }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/nothing.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <urn:x>",
        "CREATE GRAPH <urn:x>",
    ],
)
def test_sparql_refuses_updates(runner: CliRunner, out_args: list[str], update: str) -> None:
    result = runner.invoke(main, ["sparql", update, *out_args])
    assert result.exit_code == 2
    assert "polkg sparql runs read-only queries; updates are not allowed" in result.output


def test_sparql_missing_file_folder_and_unknown_prefix(runner: CliRunner, out_args: list[str], tmp_path: Path) -> None:
    missing = runner.invoke(main, ["sparql", str(tmp_path / "queris" / "agencies.rq"), *out_args])
    assert missing.exit_code == 2 and "no such file" in missing.output and "CONSTRUCT" not in missing.output
    folder = runner.invoke(main, ["sparql", str(tmp_path), *out_args])
    assert folder.exit_code == 2 and "is a folder" in folder.output
    prefix = runner.invoke(main, ["sparql", "SELECT * WHERE { ?s foo:bar ?o }", *out_args])
    assert prefix.exit_code == 3 and "unknown prefix 'foo:'" in prefix.output
    from graph_builder.prefixes import PREFIXES

    assert ", ".join(PREFIXES) in prefix.output and "\\u{" not in prefix.output
    declared = runner.invoke(main, ["sparql", "PREFIX foo: <urn:foo:> ASK { ?s foo:bar ?o }", *out_args])
    assert declared.exit_code == 0 and declared.output.strip() == "false"
    long_text = "SELECT (COUNT(*) AS ?n) WHERE { ?s a pk:Agency " + " " * 300 + "}"
    assert runner.invoke(main, ["sparql", long_text, "--format", "csv", *out_args]).exit_code == 0


def test_sparql_errors_from_a_real_process(built: BuildResult, tmp_path: Path) -> None:
    """The installed command as a user runs it: exit code 2, the message on stderr, no traceback."""
    import subprocess
    import sys

    cases = [
        (["queris/agencies.rq"], "no such file: 'queris/agencies.rq'"),
        ([str(tmp_path)], "is a folder"),
        (["INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "updates are not allowed"),
        (["CONSTRUCT WHERE { ?s a pk:Agency }", "--format", "csv"], "CONSTRUCT queries write RDF"),
    ]
    for args, message in cases:
        done = subprocess.run(
            [sys.executable, "-m", "graph_builder.cli", "sparql", *args, "--out", str(built.out)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and done.stderr.startswith("error: ")
        assert "Traceback" not in done.stderr and not done.stdout


def test_sparql_csv_writes_blank_nodes_with_their_prefix(runner: CliRunner, out_args: list[str]) -> None:
    """SPARQL 1.1 CSV results write a blank node as _:label (the ontology's OWL lists are blank nodes)."""
    query = "SELECT ?x ?list WHERE { ?x owl:members ?list }"
    as_json = json.loads(runner.invoke(main, ["sparql", query, "--format", "json", *out_args]).output)
    bindings = as_json["results"]["bindings"]
    assert bindings and all(b["list"]["type"] == "bnode" for b in bindings)
    result = runner.invoke(main, ["sparql", query, "--format", "csv", *out_args])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["list"] for r in rows] == ["_:" + b["list"]["value"] for b in bindings]
    assert [r["x"] for r in rows] == [("_:" if b["x"]["type"] == "bnode" else "") + b["x"]["value"] for b in bindings]


# rdflib's own JSON-LD parser (used here to read the export back) warns about its internal ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(("fmt", "rdf_format"), [("turtle", "turtle"), ("n-triples", "nt"), ("json-ld", "json-ld")])
def test_export_formats_hold_the_same_graph(
    runner: CliRunner, out_args: list[str], built: BuildResult, fmt: str, rdf_format: str, tmp_path: Path
) -> None:
    target = tmp_path / f"graph.{rdf_format}"
    result = runner.invoke(main, ["export", "--format", fmt, "-o", str(target), *out_args])
    assert result.exit_code == 0, result.output
    exported = Graph().parse(target, format=rdf_format)
    reference = Graph().parse(built.out / "graph.nt", format="nt")
    assert len(exported) == built.triples
    assert isomorphic(exported, reference)


def test_export_graphml(runner: CliRunner, out_args: list[str], tmp_path: Path) -> None:
    import networkx as nx

    target = tmp_path / "graph.graphml"
    assert runner.invoke(main, ["export", "--format", "graphml", "-o", str(target), *out_args]).exit_code == 0
    graph = nx.read_graphml(target)
    mofcom = "https://w3id.org/polkg/id/agency/mofcom"
    assert graph.nodes[mofcom]["label"] == "Ministry of Commerce"
    assert graph.number_of_edges() > 1000


def test_sources_elsewhere_are_built_on_demand(runner: CliRunner, sources_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "team-build"
    agencies = sources_copy / "registry" / "agencies.yaml"
    agencies.write_text(
        agencies.read_text(encoding="utf-8").replace(
            "aliases: [Statistics Bureau]", "aliases: [Statistics Bureau, Stats Office]"
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        main,
        [
            "query",
            "run",
            "agency-timeline",
            "-p",
            "agency=Stats Office",
            "--format",
            "csv",
            "--sources",
            str(sources_copy),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "opinions-2022" in result.output
    assert (out / "graph.ttl").is_file()


def test_validate_command(runner: CliRunner, tmp_path: Path) -> None:
    ok = runner.invoke(main, ["validate", "--sources", str(FIXTURES / "valid" / "minimal")])
    assert ok.exit_code == 0 and "sources are valid" in ok.output
    # fixtures/invalid/cycle overlays fixtures/valid/minimal: two same-day links that run both ways
    cycle = FIXTURES / "invalid" / "cycle"
    sources = overlay(cycle, tmp_path / "cycle")
    bad = runner.invoke(main, ["validate", "--sources", str(sources)])
    assert bad.exit_code == 2, bad.output
    assert "error: the sources are invalid (1 problem):" in bad.output and "Traceback" not in bad.output
    for line in expected_lines(cycle):
        assert line in bad.output, f"expected {line!r} in:\n{bad.output}"
    late = sources / "documents" / "late.yaml"
    assert f"{late}:12: evolution[1]: evolution links form a cycle: early-opinions/2 -> late-circular/X -> early-opinions/2" in (
        bad.output
    )
    assert bad.output.rstrip().endswith("nothing was written")
    # a folder with documents but no registry names each missing registry file
    bare = tmp_path / "no-registry"
    shutil.copytree(FIXTURES / "valid" / "minimal" / "documents", bare / "documents")
    missing = runner.invoke(main, ["validate", "--sources", str(bare)])
    assert missing.exit_code == 2 and "the sources are invalid (6 problems)" in missing.output, missing.output
    for name in ("agencies", "frameworks", "sectors", "themes", "vocabularies", "zones"):
        assert f"{bare}/registry/{name}.yaml: required registry file is missing" in missing.output, name


def test_exit_codes_are_one_table_in_help_and_readme() -> None:
    """The exit codes come from the error classes; --help and README show exactly that table."""
    from graph_builder.errors import PolkgError, exit_code_table

    table = exit_code_table()
    codes = [code for code, _ in table]
    assert codes == sorted(set(codes)) and codes[:3] == [0, 1, 2] and 9 in codes
    classes = [PolkgError]
    for cls in classes:
        classes.extend(cls.__subclasses__())
    assert {cls.exit_code for cls in classes} | {0} == set(codes)
    help_text = CliRunner().invoke(main, ["--help"]).output
    assert all(f"  {code}  {meaning}" in help_text for code, meaning in table)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if re.fullmatch(r"\| \d+ \| .+ \|", line)]
    assert rows == [f"| {code} | {meaning} |" for code, meaning in table]
