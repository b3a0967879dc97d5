"""Build outputs: deterministic bytes, a complete manifest, and reuse of a current build."""

from __future__ import annotations

import json
from pathlib import Path

from graph_builder.layout import default_sources
from graph_builder.store.build import build, ensure_built, is_current


def test_same_sources_same_bytes(tmp_path: Path) -> None:
    first = build(default_sources(), tmp_path / "a")
    second = build(default_sources(), tmp_path / "b")
    for name in ("graph.ttl", "graph.nt", "manifest.json"):
        assert (first.out / name).read_bytes() == (second.out / name).read_bytes(), name
    manifest = json.loads((first.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["triples"] == first.triples > 5000


def test_current_build_is_reused_and_a_change_rebuilds(tmp_path: Path, sources_copy: Path) -> None:
    out = tmp_path / "out"
    build(sources_copy, out)
    stamp = (out / "graph.nt").stat().st_mtime_ns
    ensure_built(sources_copy, out)
    assert (out / "graph.nt").stat().st_mtime_ns == stamp
    themes = sources_copy / "registry" / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8") + "  - {id: extra-theme, label: Extra, definition: A test theme.}\n", encoding="utf-8"
    )
    assert not is_current(out, sources_copy)
    ensure_built(sources_copy, out)
    assert "extra-theme" in (out / "graph.nt").read_text(encoding="utf-8")
