"""Query a remote SPARQL 1.1 endpoint through SPARQLWrapper (and the HTTP helpers the push shares).

Credentials come only from the environment: POLKG_ENDPOINT_USER and POLKG_ENDPOINT_PASSWORD (HTTP basic
auth) or POLKG_ENDPOINT_TOKEN (bearer). They are never taken from the command line and never printed.
"""

from __future__ import annotations

import json
import os
import re
import socket
import urllib.error
import urllib.parse
from typing import Any

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

DEFAULT_TIMEOUT = 30.0
_MESSAGE_LIMIT = 400


def redact(url: str) -> str:
    """``url`` without any user:password@ part, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + " …"


def auth_headers() -> dict[str, str]:
    """Authorization header from the environment, if credentials are set there."""
    import base64

    token = os.environ.get("POLKG_ENDPOINT_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}
    user, password = os.environ.get("POLKG_ENDPOINT_USER"), os.environ.get("POLKG_ENDPOINT_PASSWORD")
    if user is not None and password is not None:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")}
    return {}


def transport_error(endpoint: str, exc: BaseException, timeout: float) -> PolkgError:
    """The error for a request to ``endpoint`` that got no answer (timeout, DNS failure, refused)."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError | socket.timeout) or isinstance(exc, TimeoutError | socket.timeout):
        return EndpointTimeout(f"{redact(endpoint)} did not answer within {timeout:g} s (raise --timeout if the query is heavy)")
    if isinstance(reason, socket.gaierror):
        return EndpointUnreachable(f"cannot resolve the host of {redact(endpoint)} (DNS failure: {reason.strerror or reason})")
    if isinstance(reason, ConnectionRefusedError):
        return EndpointUnreachable(f"nothing is listening at {redact(endpoint)} (connection refused); is the store running?")
    return EndpointUnreachable(f"cannot reach {redact(endpoint)}: {reason}")


def http_error(endpoint: str, code: int, body: str, query_text: bool) -> PolkgError:
    """The error for an HTTP error answer; a 400 to a query (``query_text``) is a malformed query."""
    message = _short(body) or "(no message)"
    if code == 400 and query_text:
        return QueryError(f"{redact(endpoint)} rejected the query as malformed (HTTP 400): {message}")
    if code in (401, 403):
        return EndpointHTTPError(
            f"{redact(endpoint)} refused access (HTTP {code}); check POLKG_ENDPOINT_USER/POLKG_ENDPOINT_PASSWORD "
            f"or POLKG_ENDPOINT_TOKEN: {message}"
        )
    return EndpointHTTPError(f"{redact(endpoint)} answered HTTP {code}: {message}")


def _term(data: dict[str, Any]) -> Term:
    kind = data.get("type")
    if kind == "typed-literal":  # SPARQL 1.0 JSON form some stores still send
        kind = "literal"
    if kind not in ("uri", "literal", "bnode") or "value" not in data:
        raise EndpointBadResponse(f"a binding is not an RDF term: {_short(json.dumps(data))}")
    datatype = data.get("datatype")
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return Term(kind, data["value"], datatype, data.get("xml:lang"))


def parse_results(endpoint: str, body: bytes) -> ResultSet:
    """SPARQL 1.1 Query Results JSON -> ResultSet; anything else is EndpointBadResponse."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EndpointBadResponse(
            f"{redact(endpoint)} did not answer with SPARQL JSON results (is this the query endpoint?): "
            f"{_short(body[:300].decode('utf-8', 'replace'))}"
        ) from None
    if not isinstance(data, dict) or "head" not in data:
        raise EndpointBadResponse(f"{redact(endpoint)} answered JSON that is not SPARQL results")
    if "boolean" in data:
        return ResultSet((), (), boolean=bool(data["boolean"]))
    try:
        variables = tuple(data["head"].get("vars", []))
        rows = tuple({k: _term(v) for k, v in binding.items()} for binding in data["results"]["bindings"])
    except (KeyError, TypeError, AttributeError):
        raise EndpointBadResponse(f"{redact(endpoint)} answered JSON without results.bindings") from None
    return ResultSet(variables, rows)


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint (POST, JSON results), optionally with a default graph."""

    def __init__(self, endpoint: str, timeout: float = DEFAULT_TIMEOUT, graph: str | None = None):
        self.endpoint = endpoint
        self.timeout = timeout
        self.graph = graph

    def select(self, sparql: str, bindings: dict[str, Term] | None = None) -> ResultSet:
        """SELECT or ASK results as a ResultSet."""
        from graph_builder.query.binding import bind_values

        body = self._post(bind_values(sparql, bindings or {}), "application/sparql-results+json")
        result = parse_results(self.endpoint, body)
        if result.boolean is None and not result.rows:
            self._check_graph()
        return result

    def construct(self, sparql: str) -> bytes:
        """N-Triples answer to a CONSTRUCT query."""
        body = self._post(sparql, "application/n-triples")
        if not body.strip():
            self._check_graph()
        return body

    def _check_graph(self) -> None:
        """After an empty answer: a --graph the endpoint holds no triples in is a mistake, not an answer."""
        if not self.graph:
            return
        # the graph is the protocol's default-graph-uri, as for the query itself: nothing is pasted in
        found = parse_results(self.endpoint, self._post("ASK { ?s ?p ?o }", "application/sparql-results+json"))
        if found.boolean is False:
            raise UsageError(
                f"the graph <{self.graph}> is empty or missing at {redact(self.endpoint)}: check --graph (POLKG_GRAPH), "
                "or load it with 'polkg push --graph'"
            )

    def _post(self, sparql: str, accept: str) -> bytes:
        """POST ``sparql`` (SPARQL 1.1 Protocol) asking for ``accept``; every failure becomes a PolkgError."""
        from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

        client = SPARQLWrapper(self.endpoint)
        client.setQuery(with_prefixes(sparql))
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setTimeout(max(1, round(self.timeout)))
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
        if self.graph:
            client.addDefaultGraph(self.graph)
        for name, value in auth_headers().items():
            client.addCustomHttpHeader(name, value)
        try:
            response = client.query().response
            try:
                return bytes(response.read())
            finally:
                response.close()
        except urllib.error.HTTPError as exc:
            raise http_error(self.endpoint, exc.code, exc.read().decode("utf-8", "replace"), True) from None
        except Exception as exc:  # SPARQLWrapper wraps HTTP errors in its own exception types
            raise self._wrapped(exc) from None

    def _wrapped(self, exc: BaseException) -> PolkgError:
        from SPARQLWrapper import SPARQLExceptions as sx

        if isinstance(exc, sx.SPARQLWrapperException):
            code = {
                sx.QueryBadFormed: 400,
                sx.Unauthorized: 401,
                sx.EndPointNotFound: 404,
                sx.URITooLong: 414,
                sx.EndPointInternalError: 500,
            }.get(type(exc), 0)
            text = str(exc)
            if "Response:" in text:  # keep the server's own message, not SPARQLWrapper's preamble
                text = text.split("Response:", 1)[1].strip()
                text = re.sub(r"^b(['\"])(.*)\1$", r"\2", text, flags=re.DOTALL).replace("\\n", " ")
            return http_error(self.endpoint, code or 500, text, True)
        if isinstance(exc, urllib.error.URLError | OSError | TimeoutError):
            return transport_error(self.endpoint, exc, self.timeout)
        return EndpointBadResponse(f"{redact(self.endpoint)}: {type(exc).__name__}: {_short(str(exc))}")
