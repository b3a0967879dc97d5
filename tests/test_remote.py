"""Remote endpoints for real: an Oxigraph server on loopback, stub servers for failures, `polkg serve --sparql`."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_builder.cli import main
from graph_builder.publish.serve import oxigraph_binary
from graph_builder.query.catalogue import load_catalogue
from graph_builder.query.embedded import EmbeddedEngine
from graph_builder.query.remote import RemoteEngine
from graph_builder.query.run import run_stored
from graph_builder.store.build import BuildResult

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                response.read()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server we started, by its process id."""
    os.kill(process.pid, 15)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, 9)
        process.wait()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A writable Oxigraph server on a free loopback port; yields its base URL."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query?query=ASK%7B%7D")
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="module")
def pushed(oxigraph: str, built: BuildResult) -> str:
    result = CliRunner().invoke(
        main, ["push", "--store", oxigraph + "/store", "--endpoint", oxigraph + "/query", "--out", str(built.out)]
    )
    assert result.exit_code == 0, result.output
    assert f"pushed {built.triples} triples to the default graph" in result.output
    return oxigraph


def _rows(result) -> list[tuple]:
    return [tuple(sorted((k, v.kind, v.value, v.datatype, v.lang) for k, v in row.items())) for row in result.rows]


QUERIES = sorted(load_catalogue())


def test_queries_found() -> None:
    assert len(QUERIES) >= 16


@pytest.mark.parametrize("query_id", QUERIES)
def test_every_stored_query_same_remotely(query_id: str, pushed: str, engine: EmbeddedEngine) -> None:
    query = load_catalogue()[query_id]
    values = {p.name: p.example for p in query.params if p.example}
    local = run_stored(query, values, engine)
    remote = run_stored(query, values, RemoteEngine(pushed + "/query", timeout=30))
    assert remote.variables == local.variables
    assert local.rows, "the comparison needs rows"
    if "ORDER BY" in query.sparql:
        assert _rows(remote) == _rows(local)
    else:
        assert sorted(_rows(remote)) == sorted(_rows(local))


def test_named_graph_push_is_queryable(oxigraph: str, built: BuildResult) -> None:
    graph = "https://example.org/polkg/test-graph"
    runner = CliRunner()
    pushed = runner.invoke(
        main,
        ["push", "--store", oxigraph + "/store", "--graph", graph, "--endpoint", oxigraph + "/query", "--out", str(built.out)],
    )
    assert pushed.exit_code == 0, pushed.output
    result = runner.invoke(
        main,
        ["query", "run", "document-issuers", "-p", "doc=opinions-2022", "--format", "json"],
        env={"POLKG_ENDPOINT": oxigraph + "/query", "POLKG_GRAPH": graph},
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["results"]["bindings"]) == 27


def test_empty_or_missing_graph_is_an_error_not_an_empty_answer(oxigraph: str, built: BuildResult) -> None:
    """A --graph the endpoint holds nothing in answers every query with no rows: say so instead."""
    runner = CliRunner()
    graph = "https://example.org/polkg/answers-graph"
    pushed = runner.invoke(
        main,
        ["push", "--store", oxigraph + "/store", "--graph", graph, "--endpoint", oxigraph + "/query", "--out", str(built.out)],
    )
    assert pushed.exit_code == 0, pushed.output
    endpoint = ["--endpoint", oxigraph + "/query"]
    nothing = "SELECT ?x WHERE { ?x a pk:NoSuchClass }"
    present = runner.invoke(main, ["sparql", nothing, "--format", "csv", *endpoint, "--graph", graph])
    assert present.exit_code == 0 and present.output.strip() == "x", "no rows from a graph that holds triples is an answer"
    missing = graph + "-never-pushed"
    for args in (
        ["sparql", nothing, *endpoint, "--graph", missing],
        ["query", "run", "documents", *endpoint, "--graph", missing],
        ["export", "--format", "n-triples", *endpoint, "--graph", missing],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert f"the graph <{missing}> is empty or missing at {oxigraph}/query" in result.output
        assert "Traceback" not in result.output
    documents = runner.invoke(main, ["query", "run", "documents", "--format", "csv", *endpoint, "--graph", graph])
    assert documents.exit_code == 0 and len(documents.output.splitlines()) > 1


def test_sparql_construct_same_remotely(pushed: str, built: BuildResult) -> None:
    runner = CliRunner()
    query = "DESCRIBE agency:nfra"
    local = runner.invoke(main, ["sparql", query, "--format", "n-triples", "--out", str(built.out)])
    remote = runner.invoke(main, ["sparql", query, "--format", "n-triples", "--endpoint", pushed + "/query"])
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output and "agency/nfra" in local.output


def test_failed_push_keeps_previous_contents(pushed: str, built: BuildResult, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/store"
    result = CliRunner().invoke(main, ["push", "--store", dead, "--endpoint", pushed + "/query", "--out", str(built.out)])
    assert result.exit_code == 4 and "keeps the previous contents" in result.output
    count = RemoteEngine(pushed + "/query").select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count.rows[0]["n"].value) == built.triples


class _Stub(http.server.BaseHTTPRequestHandler):
    mode = "500"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "auth":
            expected = "Basic " + base64.b64encode(b"analyst:right").decode()
            if self.headers.get("Authorization") != expected:
                self._reply(401, b"wrong user or password", "text/plain")
                return
            self._reply(
                200,
                json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode(),
                "application/sparql-results+json",
            )
            return
        if self.mode == "html":
            self._reply(200, b"<html><body>login page</body></html>", "text/html")
            return
        self._reply(500, b"java.lang.OutOfMemoryError: the store ran out of memory " + b"x" * 2000, "text/plain")

    def _reply(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):
            self.wfile.write(body)


@pytest.fixture
def stub() -> Iterator[type[_Stub]]:
    handler = type("Handler", (_Stub,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler
    server.shutdown()
    server.server_close()


def _run(args: list[str], env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["sparql", "SELECT ?x WHERE { ?x ?p ?o } LIMIT 1", *args], env=env)


def test_nothing_listening() -> None:
    result = _run(["--endpoint", f"http://127.0.0.1:{free_port()}/query"])
    assert result.exit_code == 4 and "nothing is listening" in result.output and "Traceback" not in result.output


def test_dns_failure() -> None:
    result = _run(["--endpoint", "http://polkg-test.invalid/query"])
    assert result.exit_code == 4 and "DNS failure" in result.output


def test_server_error_message_is_shown_and_cut(stub) -> None:
    stub.mode = "500"
    result = _run(["--endpoint", stub.url])
    assert result.exit_code == 6 and "HTTP 500" in result.output and "OutOfMemoryError" in result.output
    assert len(result.output) < 700


def test_slow_server_times_out(stub) -> None:
    stub.mode = "slow"
    started = time.monotonic()
    result = _run(["--endpoint", stub.url, "--timeout", "1"])
    assert result.exit_code == 5 and "did not answer within 1 s" in result.output
    assert time.monotonic() - started < 3


def test_not_sparql_results(stub) -> None:
    stub.mode = "html"
    result = _run(["--endpoint", stub.url])
    assert result.exit_code == 7 and "did not answer with SPARQL JSON results" in result.output


def test_credentials_from_environment_only_and_never_printed(stub) -> None:
    stub.mode = "auth"
    wrong = _run(["--endpoint", stub.url], env={"POLKG_ENDPOINT_USER": "analyst", "POLKG_ENDPOINT_PASSWORD": "s3cret-wrong"})
    assert wrong.exit_code == 6 and "refused access (HTTP 401)" in wrong.output and "s3cret-wrong" not in wrong.output
    right = _run(
        ["--endpoint", stub.url, "--format", "csv"], env={"POLKG_ENDPOINT_USER": "analyst", "POLKG_ENDPOINT_PASSWORD": "right"}
    )
    assert right.exit_code == 0 and right.output.strip() == "x"
    in_url = _run(["--endpoint", stub.url.replace("http://", "http://analyst:s3cret-url@")])
    assert "s3cret-url" not in in_url.output
    assert "password" not in " ".join(p.opts[0] for p in main.commands["sparql"].params)


def test_serve_sparql_answers_and_refuses_updates(built: BuildResult) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            "polkg" if not (Path(os.sys.executable).parent / "polkg").exists() else str(Path(os.sys.executable).parent / "polkg"),
            "serve",
            "--sparql",
            "--port",
            str(port),
            "--out",
            str(built.out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query?query=ASK%7B%7D")
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).encode()
        request = urllib.request.Request(base + "/query", data=query, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        assert int(answer["results"]["bindings"][0]["n"]["value"]) == built.triples
        update = urllib.request.Request(base + "/update", data=urllib.parse.urlencode({"update": "CLEAR ALL"}).encode())
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=10)
        assert refused.value.code in (403, 405)
        refused.value.close()
        page = (built.out / "queries.html").read_text(encoding="utf-8")
        assert page.count("<li>") == len(load_catalogue()) and "#query=" in page
    finally:
        stop(process)
    output, _ = process.communicate(timeout=10)
    assert "read-only" in output.decode()


def test_export_from_endpoint_is_the_pushed_graph(pushed: str, built: BuildResult, tmp_path: Path) -> None:
    target = tmp_path / "remote.nt"
    result = CliRunner().invoke(main, ["export", "--format", "n-triples", "-o", str(target), "--endpoint", pushed + "/query"])
    assert result.exit_code == 0, result.output
    import pyoxigraph
    from rdflib import Graph
    from rdflib.compare import isomorphic

    # a store writes literals in canonical form ("30.0"^^xsd:decimal comes back as "30"): compare with that
    normalised = pyoxigraph.Store()
    normalised.load((built.out / "graph.nt").read_bytes(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    expected = Graph().parse(data=normalised.dump(format=pyoxigraph.RdfFormat.N_QUADS).decode(), format="nt")
    remote = Graph().parse(target, format="nt")
    assert len(remote) == built.triples
    assert isomorphic(remote, expected)


def _listening(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket ``pid`` listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table, size in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # LISTEN
                address, port = local.split(":")
                raw = bytes.fromhex(address)
                if size == 8:
                    text = socket.inet_ntop(socket.AF_INET, raw[::-1])
                else:
                    text = socket.inet_ntop(socket.AF_INET6, b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4)))
                found.append((text, int(port, 16)))
    return found


def test_serve_site_on_loopback_only(site: Path) -> None:
    port = free_port()
    polkg = Path(os.sys.executable).parent / "polkg"
    process = subprocess.Popen(
        [str(polkg) if polkg.exists() else "polkg", "serve", "--port", str(port), "--site", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/")
        with urllib.request.urlopen(base + "/", timeout=5) as response:
            assert b'href="coordination.html"' in response.read()
        with urllib.request.urlopen(base + "/lineage.html", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/html")
            assert b'id="polkg-data"' in response.read()
        assert _listening(process.pid) == [("127.0.0.1", port)]
    finally:
        stop(process)
    output, _ = process.communicate(timeout=10)
    assert f"at http://127.0.0.1:{port}/" in output.decode()


def test_serve_site_refuses_another_host() -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "127.0.0.1 only" in result.output


def test_views_same_from_endpoint(pushed: str, site: Path, tmp_path: Path) -> None:
    from helpers import page_data

    from graph_builder.views import generate

    remote = generate(RemoteEngine(pushed + "/query", timeout=30), tmp_path / "remote-site", "the embedded store").out
    for page in sorted(site.glob("*.html")):
        if page.name == "index.html":
            continue
        assert page_data(remote / page.name) == page_data(page), page.name
    assert len(list(site.glob("*.html"))) == 6
