"""Hostile clients and queries against real processes on loopback: the site server, the SPARQL endpoint, polkg sparql."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import stop

from graph_builder.errors import QueryError
from graph_builder.prefixes import with_prefixes
from graph_builder.query.catalogue import load_catalogue
from graph_builder.query.isolated import run_isolated
from graph_builder.query.limits import check_query
from graph_builder.store.build import BuildResult

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
POLKG = [sys.executable, "-m", "graph_builder.cli"]

NESTED_5000 = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
NESTED_2500 = "SELECT * WHERE " + "{" * 2500 + " ?s ?p ?o " + "}" * 2500
UNION_10000 = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }"
CROSS_3 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not come up")


def raw_request(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Send ``request`` as is on a new connection and read the answer until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                answer += chunk
        return answer


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def threads_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no thread count")


def children_of(pid: int) -> list[int]:
    """The processes ``pid`` started, from any of its threads."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return sorted(found)


# --- the site server -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_server(
    site: Path, built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    folder = tmp_path_factory.mktemp("hostile-site") / "site"
    shutil.copytree(site, folder)
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "alias.html").symlink_to(folder / "index.html")
    (folder / "escape").symlink_to("/etc")
    (folder / "sub").mkdir()
    (folder / "sub" / "note.txt").write_text("inside\n", encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [*POLKG, "serve", "--port", str(port), "--site", str(folder), "--out", str(built.out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=ENV,
    )
    try:
        wait_for_port(port, process)
        yield port, process
    finally:
        output = stop(process)
        assert "Traceback" not in output, output


pytestmark = pytest.mark.slow


def _get(port: int, path: str) -> tuple[int, bytes]:
    answer = raw_request(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
    head, _, body = answer.partition(b"\r\n\r\n")
    return status_of(head), body


def test_site_serves_only_regular_files_inside_the_folder(site_server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, _ = site_server
    assert _get(port, "/")[0] == 200 and b"coordination.html" in _get(port, "/")[1]
    assert _get(port, "/alias.html")[0] == 200  # a link that stays inside the site is fine
    assert _get(port, "/sub/note.txt") == (200, b"inside\n")
    for path in ("/passwd", "/escape/passwd", "/escape/", "/sub/", "/sub", "/missing.html"):
        status, body = _get(port, path)
        assert status == 404, path
        assert b"root:" not in body and b"<a href" not in body, path  # no file from outside, no listing
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/sub/..%2f..%2f..%2fetc%2fpasswd", "/sub\\..\\passwd"):
        status, body = _get(port, path)
        assert status == 400 and b"root:" not in body, path


def test_site_answers_malformed_paths_with_400(site_server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, process = site_server
    for path in (b"/\x00", b"/a%00b", b"/%zz", b"/%e2%28", b"/%", b"/" + b"a" * 4000, b"/%0a", b"relative"):
        answer = raw_request(port, b"GET " + path + b" HTTP/1.0\r\n\r\n")
        assert status_of(answer) == 400, path
        assert b"Traceback" not in answer
    assert status_of(raw_request(port, b"GET /" + b"a" * 20_000 + b" HTTP/1.0\r\n\r\n")) in (400, 414, 431)
    assert status_of(raw_request(port, b"BREW / HTTP/1.0\r\n\r\n")) == 501
    assert process.poll() is None


def test_site_answers_malformed_resource_paths_without_a_traceback(site_server: tuple[int, subprocess.Popen[bytes]]) -> None:
    """/id/... is parsed by polkg (publish/resources.py): anything but plain id segments is 400, never a crash."""
    port, process = site_server
    for path in (
        b"/id/%00",
        b"/id/a%00b",
        b"/id/%zz",
        b"/id/%e2%28",
        b"/id/../../etc/passwd",
        b"/id/agency/..%2f..%2fx",
        b"/id/agency//mofcom",
        b"/id/agency/.hidden",
        b"/id/" + b"a" * 1000,
        b"/id/agency/mo fcom",
    ):
        answer = raw_request(port, b"GET " + path + b" HTTP/1.0\r\nAccept: text/turtle\r\n\r\n")
        assert status_of(answer) in (400, 404), path
        assert b"Traceback" not in answer and b"root:" not in answer, path
    for accept in (b"text/turtle;q=abc", b";;;,,,", b"text/turtle;q=1e999", b"*/*;q=-1", b"\xff\xfe"):
        answer = raw_request(port, b"GET /id/agency/mofcom HTTP/1.0\r\nAccept: " + accept + b"\r\n\r\n")
        assert status_of(answer) in (200, 303, 404, 406), accept
        assert b"Traceback" not in answer
    assert status_of(raw_request(port, b"GET /id/no-such/thing HTTP/1.0\r\nAccept: text/turtle\r\n\r\n")) == 404
    assert process.poll() is None


def test_site_bounds_slow_connections(site_server: tuple[int, subprocess.Popen[bytes]]) -> None:
    """300 clients that never finish their request hold no thread each, and a real client is answered at once."""
    port, process = site_server
    before = threads_of(process.pid)
    slow = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
            slow.append(sock)
        drip = socket.create_connection(("127.0.0.1", port), timeout=20)
        drip.sendall(b"GET / HTTP/1.1\r\n")
        time.sleep(0.5)
        assert threads_of(process.pid) <= max(before, 1) + 12, "a thread per connection"
        started = time.monotonic()
        assert _get(port, "/")[0] == 200
        assert time.monotonic() - started < 3
        # the head must come within its deadline however slowly it drips: the server closes the connection
        closed = False
        deadline = time.monotonic() + 16
        while time.monotonic() < deadline and not closed:
            try:
                drip.sendall(b"X-Drip: 1\r\n")
                drip.settimeout(1)
                closed = drip.recv(1024) == b""
            except TimeoutError:
                continue
            except OSError:
                closed = True
        assert closed, "a drip-fed request head was kept open past its deadline"
        drip.close()
    finally:
        for sock in slow:
            sock.close()
    assert _get(port, "/")[0] == 200


# --- the SPARQL endpoint ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint(built: BuildResult) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    process = subprocess.Popen(
        [*POLKG, "serve", "--sparql", "--port", str(port), "--timeout", "3", "--out", str(built.out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=ENV,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        output = stop(process)
        assert "Traceback" not in output, output


def sparql_post(base: str, query: str, timeout: float = 15.0) -> tuple[int, bytes]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(base + "/query", data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def test_endpoint_answers_the_protocol(endpoint: tuple[str, subprocess.Popen[bytes]], built: BuildResult) -> None:
    base, _ = endpoint
    status, body = sparql_post(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == built.triples
    with urllib.request.urlopen(base + "/query?query=" + urllib.parse.quote("ASK {}"), timeout=10) as response:
        assert json.loads(response.read())["boolean"] is True
    direct = urllib.request.Request(
        base + "/sparql", data=b"ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    )
    with urllib.request.urlopen(direct, timeout=10) as response:
        assert response.read().strip() == b"true"
    with urllib.request.urlopen(base + "/", timeout=10) as response:
        assert b"yasgui" in response.read().lower()
    # every stored query, with its example values bound, passes the limits and is answered
    for query in load_catalogue().values():
        if not query.params:
            assert sparql_post(base, with_prefixes(query.sparql))[0] == 200, query.id


def test_endpoint_never_fetches_a_url_a_query_names(endpoint: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = endpoint
    with socket.create_server(("127.0.0.1", 0)) as trap:
        trap.settimeout(1.0)
        target = f"http://127.0.0.1:{trap.getsockname()[1]}/x"
        for query in (
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ service silent <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE<{target}>{{ ?s ?p ?o }} }} }}",
        ):
            status, body = sparql_post(base, query)
            assert status == 400 and b"SERVICE" in body, query
        with pytest.raises(TimeoutError):
            trap.accept()
    # the word inside a string, an IRI, a comment or a name is no SERVICE
    harmless = (
        "PREFIX pk: <https://w3id.org/polkg/ontology#> "
        'SELECT ?service WHERE { BIND("SERVICE" AS ?service) OPTIONAL { ?s <urn:SERVICE> pk:service } } # SERVICE'
    )
    assert sparql_post(base, harmless)[0] == 200


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        (NESTED_5000, b"nest"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }", b"nest"),
        (UNION_10000, b"UNION"),
        ("SELECT * WHERE { ?s ?p ?o " + " OPTIONAL { ?s ?p ?o }" * 1000 + " }", b"OPTIONAL"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 2000) + ") }", b"operators"),
        ("SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 2000) + " ?o }", b"operators"),
        ('SELECT * WHERE { BIND("' + "x" * 50_000 + '" AS ?x) }', b"literal"),
        ('SELECT * WHERE { BIND("' + "x" * 300_000 + '" AS ?x) }', b"characters long"),
    ],
    ids=["groups-5000", "parens-5000", "union-10000", "optional-1000", "or-2000", "path-2000", "literal-50k", "text-300k"],
)
def test_endpoint_refuses_hostile_queries(endpoint: tuple[str, subprocess.Popen[bytes]], query: str, reason: bytes) -> None:
    base, process = endpoint
    engine = children_of(process.pid)
    status, body = sparql_post(base, query)
    assert status == 400 and reason in body and b"refused" in body, body[:300]
    assert sparql_post(base, "ASK { ?s ?p ?o }") == (200, b'{"head":{},"boolean":true}')
    assert children_of(process.pid) == engine, "the engine was not touched"


def test_endpoint_timeout_is_an_error_and_others_are_answered(endpoint: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = endpoint
    outcome: dict[str, object] = {}

    def heavy() -> None:
        started = time.monotonic()
        outcome["answer"] = sparql_post(base, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=30)
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=heavy)
    worker.start()
    time.sleep(0.5)
    for _ in range(5):
        started = time.monotonic()
        assert sparql_post(base, "ASK { ?s ?p ?o }")[0] == 200
        assert time.monotonic() - started < 2
    worker.join(timeout=30)
    status, body = outcome["answer"]  # type: ignore[misc]
    assert status == 503 and b"time limit of 3 s" in body
    assert outcome["seconds"] < 8  # type: ignore[operator]


def test_endpoint_restarts_a_dead_engine(endpoint: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, process = endpoint
    (engine,) = children_of(process.pid)
    os.kill(engine, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if sparql_post(base, "ASK { ?s ?p ?o }", timeout=5)[0] == 200:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the endpoint did not come back")
    assert process.poll() is None
    assert children_of(process.pid) != [engine]


def test_endpoint_exits_with_an_error_when_the_engine_keeps_dying(built: BuildResult) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*POLKG, "serve", "--sparql", "--port", str(port), "--out", str(built.out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=ENV,
    )
    try:
        wait_for_port(port, process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while sparql_post(base, "ASK {}", timeout=5)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        deadline = time.monotonic() + 60
        killed: set[int] = set()
        while process.poll() is None and time.monotonic() < deadline:
            for child in set(children_of(process.pid)) - killed:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
                killed.add(child)
            time.sleep(0.1)
        returncode = process.wait(timeout=20)
    finally:
        output = stop(process)
    assert returncode == 3, output
    assert "the endpoint is shut down" in output and "Traceback" not in output


# --- polkg sparql on the embedded store --------------------------------------------------------------------------


def polkg_sparql(built: BuildResult, query: str, *args: str, memory_mb: int | None = None) -> tuple[int, str, float]:
    def cap() -> None:
        if memory_mb:
            resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))

    started = time.monotonic()
    result = subprocess.run(
        [*POLKG, "sparql", "-", "--out", str(built.out), *args],
        input=query.encode(),
        capture_output=True,
        env=ENV,
        timeout=60,
        preexec_fn=cap,
    )
    return result.returncode, (result.stdout + result.stderr).decode("utf-8", "replace"), time.monotonic() - started


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        (NESTED_2500, "brackets nest more than 64 deep"),
        (UNION_10000, "UNION, OPTIONAL and MINUS"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }", "SERVICE"),
    ],
    ids=["groups-2500", "union-10000", "service", "escaped-service"],
)
def test_sparql_refuses_hostile_queries(built: BuildResult, query: str, reason: str) -> None:
    code, output, _ = polkg_sparql(built, query)
    assert code == 3 and reason in output and "refused" in output, output
    assert "Traceback" not in output


def test_sparql_stops_at_the_time_limit(built: BuildResult) -> None:
    code, output, seconds = polkg_sparql(built, CROSS_3, "--timeout", "2")
    assert code == 3 and "time limit of 2 s" in output, output
    assert seconds < 8


def test_sparql_out_of_memory_is_an_error_not_an_abort(built: BuildResult) -> None:
    code, output, _ = polkg_sparql(
        built, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f", "--timeout", "30", "--format", "csv", memory_mb=1500
    )
    assert code == 3 and "error: the query" in output and "Traceback" not in output, output[-500:]


def test_a_crash_of_the_engine_is_an_error(built: BuildResult) -> None:
    """A query the limits would refuse, given to the child directly: the child dies, polkg says so."""
    with pytest.raises(QueryError, match=r"crashed|stopped"):
        run_isolated(built.out / "store", NESTED_5000, False, 30)


def test_sparql_still_answers_ordinary_queries(built: BuildResult) -> None:
    code, output, _ = polkg_sparql(built, "SELECT (COUNT(*) AS ?n) WHERE { ?a a pk:Agency }", "--format", "csv")
    assert code == 0 and output.splitlines()[0] == "n", output
    code, output, _ = polkg_sparql(built, "CONSTRUCT WHERE { agency:nfra ?p ?o }", "--format", "n-triples")
    assert code == 0 and "agency/nfra>" in output, output


# --- the limits themselves ----------------------------------------------------------------------------------------


def test_every_stored_query_keeps_the_limits() -> None:
    for query in load_catalogue().values():
        check_query(with_prefixes(query.sparql))


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE" }',
        "SELECT * WHERE { ?s ?p <urn:x:SERVICE> }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>",
        "SELECT ?service WHERE { ?service pk:SERVICE ?o }",
        "SELECT * WHERE { ?s ?p '''a long\nSERVICE string''' }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
    ],
)
def test_limits_look_only_at_the_query_itself(text: str) -> None:
    check_query(text)


def test_limits_see_through_escapes() -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        check_query("SELECT * WHERE { \\U00000053ERVICE <http://x/> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match="nest"):
        check_query("SELECT * WHERE " + "\\u007B" * 100 + "?s ?p ?o" + "}" * 100)
