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
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from graph_builder.errors import PolkgError, UsageError
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
        echo(f"answering from the build in {store_dir.parent} (a rebuild there is picked up)")
        echo(f"query editor:    {base_url}/   stored queries ready to open: {page.resolve().as_uri()}")
        if ready:
            ready()

    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        serve_endpoint(binary, store_dir, host, port, timeout, echo=echo, ready=announce, follow=store_dir.parent)
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


def _stale_site_note(folder: Path, out: Path) -> str | None:
    """What to tell readers when the site was written from the build in ``out`` before its latest rebuild."""
    from graph_builder.layout import MANIFEST
    from graph_builder.store.manifest import read_json
    from graph_builder.views import SITE_MANIFEST

    site = read_json(folder / SITE_MANIFEST) or {}
    origin = site.get("origin")
    prefix = "the embedded store of "
    if not isinstance(origin, str) or not origin.startswith(prefix) or Path(origin[len(prefix) :]).resolve() != out.resolve():
        return None  # written from another build or an endpoint: not ours to judge
    try:
        written, built = (folder / SITE_MANIFEST).stat().st_mtime, (out / MANIFEST).stat().st_mtime
    except OSError:
        return None
    if written >= built:
        return None
    made = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(built))
    return (
        f"These pages were written from an earlier build of {out}; a newer build (made {made}) exists. "
        f"Run 'polkg views --site {folder} --build {out}' to bring them up to date."
    )


def _with_banner(body: bytes, note: str) -> bytes:
    """An HTML page with ``note`` (escaped) as the first thing in its body."""
    banner = f'<p role="status" class="polkg-stale">{html.escape(note)}</p>'.encode()
    match = re.search(rb"<body[^>]*>", body, re.IGNORECASE)
    at = match.end() if match else 0
    return body[:at] + banner + body[at:]


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
    The graph's own resource paths (``/id/...``) are answered by content negotiation
    (``publish.resources``): a browser is sent to the resource's page (303), an RDF client gets its
    description from the build (Turtle, N-Triples, JSON-LD). A rebuild of the build is picked up for
    descriptions; pages written before it carry a note saying a newer build exists.
    """
    import errno
    import mimetypes

    from graph_builder.publish import formats
    from graph_builder.publish.httpd import Handler, Server
    from graph_builder.publish.resources import (
        HTML,
        OFFERED,
        RESOURCE_PATH,
        BuildFollower,
        describe,
        negotiate,
        page_href,
        resource_iri,
    )
    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.views import SITE_MANIFEST, default_site, generate
    from graph_builder.views.paths import PAGES_MANIFEST

    folder = Path(site) if site else default_site()
    store = ensure_built(sources, out, echo=echo)
    build_dir = store.parent
    if not (folder / SITE_MANIFEST).is_file():
        generate(EmbeddedEngine(store), folder, f"the embedded store of {build_dir}")
        echo(f"wrote the views to {folder}")
    follower = BuildFollower(build_dir, echo)
    warned: set[str] = set()
    warned_lock = threading.Lock()

    def stale_note() -> str | None:
        note = _stale_site_note(folder, build_dir)
        if note:
            with warned_lock:
                if note not in warned:
                    warned.add(note)
                    echo(note)
        return note

    class SiteHandler(Handler):
        def do_GET(self) -> None:
            self.answer(head=False)

        def do_HEAD(self) -> None:
            self.answer(head=True)

        def answer(self, head: bool) -> None:
            if self.path.split("?", 1)[0].startswith(RESOURCE_PATH):
                self.resource(head)
                return
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
            if kind == "text/html":
                note = stale_note()
                if note:
                    body = _with_banner(body, note)
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

        def resource(self, head: bool) -> None:
            """/id/...: 303 to the page for a browser, the description for an RDF client (Vary: Accept)."""
            try:
                iri = resource_iri(self.path)
            except ValueError:
                self.refuse(400, "malformed resource path")
                return
            wanted = negotiate(self.headers.get("Accept"))
            if wanted is None:
                self.vary(406, f"not acceptable: {iri} is offered as {', '.join(OFFERED)}\n".encode(), head)
                return
            if wanted == HTML:
                href = page_href(folder, PAGES_MANIFEST, iri)
                if href is None:
                    text = f"no page for {iri} in this site; its description: Accept: text/turtle (or n-triples, json-ld)\n"
                    self.vary(404, text.encode(), head)
                    return
                self.send_response(303)
                self.send_header("Location", href)
                self.send_header("Vary", "Accept")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            try:
                body = describe(follower.engine(), iri, wanted)
            except PolkgError as exc:
                self.refuse(500, f"the description could not be read: {exc}")
                return
            if body is None:
                self.vary(404, f"the graph has nothing about {iri}\n".encode(), head)
                return
            self.vary(200, body, head, formats.get(wanted).media_type + "; charset=utf-8")

        def vary(self, status: int, body: bytes, head: bool, content_type: str = "text/plain; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
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
    echo(f"resources /id/... are described from the build in {build_dir} (a rebuild there is picked up)")
    stale_note()
    if ready:
        ready()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
