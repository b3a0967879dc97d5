"""What a build folder records about itself, and whether its files are still the ones the build wrote."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from graph_builder.layout import MANIFEST, NTRIPLES, STORE_DIR, STORE_FILES, TURTLE

Manifest = dict[str, object]


def read_json(path: Path) -> dict[str, object] | None:
    """The JSON object in ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_manifest(out: Path) -> dict[str, object] | None:
    return read_json(out / MANIFEST)


GRAPH_DIGESTS = ((NTRIPLES, "nt_sha256"), (TURTLE, "ttl_sha256"))


def sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def previous_files_intact(out: Path, manifest: dict[str, object]) -> bool:
    """True when graph.nt and graph.ttl of the previous build are the bytes it wrote (by their SHA-256)."""
    try:
        return all(sha256(out / name) == manifest.get(key) for name, key in GRAPH_DIGESTS)
    except OSError:
        return False


def store_files(store: Path, with_digests: bool, known: dict[str, object] | None = None) -> dict[str, list[object]]:
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
            entry.append(old[2] if same and isinstance(old, list) else sha256(path))
        files[path.name] = entry
    return files


def recorded_store_files(out: Path) -> dict[str, object] | None:
    return read_json(out / STORE_FILES)


def store_intact(out: Path) -> bool:
    """True when the store folder holds the files the build wrote: compared by size and time, and by
    content (SHA-256) only when those differ, so a reading command pays a few stat calls."""
    recorded = recorded_store_files(out)
    if recorded is None:
        return False
    try:
        found = store_files(out / STORE_DIR, with_digests=False)
        if found == {name: entry[:2] for name, entry in recorded.items() if isinstance(entry, list)}:
            return True
        hashed = store_files(out / STORE_DIR, with_digests=True)
    except OSError:
        return False
    return {k: v[2] for k, v in hashed.items()} == {k: v[2] for k, v in recorded.items() if isinstance(v, list) and len(v) == 3}
