"""The serve step: the build as a read-only SPARQL endpoint (with a page of the stored queries), or the views site."""

from __future__ import annotations

import html
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from graph_builder.errors import UsageError
from graph_builder.prefixes import with_prefixes
from graph_builder.store.build import ensure_built


def oxigraph_binary() -> str:
    """The `oxigraph` server from the PyPI package of that name (installed with polkg)."""
    candidates = [Path(sysconfig.get_path("scripts")) / "oxigraph", Path(sys.executable).parent / "oxigraph"]
    found = shutil.which("oxigraph")
    for candidate in [*candidates, *([Path(found)] if found else [])]:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise UsageError("the Oxigraph server is not installed; run: pip install oxigraph")


def _bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def editor_links(base_url: str, build_dir: Path) -> list[tuple[str, str, str]]:
    """(query id, summary, editor URL) for every stored query, with its example values bound."""
    from graph_builder.query.binding import bind_values
    from graph_builder.query.catalogue import load_catalogue
    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.query.params import resolve

    engine = EmbeddedEngine(build_dir / "store")
    links = []
    for query in load_catalogue().values():
        values = {p.name: p.example for p in query.params if p.example}
        text = with_prefixes(bind_values(query.sparql, resolve(query, values, engine)))
        fragment = urllib.parse.urlencode(
            {"query": text, "endpoint": f"{base_url}/query", "requestMethod": "POST", "tabTitle": query.id}
        )
        links.append((query.id, query.summary, f"{base_url}/#{fragment}"))
    del engine
    return links


def write_editor_page(path: Path, base_url: str, links: list[tuple[str, str, str]]) -> None:
    """A static page that opens each stored query in the server's query editor (labels escaped)."""
    items = "\n".join(
        f'<li><a href="{html.escape(url, quote=True)}">{html.escape(qid)}</a> — {html.escape(summary)}</li>'
        for qid, summary, url in links
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>polkg stored queries</title></head>\n'
        f"<body><h1>polkg stored queries</h1><p>SPARQL endpoint: {html.escape(base_url)}/query</p>\n"
        f"<ul>\n{items}\n</ul></body></html>\n"
    )
    from graph_builder import _fs

    _fs.write_file(path, page.encode("utf-8"))


def serve_sparql(
    host: str,
    port: int,
    timeout: float,
    sources: Path | None = None,
    out: Path | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Run Oxigraph's read-only server over the build until interrupted; returns its exit status."""
    store_dir = ensure_built(sources, out)
    base_url = f"http://{_bind_address(host, port)}"
    page = store_dir.parent / "queries.html"
    write_editor_page(page, base_url, editor_links(base_url, store_dir.parent))
    command = [
        oxigraph_binary(),
        "serve-read-only",
        "--location",
        str(store_dir),
        "--bind",
        _bind_address(host, port),
        "--timeout-s",
        str(max(1, round(timeout))),
    ]
    echo(f"SPARQL endpoint: {base_url}/query (read-only; updates are refused; {timeout:g} s query limit)")
    echo(f"query editor:    {base_url}/   stored queries ready to open: {page.resolve().as_uri()}")
    process = subprocess.Popen(command)

    def forward(signum: int, _frame: object) -> None:
        process.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)  # stopping polkg stops the server it started
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_site(
    port: int,
    site: Path | None = None,
    sources: Path | None = None,
    out: Path | None = None,
    echo: Callable[[str], None] = print,
    ready: Callable[[], None] | None = None,
) -> None:
    """Serve the views folder on 127.0.0.1:``port`` (nothing else is opened), writing the views first if missing."""
    import errno
    import functools
    import http.server

    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.views import SITE_MANIFEST, default_site, generate

    site = Path(site) if site else default_site()
    if not (site / SITE_MANIFEST).is_file():
        store = ensure_built(sources, out)
        generate(EmbeddedEngine(store), site, f"the embedded store of {store.parent}")
        echo(f"wrote the views to {site}")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Quiet: one line per request would bury the address."""

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            super().end_headers()

    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(site)))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on 127.0.0.1 is already in use; choose another with --port") from None
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    echo(f"serving the views in {site} at http://127.0.0.1:{port}/ (loopback only; Ctrl-C to stop)")
    if ready:
        ready()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
