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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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

    from graph_builder.views import generate, views

    remote = generate(RemoteEngine(pushed + "/query", timeout=30), tmp_path / "remote-site", "the embedded store").out
    for page in sorted(site.glob("*.html")):
        if page.name in ("index.html", "ontology.html"):
            continue
        assert page_data(remote / page.name) == page_data(page), page.name
    # the ontology's page (issue 15) is made from the ontology polkg ships, whatever the views read
    assert (remote / "ontology.html").read_bytes() == (site / "ontology.html").read_bytes()
    assert len(list(site.glob("*.html"))) == len(views()) + 2  # and the index and the ontology's page


# ------------------------------------------------------------------ hostile and broken endpoints (issue 14)
SELECT_ONE = "SELECT ?x WHERE { ?x ?p ?o } LIMIT 1"
EMPTY_RESULTS = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode()
JSON_TYPE = "application/sparql-results+json"
PASSWORD, TOKEN = "pa55-w0rd:x&y", "tok-3n-s3cret"
BASIC = base64.b64encode(f"analyst:{PASSWORD}".encode()).decode()


class _Scripted(http.server.BaseHTTPRequestHandler):
    """A stub whose answer is ``script(handler)``; every request is recorded (method, path, headers, body)."""

    protocol_version = "HTTP/1.1"
    script: Callable[[_Scripted], None]
    seen: list[tuple[str, str, dict[str, str], bytes]]

    def log_message(self, *args: object) -> None:
        pass

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.body = body
        self.seen.append((self.command, self.path, dict(self.headers), body))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            type(self).script(self)

    do_GET = do_POST = do_PUT = do_HEAD = _handle

    def reply(self, code: int, body: bytes, kind: str = JSON_TYPE, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def echo(self) -> bytes:
        """Everything the client sent, the Basic credentials decoded too: what a careless server prints back."""
        auth = self.headers.get("Authorization", "")
        decoded = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else ""
        return f"{self.requestline}\n{self.headers}\n{self.body.decode()}\ncredentials: {decoded}".encode()


@dataclass
class _Server:
    url: str
    seen: list[tuple[str, str, dict[str, str], bytes]]
    handler: type[_Scripted]

    def script(self, func: Callable[[_Scripted], None]) -> None:
        self.handler.script = staticmethod(func)  # type: ignore[assignment]


@pytest.fixture
def stubs() -> Iterator[Callable[[Callable[[_Scripted], None]], _Server]]:
    """start(script) -> a stub server on its own loopback port (its own origin), stopped after the test."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(script: Callable[[_Scripted], None]) -> _Server:
        seen: list[tuple[str, str, dict[str, str], bytes]] = []
        handler = type("Handler", (_Scripted,), {"script": staticmethod(script), "seen": seen})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return _Server(f"http://127.0.0.1:{server.server_address[1]}/sparql", seen, handler)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


CREDENTIALS = {
    "basic": {"POLKG_ENDPOINT_USER": "analyst", "POLKG_ENDPOINT_PASSWORD": PASSWORD},
    "bearer": {"POLKG_ENDPOINT_TOKEN": TOKEN},
}


def _no_secret(text: str) -> None:
    for secret in (PASSWORD, TOKEN, BASIC, urllib.parse.quote(PASSWORD, safe=""), urllib.parse.quote_plus(PASSWORD)):
        assert secret not in text, f"{secret!r} printed"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("auth", sorted(CREDENTIALS))
def test_no_credentials_across_origins(stubs, status: int, auth: str) -> None:
    other = stubs(lambda h: h.reply(200, EMPTY_RESULTS))
    endpoint = stubs(lambda h: h.reply(status, b"moved", "text/plain", {"Location": other.url + "?stolen=1"}))
    result = _run(["--endpoint", endpoint.url], env=CREDENTIALS[auth])
    assert result.exit_code == 6, result.output
    here, there = endpoint.url.rsplit("/", 1)[0], other.url.rsplit("/", 1)[0]
    assert f"{here} redirected (HTTP {status}) to another origin, {there}" in result.output
    assert all("Authorization" not in headers for _, _, headers, _ in other.seen) and not other.seen
    assert endpoint.seen[0][2]["Authorization"].startswith("Basic " if auth == "basic" else "Bearer ")
    _no_secret(result.output)


def test_cross_origin_includes_scheme_and_port(stubs) -> None:
    """http -> https on the same host, or another port, is another origin too."""
    for location in ("https://127.0.0.1:{port}/sparql", "http://127.0.0.1:{other}/sparql", "http://localhost:{port}/sparql"):
        server = stubs(lambda h: None)
        port, other = server.url.split(":")[2].split("/")[0], free_port()
        target = location.format(port=port, other=other)
        server.script(lambda h, target=target: h.reply(302, b"", "text/plain", {"Location": target}))
        result = _run(["--endpoint", server.url], env=CREDENTIALS["basic"])
        assert result.exit_code == 6 and "to another origin" in result.output, (location, result.output)
        assert len(server.seen) == 1


@pytest.mark.parametrize("status", [301, 303, 307, 308])
def test_same_origin_redirect_followed_with_credentials(stubs, status: int) -> None:
    def script(h: _Scripted) -> None:
        if h.path.startswith("/sparql/"):
            ok = h.headers.get("Authorization") == f"Basic {BASIC}"
            has_query = "query=" in (h.body.decode() if h.command == "POST" else h.path)
            h.reply(200 if ok and has_query else 401, EMPTY_RESULTS if ok and has_query else b"no")
        else:
            h.reply(status, b"", "text/plain", {"Location": "/sparql/"})

    server = stubs(script)
    result = _run(["--endpoint", server.url, "--format", "csv"], env=CREDENTIALS["basic"])
    assert result.exit_code == 0 and result.output.strip() == "x", result.output
    method = server.seen[1][0]
    assert method == ("POST" if status in (307, 308) else "GET")


def test_redirect_loop_is_bounded(stubs) -> None:
    server = stubs(lambda h: h.reply(307, b"", "text/plain", {"Location": "/sparql"}))
    result = _run(["--endpoint", server.url])
    assert result.exit_code == 6 and "redirected more than 5 times" in result.output
    assert len(server.seen) == 6


@pytest.mark.parametrize(
    "answer",
    [
        (400, "text/plain"),
        (401, "text/plain"),
        (500, "text/plain"),
        (502, "text/html"),
        (200, "text/html"),
        (200, "text/plain"),
        (200, JSON_TYPE),  # JSON, but not results: the echo is in a field
    ],
    ids=str,
)
@pytest.mark.parametrize("auth", sorted(CREDENTIALS))
def test_echoed_credentials_are_never_printed(stubs, answer: tuple[int, str], auth: str) -> None:
    code, kind = answer

    def script(h: _Scripted) -> None:
        echo = h.echo()
        if kind == JSON_TYPE:
            echo = json.dumps({"head": {"vars": ["x"]}, "results": echo.decode()}).encode()
        h.reply(code, echo, kind)

    server = stubs(script)
    result = _run(["--endpoint", server.url], env=CREDENTIALS[auth])
    assert result.exit_code in (3, 6, 7), result.output
    assert "Traceback" not in result.output
    _no_secret(result.output)
    if code != 200:
        assert "***" in result.output, "the echo is shown, masked"


def test_credentials_in_the_url_are_refused_and_never_printed(stubs) -> None:
    server = stubs(lambda h: h.reply(200, EMPTY_RESULTS))
    url = server.url.replace("http://", f"http://analyst:{urllib.parse.quote(PASSWORD, safe='')}@")
    result = _run(["--endpoint", url])
    assert result.exit_code == 2 and "holds credentials" in result.output and "POLKG_ENDPOINT_USER" in result.output
    _no_secret(result.output)
    assert not server.seen


def test_library_errors_hold_no_secret(stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    """str(error), as a library caller sees it, is masked too (not only what the CLI prints)."""
    from graph_builder.errors import PolkgError

    for name, value in CREDENTIALS["bearer"].items():
        monkeypatch.setenv(name, value)
    server = stubs(lambda h: h.reply(500, h.echo(), "text/plain"))
    with pytest.raises(PolkgError) as failed:
        RemoteEngine(server.url).select(SELECT_ONE)
    _no_secret(str(failed.value))


def _drip_body(h: _Scripted) -> None:
    h.send_response(200)
    h.send_header("Content-Type", JSON_TYPE)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(60):
        h.wfile.write(b" ")
        h.wfile.flush()
        time.sleep(1)


def _drip_headers(h: _Scripted) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nX-Slow: " + b"a" * 60:
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(1)


@pytest.mark.parametrize("script", [_drip_body, _drip_headers], ids=["body", "headers"])
def test_timeout_is_a_deadline_for_the_whole_request(stubs, script) -> None:
    server = stubs(script)
    started = time.monotonic()
    result = _run(["--endpoint", server.url, "--timeout", "3"])
    took = time.monotonic() - started
    assert result.exit_code == 5 and "did not answer within 3 s" in result.output, result.output
    assert 2.9 < took < 5, took


def test_push_timeout_is_a_deadline_for_the_whole_push(stubs, built: BuildResult) -> None:
    """A store that takes the upload and then drips its answer: --timeout bounds the push as a whole."""
    server = stubs(_drip_headers)
    started = time.monotonic()
    args = ["push", "--store", server.url, "--endpoint", server.url, "--timeout", "3", "--out", str(built.out)]
    result = CliRunner().invoke(main, args, env={k: "" for k in os.environ if k.startswith("POLKG_ENDPOINT_")})
    took = time.monotonic() - started
    assert result.exit_code == 5 and "did not take the push within 3 s" in result.output, result.output
    assert "the store keeps" in result.output and 2.9 < took < 6, took
    assert [method for method, *_ in server.seen] == ["PUT"]


def _second_request_fails(h: _Scripted) -> None:
    """A store that takes the first chunk (PUT) and fails on the next one (POST)."""
    if h.command == "PUT":
        h.reply(201, b"", "text/plain")
    else:
        h.reply(500, b"disk full", "text/plain")


def test_a_chunked_push_that_fails_midway_says_what_the_store_holds(stubs, built: BuildResult) -> None:
    """With --chunk-triples the first request replaces the graph: a later failure must not claim the graph was kept."""
    server = stubs(_second_request_fails)
    args = ["push", "--store", server.url, "--endpoint", server.url, "--chunk-triples", "2000", "--out", str(built.out)]
    result = CliRunner().invoke(main, args, env={k: "" for k in os.environ if k.startswith("POLKG_ENDPOINT_")})
    assert result.exit_code == 6, result.output
    assert "HTTP 500" in result.output and "failed after 1 of 4 requests" in result.output, result.output
    assert "holds only the first 1 chunks" in result.output and "keeps the previous" not in result.output
    assert [method for method, *_ in server.seen] == ["PUT", "POST"]
    first = server.seen[0][3]
    assert first.count(b"\n") == 2000 and first.endswith(b" .\n"), "chunks are cut at line ends"


def _endless(h: _Scripted) -> None:
    """Valid-looking SPARQL JSON that never ends (no Content-Length: the size is not announced)."""
    h.protocol_version = "HTTP/1.0"
    h.send_response(200)
    h.send_header("Content-Type", JSON_TYPE)
    h.end_headers()
    h.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [')
    row = json.dumps({"x": {"type": "literal", "value": "y" * 1000}}).encode() + b","
    for _ in range(400_000):  # 400 MB if nobody stops reading
        h.wfile.write(row)


def test_answer_size_is_capped_and_memory_bounded(stubs) -> None:
    server = stubs(_endless)
    probe = (
        "import resource, sys\n"
        "from graph_builder.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as exc:\n"
        "    print('rss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "    sys.exit(exc.code)\n"
    )

    def peak_kb(url: str, code: int) -> int:
        args = ["sparql", SELECT_ONE, "--endpoint", url, "--max-answer-mb", "2"]
        done = subprocess.run([os.sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == code, done.stderr
        if code == 7:
            assert "larger than the limit of 2 MB" in done.stderr and "--max-answer-mb (POLKG_MAX_ANSWER_MB)" in done.stderr
        return int(done.stderr.split("rss ")[1].split()[0])

    # the same process answering a tiny query is the baseline: what the endless answer adds must be small
    baseline = peak_kb(stubs(lambda h: h.reply(200, EMPTY_RESULTS)).url, 0)
    started = time.monotonic()
    rss_kb = peak_kb(server.url, 7)
    assert rss_kb - baseline < 100_000, f"{rss_kb} KB resident for a 2 MB limit ({baseline} KB for a tiny answer)"
    assert time.monotonic() - started < 20


def test_announced_size_over_the_limit_is_refused_before_reading(stubs) -> None:
    server = stubs(lambda h: h.reply(200, b" " * 3_000_000))
    result = _run(["--endpoint", server.url], env={"POLKG_MAX_ANSWER_MB": "1"})
    assert result.exit_code == 7 and "it announced 3,000,000 bytes" in result.output, result.output
    under = _run(["--endpoint", stubs(lambda h: h.reply(200, EMPTY_RESULTS)).url], env={"POLKG_MAX_ANSWER_MB": "1"})
    assert under.exit_code == 0, under.output


def test_max_answer_mb_is_documented() -> None:
    result = CliRunner().invoke(main, ["query", "run", "--help"])
    assert "--max-answer-mb" in result.output and "POLKG_MAX_ANSWER_MB" in " ".join(result.output.split())
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use a triple store", 1)[1].split("\n## ", 1)[0]
    assert "POLKG_MAX_ANSWER_MB" in section and "256 MB" in section


@pytest.mark.parametrize(
    "endpoint",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/query",
        "query",
        "localhost:7878/query",
        "http://",
        "http://host:port/x",
        "gopher://x",
    ],
)
def test_only_http_and_https_endpoints(endpoint: str) -> None:
    for args in (["sparql", SELECT_ONE], ["query", "run", "documents"], ["export", "--format", "n-triples"]):
        result = CliRunner().invoke(main, [*args, "--endpoint", endpoint])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and "root:" not in result.output
        assert "http://" in result.output or "not a valid URL" in result.output


def _json(data: object) -> bytes:
    return json.dumps(data).encode()


def _results(*terms: object, variables: object = ("x",)) -> bytes:
    return _json({"head": {"vars": list(variables) if isinstance(variables, tuple) else variables},
                  "results": {"bindings": [{"x": t} for t in terms]}})  # fmt: skip


MALFORMED = {
    "deeply nested": (b'{"head": {"vars": []}, "results": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "nested too deeply"),
    "nested term value": (_results({"type": "literal", "value": json.loads("[" * 50 + "]" * 50)}), "not a string"),
    "number for a value": (_results({"type": "literal", "value": 42}), "the value of ?x in row 1 is a number"),
    "number for a name": (_results(variables=[1]), '"head.vars" is not an array of names'),
    "non-IRI uri": (_results({"type": "uri", "value": "not an iri"}), "not an absolute IRI"),
    "IRI with a space": (_results({"type": "uri", "value": "http://a b"}), "not an absolute IRI"),
    "unknown term type": (_results({"type": "thing", "value": "v"}), 'type "thing"'),
    "term not an object": (_results("v"), "?x in row 1 is a string"),
    "row not an object": (_json({"head": {"vars": ["x"]}, "results": {"bindings": [1]}}), "row 1 is a number"),
    "datatype not an IRI": (_results({"type": "literal", "value": "1", "datatype": "int"}), "datatype of ?x in row 1"),
    "bad language tag": (_results({"type": "literal", "value": "a", "xml:lang": "en gb"}), "language tag"),
    "missing head": (_json({"results": {"bindings": []}}), 'no "head" object'),
    "head not an object": (_json({"head": [], "results": {"bindings": []}}), '"head" is an array'),
    "missing vars": (_json({"head": {}, "results": {"bindings": []}}), 'no "vars" array'),
    "missing results": (_json({"head": {"vars": ["x"]}}), 'neither "results" nor "boolean"'),
    "missing bindings": (_json({"head": {"vars": ["x"]}, "results": {}}), 'no "bindings" array'),
    "boolean as a string": (_json({"head": {}, "boolean": "false"}), '"boolean" is "false", not true or false'),
    "boolean as a number": (_json({"head": {}, "boolean": 2}), '"boolean" is 2'),
    "top-level array": (_json([1, 2]), "is an array, not an object"),
    "truncated JSON": (EMPTY_RESULTS[:-5], "did not answer with SPARQL JSON results"),
    "not UTF-8": (b'{"head": {"vars": ["\xff"]}}', "did not answer with SPARQL JSON results"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_answers_exit_7_saying_what(stubs, case: str) -> None:
    body, expected = MALFORMED[case]
    server = stubs(lambda h: h.reply(200, body))
    result = _run(["--endpoint", server.url])
    assert result.exit_code == 7, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output) < 700


@pytest.mark.parametrize(
    ("kind", "query"),
    [("text/html", SELECT_ONE), ("application/xml", SELECT_ONE), ("text/turtle", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")],
)
def test_wrong_content_type_exit_7(stubs, kind: str, query: str) -> None:
    body = EMPTY_RESULTS if "CONSTRUCT" not in query else b"@prefix x: <http://x/> . x:a x:b x:c ."
    server = stubs(lambda h: h.reply(200, body, kind))
    result = CliRunner().invoke(main, ["sparql", query, "--endpoint", server.url])
    assert result.exit_code == 7 and f"it sent {kind}" in result.output, result.output


def test_malformed_ntriples_exit_7(stubs) -> None:
    server = stubs(lambda h: h.reply(200, b"<http://a> <http://b> oops .\n", "application/n-triples"))
    for args in (["sparql", "DESCRIBE <http://a>"], ["export", "--format", "turtle"]):
        result = CliRunner().invoke(main, [*args, "--endpoint", server.url])
        assert result.exit_code == 7 and "malformed N-Triples" in result.output, result.output
        assert "Traceback" not in result.output


def test_cut_short_answer_exit_7(stubs) -> None:
    def script(h: _Scripted) -> None:
        h.send_response(200)
        h.send_header("Content-Type", JSON_TYPE)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        h.wfile.write(EMPTY_RESULTS[:20])
        h.close_connection = True

    result = _run(["--endpoint", stubs(script).url])
    assert result.exit_code == 7 and "closed the connection before the end of its answer" in result.output, result.output


def test_virtuoso_booleans_read_as_the_embedded_store_gives_them(engine: EmbeddedEngine) -> None:
    """Virtuoso writes xsd:boolean as "1"/"0" and may answer ASK with 1/0 or an __ask_retval row."""
    from graph_builder.query.remote import parse_results

    xsd_boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    local = engine.select("SELECT ?b WHERE { VALUES ?b { true false } }")
    virtuoso = _results(
        {"type": "typed-literal", "value": "1", "datatype": xsd_boolean},
        {"type": "literal", "value": "0", "datatype": xsd_boolean},
        variables=["b"],
    ).replace(b'"x"', b'"b"')
    remote = parse_results("http://virtuoso/sparql", virtuoso)
    assert remote == local
    assert [t.value for t in remote.rows[0].values()] == ["true"]
    for answer, expected in (({"boolean": 1}, True), ({"boolean": 0}, False), ({"boolean": True}, True)):
        assert parse_results("http://v/sparql", _json({"head": {}, **answer})).boolean is expected
    ask_row = _json(
        {"head": {"vars": ["__ask_retval"]}, "results": {"bindings": [{"__ask_retval": {"type": "literal", "value": "1"}}]}}
    )
    assert parse_results("http://v/sparql", ask_row).boolean is True
    assert engine.select("ASK { ?s ?p ?o }").boolean is True
    integer = _results({"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"})
    assert parse_results("http://v/sparql", integer).rows[0]["x"].value == "1", "only xsd:boolean is rewritten"
