"""The read-only SPARQL endpoint: polkg speaks the protocol, checks each query, and Oxigraph, kept private, answers.

Why a front of our own: Oxigraph's ``serve-read-only`` fetches any URL a query's SERVICE names (a
server-side request forgery once ``--host`` exposes it), dies on a query that nests a few thousand
groups deep (and ``polkg serve`` exited 0 with it), and answers a query that runs out of time with
HTTP 200 and JSON cut short. So polkg listens on the public address itself (``publish.httpd``:
bounded threads and connections, deadlines on every connection), and for ``/query`` (and
``/sparql``, the editor's name for it):

- reads the query as the SPARQL 1.1 Protocol gives it (GET ``?query=``, POST form, POST
  ``application/sparql-query``), exactly one, and refuses updates;
- runs ``query.limits.check_query`` on it (size, nesting, UNION/OPTIONAL/MINUS count, operators, no
  SERVICE, escapes applied first) and answers 400 with the reason when it breaks one, so a hostile
  query never reaches the engine;
- forwards what it checked, and only that, to an Oxigraph ``serve-read-only`` bound to a private
  loopback port, and reads the whole answer (at most ``MAX_ANSWER`` bytes) before sending any of it,
  so a query past the time limit is answered 503 with the reason, never 200 with a truncated body
  (Oxigraph's own limit is set a few seconds later than polkg's, to stop the work behind it);
- restarts Oxigraph when it dies (a request in flight then gets 502), and stops with an error, not
  exit 0, when it cannot be kept running.

The editor page Oxigraph serves at ``/`` (and its script, style and logo) is read once at start and
served from memory; GET ``/store`` (the whole graph) is passed through; everything else is 404.
A forwarding front rather than evaluating in worker processes: it keeps Oxigraph's full protocol
(every results format, content negotiation, the editor) and needs no serialisation of our own.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from graph_builder.errors import QueryError
from graph_builder.publish.httpd import Handler, Server
from graph_builder.query.limits import check_query

MAX_ANSWER = 256 * 1024 * 1024  # bytes of one answer held before it is sent (a cross join can stream gigabytes)
MAX_BODY = 1024 * 1024  # bytes of a POSTed query (the limits accept 200,000 characters, escaped up to 3 bytes each)
EDITOR_FILES = ("/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
_QUERY_PATHS = ("/query", "/sparql")
_FORWARDED = ("query", "default-graph-uri", "named-graph-uri")
_RESTARTS = 5  # engine deaths tolerated within _RESTART_WINDOW seconds before the endpoint gives up
_RESTART_WINDOW = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the engine's process before it starts: on Linux, be sent SIGTERM when polkg dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _how(returncode: int) -> str:
    import signal

    if returncode < 0 and -returncode in signal.valid_signals():
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


class EngineProcess:
    """Oxigraph's read-only server over ``store`` on a private loopback port, restarted when it dies."""

    def __init__(self, binary: str, store: Path, timeout: float, echo: Callable[[str], None]):
        self.binary, self.store, self.echo = binary, store, echo
        self.engine_timeout = math.ceil(timeout) + 5  # polkg answers at ``timeout``; Oxigraph stops the work after
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.failure: str | None = None  # set when the engine cannot be kept running
        self._stopping = threading.Event()
        self._deaths: list[float] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the engine and wait until it accepts connections (QueryError if it does not)."""
        port = free_port()
        process = subprocess.Popen(
            [
                self.binary,
                "serve-read-only",
                "--location",
                str(self.store),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                str(self.engine_timeout),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise QueryError(f"the SPARQL engine (Oxigraph) did not start over {self.store}: {_how(process.returncode)}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            process.kill()
            process.wait()
            raise QueryError(f"the SPARQL engine (Oxigraph) did not start listening within 30 s over {self.store}")
        with self._lock:
            self.process, self.port = process, port

    def watch(self, on_failure: Callable[[], None]) -> None:
        """In a thread: restart the engine whenever it dies; give up (``on_failure``) after too many deaths."""

        def run() -> None:
            while not self._stopping.is_set():
                process = self.process
                assert process is not None
                returncode = process.wait()
                if self._stopping.is_set():
                    return
                if self.process is not process:
                    continue  # replaced on purpose (a new build), not a death
                now = time.monotonic()
                self._deaths = [t for t in self._deaths if now - t < _RESTART_WINDOW] + [now]
                if len(self._deaths) > _RESTARTS:
                    self.failure = (
                        f"the SPARQL engine (Oxigraph) stopped {len(self._deaths)} times within {_RESTART_WINDOW:g} s "
                        f"(last: {_how(returncode)}); the endpoint is shut down"
                    )
                    on_failure()
                    return
                self.echo(f"the SPARQL engine stopped ({_how(returncode)}); restarting it")
                try:
                    self.start()
                except QueryError as exc:
                    self.failure = f"{exc}; the endpoint is shut down"
                    on_failure()
                    return

        threading.Thread(target=run, name="polkg-engine-watch", daemon=True).start()

    def reload(self) -> None:
        """Start a new engine over ``store`` (a rebuild replaced it), switch to it, then stop the old one.

        Requests in flight on the old engine may finish (it is stopped ``engine_timeout`` seconds later);
        QueryError when the new one does not start (the old one keeps answering).
        """
        old = self.process
        self.start()
        if old is not None and old.poll() is None:

            def retire() -> None:
                time.sleep(self.engine_timeout)  # queries forwarded to the old engine may still finish
                old.terminate()
                try:
                    old.wait(timeout=self.engine_timeout)
                except subprocess.TimeoutExpired:
                    old.kill()
                    old.wait()

            threading.Thread(target=retire, name="polkg-engine-retire", daemon=True).start()

    def follow(self, out: Path, every: float = 2.0) -> None:
        """In a thread: when a rebuild replaces the build in ``out``, answer from the new store (``reload``)."""
        from graph_builder.publish.resources import build_stamp

        def run() -> None:
            stamp = build_stamp(out)
            while not self._stopping.wait(every):
                current = build_stamp(out)
                if current is None or current == stamp:
                    continue
                try:
                    self.reload()
                except QueryError as exc:
                    self.echo(
                        f"the build in {out} changed, but the engine did not start over it ({exc}); "
                        "still answering from the previous build"
                    )
                    continue
                stamp = current
                self.echo(f"the build in {out} changed (made {current.when}); answering from it now")

        threading.Thread(target=run, name="polkg-build-follow", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _read_answer(response: http.client.HTTPResponse, deadline: float, sock: socket.socket | None) -> bytes:
    """The whole body of ``response`` by ``deadline`` (TimeoutError after it), at most MAX_ANSWER bytes (ValueError)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        if sock is not None:
            sock.settimeout(remaining)
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER:
            raise ValueError
        chunks.append(chunk)


def front_handler(engine: EngineProcess, timeout: float, editor: dict[str, tuple[str, bytes]]) -> type[Handler]:
    """The request handler of the public endpoint, forwarding checked queries to ``engine``."""

    class Front(Handler):
        def do_GET(self) -> None:
            path, _, query_string = self.path.partition("?")
            if path in _QUERY_PATHS:
                self.query(self.parameters(query_string))
            elif path in editor and not query_string:
                content_type, body = editor[path]
                self.reply(200, body, content_type)
            elif path == "/store":
                self.forward("GET", self.path, None, {})
            elif path == "/update":
                self.refuse(403, "this endpoint is read-only: updates are refused")
            else:
                self.refuse(404, "not found (the SPARQL endpoint is /query)")

        def do_HEAD(self) -> None:
            path = self.path.partition("?")[0]
            if path in editor:
                content_type, body = editor[path]
                self.reply(200, body, content_type, head=True)
            else:
                self.refuse(405 if path in _QUERY_PATHS else 404, "use GET or POST")

        def do_POST(self) -> None:
            path, _, query_string = self.path.partition("?")
            if path == "/update" or path == "/store":
                self.refuse(403, "this endpoint is read-only: updates are refused")
                return
            if path not in _QUERY_PATHS:
                self.refuse(404, "not found (the SPARQL endpoint is /query)")
                return
            length = self.headers.get("Content-Length", "")
            if not length.isdigit():
                self.refuse(411, "a POST needs a Content-Length")
                return
            if int(length) > MAX_BODY:
                self.refuse(413, f"the request body is larger than {MAX_BODY:,} bytes")
                return
            self.body_read = True
            body = self.rfile.read(int(length))
            if len(body) != int(length):
                return  # the client went away
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type == "application/sparql-query":
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    self.refuse(400, "the query is not UTF-8")
                    return
                params = self.parameters(query_string)
                if params is not None:
                    params = [*params, ("query", text)]
            elif content_type == "application/x-www-form-urlencoded":
                params = self.parameters(body.decode("latin-1"))
            else:
                self.refuse(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
                return
            self.query(params)

        def parameters(self, encoded: str) -> list[tuple[str, str]] | None:
            try:
                return urllib.parse.parse_qsl(encoded, keep_blank_values=True, errors="strict", max_num_fields=100)
            except (ValueError, UnicodeDecodeError):
                self.refuse(400, "malformed request parameters (percent-escapes must be UTF-8)")
                return None

        def query(self, params: list[tuple[str, str]] | None) -> None:
            if params is None:
                return
            if any(name in ("update", "using-graph-uri", "using-named-graph-uri") for name, _ in params):
                self.refuse(403, "this endpoint is read-only: updates are refused")
                return
            queries = [value for name, value in params if name == "query"]
            if len(queries) != 1:
                self.refuse(400, "give exactly one query (the query parameter, or a body of application/sparql-query)")
                return
            try:
                check_query(queries[0])
            except QueryError as exc:
                self.refuse(400, str(exc))
                return
            forwarded = urllib.parse.urlencode([(name, value) for name, value in params if name in _FORWARDED])
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            self.forward("POST", "/query", forwarded.encode("utf-8"), headers)

        def forward(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> None:
            if engine.failure:
                self.refuse(503, "the SPARQL engine is not running")
                return
            headers = {**headers, "Accept": self.headers.get("Accept") or "application/sparql-results+json"}
            deadline = time.monotonic() + timeout
            connection = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=timeout)
            try:
                connection.request(method, path, body=body, headers=headers)
                sock = connection.sock  # getresponse lets go of it when the engine closes the connection after
                response = connection.getresponse()
                answer = _read_answer(response, deadline, sock)
            except TimeoutError:
                self.refuse(503, f"the query ran past the time limit of {timeout:g} s and was stopped; narrow the query")
                return
            except ValueError:
                self.refuse(500, f"the answer is larger than {MAX_ANSWER // (1024 * 1024)} MB; narrow the query (LIMIT)")
                return
            except (OSError, http.client.HTTPException):
                self.refuse(502, "the SPARQL engine failed on this query and is being restarted; try again")
                return
            finally:
                connection.close()
            content_type = response.getheader("Content-Type") or "application/octet-stream"
            if response.status == 500 and b"timeout" in answer.lower():
                self.refuse(503, f"the query ran past the time limit of {timeout:g} s and was stopped; narrow the query")
                return
            self.reply(response.status, answer, content_type)

    return Front


def read_editor(port: int) -> dict[str, tuple[str, bytes]]:
    """The editor page Oxigraph serves at ``/`` and the files it loads: path -> (content type, bytes)."""
    files = {}
    for path in EDITOR_FILES:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status == 200:
                files[path] = (response.getheader("Content-Type") or "application/octet-stream", body)
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
    return files


def serve_endpoint(
    binary: str,
    store: Path,
    host: str,
    port: int,
    timeout: float,
    echo: Callable[[str], None] = print,
    ready: Callable[[], None] | None = None,
    follow: Path | None = None,
) -> None:
    """Serve ``store`` read-only at ``host``:``port`` until interrupted; QueryError when the engine cannot be kept up.

    With ``follow`` (the build folder ``store`` is in), a rebuild there is picked up: the engine is
    restarted over the new store, and the log says so.
    """
    import errno

    from graph_builder.errors import UsageError

    engine = EngineProcess(binary, store, timeout, echo)
    try:
        server = Server(host, port, front_handler(engine, timeout, {}), workers=16, io_timeout=timeout + 30)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is already in use; choose another with --port") from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        engine.start()
        server.handler = front_handler(engine, timeout, read_editor(engine.port))
        engine.watch(server.shutdown)
        if follow is not None:
            engine.follow(follow)
        if ready:
            ready()
        server.serve_forever()
    finally:
        server.server_close()
        engine.stop()
    if engine.failure:
        raise QueryError(engine.failure)
