"""Fingerprint a sources folder cheaply, so a current build is reused without re-reading YAML."""

from __future__ import annotations

import hashlib
from pathlib import Path

REGISTRY_NAMES = ("vocabularies.yaml", "agencies.yaml", "sectors.yaml", "themes.yaml", "zones.yaml", "frameworks.yaml")


def source_paths(root: Path) -> list[Path]:
    """Every file a build of ``root`` reads."""
    paths = [root / "registry" / name for name in REGISTRY_NAMES if (root / "registry" / name).exists()]
    docs = root / "documents"
    if docs.is_dir():
        paths += sorted(docs.glob("*.yaml"))
    return paths


def fingerprint(root: Path) -> str:
    """A hash of every source file's path and bytes: equal fingerprints mean equal sources."""
    digest = hashlib.sha256()
    for path in source_paths(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
