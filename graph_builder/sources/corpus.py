"""The checked sources of one folder (``Corpus``) and each file's way back to its lines (``Loaded``, ``line_of``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_builder.errors import SourceError
from graph_builder.sources import model
from graph_builder.sources.yamlio import LineMap, load_yaml


class Loaded:
    """A parsed file and, to point at its fields, its line map (read again on demand for a cached file)."""

    def __init__(self, path: Path, lines: LineMap | None):
        self.path = path
        self._lines = lines

    def at(self, *loc: Any) -> int | None:
        if self._lines is None:
            _, self._lines = load_yaml(self.path)
        return self._lines.line(tuple(loc))


@dataclass
class Corpus:
    """All curated sources of one folder, parsed and cross-checked."""

    root: Path
    vocab: model.Vocabularies
    agencies: model.AgencyRegistry
    sectors: model.SectorRegistry
    themes: model.ThemeRegistry
    zones: model.ZoneRegistry
    frameworks: model.FrameworkRegistry
    files: list[tuple[Path, model.DocumentFile]] = field(default_factory=list)
    fingerprint: str = ""
    digests: dict[Path, str] = field(default_factory=dict)
    skipped: list[Path] = field(default_factory=list)  # hidden entries not read (see fingerprint.source_paths)

    def scheme(self, scheme_id: str) -> dict[str, model.Concept]:
        for scheme in self.vocab.schemes:
            if scheme.id == scheme_id:
                return {c.id: c for c in scheme.concepts}
        return {}

    def documents(self) -> Iterator[tuple[model.DocumentFile, model.Document]]:
        for _, doc_file in self.files:
            for doc in doc_file.documents:
                yield doc_file, doc


def line_of(path: Path, loc: tuple[Any, ...]) -> int | None:
    """The line of location ``loc`` in source file ``path`` (None when the file cannot be read again)."""
    try:
        return Loaded(path, None).at(*loc)
    except SourceError:
        return None
