"""Which sources folder a command builds from, and why: --sources, $POLKG_SOURCES, the recorded folder, ./sources, bundled."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from graph_builder.errors import UsageError
from graph_builder.layout import default_sources
from graph_builder.store.manifest import Manifest, read_manifest


def is_curated_folder(path: Path) -> bool:
    """True when ``path`` looks like a curated sources folder (it has registry/ and documents/)."""
    return (path / "registry").is_dir() and (path / "documents").is_dir()


@dataclass(frozen=True)
class Sources:
    """The sources folder a command uses (absolute) and why it was chosen, as the user may be told."""

    path: Path
    why: str

    def __str__(self) -> str:
        return f"{self.path} ({self.why})"


def recorded_sources(out: Path, manifest: Manifest | None = None) -> Path | None:
    """The sources folder the build in ``out`` (whose ``manifest`` may be given, read already) was made from."""
    recorded = (manifest if manifest is not None else read_manifest(out) or {}).get("sources")
    return Path(recorded) if isinstance(recorded, str) and recorded else None


def choose_sources(given: Path | None, out: Path, manifest: Manifest | None = None) -> Sources:
    """The sources folder for a command on build ``out``: ``--sources``, else $POLKG_SOURCES, else the folder
    the build was made from, else ./sources when it is a curated folder, else the bundled sources.

    Only a folder named with ``--sources`` may replace a build made from another folder (``build``
    says so); any other choice that would is a UsageError naming the ways out.
    """
    env = os.environ.get("POLKG_SOURCES")
    recorded = recorded_sources(out, manifest)
    if given is not None:
        chosen = Sources(Path(given).resolve(), "--sources")
    elif env:
        chosen = Sources(Path(env).resolve(), "$POLKG_SOURCES")
    elif recorded is not None:
        return Sources(recorded, f"the folder {out} was built from")
    elif is_curated_folder(Path("sources")):
        chosen = Sources(Path("sources").resolve(), "./sources in the working folder")
    else:
        chosen = Sources(default_sources().resolve(), "the sources bundled with polkg")
    if recorded is not None and recorded != chosen.path and given is None:
        raise UsageError(
            f"{out} was built from {recorded}, not from {chosen.path} ({chosen.why}); "
            f"build into another folder with --out, or rebuild this one from that folder by naming it: "
            f"'polkg build --sources {chosen.path} --out {out}'"
        )
    return chosen
