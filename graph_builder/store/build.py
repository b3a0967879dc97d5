"""The build step: sources -> checked graph -> Turtle, N-Triples and an Oxigraph store, written atomically."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from graph_builder import __version__, _fs
from graph_builder._faults import failpoint
from graph_builder.errors import UsageError

if TYPE_CHECKING:
    from graph_builder.graph.units import Span
    from graph_builder.store.cache import Cache

from graph_builder.layout import CACHE_DIR, MANIFEST, STORE_DIR, STORE_FILES, default_out
from graph_builder.store.choose import Sources, choose_sources, recorded_sources
from graph_builder.store.fill import fill_store
from graph_builder.store.manifest import (
    GRAPH_DIGESTS,
    Manifest,
    previous_files_intact,
    read_manifest,
    recorded_store_files,
    sha256,
    store_files,
    store_intact,
)

__all__ = ["BuildResult", "build", "ensure_built", "is_current", "repair", "store_triples"]

Echo = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, from which sources, how long its steps took, and how many source files it could reuse."""

    out: Path
    triples: int
    seconds: dict[str, float]
    reused: bool = False
    files: int = 0
    files_reused: int = 0
    sources: Sources | None = None
    skipped: tuple[Path, ...] = ()  # hidden entries of the sources folder that were not read
    replaced: Path | None = None  # the other sources folder the build this one replaced was made from


def _rules() -> str:
    from graph_builder.graph.rules import rules_digest  # not units: reading commands must not import the builder

    return rules_digest()


def is_current(out: Path, sources: Path, manifest: Manifest | None = None) -> bool:
    """True when ``out`` holds a complete build of exactly the current contents of ``sources``, made by this code."""
    from graph_builder.sources.files import fingerprint

    manifest = manifest if manifest is not None else read_manifest(out)
    if not manifest or not (out / STORE_DIR).is_dir():
        return False
    return (
        manifest.get("polkg") == __version__
        and manifest.get("rules") == _rules()
        and manifest.get("fingerprint") == fingerprint(Path(sources))
    )


def build(
    sources: Path | None = None,
    out: Path | None = None,
    workers: int | None = None,
    *,
    fresh_store: bool = False,
    echo: Echo | None = None,
) -> BuildResult:
    """Load, check and validate ``sources``; write the graph and store into ``out``, replacing it whole.

    Work on source files unchanged since the last build into ``out`` is reused from its cache, and
    its store is updated rather than reloaded (``fresh_store`` loads it anew); the outputs are the same
    as a build from nothing. On any error nothing in ``out`` changes. ``workers`` is the number of
    processes (default: CPUs). Builds into one folder run one at a time (``echo`` says when one waits).
    """
    from graph_builder._parallel import collector_paused

    out = Path(out) if out else default_out()
    try:
        with _fs.locked(out, echo):
            _fs.recover(out, MANIFEST)
            previous = read_manifest(out)
            chosen = choose_sources(sources, out, previous or {})
            recorded = recorded_sources(out, previous or {})
            # the checked corpus lives until the build ends, and holds no cycles: collections would only walk it
            with collector_paused():
                result = _build(chosen, out, previous, workers, fresh_store)
            return replace(result, replaced=recorded if recorded != chosen.path else None)
    except OSError as exc:
        raise _fs.output_error(exc, f"the build into {out}") from None


def _build(chosen: Sources, out: Path, previous: Manifest | None, workers: int | None, fresh_store: bool) -> BuildResult:
    from graph_builder.graph.validate import check_sources
    from graph_builder.store.cache import Cache
    from graph_builder.store.graph_files import previous_parts, write_graph_files

    rules = _rules()
    tmp: Path | None = None
    cache: Cache | None = None
    try:
        if out.exists() and not _fs.is_ours(out, MANIFEST):
            raise UsageError(f"{out} exists and is not a polkg build folder (no {MANIFEST}); choose another --out")
        tmp = _fs.temp_dir(out)
        cache = Cache(tmp / CACHE_DIR, out / CACHE_DIR if previous is not None else None, rules)
        # hashing and copying free the GIL: they run beside the loading and the store, not after them
        with ThreadPoolExecutor(2) as pool:
            intact: Future[bool] | None = pool.submit(previous_files_intact, out, previous) if previous else None
            copied = pool.submit(cache.copy_previous)

            def old_parts() -> dict[str, tuple[str, Span]]:
                return previous_parts(out, previous) if intact is not None and intact.result() else {}

            checked = check_sources(chosen.path, cache, workers, old_parts)
            seconds = checked.seconds
            units = checked.units
            failpoint("checked")

            t = time.perf_counter()
            ontology_nt = checked.ontology_ntriples()
            written = write_graph_files(tmp, out, ontology_nt, units)
            digests = {key: pool.submit(sha256, tmp / name) for name, key in GRAPH_DIGESTS}
            seconds["write"] = time.perf_counter() - t
            failpoint("written")

            t = time.perf_counter()
            unit_keys = {unit.name: unit.key for unit in units.units}
            reusable = None if fresh_store else previous
            triples = fill_store(tmp, out, reusable, rules, cache, unit_keys, ontology_nt, written, checked.corpus)
            lines = written.lines
            seconds["store"] = time.perf_counter() - t
            failpoint("stored")
            record = pool.submit(store_files, tmp / STORE_DIR, True, recorded_store_files(out) if reusable else None)
            manifest = {
                "polkg": __version__,
                "fingerprint": checked.corpus.fingerprint,
                "sources": str(chosen.path),
                "triples": triples,
                "distinct": triples == lines,
                "rules": rules,
                "units": unit_keys,
                **written.manifest(),
                **{key: digest.result() for key, digest in digests.items()},
            }
            copied.result()
            cache.adopt()
            failpoint("cached")
            # the store's files, apart from the manifest: their times differ from build to build, the manifest does not
            stored = json.dumps(record.result(), sort_keys=True, separators=(",", ":"))
        (tmp / STORE_FILES).write_text(stored + "\n", encoding="utf-8")
        _fs.permissions(tmp / STORE_FILES, directory=False)
        # one line: indented, the per-unit keys and spans of a large corpus are slow to write
        text = json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n"
        (tmp / MANIFEST).write_text(text, encoding="utf-8")
        _fs.permissions(tmp / MANIFEST, directory=False)
        _fs.replace_dir(tmp, out, MANIFEST)
        tmp = None
    except OSError as exc:
        raise _fs.output_error(exc, f"the build into {out}") from None
    except sqlite3.Error as exc:
        raise _fs.output_error(OSError(str(exc)), f"the build cache in {out}") from None
    finally:
        if cache is not None:
            cache.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return BuildResult(
        out=out,
        triples=triples,
        seconds=seconds,
        files=len(units.units),
        files_reused=units.reused,
        sources=chosen,
        skipped=tuple(checked.corpus.skipped),
    )


def ensure_built(
    sources: Path | None = None, out: Path | None = None, echo: Echo | None = None, verify_files: bool = False
) -> Path:
    """The store folder of build ``out``: as it is when current, else rebuilt first (``echo`` says why).

    The sources are chosen as ``choose_sources`` says; a build whose sources folder has gone is used
    as it is, with a note, as long as this code made it. With ``verify_files``, graph.nt and graph.ttl
    must also be the bytes the build wrote (else they are written again).
    """
    out = Path(out) if out else default_out()
    manifest = read_manifest(out) or {}
    chosen = choose_sources(sources, out, manifest)
    say = echo or (lambda _: None)
    if not chosen.path.is_dir() and sources is None:  # the folder the build was made from has gone
        if manifest.get("rules") == _rules() and (out / STORE_DIR).is_dir():
            say(f"note: {chosen.path}, which {out} was built from, no longer exists; reading the build as it is")
            return out / STORE_DIR
        raise UsageError(
            f"{out} was built from {chosen.path}, which no longer exists, and must be rebuilt; "
            f"give the sources with --sources, or build into another folder with --out"
        )
    if not is_current(out, chosen.path, manifest):
        recorded = recorded_sources(out, manifest)
        if recorded is not None and recorded != chosen.path:
            say(f"rebuilding {out} from {chosen}; it was built from {recorded}")
        elif recorded is not None:
            say(f"rebuilding {out}: the sources or polkg changed since it was built (sources: {chosen})")
        build(chosen.path, out, echo=echo)
    elif not store_intact(out):
        return repair(chosen.path, out, echo)
    elif verify_files and not previous_files_intact(out, manifest):
        say(f"the graph files in {out} are not what the build wrote; writing them again")
        build(chosen.path, out, echo=echo)
    return out / STORE_DIR


def repair(sources: Path | None, out: Path, echo: Echo | None = None) -> Path:
    """Rebuild ``out`` with a store loaded anew (its store was found damaged); the store folder."""
    if echo is not None:
        echo(f"the query store in {out} is damaged; rebuilding it")
    build(sources, out, fresh_store=True, echo=echo)
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
