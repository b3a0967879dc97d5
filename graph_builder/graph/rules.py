"""The rules a graph is made by (polkg's version and code, the ontology, the shapes) as one digest."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from graph_builder.sources.files import READER_VERSION


def code_files() -> list[Path]:
    """polkg's own Python files: the code that reads the sources and makes the graph is part of every key."""
    package = Path(__file__).resolve().parent.parent
    return sorted(package.rglob("*.py"), key=lambda path: path.relative_to(package).parts)


@cache
def rules_digest() -> str:
    """What every unit's result also depends on: polkg's version and code, the ontology and the shapes.

    So a changed emitter, or a newer polkg with the same version string, never reuses an older build's work.
    """
    from graph_builder import __version__
    from graph_builder.layout import ontology_file, shapes_file

    digest = hashlib.sha256(f"{__version__}\0{READER_VERSION}".encode())
    package = Path(__file__).resolve().parent.parent
    for path in (ontology_file(), shapes_file(), *code_files()):
        name = path.relative_to(package).as_posix() if path.is_relative_to(package) else path.name
        digest.update(f"{name}\0{len(path.read_bytes())}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
