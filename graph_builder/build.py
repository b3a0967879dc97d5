"""The build step: sources -> checked graph -> Turtle, N-Triples and an Oxigraph store, written atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graph_builder import __version__
from graph_builder.resources import default_sources

if TYPE_CHECKING:
    import pyoxigraph

    from graph_builder.cache import Cache
    from graph_builder.output import Written

MANIFEST = "manifest.json"
STORE_DIR = "store"
TURTLE = "graph.ttl"
NTRIPLES = "graph.nt"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, how long its steps took, and how many source files it could reuse from the cache."""

    out: Path
    triples: int
    seconds: dict[str, float]
    reused: bool = False
    files: int = 0
    files_reused: int = 0
    skipped: tuple[Path, ...] = ()  # hidden entries of the sources folder that were not read


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


def build(sources: Path | None = None, out: Path | None = None, workers: int | None = None) -> BuildResult:
    """Load, check and validate ``sources``; write the graph and store into ``out``, replacing it whole.

    Work on source files unchanged since the last build into ``out`` is reused from its cache, and
    its store is updated rather than reloaded; the outputs are the same as a build from nothing.
    On any error nothing in ``out`` changes. ``workers`` is the number of processes (default: CPUs).
    """
    from graph_builder.sources import collector_paused

    sources = Path(sources) if sources else default_sources()
    out = Path(out) if out else default_out()
    # the checked corpus lives until the build ends, and holds no cycles: collections would only walk it
    with collector_paused():
        return _build(sources, out, workers)


def _build(sources: Path, out: Path, workers: int | None) -> BuildResult:
    from graph_builder.cache import CACHE_DIR, Cache
    from graph_builder.output import write_graph_files
    from graph_builder.units import rules_digest
    from graph_builder.validate import check_sources

    previous = read_manifest(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    cache: Cache | None = None
    try:
        cache = Cache(tmp / CACHE_DIR, out / CACHE_DIR if previous is not None else None)
        checked = check_sources(sources, cache, workers)
        seconds = checked.seconds
        units = checked.units

        t = time.perf_counter()
        ontology_nt = checked.ontology_ntriples()
        written = write_graph_files(tmp, out, previous, ontology_nt, units, cache)
        seconds["write"] = time.perf_counter() - t

        t = time.perf_counter()
        unit_keys = {unit.name: unit.key for unit in units.units}
        rules = rules_digest()
        triples = _fill_store(tmp, out, previous, rules, cache, unit_keys, ontology_nt, written)
        lines = written.lines
        seconds["store"] = time.perf_counter() - t
        manifest = {
            "polkg": __version__,
            "fingerprint": checked.corpus.fingerprint,
            "sources": str(sources.resolve()),
            "triples": triples,
            "distinct": triples == lines,
            "rules": rules,
            "units": unit_keys,
            **written.manifest(),
        }
        # one line: indented, the per-unit keys and spans of 10,000 files took 0.2 s to write
        (tmp / MANIFEST).write_text(json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
        _refuse_foreign(tmp, out)
        cache.adopt()
        _replace_dir(tmp, out)
    except BaseException:
        if cache is not None:
            cache.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(
        out=out,
        triples=triples,
        seconds=seconds,
        files=len(units.units),
        files_reused=units.reused,
        skipped=tuple(checked.corpus.skipped),
    )


def _fill_store(
    tmp: Path,
    out: Path,
    previous: dict[str, object] | None,
    rules: str,
    cache: Cache,
    unit_keys: dict[str, str],
    ontology_nt: bytes,
    written: Written,
) -> int:
    """Write tmp/store: the previous store plus the changed files' triples when that is safe, else a bulk load.

    Both read the units' N-Triples from the graph.nt just written (``written`` says where each lies).
    """
    import pyoxigraph

    from graph_builder.shacl import check_sparql_constraints

    store = None
    if previous is not None and previous.get("distinct") and previous.get("rules") == rules and (out / STORE_DIR).is_dir():
        store = _updated_store(tmp, out, previous, cache, unit_keys, written)
        triples = len(store) if store is not None else 0  # counting 10^6 quads takes 0.15 s: done once
        if store is not None and triples != written.lines:
            del store
            shutil.rmtree(tmp / STORE_DIR, ignore_errors=True)
            store = None
    if store is None:
        store = pyoxigraph.Store(str(tmp / STORE_DIR))
        _bulk_load(store, ontology_nt, tmp / NTRIPLES, written)
        store.optimize()
        triples = len(store)
    check_sparql_constraints(store)
    del store
    return triples


_LOAD_BYTES = 16 << 20


def _bulk_load(store: pyoxigraph.Store, ontology_nt: bytes, nt_file: Path, written: Written) -> None:
    """Load the ontology, then the units from ``nt_file`` in batches of about 16 MB of N-Triples.

    Batches keep the loader's memory small (one 170 MB file in one call took 900 MB and was slower);
    a unit is never split, so its blank nodes (N-Triples labels are local to one load) stay one node each.
    """
    import pyoxigraph

    from graph_builder.output import unit_ntriples

    store.bulk_load(ontology_nt, format=pyoxigraph.RdfFormat.N_TRIPLES)
    for batch in unit_ntriples(nt_file, list(written.spans.values()), _LOAD_BYTES):
        store.bulk_load(batch, format=pyoxigraph.RdfFormat.N_TRIPLES)


def _updated_store(
    tmp: Path, out: Path, previous: dict[str, object], cache: Cache, unit_keys: dict[str, str], written: Written
) -> pyoxigraph.Store | None:
    """A copy of the previous store (hard-linked snapshot) with the triples of changed units swapped; None if not possible."""
    import pyoxigraph

    old_keys = previous.get("units")
    if not isinstance(old_keys, dict):
        return None
    from graph_builder.output import unit_ntriples

    removed: set[bytes] = set()
    added: set[bytes] = set()
    for name in sorted(old_keys.keys() | unit_keys.keys()):
        old_key, new_key = old_keys.get(name), unit_keys.get(name)
        if old_key == new_key:
            continue
        old_lines: set[bytes] = set()
        if old_key is not None:
            old = cache.unit(str(old_key), keep=False)
            if old is None:
                return None
            old_lines = set(old.ntriples.splitlines(keepends=True))
        new_lines: set[bytes] = set()
        if new_key is not None:
            for part in unit_ntriples(tmp / NTRIPLES, [written.spans[name]], _LOAD_BYTES):
                new_lines |= set(part.splitlines(keepends=True))
        removed |= old_lines - new_lines
        added |= new_lines - old_lines
    try:
        pyoxigraph.Store.read_only(str(out / STORE_DIR)).backup(str(tmp / STORE_DIR))
    except OSError:
        shutil.rmtree(tmp / STORE_DIR, ignore_errors=True)
        return None
    store = pyoxigraph.Store(str(tmp / STORE_DIR))
    for triple in pyoxigraph.parse(b"".join(sorted(removed - added)), format=pyoxigraph.RdfFormat.N_TRIPLES):
        store.remove(pyoxigraph.Quad(triple.subject, triple.predicate, triple.object))
    store.extend(
        pyoxigraph.Quad(t.subject, t.predicate, t.object)
        for t in pyoxigraph.parse(b"".join(sorted(added - removed)), format=pyoxigraph.RdfFormat.N_TRIPLES)
    )
    # write the changes out of the log into the store's files: the next build's snapshot copies files only
    store.flush()
    return store


def _refuse_foreign(new: Path, target: Path) -> None:
    """Refuse to replace a folder that is not a polkg build (removing ``new``)."""
    if target.exists() and not (target / MANIFEST).exists() and any(target.iterdir()):
        shutil.rmtree(new, ignore_errors=True)
        from graph_builder.errors import UsageError

        raise UsageError(f"{target} exists and is not a polkg build folder (no {MANIFEST}); choose another --out")


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is: renames only, so readers see the old or the new build, never half."""
    _refuse_foreign(new, target)
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


def store_triples(out: Path) -> tuple[list[str], int]:
    """The store of build ``out`` in comparable form: its triples without blank nodes, sorted, and how many have one.

    Blank nodes (the ontology's OWL lists) get new labels on every load, so two stores with the
    same graph are compared on the named triples and the blank-node count.
    """
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / STORE_DIR))
    named, blank = [], 0
    for quad in store.quads_for_pattern(None, None, None):
        if isinstance(quad.subject, pyoxigraph.BlankNode) or isinstance(quad.object, pyoxigraph.BlankNode):
            blank += 1
        else:
            named.append(str(quad))
    return sorted(named), blank
