"""The push step: replace a graph in a triple store with the build (Graph Store Protocol), then verify its size.

Authentication: a bearer token (POLKG_ENDPOINT_TOKEN) or a user and password (POLKG_ENDPOINT_USER,
POLKG_ENDPOINT_PASSWORD). With a password, a HEAD without credentials asks the store first: if it answers
401 with a Digest challenge (Virtuoso's ``/sparql-graph-crud-auth``), the PUT carries Digest credentials,
otherwise Basic (Fuseki, GraphDB); a stale nonce gets one more PUT. A store that
answers before it has read the whole upload (a 401 at once, then closing the connection) is reported as
the HTTP answer it gave, not as a broken connection. Redirects are not followed: a push goes to the URL given.

Chunks: Virtuoso's Graph Store endpoint answers a large PUT with success yet, under lock contention, can
keep only part of it (a 1.1-million-triple PUT kept 958,461 triples in two runs of four, the same
number each time, while 100,000-triple requests kept everything). So a push to Virtuoso is sent in
chunks: the first replaces the graph (PUT), the others add to it (POST). A push is always verified by
counting the triples in the store afterwards.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

from graph_builder.errors import EndpointHTTPError, EndpointTimeout, PushVerificationError, UsageError
from graph_builder.layout import NTRIPLES
from graph_builder.query.remote import (
    DEFAULT_TIMEOUT,
    Deadline,
    RemoteEngine,
    auth_headers,
    http_error,
    redact,
    transport_error,
)
from graph_builder.store.build import ensure_built
from graph_builder.store.manifest import read_manifest

COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
KEPT = "the push failed and the store keeps the previous contents of that graph"
NO_DEFAULT_GRAPH = ("/sparql-graph-crud", "/sparql-graph-crud-auth")  # Virtuoso's Graph Store endpoints
VIRTUOSO_CHUNK_TRIPLES = 100_000
_IRI_FORBIDDEN = set('<>"{}|\\^`') | {chr(c) for c in range(0x21)}


def check_graph_iri(graph: str | None) -> None:
    """A --graph that is not an absolute IRI (scheme, then no spaces or <>"{}|\\^`) is a usage error."""
    if graph is None:
        return
    scheme = urllib.parse.urlsplit(graph).scheme
    bad = sorted(_IRI_FORBIDDEN.intersection(graph))
    if not scheme or not graph[len(scheme) + 1 :] or bad:
        why = f"it holds {', '.join(repr(c) for c in bad)}" if bad else "it has no scheme"
        raise UsageError(
            f"--graph must be an absolute IRI such as https://example.org/polkg, got {graph!r} ({why}); nothing was uploaded"
        )


def check_store(store: str, graph: str | None) -> None:
    """Refuse, before anything is uploaded, a --store that is not http(s) or cannot take the default graph."""
    parts = urllib.parse.urlsplit(store)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--store must be an http(s) URL, got {redact(store)!r}; nothing was uploaded")
    if graph is None and parts.path.rstrip("/").endswith(NO_DEFAULT_GRAPH):
        raise UsageError(
            f"{redact(store)} is Virtuoso's Graph Store endpoint, which has no default graph to replace "
            "(its default graph is the union of all graphs): give --graph IRI, and query with the same --graph; "
            "nothing was uploaded"
        )


def default_chunk(store: str) -> int:
    """Triples per request unless --chunk-triples says otherwise: chunks for Virtuoso, one PUT (0) elsewhere."""
    return VIRTUOSO_CHUNK_TRIPLES if urllib.parse.urlsplit(store).path.rstrip("/").endswith(NO_DEFAULT_GRAPH) else 0


def push_build(
    store: str,
    endpoint: str | None,
    graph: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    sources: Path | None = None,
    out: Path | None = None,
    chunk_triples: int | None = None,
) -> str:
    """Replace ``graph`` (or the default graph) at ``store`` with the build, verify through ``endpoint``.

    ``chunk_triples``: at most this many triples a request (0: the whole graph in one PUT; None: the store's default)."""
    check_graph_iri(graph)
    check_store(store, graph)
    if not endpoint:
        raise UsageError("give --endpoint (the store's SPARQL query endpoint, e.g. http://HOST:PORT/query) to verify the push")
    build_dir = ensure_built(sources, out).parent
    manifest = read_manifest(build_dir) or {}
    expected = int(str(manifest.get("triples", 0)))
    chunk = default_chunk(store) if chunk_triples is None else chunk_triples
    started = time.perf_counter()
    requests = push_graph((build_dir / NTRIPLES).read_bytes(), store, graph, timeout, chunk)
    seconds = time.perf_counter() - started
    counted = RemoteEngine(endpoint, timeout=timeout, graph=graph).select(COUNT_TRIPLES)
    held = int(counted.rows[0]["n"].value) if counted.rows else 0
    target = f"graph <{graph}>" if graph else "the default graph"
    if held != expected:
        raise PushVerificationError(
            f"pushed {expected} triples to {target} at {redact(store)}, but {redact(endpoint)} reports {held}: "
            "the store took the upload but does not hold all of it (or --endpoint queries another store); "
            "push again, with a smaller --chunk-triples if the store drops part of large requests"
        )
    how = f" in {requests} requests of at most {chunk:,} triples" if requests > 1 else ""
    return f"pushed {expected} triples to {target} at {redact(store)}{how} in {seconds:.2f}s; verified through {redact(endpoint)}"


def push_graph(ntriples: bytes, store: str, graph: str | None, timeout: float = DEFAULT_TIMEOUT, chunk_triples: int = 0) -> int:
    """Replace the default graph (or ``graph``) of a Graph Store Protocol endpoint with ``ntriples``: one PUT,
    or with ``chunk_triples``, a PUT of the first that many lines and a POST of each further chunk. Returns
    the number of requests."""
    check_graph_iri(graph)
    check_store(store, graph)
    query = urllib.parse.urlencode({"graph": graph} if graph else {"default": ""}).replace("default=", "default")
    separator = "&" if urllib.parse.urlsplit(store).query else "?"
    url = store + separator + query
    chunks = _chunks(ntriples, chunk_triples)
    deadline = Deadline(timeout)  # one deadline for the whole push: probe, uploads and answers
    sent = 0
    try:
        for method, body in zip(("PUT", *("POST",) * (len(chunks) - 1)), chunks, strict=True):
            _send(url, method, body, deadline)
            sent += 1
    except urllib.error.HTTPError as exc:
        raise _refused(store, exc, _kept(sent, len(chunks))) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        if deadline.expired:
            raise EndpointTimeout(
                f"{redact(store)} did not take the push within {timeout:g} s (--timeout); {_kept(sent, len(chunks))}"
            ) from None
        error = transport_error(store, exc, timeout)
        raise type(error)(f"{error}; {_kept(sent, len(chunks))}") from None
    finally:
        deadline.cancel()
    return len(chunks)


def _chunks(ntriples: bytes, size: int) -> list[bytes]:
    """``ntriples`` cut at line ends into pieces of at most ``size`` triples (one piece when size is 0)."""
    if size <= 0:
        return [ntriples]
    lines = ntriples.splitlines(keepends=True)
    return [b"".join(lines[i : i + size]) for i in range(0, len(lines), size)] or [b""]


def _kept(sent: int, total: int) -> str:
    """What the store holds after a push that failed once ``sent`` of ``total`` requests had succeeded."""
    if sent == 0:
        return KEPT
    return (
        f"the push failed after {sent} of {total} requests, so the graph in the store holds only the first "
        f"{sent} chunks of the build: push again"
    )


def _send(url: str, method: str, body: bytes, deadline: Deadline) -> None:
    """One request of the push, with the credentials the store asks for (a fresh Digest answer each time)."""
    digest = _digest_answer(_ask(url, deadline), url, method) if _password() else None
    try:
        _put(url, body, {"Authorization": digest} if digest else auth_headers(), deadline, method)
    except urllib.error.HTTPError as exc:
        digest = _digest_answer(exc, url, method, stale_only=True) if _password() else None  # one more try
        if digest is None:
            raise
        exc.close()
        _put(url, body, {"Authorization": digest}, deadline, method)


def _refused(store: str, exc: urllib.error.HTTPError, kept: str = KEPT) -> EndpointHTTPError:
    """The error for an HTTP answer to a push request, with what the store said and what the graph holds."""
    try:
        body = exc.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        body = ""
    finally:
        exc.close()
    if 300 <= exc.code < 400:
        location = redact(exc.headers.get("Location", "") or "(no Location)")
        return EndpointHTTPError(
            f"{redact(store)} answered HTTP {exc.code}, a redirect to {location}: polkg does not follow redirects "
            f"on a push (credentials stay with the URL given); give the final --store URL; {kept}"
        )
    error = http_error(store, exc.code, body, False)
    return EndpointHTTPError(f"{error}; {kept}")


# ------------------------------------------------------------------ the upload
def _put(url: str, body: bytes, headers: dict[str, str], deadline: Deadline, method: str = "PUT") -> None:
    """One PUT (or POST) of ``body``; an HTTP error answer (even one sent before the upload ended) raises HTTPError."""
    headers_sent = {"Content-Type": "application/n-triples"}
    request = urllib.request.Request(url, data=body, method=method, headers=headers_sent)  # noqa: S310 - http(s) checked
    for name, value in headers.items():
        request.add_unredirected_header(name, value)
    with _opener(deadline).open(request, timeout=deadline.left()) as response:
        response.read()


def _opener(deadline: Deadline) -> urllib.request.OpenerDirector:
    """Handlers whose connections the ``deadline`` shuts when it passes (a per-read timeout alone lets a slow store drag on)."""

    class Watched(_EarlyAnswerConnection):
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    class WatchedHTTPS(_EarlyAnswerHTTPSConnection):
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Watched, req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(WatchedHTTPS, req)

    return urllib.request.build_opener(HTTP, HTTPS, _NoRedirect)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Every 3xx stays an HTTPError: a push is never replayed to another URL (or origin)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _EarlyAnswerConnection(http.client.HTTPConnection):
    """An HTTP connection that, when the server stops reading the upload, still reads the answer it sent."""

    cut: OSError | None = None

    def send(self, data: Any) -> None:
        if self.cut is not None:
            return
        try:
            super().send(data)
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.cut = exc  # the server closed its side: its answer (a 401, a 413) may be waiting to be read

    def getresponse(self) -> http.client.HTTPResponse:
        try:
            return super().getresponse()
        except (OSError, http.client.HTTPException):
            if self.cut is not None:
                raise urllib.error.URLError(
                    f"the store closed the connection before the upload was complete, without an answer ({self.cut})"
                ) from None
            raise


class _EarlyAnswerHTTPSConnection(_EarlyAnswerConnection, http.client.HTTPSConnection):
    """The same for https."""


# ------------------------------------------------------------------ Digest (RFC 7616, qop=auth)
_DIGEST_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _password() -> tuple[str, str] | None:
    """User and password from the environment, unless a bearer token takes precedence."""
    user, password = os.environ.get("POLKG_ENDPOINT_USER"), os.environ.get("POLKG_ENDPOINT_PASSWORD")
    if user is None or password is None or os.environ.get("POLKG_ENDPOINT_TOKEN"):
        return None
    return user, password


def _ask(url: str, deadline: Deadline) -> urllib.error.HTTPError | None:
    """A HEAD without credentials, to learn how the store wants them: its 401 (with the challenges), if any.

    Basic is sent with the PUT itself, but a Digest store (Virtuoso) answers a Basic PUT with a bare 401."""
    request = urllib.request.Request(url, method="HEAD")  # noqa: S310 - http(s) checked by check_store
    try:
        with _opener(deadline).open(request, timeout=deadline.left()) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            return exc
        exc.close()  # 404 (no such graph yet), 405 (no HEAD): nothing learnt, the PUT says the rest
    return None


def _digest_answer(exc: urllib.error.HTTPError | None, url: str, method: str, stale_only: bool = False) -> str | None:
    """The Authorization value answering a 401's Digest challenge, if a user and password are set and the
    challenge is one polkg can answer (with ``stale_only``, only a challenge saying the nonce had expired:
    wrong credentials are not sent twice); None otherwise (Basic, or the 401 is then reported as it is)."""
    credentials = _password()
    if exc is None or exc.code != 401 or credentials is None:
        return None
    for challenge in _challenges(exc.headers):
        if challenge.pop("", "").lower() != "digest" or (stale_only and challenge.get("stale", "").lower() != "true"):
            continue
        authorization = digest_authorization(challenge, method, url, *credentials)
        if authorization:
            return authorization
    return None


def _challenges(headers: Message) -> list[dict[str, str]]:
    """The WWW-Authenticate challenges of an answer, each as {"": scheme, param: value}."""
    found: list[dict[str, str]] = []
    for header in headers.get_all("WWW-Authenticate") or []:
        scheme, _, rest = header.strip().partition(" ")
        params = urllib.request.parse_keqv_list([p for p in urllib.request.parse_http_list(rest) if "=" in p])
        found.append({"": scheme, **{k.lower(): v for k, v in params.items()}})
    return found


def digest_authorization(
    challenge: dict[str, str], method: str, url: str, user: str, password: str, cnonce: str | None = None
) -> str | None:
    """``Digest ...`` credentials for ``method`` on ``url`` answering ``challenge`` (RFC 7616, MD5 or
    SHA-256, with or without -sess and qop=auth); None if the challenge asks for anything else."""
    algorithm = challenge.get("algorithm", "MD5").upper()
    session = algorithm.endswith("-SESS")
    hasher = _DIGEST_HASHES.get(algorithm.removesuffix("-SESS"))
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    if hasher is None or "nonce" not in challenge or (qops and "auth" not in qops):
        return None

    def digest(text: str) -> str:
        return hasher(text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge["nonce"]
    parts = urllib.parse.urlsplit(url)
    uri = parts.path + (f"?{parts.query}" if parts.query else "")
    cnonce, count = cnonce or secrets.token_hex(8), "00000001"
    secret = digest(f"{user}:{realm}:{password}")
    if session:
        secret = digest(f"{secret}:{nonce}:{cnonce}")
    request = digest(f"{method}:{uri}")
    response = digest(f"{secret}:{nonce}:{count}:{cnonce}:auth:{request}" if qops else f"{secret}:{nonce}:{request}")
    fields = [
        f'username="{_quoted(user)}"',
        f'realm="{_quoted(realm)}"',
        f'nonce="{_quoted(nonce)}"',
        f'uri="{_quoted(uri)}"',
        f"algorithm={challenge.get('algorithm', 'MD5')}",
        f'response="{response}"',
    ]
    if "opaque" in challenge:
        fields.append(f'opaque="{_quoted(challenge["opaque"])}"')
    if qops:
        fields += ["qop=auth", f"nc={count}", f'cnonce="{cnonce}"']
    return "Digest " + ", ".join(fields)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
