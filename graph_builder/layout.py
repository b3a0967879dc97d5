"""The names of the files and folders in a build folder."""

from __future__ import annotations

MANIFEST = "manifest.json"
STORE_DIR = "store"
STORE_FILES = "store-files.json"
TURTLE = "graph.ttl"
NTRIPLES = "graph.nt"
CACHE_DIR = "cache"
