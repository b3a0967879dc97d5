"""The serve step: the build as a read-only SPARQL endpoint (with a page of the stored queries), or the views site."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import stat
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
    ready: Callable[[], None] | None = None,
) -> int:
    """Serve the build read-only over the SPARQL protocol until interrupted (``publish.endpoint``); returns 0.

    Raises QueryError (a non-zero exit) when the engine behind the endpoint cannot be kept running.
    """
    from graph_builder.publish.endpoint import serve_endpoint

    store_dir = ensure_built(sources, out)
    base_url = f"http://{_bind_address(host, port)}"
    page = store_dir.parent / "queries.html"
    write_editor_page(page, base_url, editor_links(base_url, store_dir.parent))
    binary = oxigraph_binary()

    def announce() -> None:
        echo(f"SPARQL endpoint: {base_url}/query (read-only; updates and SERVICE are refused; {timeout:g} s query limit)")
        echo(f"query editor:    {base_url}/   stored queries ready to open: {page.resolve().as_uri()}")
        if ready:
            ready()

    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        serve_endpoint(binary, store_dir, host, port, timeout, echo=echo, ready=announce)
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


_MAX_PATH = 2048  # characters of a request's path: the site's longest is a few dozen
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def site_file(site: Path, raw_path: str) -> Path | None:
    """The regular file inside ``site`` that the request path ``raw_path`` names, or None (answered 404).

    Raises ValueError for a malformed path (answered 400): too long, a bad percent-escape, not UTF-8,
    a control character (NUL), a backslash or a ``..`` segment. The file is resolved, symbolic links
    and all, and must lie inside the resolved site: a link to /etc/passwd in the site is not served.
    A folder is served as its index.html, never listed.
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if len(raw_path) > _MAX_PATH or not path.startswith("/") or _PERCENT.search(path):
        raise ValueError("malformed path")
    text = urllib.parse.unquote_to_bytes(path).decode("utf-8")  # UnicodeDecodeError is a ValueError
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text) or "\\" in text:
        raise ValueError("malformed path")
    parts = [part for part in text.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise ValueError("malformed path")
    root = site.resolve()
    candidate = (root.joinpath(*parts) if parts else root).resolve()
    if candidate.is_dir():
        candidate = (candidate / "index.html").resolve()
    if candidate != root and root not in candidate.parents:
        return None
    try:
        mode = candidate.stat().st_mode
    except OSError:
        return None
    return candidate if stat.S_ISREG(mode) else None


def serve_site(
    port: int,
    site: Path | None = None,
    sources: Path | None = None,
    out: Path | None = None,
    echo: Callable[[str], None] = print,
    ready: Callable[[], None] | None = None,
) -> None:
    """Serve the views folder on 127.0.0.1:``port`` (nothing else is opened), writing the views first if missing.

    Only regular files inside the folder are served (see ``site_file``), GET and HEAD, through the
    bounded server of ``publish.httpd`` (a fixed pool of threads, deadlines on every connection).
    """
    import errno
    import mimetypes

    from graph_builder.publish.httpd import Handler, Server
    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.views import SITE_MANIFEST, default_site, generate

    folder = Path(site) if site else default_site()
    if not (folder / SITE_MANIFEST).is_file():
        store = ensure_built(sources, out)
        generate(EmbeddedEngine(store), folder, f"the embedded store of {store.parent}")
        echo(f"wrote the views to {folder}")

    class SiteHandler(Handler):
        def do_GET(self) -> None:
            self.answer(head=False)

        def do_HEAD(self) -> None:
            self.answer(head=True)

        def answer(self, head: bool) -> None:
            try:
                found = site_file(folder, self.path)
            except ValueError:
                self.refuse(400, "malformed path")
                return
            if found is None:
                self.refuse(404, "not found")
                return
            try:
                body = found.read_bytes()
            except OSError:
                self.refuse(404, "not found")
                return
            kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)

    try:
        server = Server("127.0.0.1", port, SiteHandler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on 127.0.0.1 is already in use; choose another with --port") from None
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    echo(f"serving the views in {folder} at http://127.0.0.1:{port}/ (loopback only; Ctrl-C to stop)")
    if ready:
        ready()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
