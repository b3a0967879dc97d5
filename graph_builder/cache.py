"""A content-addressed cache of per-source-file work (parsed YAML, each file's checked graph), kept in the build folder."""

from __future__ import annotations

import marshal
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_DIR = "cache"
_PARSED = "parsed"
_UNITS = "units"


@dataclass(frozen=True)
class UnitEntry:
    """One source file's validated graph: N-Triples and Turtle body, and the outside nodes its check relied on."""

    key: str
    ntriples: bytes
    turtle: bytes
    externals: tuple[str, ...]
    context: str


class Cache:
    """Entries are files named by the hash of what they were made from, so a stale entry is never found.

    A build reads entries from the previous build's cache (``previous``) and writes new ones into
    its own folder (``root``), so a failed build leaves the previous build untouched; ``adopt``
    then moves the entries this build used into ``root`` and drops the rest.
    """

    def __init__(self, root: Path, previous: Path | None = None):
        self.root = Path(root)
        self.previous = Path(previous) if previous is not None else None
        self.used: set[Path] = set()

    def _path(self, kind: str, key: str, root: Path | None = None) -> Path:
        return (root or self.root) / kind / key[:2] / key

    def _read(self, kind: str, key: str) -> bytes | None:
        for root in (self.root, self.previous):
            if root is None:
                continue
            path = self._path(kind, key, root)
            try:
                data = path.read_bytes()
            except OSError:
                continue
            self.used.add(path)
            return data
        return None

    def _write(self, kind: str, key: str, data: bytes) -> None:
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        self.used.add(path)

    def parsed(self, key: str) -> Any | None:
        """The YAML data of a file whose bytes hash to ``key``, if cached."""
        data = self._read(_PARSED, key)
        return marshal.loads(data) if data is not None else None  # noqa: S302 - our own cache files

    def put_parsed(self, key: str, value: Any) -> None:
        self._write(_PARSED, key, marshal.dumps(value))

    def unit(self, key: str, keep: bool = True) -> UnitEntry | None:
        """The cached unit ``key``; with ``keep=False`` reading it does not keep it for the next build."""
        data = self._read(_UNITS, key)
        if not keep and self.previous is not None:
            self.used.discard(self._path(_UNITS, key, self.previous))
        if data is None:
            return None
        try:
            entry = pickle.loads(data)  # noqa: S301 - our own cache files
        except Exception:  # a damaged entry is a miss, not a failure
            return None
        return entry if isinstance(entry, UnitEntry) else None

    def put_unit(self, entry: UnitEntry) -> None:
        self._write(_UNITS, entry.key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))

    def adopt(self) -> None:
        """Make ``root`` hold exactly the entries this build used: its new ones and the previous ones it read.

        Moves files (renames) only; the previous cache folder is emptied of what is kept.
        """
        if self.previous is None or not self.previous.is_dir():
            return
        for path in sorted(self.used):
            if path.is_relative_to(self.previous):
                target = self.root / path.relative_to(self.previous)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target)
