"""Dereferenceable IRIs: how `polkg serve` answers the graph's own resource paths (/id/...) by content negotiation."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph_builder.layout import MANIFEST, STORE_DIR
from graph_builder.prefixes import BASE
from graph_builder.query.binding import bind_values
from graph_builder.query.engine import Engine
from graph_builder.query.results import Term

RESOURCE_PATH = "/id/"  # the server's path for BASE + "id/...": https://w3id.org/polkg/id/agency/mofcom is /id/agency/mofcom
HTML = "html"
# media type -> export format (graph_builder.publish.formats); text/html and application/xhtml+xml ask for the page
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "n-triples", "application/ld+json": "json-ld"}
OFFERED = ("text/html", *RDF_TYPES, "application/xhtml+xml")  # in order of preference when the client has none
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
_MAX_PATH = 512

# the resource's own statements, and the labels of what they point to (so a reader sees names, not just IRIs)
_DESCRIBE = """
CONSTRUCT { ?item ?property ?value . ?value rdfs:label ?label . ?value skos:prefLabel ?name . }
WHERE {
  ?item ?property ?value .
  OPTIONAL { ?value rdfs:label ?label }
  OPTIONAL { ?value skos:prefLabel ?name }
}"""


def resource_iri(raw_path: str) -> str:
    """The IRI a request path under /id/ names (``/id/agency/mofcom`` -> ``https://w3id.org/polkg/id/agency/mofcom``).

    Raises ValueError for a malformed one (answered 400): too long, a bad percent-escape, or a segment
    that is not a plain id (letters, digits and ``._~-``, not starting with a dot); a query string is ignored.
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if len(raw_path) > _MAX_PATH or not path.startswith(RESOURCE_PATH):
        raise ValueError("malformed resource path")
    try:
        text = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("malformed resource path") from None
    segments = text[len(RESOURCE_PATH) :].split("/")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise ValueError("malformed resource path")
    return BASE + "id/" + "/".join(segments)


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q values (a malformed q counts as 0)."""
    ranges = []
    for item in accept.split(","):
        kind, *params = [part.strip() for part in item.split(";")]
        if not kind:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((kind.lower(), quality))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """What to answer for an Accept header: HTML (the page), an export format name, or None (406).

    Each offered type takes the q of the most specific range that matches it (``type/sub``, then
    ``type/*``, then ``*/*``); the highest q wins, ties going to the order of OFFERED (the page first,
    so a browser's ``*/*`` gets the page). No Accept header is ``*/*``.
    """
    ranges = _ranges(accept or "*/*") or [("*/*", 1.0)]
    best: tuple[float, int, str] | None = None
    for order, offered in enumerate(OFFERED):
        major = offered.split("/")[0]
        matches = [(3, q) for r, q in ranges if r == offered] or [(2, q) for r, q in ranges if r == f"{major}/*"]
        matches = matches or [(1, q) for r, q in ranges if r == "*/*"]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > 0 and (best is None or (quality, -order) > (best[0], -best[1])):
            best = (quality, order, offered)
    if best is None:
        return None
    return RDF_TYPES.get(best[2], HTML)


def describe(engine: Engine, iri: str, fmt: str) -> bytes | None:
    """The description of ``iri`` (its statements and the labels of their objects) in export format ``fmt``;
    None when the graph says nothing about it. The IRI is bound as a value, never pasted into the query."""
    from graph_builder.publish import formats

    ntriples = engine.construct(bind_values(_DESCRIBE, {"item": Term("uri", iri)}))
    if not ntriples.strip():
        return None
    return formats.get(fmt).write(ntriples)


def page_href(site: Path, manifest: str, iri: str) -> str | None:
    """The site path (``/agency/mofcom.html``, anchor kept) of ``iri``'s page, as the site's ``manifest``
    (pages.json: IRI -> href relative to the site) lists it; None when it lists none, or only an href
    that is not a plain relative path inside the site."""
    try:
        pages = json.loads((site / manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    href = pages.get(iri) if isinstance(pages, dict) else None
    if not isinstance(href, str) or not href:
        return None
    file, _, anchor = href.partition("#")
    parts = file.split("/")
    if any(part in ("", ".", "..") or not re.fullmatch(r"[A-Za-z0-9._~-]+", part) for part in parts):
        return None
    if anchor and not re.fullmatch(r"[A-Za-z0-9._~-]+", anchor):
        return None
    return "/" + href


@dataclass(frozen=True)
class BuildStamp:
    """Which build a folder holds: its graph's digest and when its manifest was written."""

    digest: str
    written: float

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.written))


def build_stamp(out: Path) -> BuildStamp | None:
    """The stamp of the build in ``out``; None when it has no readable manifest (a build is under way or gone)."""
    try:
        written = (out / MANIFEST).stat().st_mtime
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    digest = manifest.get("nt_sha256") if isinstance(manifest, dict) else None
    return BuildStamp(str(digest), written) if digest else None


class BuildFollower:
    """The embedded store of the build in ``out``, opened again whenever a rebuild replaces it.

    ``engine()`` checks the build's stamp (one stat and a small read) and, when it changed, opens the
    new store and says so through ``echo``: a server answers from the newest build, never silently
    from one that has been replaced.
    """

    def __init__(self, out: Path, echo: Callable[[str], None]):
        from graph_builder.query.embedded import EmbeddedEngine

        self.out, self.echo = Path(out), echo
        self.stamp = build_stamp(self.out)
        self._engine = EmbeddedEngine(self.out / STORE_DIR)
        self._lock = threading.Lock()

    def engine(self) -> Engine:
        from graph_builder.errors import QueryError
        from graph_builder.query.embedded import EmbeddedEngine

        stamp = build_stamp(self.out)
        with self._lock:
            if stamp is not None and stamp != self.stamp:
                try:
                    self._engine = EmbeddedEngine(self.out / STORE_DIR)
                except QueryError as exc:
                    self.echo(
                        f"the build in {self.out} changed but its store cannot be opened yet ({exc}); keeping the previous one"
                    )
                else:
                    self.stamp = stamp
                    self.echo(f"the build in {self.out} changed (made {stamp.when}); answering from it now")
            return self._engine
