"""Query a remote SPARQL 1.1 endpoint over HTTP (and the HTTP helpers the push shares).

Credentials come only from the environment: POLKG_ENDPOINT_USER and POLKG_ENDPOINT_PASSWORD (HTTP basic
auth) or POLKG_ENDPOINT_TOKEN (bearer). They are never taken from the command line (a URL with a
user:password@ part is refused), never sent to another origin, and scrubbed from every message.

Why urllib and not SPARQLWrapper: the client must enforce three things SPARQLWrapper gives no hold on.
Its ``setTimeout`` is urllib's per-socket-operation timeout (a drip-fed answer never trips it); it follows
redirects with urllib's default handler, which copies the Authorization header to whatever host the
Location names; and it hands back the open response or reads it whole, so the answer size cannot be
capped while reading. What it adds on top of urllib is small (form-encoding the query, an Accept header,
exception classes per status), so the request is built here with an ``OpenerDirector`` that has only the
proxy and HTTP(S) handlers: no redirect handler (redirects are followed here, same origin only, a few
times), no file/ftp/data handlers, a watchdog that shuts the socket at the deadline, and a chunked read
that stops at the size limit.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph_builder.errors import (
    EndpointBadResponse,
    EndpointHTTPError,
    EndpointTimeout,
    EndpointUnreachable,
    PolkgError,
    QueryError,
    UsageError,
)
from graph_builder.prefixes import with_prefixes
from graph_builder.query.results import ResultSet, Term

if TYPE_CHECKING:
    import http.client

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ANSWER_MB = 256.0  # the one default of --max-answer-mb / POLKG_MAX_ANSWER_MB (1 MB = 1,000,000 bytes)
MAX_REDIRECTS = 5  # same-origin redirects followed per request
_MESSAGE_LIMIT = 400
_ERROR_BODY_LIMIT = 64 * 1024  # of an error answer, only the start is read (and 400 characters shown)
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_JSON_TYPES = ("application/sparql-results+json", "application/json")
_NTRIPLES_TYPES = ("application/n-triples", "text/plain")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*\Z")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")


# ------------------------------------------------------------------ what a message may show
def redact(url: str) -> str:
    """``url`` without any user:password@ part, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _secrets(urls: Iterable[str]) -> list[str]:
    """Every credential value in the environment and in ``urls``, in the forms a server may echo it."""
    values = [os.environ.get("POLKG_ENDPOINT_TOKEN", ""), os.environ.get("POLKG_ENDPOINT_PASSWORD", "")]
    basic = auth_headers(bearer=False).get("Authorization", "")
    values.append(basic.removeprefix("Basic "))
    for url in urls:
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError:
            continue
        if parts.password:
            values += [parts.password, urllib.parse.unquote(parts.password)]
        if "@" in parts.netloc:
            values.append(parts.netloc.rpartition("@")[0])
    found: set[str] = set()
    for value in filter(None, values):
        found |= {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value), json.dumps(value)[1:-1]}
    return sorted(filter(None, found), key=len, reverse=True)


def scrub(text: str, *urls: str) -> str:
    """``text`` with every credential value (environment, and user:password in ``urls`` and in ``text``) masked."""
    urls += tuple(re.findall(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/@]+@", text))
    for secret in _secrets(urls):
        text = text.replace(secret, "***")
    return text


def _short(text: str, *urls: str) -> str:
    text = " ".join(scrub(text, *urls).split())
    text = scrub(text, *urls)  # a secret holding whitespace is matched again in its joined form
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + " …"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def _show_origin(url: str) -> str:
    scheme, host, port = _origin(url)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port else "")


# ------------------------------------------------------------------ the shared HTTP helpers
def check_url(url: str, option: str = "--endpoint") -> None:
    """Refuse (UsageError, exit 2) anything but an http(s) URL with a host and without credentials in it."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - a non-numeric port raises here
    except ValueError as exc:
        raise UsageError(f"{option} {scrub(redact(url), url)!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{option} must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:7878/query; "
            f"got {scrub(redact(url), url)!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"{option} {redact(url)!r} holds credentials: remove the user:password@ part and set "
            "POLKG_ENDPOINT_USER and POLKG_ENDPOINT_PASSWORD (or POLKG_ENDPOINT_TOKEN) instead"
        )


def auth_headers(bearer: bool = True) -> dict[str, str]:
    """Authorization header from the environment, if credentials are set there."""
    import base64

    token = os.environ.get("POLKG_ENDPOINT_TOKEN")
    if token and bearer:
        return {"Authorization": f"Bearer {token}"}
    user, password = os.environ.get("POLKG_ENDPOINT_USER"), os.environ.get("POLKG_ENDPOINT_PASSWORD")
    if user is not None and password is not None:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")}
    return {}


def transport_error(endpoint: str, exc: BaseException, timeout: float) -> PolkgError:
    """The error for a request to ``endpoint`` that got no answer (timeout, DNS failure, refused)."""
    reason = getattr(exc, "reason", exc)
    where = redact(endpoint)
    if isinstance(reason, TimeoutError | socket.timeout) or isinstance(exc, TimeoutError | socket.timeout):
        return EndpointTimeout(f"{where} did not answer within {timeout:g} s (raise --timeout if the query is heavy)")
    if isinstance(reason, socket.gaierror):
        return EndpointUnreachable(f"cannot resolve the host of {where} (DNS failure: {reason.strerror or reason})")
    if isinstance(reason, ConnectionRefusedError):
        return EndpointUnreachable(f"nothing is listening at {where} (connection refused); is the store running?")
    return EndpointUnreachable(f"cannot reach {where}: {_short(str(reason), endpoint)}")


def http_error(endpoint: str, code: int, body: str, query_text: bool) -> PolkgError:
    """The error for an HTTP error answer; a 400 to a query (``query_text``) is a malformed query."""
    message = _short(body, endpoint) or "(no message)"
    if code == 400 and query_text:
        return QueryError(f"{redact(endpoint)} rejected the query as malformed (HTTP 400): {message}")
    if code in (401, 403):
        return EndpointHTTPError(
            f"{redact(endpoint)} refused access (HTTP {code}); check POLKG_ENDPOINT_USER/POLKG_ENDPOINT_PASSWORD "
            f"or POLKG_ENDPOINT_TOKEN: {message}"
        )
    return EndpointHTTPError(f"{redact(endpoint)} answered HTTP {code}: {message}")


@dataclass(frozen=True)
class Answer:
    """A successful (2xx) HTTP answer, read whole: its status, media type (lower case, no parameters) and body."""

    status: int
    media_type: str
    body: bytes


class Deadline:
    """One deadline for a whole request: connect, redirects, headers and body; at it, the sockets are shut."""

    def __init__(self, seconds: float) -> None:
        import threading

        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return max(0.05, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    """Wake a read blocked on ``sock`` in another thread (the plain socket's shutdown, also under TLS)."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _opener(deadline: Deadline) -> Any:
    """An OpenerDirector with proxy and HTTP(S) handlers only, whose connections the deadline watches."""
    import http.client
    import urllib.request

    def watched(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        class Watched(base):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                deadline.watch(self.sock)

        return Watched

    plain, tls = watched(http.client.HTTPConnection), watched(http.client.HTTPSConnection)

    class HTTP(urllib.request.HTTPHandler):
        def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> http.client.HTTPResponse:
            return super().do_open(plain, req, **kwargs)

    class HTTPS(urllib.request.HTTPSHandler):
        def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> http.client.HTTPResponse:
            return super().do_open(tls, req, **kwargs)

    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), HTTP(), HTTPS()):
        opener.add_handler(handler)
    return opener


def _read(response: http.client.HTTPResponse, limit: int, endpoint: str, cut: bool = False) -> bytes:
    """The body, in chunks, stopping past ``limit`` bytes: an error, or with ``cut`` just the start."""
    import http.client

    length = response.headers.get("Content-Length", "")
    if not cut and length.isdigit() and int(length) > limit:
        raise _too_large(endpoint, limit, f"it announced {int(length):,} bytes")
    body = bytearray()
    while len(body) <= limit:
        chunk = response.read(_CHUNK)
        if not chunk:
            if not cut and length.isdigit() and len(body) < int(length):  # read(amt) ends quietly at a closed socket
                raise http.client.IncompleteRead(bytes(body), int(length) - len(body))
            return bytes(body)
        body += chunk
    if cut:
        return bytes(body[:limit])
    raise _too_large(endpoint, limit, f"stopped reading after {len(body):,} bytes")


def _too_large(endpoint: str, limit: int, detail: str) -> EndpointBadResponse:
    return EndpointBadResponse(
        f"{redact(endpoint)} sent an answer larger than the limit of {limit / 1_000_000:g} MB ({detail}); "
        "narrow the query (LIMIT, fewer variables) or raise --max-answer-mb (POLKG_MAX_ANSWER_MB)"
    )


def request(
    url: str,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout: float,
    limit: int,
    query_text: bool = True,
) -> Answer:
    """Send one HTTP request within one deadline of ``timeout`` seconds and read at most ``limit`` bytes of answer.

    Redirects are followed to the same origin only (at most MAX_REDIRECTS; 301/302/303 turn a form POST into
    the GET the SPARQL protocol allows); one to another origin is refused, so credentials never go there.
    Every failure is a PolkgError whose message holds no credential.
    """
    import http.client
    import urllib.error
    import urllib.request

    check_url(url)
    endpoint = url
    deadline = Deadline(timeout)
    opener = _opener(deadline)
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            req = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - http(s) only
            try:
                response = opener.open(req, timeout=deadline.left())
                with response:
                    status, location = response.status, response.headers.get("Location", "")
                    media_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
                    failed = status >= 300 and status not in _REDIRECTS
                    cap = _ERROR_BODY_LIMIT if failed else limit
                    data = b"" if status in _REDIRECTS else _read(response, cap, endpoint, cut=failed)
            except PolkgError:
                raise
            except (OSError, http.client.HTTPException, urllib.error.URLError) as exc:
                if deadline.expired:
                    raise transport_error(endpoint, TimeoutError(), timeout) from None
                if isinstance(exc, http.client.IncompleteRead):
                    raise EndpointBadResponse(
                        f"{redact(endpoint)} closed the connection before the end of its answer "
                        f"({len(exc.partial):,} bytes received)"
                    ) from None
                if isinstance(exc, http.client.HTTPException) and not isinstance(exc, ConnectionError):
                    raise EndpointBadResponse(
                        f"{redact(endpoint)} did not answer HTTP: {type(exc).__name__}: {_short(str(exc), endpoint)}"
                    ) from None
                raise transport_error(endpoint, exc, timeout) from None
            if deadline.expired:  # an answer ended by the watchdog is cut short, not complete
                raise transport_error(endpoint, TimeoutError(), timeout)
            if status in _REDIRECTS:
                if not location:
                    raise EndpointHTTPError(f"{redact(endpoint)} answered HTTP {status} without a Location to go to")
                target = urllib.parse.urljoin(url, location)
                if _origin(target) != _origin(endpoint):
                    raise EndpointHTTPError(
                        f"{_show_origin(endpoint)} redirected (HTTP {status}) to another origin, {_show_origin(target)}; "
                        "polkg does not follow redirects to another origin (credentials are never sent there): "
                        "if that address is the store, give it as --endpoint"
                    )
                if status in (301, 302, 303) and method == "POST":
                    # the method becomes GET (RFC 9110); a SPARQL query may be sent as GET parameters
                    if body:
                        target += ("&" if urllib.parse.urlsplit(target).query else "?") + body.decode("ascii")
                    method, body = "GET", None
                    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
                url = target
                continue
            if failed:
                raise http_error(endpoint, status, data.decode("utf-8", "replace"), query_text)
            return Answer(status, media_type, data)
        raise EndpointHTTPError(f"{redact(endpoint)} redirected more than {MAX_REDIRECTS} times; give the final URL")
    finally:
        deadline.cancel()


# ------------------------------------------------------------------ reading SPARQL answers
def _bad(endpoint: str, what: str) -> EndpointBadResponse:
    return EndpointBadResponse(f"{redact(endpoint)} answered malformed SPARQL JSON results: {what}")


def _kind(value: object) -> str:
    """The JSON name of ``value``'s type, for messages (never the value itself, which may be huge or deep)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def _term(endpoint: str, data: object, where: str) -> Term:
    if not isinstance(data, dict):
        raise _bad(endpoint, f"{where} is {_kind(data)}, not an RDF term object")
    kind = data.get("type")
    if kind == "typed-literal":  # SPARQL 1.0 JSON form some stores still send
        kind = "literal"
    if kind == "triple":
        raise _bad(endpoint, f"{where} is an RDF-star triple term, which polkg does not read")
    if kind not in ("uri", "literal", "bnode"):
        shown = json.dumps(kind)[:40] if isinstance(kind, str) else _kind(kind)
        raise _bad(endpoint, f"{where} has type {shown}, not uri, literal or bnode")
    value = data.get("value")
    if not isinstance(value, str):
        raise _bad(endpoint, f"the value of {where} is {_kind(value)}, not a string")
    if kind == "uri" and not _IRI.match(value):
        raise _bad(endpoint, f"{where} is a uri whose value is not an absolute IRI: {_short(json.dumps(value)[:80], endpoint)}")
    datatype, lang = data.get("datatype"), data.get("xml:lang")
    if kind != "literal" and (datatype is not None or lang is not None):
        raise _bad(endpoint, f"{where} is a {kind} with a datatype or language")
    if datatype is not None and (not isinstance(datatype, str) or not _IRI.match(datatype)):
        raise _bad(endpoint, f"the datatype of {where} is not an IRI")
    if lang is not None and (not isinstance(lang, str) or not _LANGUAGE.match(lang)):
        raise _bad(endpoint, f"the language tag of {where} is not a language tag")
    if datatype == _XSD + "string":
        datatype = None
    if datatype == _XSD + "boolean" and value in ("1", "0"):  # Virtuoso's canonical form; the embedded store's is true/false
        value = "true" if value == "1" else "false"
    return Term(kind, value, datatype, lang or None)


def parse_results(endpoint: str, body: bytes, media_type: str = "") -> ResultSet:
    """SPARQL 1.1 Query Results JSON -> ResultSet; anything else is EndpointBadResponse saying what is wrong."""
    where = redact(endpoint)
    if media_type and media_type not in _JSON_TYPES:
        raise EndpointBadResponse(
            f"{where} did not answer with SPARQL JSON results (is this the query endpoint?): it sent {media_type}: "
            f"{_short(body[:300].decode('utf-8', 'replace'), endpoint)}"
        )
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise _bad(endpoint, "the JSON is nested too deeply to be SPARQL results") from None
    except (UnicodeDecodeError, ValueError):
        raise EndpointBadResponse(
            f"{where} did not answer with SPARQL JSON results (is this the query endpoint?): "
            f"{_short(body[:300].decode('utf-8', 'replace'), endpoint)}"
        ) from None
    if not isinstance(data, dict):
        raise _bad(endpoint, f"the answer is {_kind(data)}, not an object with head and results")
    head = data.get("head")
    if not isinstance(head, dict):
        raise _bad(endpoint, 'there is no "head" object' if head is None else f'"head" is {_kind(head)}, not an object')
    if "boolean" in data:
        value = data["boolean"]
        if isinstance(value, bool):
            return ResultSet((), (), boolean=value)
        if type(value) is int and value in (0, 1):  # Virtuoso in some contexts
            return ResultSet((), (), boolean=value == 1)
        shown = json.dumps(value)[:40] if isinstance(value, str | int | float) else _kind(value)
        raise _bad(endpoint, f'"boolean" is {shown}, not true or false')
    variables = head.get("vars")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise _bad(
            endpoint, '"head" has no "vars" array of names' if variables is None else '"head.vars" is not an array of names'
        )
    results = data.get("results")
    if not isinstance(results, dict):
        raise _bad(endpoint, 'there is neither "results" nor "boolean"' if results is None else f'"results" is {_kind(results)}')
    bindings = results.get("bindings")
    if not isinstance(bindings, list):
        raise _bad(endpoint, '"results" has no "bindings" array')
    rows = []
    for number, binding in enumerate(bindings, 1):
        if not isinstance(binding, dict):
            raise _bad(endpoint, f"row {number} is {_kind(binding)}, not an object")
        rows.append({name: _term(endpoint, term, f"?{name[:40]} in row {number}") for name, term in binding.items()})
    if variables == ["__ask_retval"] and len(rows) == 1 and "__ask_retval" in rows[0]:  # Virtuoso's ASK as a row
        return ResultSet((), (), boolean=rows[0]["__ask_retval"].value in ("1", "true"))
    return ResultSet(tuple(variables), tuple(rows))


def check_ntriples(endpoint: str, body: bytes, media_type: str = "") -> None:
    """Refuse (EndpointBadResponse) an answer to a CONSTRUCT that is not N-Triples."""
    if media_type and media_type not in _NTRIPLES_TYPES:
        raise EndpointBadResponse(
            f"{redact(endpoint)} did not answer with N-Triples: it sent {media_type}: "
            f"{_short(body[:300].decode('utf-8', 'replace'), endpoint)}"
        )
    import pyoxigraph

    try:
        for _ in pyoxigraph.parse(body, pyoxigraph.RdfFormat.N_TRIPLES):
            pass
    except (SyntaxError, ValueError) as exc:
        raise EndpointBadResponse(f"{redact(endpoint)} answered malformed N-Triples: {_short(str(exc), endpoint)}") from None


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint (POST, JSON results), optionally with a default graph."""

    fork_safe = False  # its queries wait on the network: threads run them side by side

    def __init__(
        self,
        endpoint: str,
        timeout: float = DEFAULT_TIMEOUT,
        graph: str | None = None,
        max_answer_mb: float = DEFAULT_MAX_ANSWER_MB,
    ):
        check_url(endpoint)
        self.endpoint = endpoint
        self.timeout = timeout
        self.graph = graph
        self.max_answer_bytes = int(max_answer_mb * 1_000_000)  # MB are 10^6 bytes

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> ResultSet:
        """SELECT or ASK results as a ResultSet."""
        from graph_builder.query.binding import bind_values

        answer = self._post(bind_values(sparql, bindings or {}), "application/sparql-results+json")
        result = parse_results(self.endpoint, answer.body, answer.media_type)
        if result.boolean is None and not result.rows:
            self._check_graph()
        return result

    def construct(self, sparql: str) -> bytes:
        """N-Triples answer to a CONSTRUCT query."""
        answer = self._post(sparql, "application/n-triples")
        check_ntriples(self.endpoint, answer.body, answer.media_type)
        if not answer.body.strip():
            self._check_graph()
        return answer.body

    def _check_graph(self) -> None:
        """After an empty answer: a --graph the endpoint holds no triples in is a mistake, not an answer."""
        if not self.graph:
            return
        # the graph is the protocol's default-graph-uri, as for the query itself: nothing is pasted in
        answer = self._post("ASK { ?s ?p ?o }", "application/sparql-results+json")
        if parse_results(self.endpoint, answer.body, answer.media_type).boolean is False:
            raise UsageError(
                f"the graph <{self.graph}> is empty or missing at {redact(self.endpoint)}: check --graph (POLKG_GRAPH), "
                "or load it with 'polkg push --graph'"
            )

    def _post(self, sparql: str, accept: str) -> Answer:
        """POST ``sparql`` (SPARQL 1.1 Protocol, form-encoded) asking for ``accept``; every failure is a PolkgError."""
        from graph_builder import __version__

        form = [("query", with_prefixes(sparql))] + ([("default-graph-uri", self.graph)] if self.graph else [])
        headers = {
            "Accept": accept,
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": f"polkg/{__version__}",
            **auth_headers(),
        }
        body = urllib.parse.urlencode(form).encode("ascii")
        return request(self.endpoint, "POST", body, headers, self.timeout, self.max_answer_bytes)
