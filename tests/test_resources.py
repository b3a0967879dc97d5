"""Dereferenceable IRIs and builds that change: a real `polkg serve` (and `serve --sparql`) on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import stop
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from graph_builder.publish.resources import negotiate, resource_iri
from graph_builder.store.build import BuildResult, build
from graph_builder.views.paths import PAGES_MANIFEST

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
POLKG = [sys.executable, "-m", "graph_builder.cli"]
MOFCOM = "https://w3id.org/polkg/id/agency/mofcom"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], port: int, cwd: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [*POLKG, *args, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV, cwd=cwd
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"polkg serve exited with {process.returncode}: {stop(process)}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"port {port} did not come up")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(port: int, path: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept": accept} if accept else {})
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def served(site: Path, built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`polkg serve` over a copy of the site; its pages.json is written here unless `polkg views` wrote one."""
    folder = tmp_path_factory.mktemp("resources") / "site"
    shutil.copytree(site, folder)
    if not (folder / PAGES_MANIFEST).is_file():
        pages = {
            MOFCOM: "agency/mofcom.html",
            "https://w3id.org/polkg/id/doc/opinions-2022/provision/25": "doc/opinions-2022.html#p-25",
        }
        (folder / PAGES_MANIFEST).write_text(json.dumps(pages), encoding="utf-8")
    port = free_port()
    process = start(["serve", "--site", str(folder), "--out", str(built.out)], port, folder.parent)
    try:
        yield port
    finally:
        output = stop(process)
        assert "Traceback" not in output, output


pytestmark = pytest.mark.slow


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("accept", "media_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", "json-ld"),
    ],
)
def test_rdf_clients_get_the_description(served: int, accept: str, media_type: str, rdf_format: str) -> None:
    status, headers, body = get(served, "/id/agency/mofcom", accept)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media_type and headers["Vary"] == "Accept"
    graph = Graph().parse(data=body.decode("utf-8"), format=rdf_format)
    mofcom = URIRef(MOFCOM)
    assert (mofcom, SKOS.prefLabel, Literal("Ministry of Commerce", lang="en")) in graph
    linked = set(graph.objects(mofcom))
    assert set(graph.subjects()) <= {mofcom} | linked, "about that agency, and the labels of what it links to"
    parent = URIRef("https://w3id.org/polkg/id/agency/state-council")
    assert parent in linked and (parent, SKOS.prefLabel, None) in graph


def test_a_browser_is_sent_to_the_page(served: int) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*", None):
        status, headers, _ = get(served, "/id/agency/mofcom", accept)
        assert status == 303 and headers["Location"] == "/agency/mofcom.html" and headers["Vary"] == "Accept", accept
    status, headers, _ = get(served, "/id/doc/opinions-2022/provision/25", browser)
    assert status == 303 and headers["Location"] == "/doc/opinions-2022.html#p-25"


def test_unknown_unlisted_and_unacceptable(served: int) -> None:
    status, headers, body = get(served, "/id/agency/no-such-agency", "text/turtle")
    assert status == 404 and b"the graph has nothing about https://w3id.org/polkg/id/agency/no-such-agency" in body
    assert headers["Vary"] == "Accept"
    status, _, body = get(served, "/id/agency/no-such-agency", "text/html")
    assert status == 404 and b"no page for" in body
    status, headers, body = get(served, "/id/agency/mofcom", "image/png")
    assert status == 406 and b"text/turtle" in body and headers["Vary"] == "Accept"
    assert get(served, "/id/agency/..%2Fx", "text/turtle")[0] == 400
    assert get(served, "/index.html")[0] == 200, "the site is served as before"


def test_negotiation_and_paths() -> None:
    assert negotiate(None) == negotiate("*/*") == "html"
    assert negotiate("text/turtle") == "turtle" and negotiate("application/ld+json") == "json-ld"
    assert negotiate("text/turtle;q=0, */*;q=0.1") == "html"
    assert negotiate("application/n-triples, text/turtle;q=0.5") == "n-triples"
    assert negotiate("image/png") is None and negotiate("text/turtle;q=0") is None
    assert resource_iri("/id/doc/opinions-2022/provision/25?x=1") == "https://w3id.org/polkg/id/doc/opinions-2022/provision/25"
    for bad in ("/id/", "/id/a//b", "/id/%2e%2e/x", "/id/a/.b", "/id/%zz", "/id/a b"):
        with pytest.raises(ValueError):
            resource_iri(bad)


def test_a_rebuild_is_picked_up_and_stale_pages_say_so(sources_copy: Path, tmp_path: Path) -> None:
    """serve answers /id/ from the new build after a rebuild, and its pages say a newer build exists."""
    out = tmp_path / "out"
    build(sources_copy, out)
    port = free_port()
    process = start(["serve", "--site", str(tmp_path / "site"), "--out", str(out)], port, tmp_path)
    try:
        before = get(port, "/id/agency/nbs", "application/n-triples")[2]
        assert b"Stats Office" not in before and b"Statistics Bureau" in before
        assert b"polkg-stale" not in get(port, "/index.html")[2]
        agencies = sources_copy / "registry" / "agencies.yaml"
        text = agencies.read_text(encoding="utf-8")
        assert "aliases: [Statistics Bureau]" in text
        agencies.write_text(
            text.replace("aliases: [Statistics Bureau]", "aliases: [Statistics Bureau, Stats Office]"), encoding="utf-8"
        )
        build(sources_copy, out)
        after = get(port, "/id/agency/nbs", "application/n-triples")[2]
        assert b"Stats Office" in after
        page = get(port, "/index.html")[2]
        assert b"a newer build" in page and b"polkg views --site" in page
    finally:
        output = stop(process)
    assert "Traceback" not in output
    assert f"the build in {out} changed" in output and "a newer build" in output


def test_serve_sparql_follows_a_rebuild(sources_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(sources_copy, out)
    port = free_port()
    process = start(["serve", "--sparql", "--out", str(out)], port, tmp_path)
    ask = "ASK { ?a skos:altLabel 'Stats Office'@en }"
    query = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " + ask

    def answer() -> bool:
        status, _, body = get(port, "/query?" + urllib.parse.urlencode({"query": query}), "application/sparql-results+json")
        assert status == 200, body
        return bool(json.loads(body)["boolean"])

    try:
        assert answer() is False
        agencies = sources_copy / "registry" / "agencies.yaml"
        text = agencies.read_text(encoding="utf-8")
        agencies.write_text(
            text.replace("aliases: [Statistics Bureau]", "aliases: [Statistics Bureau, Stats Office]"), encoding="utf-8"
        )
        build(sources_copy, out)
        deadline = time.monotonic() + 60
        while not answer():  # the server looks at the build every 2 s and restarts its engine over the new store
            assert time.monotonic() < deadline, "the endpoint kept answering from the old build"
            time.sleep(0.5)
    finally:
        output = stop(process)
    assert "Traceback" not in output and f"the build in {out} changed" in output, output


def test_views_out_still_works_with_a_warning(built: BuildResult, tmp_path: Path) -> None:
    done = subprocess.run(
        [*POLKG, "views", "--build", str(built.out), "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "'polkg views --out DIR' is deprecated" in done.stderr and "use --site DIR" in done.stderr
    assert (tmp_path / "site" / "index.html").is_file() and "deprecated" not in done.stdout
    both = subprocess.run(
        [*POLKG, "views", "--build", str(built.out), "--out", "a", "--site", "b"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
        timeout=300,
    )
    assert both.returncode == 2 and "give the site folder once" in both.stderr
