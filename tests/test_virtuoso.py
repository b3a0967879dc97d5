"""Virtuoso as a second real store: a private instance on loopback, `polkg push` into it with Digest auth,
every stored query compared with the embedded store, and README's "Use a triple store" lines run as written.

Debian's virtuoso-opensource gives the binary and the default virtuoso.ini this harness bases its own on.
Without the binary the module is skipped, unless CI or POLKG_REQUIRE_VIRTUOSO=1 is set (.ci/run sets it):
then a missing Virtuoso is a failure. Every request is bounded (Virtuoso hung on some query shapes before).
"""

from __future__ import annotations

import os
import re
import shlex
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import virtuoso_server
from click.testing import CliRunner
from helpers import CHECKOUT

from graph_builder.cli import main
from graph_builder.errors import EndpointHTTPError, PolkgError
from graph_builder.publish.push import digest_authorization, push_graph
from graph_builder.query.catalogue import StoredQuery, load_catalogue
from graph_builder.query.embedded import EmbeddedEngine
from graph_builder.query.remote import RemoteEngine
from graph_builder.query.results import ResultSet
from graph_builder.query.run import run_stored
from graph_builder.store.build import BuildResult

pytestmark = pytest.mark.slow

GRAPH = "https://example.org/polkg"
USER = {"POLKG_ENDPOINT_USER": "dba", "POLKG_ENDPOINT_PASSWORD": "dba"}  # a fresh database's administrator
REQUEST_SECONDS = 30  # every request the tests make is bounded by this
BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("POLKG_REQUIRE_VIRTUOSO") == "1"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private Virtuoso (own database folder and virtuoso.ini, 127.0.0.1, free ports); yields its base URL."""
    if virtuoso_server.binary() is None or not any(ini.exists() for ini in virtuoso_server.DEFAULT_INIS):
        reason = "Virtuoso is not installed (apt-get install virtuoso-opensource)"
        if _required():
            pytest.fail(f"{reason}, but CI or POLKG_REQUIRE_VIRTUOSO=1 requires it")
        pytest.skip(reason)
    with virtuoso_server.running(tmp_path_factory.mktemp("virtuoso"), REQUEST_SECONDS) as base:
        yield base


def _readme_commands(base: str) -> list[str]:
    """The Virtuoso lines of README's "Use a triple store" section, pointed at ``base``."""
    text = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use a triple store", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines() if "sparql-graph-crud" in line or ":8890/" in line]
    assert len(lines) == 2, f"README's Virtuoso block should give a push and a query, found {lines}"
    port = urllib.parse.urlsplit(base).port
    return [line.replace("127.0.0.1:8890", f"127.0.0.1:{port}") for line in lines]


def _invoke(line: str, out: Path) -> Any:
    """Run one README line (``NAME=value ... polkg ARGS``) in-process, with ``--out`` the session's build."""
    words = shlex.split(line)
    env = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[0] == "polkg", line
    return CliRunner().invoke(main, [*words[1:], "--timeout", str(REQUEST_SECONDS), "--out", str(out)], env=env)


@pytest.fixture(scope="session")
def pushed(virtuoso: str, built: BuildResult) -> str:
    """The curated build pushed into GRAPH with README's own push line (Digest auth); yields the query endpoint."""
    push, _ = _readme_commands(virtuoso)
    result = _invoke(push, built.out)
    assert result.exit_code == 0, result.output
    assert f"pushed {built.triples} triples to graph <{GRAPH}>" in result.output
    seconds = re.search(r" in ([0-9.]+)s;", result.output)
    assert seconds, result.output
    print(f"\npush of {built.triples} triples to Virtuoso: {seconds.group(1)} s")
    return virtuoso + "/sparql"


def test_readme_names_what_the_test_uses(virtuoso: str) -> None:
    """The Virtuoso row of README's table and its code block name the endpoints and flags the tests use."""
    text = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    assert "| Virtuoso | `http://HOST:8890/sparql-graph-crud-auth` (Digest) | `http://HOST:8890/sparql` |" in text
    push, query = _readme_commands(virtuoso)
    assert "--graph " + GRAPH in push and "--graph " + GRAPH in query
    assert "/sparql-graph-crud-auth" in push and "POLKG_ENDPOINT_USER=dba" in push


def test_readme_query_line_answers(pushed: str, built: BuildResult) -> None:
    _, query = _readme_commands(pushed.removesuffix("/sparql"))
    result = _invoke(query, built.out)
    assert result.exit_code == 0, result.output
    assert "(5 rows)" in result.output  # with the two non-issuers Virtuoso dropped before the query was made portable


# ------------------------------------------------------------------ parity with the embedded store
def _runs() -> list[tuple[str, dict[str, str]]]:
    """Every stored query with its header's example values, and without them where all are optional."""
    runs = []
    for query_id, query in sorted(load_catalogue().items()):
        runs.append((query_id, {p.name: p.example for p in query.params if p.example}))
        if query.params and not any(p.required for p in query.params):
            runs.append((query_id, {}))
    return runs


RUNS = _runs()


def _row(row: dict[str, Any], booleans: set[str]) -> tuple[tuple[Any, ...], ...]:
    """A row as comparable tuples (values, datatypes and language tags exactly: the stored query's
    ``booleans`` header turns Virtuoso's 1/0 into true/false, so no tolerance is needed here)."""
    return tuple((name, term.kind, term.value, term.datatype, term.lang) for name, term in sorted(row.items()))


def _rows(result: ResultSet, booleans: set[str]) -> list[tuple[tuple[Any, ...], ...]]:
    return [_row(row, booleans) for row in result.rows]


def _ordered(query: StoredQuery) -> bool:
    return bool(re.search(r"^ORDER BY", query.sparql, flags=re.MULTILINE))


@pytest.mark.parametrize(("query_id", "values"), RUNS, ids=[f"{q}-{'-'.join(v.values()) or 'all'}" for q, v in RUNS])
def test_same_rows_as_embedded(query_id: str, values: dict[str, str], pushed: str, engine: EmbeddedEngine) -> None:
    query = load_catalogue()[query_id]
    local = run_stored(query, values, engine)
    remote = run_stored(query, values, RemoteEngine(pushed, timeout=REQUEST_SECONDS, graph=GRAPH))
    assert remote.variables == local.variables
    assert local.rows, "the comparison needs rows"
    booleans = {name for row in local.rows for name, term in row.items() if term.datatype == BOOLEAN}
    assert booleans <= set(query.booleans), f"declare the boolean columns in the query's header: #+ booleans: {sorted(booleans)}"
    expected, got = _rows(local, booleans), _rows(remote, booleans)
    if _ordered(query):
        assert got == expected
    else:
        assert sorted(got) == sorted(expected)


def test_every_query_compared() -> None:
    assert {q for q, _ in RUNS} == set(load_catalogue()) and len(RUNS) >= 26


# ------------------------------------------------------------------ the push and its refusals
def _push(base: str, out: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    args = ["push", "--store", base + "/sparql-graph-crud-auth", "--endpoint", base + "/sparql", *extra]
    return CliRunner().invoke(main, [*args, "--timeout", str(REQUEST_SECONDS), "--out", str(out)], env=env)


def _count(endpoint: str, graph: str) -> int:
    result = RemoteEngine(endpoint, timeout=REQUEST_SECONDS, graph=graph).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(result.rows[0]["n"].value)


def test_without_graph_refused_before_upload(pushed: str, built: BuildResult) -> None:
    """Virtuoso has no default graph to replace (polkg sent ?default, which it rejects): say so, upload nothing."""
    result = _push(pushed.removesuffix("/sparql"), built.out, env=USER)
    assert result.exit_code == 2, result.output
    assert "no default graph" in result.output and "--graph" in result.output and "nothing was uploaded" in result.output


@pytest.mark.parametrize("graph", ["mygraph", "polkg graph", "https://example.org/a b", "urn"])
def test_graph_must_be_an_absolute_iri(graph: str, virtuoso: str, built: BuildResult) -> None:
    result = _push(virtuoso, built.out, "--graph", graph, env=USER)
    assert result.exit_code == 2, result.output
    assert "--graph must be an absolute IRI" in result.output and "nothing was uploaded" in result.output


def test_wrong_password_is_the_http_error_and_keeps_the_graph(pushed: str, built: BuildResult) -> None:
    result = _push(pushed.removesuffix("/sparql"), built.out, "--graph", GRAPH, env={**USER, "POLKG_ENDPOINT_PASSWORD": "wrong"})
    assert result.exit_code == 6, result.output
    assert "HTTP 401" in result.output and "keeps the previous contents" in result.output
    assert "wrong" not in result.output
    assert _count(pushed, GRAPH) == built.triples


def test_early_401_on_a_large_upload_is_an_http_error_not_broken_pipe(pushed: str, built: BuildResult) -> None:
    """Without credentials Virtuoso answers 401 at once and closes while the upload is under way (it was
    "cannot reach ...: Broken pipe", exit 4): the answer it sent is read and reported (exit 6)."""
    body = b'<https://example.org/s> <https://example.org/p> "' + b"x" * 40_000_000 + b'" .\n'
    environment = {name: os.environ.pop(name) for name in (*USER, "POLKG_ENDPOINT_TOKEN") if name in os.environ}
    try:
        with pytest.raises(EndpointHTTPError, match="HTTP 401") as refused:
            push_graph(body, pushed.removesuffix("/sparql") + "/sparql-graph-crud-auth", GRAPH, REQUEST_SECONDS)
    finally:
        os.environ.update(environment)
    assert isinstance(refused.value, PolkgError) and refused.value.exit_code == 6
    assert _count(pushed, GRAPH) == built.triples


def test_a_second_push_replaces_the_graph(pushed: str, built: BuildResult) -> None:
    result = _push(pushed.removesuffix("/sparql"), built.out, "--graph", GRAPH, env=USER)
    assert result.exit_code == 0, result.output
    assert _count(pushed, GRAPH) == built.triples


def test_a_chunked_push_keeps_every_triple(pushed: str, built: BuildResult) -> None:
    """Chunks (PUT, then POSTs, each with its own Digest answer) replace the graph as one PUT does."""
    result = _push(pushed.removesuffix("/sparql"), built.out, "--graph", GRAPH, "--chunk-triples", "1000", env=USER)
    assert result.exit_code == 0, result.output
    requests = -(-built.triples // 1000)
    assert f"in {requests} requests of at most 1,000 triples" in result.output, result.output
    assert _count(pushed, GRAPH) == built.triples


def test_digest_matches_rfc_2617_example() -> None:
    challenge = {"realm": "testrealm@host.com", "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093", "qop": "auth,auth-int"}
    authorization = digest_authorization(challenge, "GET", "http://h/dir/index.html", "Mufasa", "Circle Of Life", "0a4f113b")
    assert authorization is not None and 'response="6629fae49393a05397450978507c4ef1"' in authorization
    assert digest_authorization({**challenge, "algorithm": "SHA-512"}, "GET", "http://h/", "u", "p") is None
    assert digest_authorization({**challenge, "qop": "auth-int"}, "GET", "http://h/", "u", "p") is None
