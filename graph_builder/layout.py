"""Where things are: the files and folders of a build folder, and the resources bundled with polkg."""

from __future__ import annotations

import os
from pathlib import Path

MANIFEST = "manifest.json"
STORE_DIR = "store"
STORE_FILES = "store-files.json"
TURTLE = "graph.ttl"
NTRIPLES = "graph.nt"
CACHE_DIR = "cache"


def default_out() -> Path:
    """Where builds go unless --out says otherwise: $POLKG_OUT or ./polkg-out."""
    return Path(os.environ.get("POLKG_OUT") or "polkg-out")


_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def resource_dir(name: str) -> Path:
    """The folder ``name`` (ontology, queries or sources): bundled in the wheel, else the checkout's."""
    for candidate in (_PACKAGE / "_data" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"polkg resource folder '{name}' not found next to {_PACKAGE}; reinstall polkg")


def ontology_file() -> Path:
    return resource_dir("ontology") / "polkg.ttl"


def shapes_file() -> Path:
    return resource_dir("ontology") / "shapes.ttl"


def queries_dir() -> Path:
    return resource_dir("queries")


def default_sources() -> Path:
    return resource_dir("sources")
