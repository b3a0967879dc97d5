"""Fingerprint a sources folder cheaply, so a current build is reused without re-reading YAML."""

from __future__ import annotations

import hashlib
from pathlib import Path

REGISTRY_NAMES = ("vocabularies.yaml", "agencies.yaml", "sectors.yaml", "themes.yaml", "zones.yaml", "frameworks.yaml")


def path_order(path: Path) -> tuple[str, ...]:
    """A sort key giving the order of Paths themselves (by parts), without Path's slow comparisons."""
    return path.parts


def source_paths(root: Path) -> list[Path]:
    """Every file a build of ``root`` reads."""
    paths = [root / "registry" / name for name in REGISTRY_NAMES if (root / "registry" / name).exists()]
    docs = root / "documents"
    if docs.is_dir():
        paths += sorted(docs.glob("*.yaml"), key=path_order)
    return paths


def file_digests(root: Path) -> list[tuple[Path, str]]:
    """Every source file with the SHA-256 of its bytes."""
    return [(path, hashlib.sha256(path.read_bytes()).hexdigest()) for path in source_paths(root)]


def combine(root: Path, digests: dict[Path, str]) -> str:
    """The fingerprint of ``root`` from its files' digests."""
    whole = hashlib.sha256()
    for path, digest in sorted(digests.items(), key=lambda item: path_order(item[0])):
        whole.update(f"{path.relative_to(root).as_posix()}\0{digest}\0".encode())
    return whole.hexdigest()


def fingerprint(root: Path) -> str:
    """A hash of every source file's path and bytes: equal fingerprints mean equal sources."""
    return combine(root, dict(file_digests(root)))
