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


def file_digests(root: Path) -> list[tuple[Path, str]]:
    """Every source file with the SHA-256 of its bytes."""
    return [(path, hashlib.sha256(path.read_bytes()).hexdigest()) for path in source_paths(root)]


def combine(root: Path, digests: dict[Path, str]) -> str:
    """The fingerprint of ``root`` from its files' digests."""
    whole = hashlib.sha256()
    for path, digest in sorted(digests.items()):
        whole.update(f"{path.relative_to(root).as_posix()}\0{digest}\0".encode())
    return whole.hexdigest()


def fingerprint(root: Path) -> str:
    """A hash of every source file's path and bytes: equal fingerprints mean equal sources."""
    return combine(root, dict(file_digests(root)))
