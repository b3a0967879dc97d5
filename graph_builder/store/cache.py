"""A content-addressed cache of per-source-file work (parsed YAML, each file's checked graph), kept in the build folder."""

from __future__ import annotations

import hashlib
import marshal
import shutil
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph_builder.graph.units import UnitEntry, UnitMeta
from graph_builder.layout import CACHE_DIR

DATABASE = "cache.sqlite"
_FORMAT = "2"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- the small columns of graphs come first: SQLite reads a long row's overflow pages to reach later columns
CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, digest TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS graphs (key TEXT PRIMARY KEY, externals BLOB NOT NULL, context TEXT NOT NULL,
                                   digest TEXT NOT NULL, ntriples BLOB NOT NULL, turtle BLOB NOT NULL);
"""

__all__ = ["CACHE_DIR", "DATABASE", "Cache", "UnitEntry", "UnitMeta"]


def _digest(*parts: bytes) -> str:
    """What an entry's bytes hash to: an entry that no longer does is damaged, and is not used."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _unit_digest(entry: UnitEntry) -> str:
    return _digest(entry.ntriples, entry.turtle, marshal.dumps(entry.externals), entry.context.encode())


class Cache:
    """One SQLite file of entries keyed by the hash of what they were made from, so a stale entry is never found.

    A build reads the previous build's cache file (``previous``, read-only) and keeps its own new
    entries in memory; ``adopt``, once the build has succeeded, copies that file into ``root``, adds
    the new entries and drops every entry this build did not use. A failed build changes nothing.
    One file, not one per source file: at 10,000 files, creating and renaming 20,000 small files
    took seconds on its own. Entries are used only when made under the same ``rules`` (polkg's
    code, ontology and shapes) and when their bytes still hash to the digest stored with them.
    """

    def __init__(self, root: Path, previous: Path | None = None, rules: str = ""):
        self.root = Path(root)
        self.rules = rules
        self.previous = Path(previous).resolve() / DATABASE if previous is not None else None
        self.db: sqlite3.Connection | None = None
        self._copying = threading.Lock()
        self._copied = False
        if self.previous is not None and self.previous.is_file():
            try:
                self.db = sqlite3.connect(f"{self.previous.as_uri()}?mode=ro", uri=True)
                meta = dict(self.db.execute("SELECT name, value FROM meta").fetchall())
                self.db.execute("SELECT parsed.digest, graphs.digest FROM parsed, graphs WHERE 0")
                if meta.get("format") != _FORMAT or meta.get("rules") != rules:
                    self.close()  # made by other code: nothing in it can be trusted to be what this code would make
            except sqlite3.Error:  # a damaged cache is a cold start, not a failure
                self.close()
        self.new_parsed: dict[str, bytes] = {}
        self.new_units: dict[str, UnitEntry] = {}
        self.used: dict[str, set[str]] = {"parsed": set(), "units": set()}

    def _rows(self, statement: str, keys: set[str]) -> Iterable[tuple[Any, ...]]:
        if self.db is None:
            return ()
        try:
            if len(keys) < 100:
                return [row for key in keys for row in self.db.execute(statement + " WHERE key = ?", (key,))]
            return self.db.execute(statement).fetchall()
        except sqlite3.Error:
            return ()

    def parsed_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The YAML data of the files whose bytes hash to ``keys``, for those cached."""
        wanted = set(keys)
        found = {key: marshal.loads(data) for key, data in self.new_parsed.items() if key in wanted}  # noqa: S302
        for key, digest, data in self._rows("SELECT key, digest, data FROM parsed", wanted - found.keys()):
            if key in wanted and digest == _digest(data):
                try:
                    found[key] = marshal.loads(data)  # noqa: S302 - our own cache file, its digest checked
                except (ValueError, EOFError, TypeError):
                    continue
        self.used["parsed"] |= found.keys()
        return found

    def put_parsed(self, items: dict[str, Any]) -> None:
        self.new_parsed.update((key, marshal.dumps(value)) for key, value in items.items())
        self.used["parsed"] |= items.keys()

    def units(self, keys: Iterable[str], keep: bool = True) -> dict[str, UnitEntry]:
        """The cached units among ``keys``; with ``keep=False`` reading them does not keep them for the next build."""
        wanted = set(keys)
        found = {key: entry for key, entry in self.new_units.items() if key in wanted}
        for key, digest, ntriples, turtle, externals, context in self._rows(
            "SELECT key, digest, ntriples, turtle, externals, context FROM graphs", wanted - found.keys()
        ):
            if key not in wanted:
                continue
            try:
                entry = UnitEntry(key, ntriples, turtle, marshal.loads(externals), context)  # noqa: S302
            except (ValueError, EOFError, TypeError):
                continue
            if _unit_digest(entry) == digest:
                found[key] = entry
        if keep:
            self.used["units"] |= found.keys()
        return found

    def unit_meta(self, keys: Iterable[str]) -> dict[str, UnitMeta]:
        """The key, externals and context of the cached units among ``keys``, without their (large) graphs."""
        wanted = set(keys)
        found = {key: UnitMeta(key, e.externals, e.context) for key, e in self.new_units.items() if key in wanted}
        for key, externals, context in self._rows("SELECT key, externals, context FROM graphs", wanted - found.keys()):
            if key in wanted:
                try:
                    found[key] = UnitMeta(key, marshal.loads(externals), context)  # noqa: S302 - checked with its graph
                except (ValueError, EOFError, TypeError):
                    continue
        self.used["units"] |= found.keys()
        return found

    def unit(self, key: str, keep: bool = True) -> UnitEntry | None:
        return self.units([key], keep).get(key)

    def put_units(self, entries: Iterable[UnitEntry]) -> None:
        for entry in entries:
            self.new_units[entry.key] = entry
            self.used["units"].add(entry.key)

    def copy_previous(self) -> None:
        """Copy the previous cache file into ``root`` (once; ``adopt`` works on the copy, so the previous build's
        file stays as it was). The copy frees the GIL: a build starts it beside its other work."""
        with self._copying:
            if self._copied or self.db is None or self.previous is None:
                return
            self.root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.previous, self.root / DATABASE)
            self._copied = True

    def adopt(self) -> None:
        """Write ``root``'s cache file: the copy of the previous file, plus this build's new entries, less what
        it did not use."""
        self.copy_previous()
        self.close()
        target = self.root / DATABASE
        self.root.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(target, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            target.unlink()
            db = sqlite3.connect(target, isolation_level=None)
            db.executescript(_SCHEMA)
        try:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", (("format", _FORMAT), ("rules", self.rules)))
            db.executemany(
                "INSERT OR REPLACE INTO parsed VALUES (?, ?, ?)", ((k, _digest(v), v) for k, v in self.new_parsed.items())
            )
            db.executemany(
                "INSERT OR REPLACE INTO graphs VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (e.key, marshal.dumps(e.externals), e.context, _unit_digest(e), e.ntriples, e.turtle)
                    for e in self.new_units.values()
                ),
            )
            used = ((kind, key) for kind, keys in self.used.items() for key in keys)
            db.execute("CREATE TEMP TABLE keep (kind TEXT, key TEXT, PRIMARY KEY (kind, key))")
            db.executemany("INSERT INTO keep VALUES (?, ?)", used)
            db.execute("DELETE FROM parsed WHERE key NOT IN (SELECT key FROM keep WHERE kind = 'parsed')")
            db.execute("DELETE FROM graphs WHERE key NOT IN (SELECT key FROM keep WHERE kind = 'units')")
            db.execute("COMMIT")
        finally:
            db.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
