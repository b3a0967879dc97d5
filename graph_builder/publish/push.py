"""The push step: replace a graph in a triple store with the build (Graph Store Protocol), then verify its size."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from graph_builder.errors import EndpointUnreachable, PushVerificationError, UsageError
from graph_builder.layout import NTRIPLES
from graph_builder.query.remote import (
    DEFAULT_TIMEOUT,
    RemoteEngine,
    auth_headers,
    http_error,
    redact,
    transport_error,
)
from graph_builder.store.build import ensure_built
from graph_builder.store.manifest import read_manifest

COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def push_build(
    store: str,
    endpoint: str | None,
    graph: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    sources: Path | None = None,
    out: Path | None = None,
) -> str:
    """Replace ``graph`` (or the default graph) at ``store`` with the build, verify through ``endpoint``."""
    if not endpoint:
        raise UsageError("give --endpoint (the store's SPARQL query endpoint, e.g. http://HOST:PORT/query) to verify the push")
    build_dir = ensure_built(sources, out).parent
    manifest = read_manifest(build_dir) or {}
    expected = int(str(manifest.get("triples", 0)))
    started = time.perf_counter()
    push_graph((build_dir / NTRIPLES).read_bytes(), store, graph, timeout)
    seconds = time.perf_counter() - started
    counted = RemoteEngine(endpoint, timeout=timeout, graph=graph).select(COUNT_TRIPLES)
    held = int(counted.rows[0]["n"].value) if counted.rows else 0
    target = f"graph <{graph}>" if graph else "the default graph"
    if held != expected:
        raise PushVerificationError(
            f"pushed {expected} triples to {target} at {redact(store)}, but {redact(endpoint)} reports {held}; "
            "check that --endpoint queries the same store"
        )
    return f"pushed {expected} triples to {target} at {redact(store)} in {seconds:.2f}s; verified through {redact(endpoint)}"


def push_graph(ntriples: bytes, store: str, graph: str | None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Replace the default graph (or ``graph``) of a Graph Store Protocol endpoint with ``ntriples``, in one PUT."""
    if urllib.parse.urlsplit(store).scheme not in ("http", "https"):
        raise EndpointUnreachable(f"--store must be an http(s) URL, got {redact(store)!r}")
    query = urllib.parse.urlencode({"graph": graph} if graph else {"default": ""}).replace("default=", "default")
    separator = "&" if urllib.parse.urlsplit(store).query else "?"
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        store + separator + query,
        data=ntriples,
        method="PUT",
        headers={"Content-Type": "application/n-triples", **auth_headers()},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            response.read()
    except urllib.error.HTTPError as exc:
        error = http_error(store, exc.code, exc.read().decode("utf-8", "replace"), False)
        raise type(error)(f"{error}; the push failed and the store keeps the previous contents of that graph") from None
    except (urllib.error.URLError, OSError) as exc:
        error = transport_error(store, exc, timeout)
        raise type(error)(f"{error}; the push failed and the store keeps the previous contents of that graph") from None
