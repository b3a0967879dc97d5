"""The build step: sources -> checked graph -> Turtle, N-Triples and an Oxigraph store, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
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
from graph_builder.layout import default_sources

if TYPE_CHECKING:
    import pyoxigraph

    from graph_builder.graph.units import Span
    from graph_builder.sources.corpus import Corpus
    from graph_builder.store.cache import Cache
    from graph_builder.store.graph_files import Written

from graph_builder.layout import CACHE_DIR, MANIFEST, NTRIPLES, STORE_DIR, STORE_FILES, TURTLE, default_out

__all__ = ["CACHE_DIR", "MANIFEST", "NTRIPLES", "STORE_DIR", "TURTLE", "BuildResult", "build", "ensure_built", "is_current"]

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


def _read_json(path: Path) -> dict[str, object] | None:
    """The JSON object in ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_manifest(out: Path) -> dict[str, object] | None:
    return _read_json(out / MANIFEST)


def is_curated_folder(path: Path) -> bool:
    """True when ``path`` looks like a curated sources folder (it has registry/ and documents/)."""
    return (path / "registry").is_dir() and (path / "documents").is_dir()


@dataclass(frozen=True)
class Sources:
    """The sources folder a command uses (absolute) and why it was chosen, as the user may be told."""

    path: Path
    why: str

    def __str__(self) -> str:
        return f"{self.path} ({self.why})"


Manifest = dict[str, object]


def recorded_sources(out: Path, manifest: Manifest | None = None) -> Path | None:
    """The sources folder the build in ``out`` (whose ``manifest`` may be given, read already) was made from."""
    recorded = (manifest if manifest is not None else read_manifest(out) or {}).get("sources")
    return Path(recorded) if isinstance(recorded, str) and recorded else None


def choose_sources(given: Path | None, out: Path, manifest: Manifest | None = None) -> Sources:
    """The sources folder for a command on build ``out``: ``--sources``, else $POLKG_SOURCES, else the folder
    the build was made from, else ./sources when it is a curated folder, else the bundled sources.

    Only a folder named with ``--sources`` may replace a build made from another folder (``build``
    says so); any other choice that would is a UsageError naming the ways out.
    """
    env = os.environ.get("POLKG_SOURCES")
    recorded = recorded_sources(out, manifest)
    if given is not None:
        chosen = Sources(Path(given).resolve(), "--sources")
    elif env:
        chosen = Sources(Path(env).resolve(), "$POLKG_SOURCES")
    elif recorded is not None:
        return Sources(recorded, f"the folder {out} was built from")
    elif is_curated_folder(Path("sources")):
        chosen = Sources(Path("sources").resolve(), "./sources in the working folder")
    else:
        chosen = Sources(default_sources().resolve(), "the sources bundled with polkg")
    if recorded is not None and recorded != chosen.path and given is None:
        raise UsageError(
            f"{out} was built from {recorded}, not from {chosen.path} ({chosen.why}); "
            f"build into another folder with --out, or rebuild this one from that folder by naming it: "
            f"'polkg build --sources {chosen.path} --out {out}'"
        )
    return chosen


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


_GRAPH_DIGESTS = ((NTRIPLES, "nt_sha256"), (TURTLE, "ttl_sha256"))


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _previous_files_intact(out: Path, manifest: dict[str, object]) -> bool:
    """True when graph.nt and graph.ttl of the previous build are the bytes it wrote (by their SHA-256)."""
    try:
        return all(_sha256(out / name) == manifest.get(key) for name, key in _GRAPH_DIGESTS)
    except OSError:
        return False


def _store_files(store: Path, with_digests: bool, known: dict[str, object] | None = None) -> dict[str, list[object]]:
    """Each file of a store folder: [size, modification time] and, ``with_digests``, its SHA-256.

    A file listed in ``known`` (a previous record, checked) with the same size and time keeps its
    digest there: a snapshot of the previous store hard-links its files, which RocksDB never rewrites.
    """
    files: dict[str, list[object]] = {}
    for path in sorted(store.iterdir()):
        if path.name in ("LOCK", "LOG") or path.name.startswith("LOG.old"):
            continue  # RocksDB's own lock and log, rewritten by the store itself
        info = path.stat()
        entry: list[object] = [info.st_size, info.st_mtime_ns]
        if with_digests:
            old = (known or {}).get(path.name)
            same = isinstance(old, list) and len(old) == 3 and old[:2] == entry
            entry.append(old[2] if same and isinstance(old, list) else _sha256(path))
        files[path.name] = entry
    return files


def _recorded_store_files(out: Path) -> dict[str, object] | None:
    return _read_json(out / STORE_FILES)


def store_intact(out: Path) -> bool:
    """True when the store folder holds the files the build wrote: compared by size and time, and by
    content (SHA-256) only when those differ, so a reading command pays a few stat calls."""
    recorded = _recorded_store_files(out)
    if recorded is None:
        return False
    try:
        found = _store_files(out / STORE_DIR, with_digests=False)
        if found == {name: entry[:2] for name, entry in recorded.items() if isinstance(entry, list)}:
            return True
        hashed = _store_files(out / STORE_DIR, with_digests=True)
    except OSError:
        return False
    return {k: v[2] for k, v in hashed.items()} == {k: v[2] for k, v in recorded.items() if isinstance(v, list) and len(v) == 3}


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
            intact: Future[bool] | None = pool.submit(_previous_files_intact, out, previous) if previous else None
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
            digests = {key: pool.submit(_sha256, tmp / name) for name, key in _GRAPH_DIGESTS}
            seconds["write"] = time.perf_counter() - t
            failpoint("written")

            t = time.perf_counter()
            unit_keys = {unit.name: unit.key for unit in units.units}
            reusable = None if fresh_store else previous
            triples = _fill_store(tmp, out, reusable, rules, cache, unit_keys, ontology_nt, written, checked.corpus)
            lines = written.lines
            seconds["store"] = time.perf_counter() - t
            failpoint("stored")
            store_files = pool.submit(_store_files, tmp / STORE_DIR, True, _recorded_store_files(out) if reusable else None)
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
            stored = json.dumps(store_files.result(), sort_keys=True, separators=(",", ":"))
        (tmp / STORE_FILES).write_text(stored + "\n", encoding="utf-8")
        _fs.permissions(tmp / STORE_FILES, directory=False)
        # one line: indented, the per-unit keys and spans of 10,000 files took 0.2 s to write
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


def _fill_store(
    tmp: Path,
    out: Path,
    previous: dict[str, object] | None,
    rules: str,
    cache: Cache,
    unit_keys: dict[str, str],
    ontology_nt: bytes,
    written: Written,
    corpus: Corpus,
) -> int:
    """Write tmp/store: the previous store plus the changed files' triples when that is safe, else a bulk load.

    Both read the units' N-Triples from the graph.nt just written (``written`` says where each lies).
    """
    import pyoxigraph

    from graph_builder.graph.shapes import check_sparql_constraints

    store = None
    if previous is not None and previous.get("distinct") and previous.get("rules") == rules and store_intact(out):
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
    check_sparql_constraints(store, corpus)
    del store
    return triples


_LOAD_BYTES = 16 << 20


def _bulk_load(store: pyoxigraph.Store, ontology_nt: bytes, nt_file: Path, written: Written) -> None:
    """Load the ontology, then the units from ``nt_file`` in batches of about 16 MB of N-Triples.

    Batches keep the loader's memory small (one 170 MB file in one call took 900 MB and was slower);
    a unit is never split, so its blank nodes (N-Triples labels are local to one load) stay one node each.
    """
    import pyoxigraph

    from graph_builder.store.graph_files import unit_ntriples

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
    from graph_builder.store.graph_files import unit_ntriples

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
    except (OSError, RuntimeError, ValueError):  # a damaged or unreadable store is loaded anew
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
    elif verify_files and not _previous_files_intact(out, manifest):
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
