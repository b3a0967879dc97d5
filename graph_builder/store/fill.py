"""The query store: the previous build's store with the changed units' triples swapped, or loaded anew from graph.nt."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from graph_builder.layout import NTRIPLES, STORE_DIR
from graph_builder.store.manifest import store_intact

if TYPE_CHECKING:
    import pyoxigraph

    from graph_builder.sources.corpus import Corpus
    from graph_builder.store.cache import Cache
    from graph_builder.store.graph_files import Written


def fill_store(
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
        triples = len(store) if store is not None else 0  # counting walks every quad: done once
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

    Batches keep the loader's memory small (one whole large file in one call took far more, and was slower);
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
