"""The weekly loop as a person runs it: `polkg` processes in a fresh working folder, relative paths, the default
--out, more than once, with edits, upgrades and a team's own sources; each result compared with a build from nothing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CHECKOUT, assert_clean, build_bytes, copy_sources, edit_title, polkg, polkg_env, same_graph

pytestmark = pytest.mark.slow

TITLE = "Opinions on Promoting the High-quality Development of the Foreign Cultural Trade"


def _titles(ran_json: str) -> set[str]:
    return {row["title"]["value"] for row in json.loads(ran_json)["results"]["bindings"]}


def test_default_out_twice_then_every_reading_command(tmp_path: Path) -> None:
    """`polkg build` twice in a new folder (the default ./polkg-out), then each reading command, twice."""
    work = tmp_path / "work"
    work.mkdir()
    first = polkg("build", cwd=work)
    assert_clean(first)
    # the bundled folder as the code polkg runs (this checkout's, not an installed copy) finds it
    probe = "from graph_builder.layout import default_sources; print(default_sources().resolve())"
    bundled = subprocess.run(
        [sys.executable, "-c", probe],
        env={**polkg_env(), "PYTHONPATH": str(CHECKOUT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert f"sources: {bundled} (the sources bundled with polkg)" in first.out, "no ./sources here"
    second = polkg("build", cwd=work)
    assert_clean(second)
    assert "0 of 6 source units checked" in second.out, "the second build reuses the first one's work"
    fresh = polkg("build", "--out", str(tmp_path / "fresh"), cwd=work)
    assert_clean(fresh)
    same_graph(work / "polkg-out", tmp_path / "fresh")
    for _ in range(2):
        assert_clean(polkg("query", "run", "documents", "--format", "json", cwd=work))
        assert_clean(polkg("sparql", "ASK { ?s ?p ?o }", cwd=work))
        assert_clean(polkg("export", "--format", "n-triples", "-o", "graph-copy.nt", cwd=work))
        assert_clean(polkg("analyze", "--format", "json", cwd=work))
        assert_clean(polkg("views", "--site", "site", cwd=work))
    assert (work / "graph-copy.nt").read_bytes() == (work / "polkg-out" / "graph.nt").read_bytes()
    leftovers = [p.name for p in work.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert leftovers == [], "no temporary folder is left behind"


def test_relative_polkg_out_and_edit_in_working_folder_sources(tmp_path: Path) -> None:
    """A working folder holding a curated ./sources is used before the bundled copy; an edit shows at once."""
    work = tmp_path / "work"
    work.mkdir()
    copy_sources(work / "sources")
    env = polkg_env(POLKG_OUT="builds/current")
    built = polkg("build", cwd=work, env=env)
    assert_clean(built)
    assert f"sources: {(work / 'sources').resolve()} (./sources in the working folder)" in built.out
    assert TITLE in _titles(polkg("query", "run", "documents", "--format", "json", cwd=work, env=env).out)

    edit_title(work / "sources", TITLE, "Opinions on Foreign Cultural Trade, as edited")
    answer = polkg("query", "run", "documents", "--format", "json", cwd=work, env=env)
    assert_clean(answer)
    assert "Opinions on Foreign Cultural Trade, as edited" in _titles(answer.out)
    assert "rebuilding builds/current" in answer.err, "a rebuild is said, on stderr"
    assert_clean(polkg("build", "--out", str(tmp_path / "fresh"), "--sources", "sources", cwd=work))
    same_graph(work / "builds" / "current", tmp_path / "fresh")


def test_team_sources_outside_the_checkout_are_remembered(tmp_path: Path) -> None:
    """After `build --sources ../team --out b`, commands on b use ../team; another folder is refused, never swapped in."""
    work = tmp_path / "work"
    work.mkdir()
    team = copy_sources(tmp_path / "team")
    built = polkg("build", "--sources", "../team", "--out", "b", cwd=work)
    assert_clean(built)
    assert f"sources: {team.resolve()} (--sources)" in built.out
    manifest = json.loads((work / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sources"] == str(team.resolve()), "the build records the absolute sources folder"

    edit_title(team, TITLE, "Team title")
    answer = polkg("query", "run", "documents", "--out", "b", "--format", "json", cwd=work)
    assert_clean(answer)
    assert "Team title" in _titles(answer.out), "the build's own sources are used, not the bundled copy"

    other = copy_sources(tmp_path / "other")
    before = build_bytes(work / "b")
    for args in (("query", "run", "documents", "--out", "b"), ("build", "--out", "b")):
        refused = polkg(*args, cwd=work, env=polkg_env(POLKG_SOURCES=str(other)))
        assert_clean(refused, 2)
        assert f"was built from {team.resolve()}" in refused.err and f"--sources {other.resolve()}" in refused.err, refused.err
        assert build_bytes(work / "b") == before
    replaced = polkg("build", "--out", "b", "--sources", str(other), cwd=work)
    assert_clean(replaced)
    assert f"note: b was built from {team.resolve()}; it is now built from {other.resolve()} (--sources)" in replaced.err
    assert TITLE in _titles(polkg("query", "run", "documents", "--out", "b", "--format", "json", cwd=work).out)

    shutil.rmtree(other)
    gone = polkg("query", "run", "documents", "--out", "b", cwd=work)
    assert_clean(gone)
    assert "no longer exists" in gone.err, "a build whose sources folder has gone is read as it is, and said so"


def _upgraded_copy(target: Path) -> Path:
    """A copy of polkg whose emitter writes something else (a newer polkg with the same version string)."""
    for folder in ("graph_builder", "ontology", "queries", "sources"):
        shutil.copytree(CHECKOUT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "_data"))
    emit = target / "graph_builder" / "graph" / "emit.py"
    text = emit.read_text(encoding="utf-8")
    old = "self.add(node, DCTERMS.identifier, Literal(doc.id))"
    assert text.count(old) == 1
    emit.write_text(text.replace(old, old + '\n        self.add(node, RDFS.comment, Literal("made by the upgraded emitter"))'))
    return target


def test_upgrade_with_the_same_version_rebuilds(tmp_path: Path) -> None:
    """Code that makes the graph differently never reuses an older build's work, whatever the version says."""
    work = tmp_path / "work"
    work.mkdir()
    sources = copy_sources(tmp_path / "team")
    assert_clean(polkg("build", "--sources", str(sources), cwd=work))
    upgraded = _upgraded_copy(tmp_path / "upgraded")
    rebuilt = polkg("build", cwd=work, pythonpath=upgraded)
    assert_clean(rebuilt)
    assert "6 of 6 source units checked" in rebuilt.out, rebuilt.out
    assert b"made by the upgraded emitter" in (work / "polkg-out" / "graph.nt").read_bytes()
    ask = polkg("sparql", 'ASK { ?d rdfs:comment "made by the upgraded emitter" }', cwd=work, pythonpath=upgraded)
    assert ask.out.strip() == "true", "the store is the upgraded one too"
    assert_clean(polkg("build", "--sources", str(sources), "--out", str(tmp_path / "fresh"), cwd=work, pythonpath=upgraded))
    same_graph(work / "polkg-out", tmp_path / "fresh")
    # and back: the older code's reading commands rebuild rather than serve the newer graph
    back = polkg("sparql", 'ASK { ?d rdfs:comment "made by the upgraded emitter" }', cwd=work)
    assert_clean(back)
    assert back.out.strip() == "false" and "rebuilding" in back.err


def test_readme_first_command_twice(tmp_path: Path) -> None:
    """README's first command, exactly as written, run twice in a copy of the checkout."""
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```bash\n(.+?)\n```", readme, flags=re.DOTALL)
    assert command, "README starts with a bash block"
    copy = tmp_path / "clone"
    shutil.copytree(
        CHECKOUT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "polkg-out", "polkg-views", "__pycache__", "*.egg-info")
    )
    # pip installs from this machine's package index as CI does; the first run leaves a .venv the second reuses
    for run in range(2):
        done = subprocess.run(
            ["bash", "-c", command.group(1)], cwd=copy, env=polkg_env(), capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, f"run {run + 1}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stderr
        assert (copy / "polkg-views" / "index.html").is_file()
    assert f"sources: {(copy / 'sources').resolve()} (the folder polkg-out was built from)" in done.stdout, (
        "the clone's own sources are used, not the copy pip installed"
    )


def test_views_and_exports_are_the_same_bytes_in_every_process(tmp_path: Path) -> None:
    """Two runs differ only in Python's hash seed: the site and every export format must be byte-identical
    (the agency panel listed provenance in set order, and JSON-LD gave blank nodes random ids)."""
    from graph_builder.publish import formats

    built = polkg("build", "--out", "b", cwd=tmp_path)
    assert_clean(built)
    names = formats.names()
    assert "json-ld" in names
    runs = []
    for seed in ("1", "2"):
        site = tmp_path / f"site-{seed}"
        env = polkg_env(PYTHONHASHSEED=seed)
        assert_clean(polkg("views", "--build", "b", "--site", site.name, cwd=tmp_path, env=env))
        for name in names:
            assert_clean(
                polkg("export", "--out", "b", "--format", name, "-o", f"{site.name}/export.{name}", cwd=tmp_path, env=env)
            )
        runs.append({p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()})
    assert len(runs[0]) >= 5 + len(names) and runs[0].keys() == runs[1].keys()
    assert [name for name in runs[0] if runs[0][name] != runs[1][name]] == []
