"""The build step: sources -> checked graph -> Turtle, N-Triples and an Oxigraph store, written atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from graph_builder import __version__
from graph_builder.resources import default_sources

MANIFEST = "manifest.json"
STORE_DIR = "store"
TURTLE = "graph.ttl"
NTRIPLES = "graph.nt"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and how long its steps took."""

    out: Path
    triples: int
    seconds: dict[str, float]
    reused: bool = False


def default_out() -> Path:
    """Where builds go unless --out says otherwise: $POLKG_OUT or ./polkg-out."""
    return Path(os.environ.get("POLKG_OUT", "polkg-out"))


def read_manifest(out: Path) -> dict[str, object] | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_current(out: Path, sources: Path) -> bool:
    """True when ``out`` holds a complete build of exactly the current contents of ``sources``."""
    from graph_builder.fingerprint import fingerprint

    manifest = read_manifest(out)
    if not manifest or not (out / STORE_DIR).is_dir():
        return False
    return manifest.get("fingerprint") == fingerprint(sources) and manifest.get("polkg") == __version__


def build(sources: Path | None = None, out: Path | None = None) -> BuildResult:
    """Load, check and validate ``sources``; write the graph and store into ``out``, replacing it whole.

    On any error nothing in ``out`` changes.
    """
    import pyoxigraph

    from graph_builder.validate import validated_graph

    sources = Path(sources) if sources else default_sources()
    out = Path(out) if out else default_out()
    checked = validated_graph(sources)
    corpus, graph, ontology, seconds = checked.corpus, checked.data, checked.ontology, checked.seconds

    t = time.perf_counter()
    graph += ontology
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        ntriples = "".join(sorted(set(graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines(keepends=True))))
        (tmp / NTRIPLES).write_text(ntriples, encoding="utf-8")
        graph.serialize(tmp / TURTLE, format="longturtle", encoding="utf-8")
        store = pyoxigraph.Store(str(tmp / STORE_DIR))
        store.bulk_load(ntriples.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.optimize()
        del store
        manifest = {
            "polkg": __version__,
            "fingerprint": corpus.fingerprint,
            "sources": str(sources.resolve()),
            "triples": len(graph),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        seconds["write"] = time.perf_counter() - t
        _replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(out=out, triples=len(graph), seconds=seconds)


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is: renames only, so readers see the old or the new build, never half."""
    if target.exists() and not (target / MANIFEST).exists() and any(target.iterdir()):
        shutil.rmtree(new, ignore_errors=True)
        from graph_builder.errors import UsageError

        raise UsageError(f"{target} exists and is not a polkg build folder (no {MANIFEST}); choose another --out")
    swap_into_place(new, target)


def swap_into_place(new: Path, target: Path) -> None:
    """Move folder ``new`` to ``target`` by renames only (the old folder is moved aside, then removed)."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def ensure_built(sources: Path | None = None, out: Path | None = None) -> Path:
    """The store folder for ``sources``: the existing build in ``out`` if current, else a fresh build."""
    sources = Path(sources) if sources else default_sources()
    out = Path(out) if out else default_out()
    if not is_current(out, sources):
        build(sources, out)
    return out / STORE_DIR
