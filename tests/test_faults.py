"""The build folder under faults, with real processes: kill -9 at every step and at random moments, two builds at
once, a full disk, read-only and permission-denied folders, corrupted cache, graph and store files, the umask."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import assert_clean, build_bytes, copy_sources, edit_title, polkg, polkg_env, same_graph

pytestmark = pytest.mark.slow

TITLE = "Opinions on Promoting the High-quality Development of the Foreign Cultural Trade"
STEPS_BEFORE_SWAP = ("checked", "written", "stored", "cached")


@pytest.fixture
def loop(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A working folder with a build of a team's sources in it, the sources edited since, and a fresh build of the edit."""
    work = tmp_path / "work"
    work.mkdir()
    sources = copy_sources(work / "sources")
    assert_clean(polkg("build", cwd=work))
    edit_title(sources, TITLE, "Edited title")
    fresh = tmp_path / "fresh"
    assert_clean(polkg("build", "--sources", str(sources), "--out", str(fresh), cwd=work))
    return work, work / "polkg-out", fresh


def _holds_a_build(files: Iterable[Path]) -> bool:
    """The files of a build folder (paths relative to it) include its graph files, manifest, cache and store."""
    names = {path.as_posix() for path in files}
    return {"graph.nt", "graph.ttl", "manifest.json", "cache/cache.sqlite", "store/CURRENT"} <= names


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


@pytest.mark.parametrize("step", [*STEPS_BEFORE_SWAP, "swap"])
def test_kill_at_each_step_leaves_a_whole_build(loop: tuple[Path, Path, Path], step: str) -> None:
    work, out, fresh = loop
    before = build_bytes(out)
    killed = polkg("build", cwd=work, env=polkg_env(POLKG_FAILPOINT=f"{step}:kill"))
    assert killed.code == -9, str(killed)
    if step == "swap":
        same_graph(out, fresh)  # the new build is in place; the old one waits beside it to be removed
    else:
        assert build_bytes(out) == before, "the previous build is untouched"
    again = polkg("build", cwd=work)
    assert_clean(again)
    same_graph(out, fresh)
    assert _leftovers(work) == [], "the next build removes what the killed one left"


def test_kill_at_random_moments(loop: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """kill -9 at 12 seeded random moments of builds that alternate between two versions of the sources."""
    work, out, _ = loop
    rng = random.Random(12)
    command = [sys.executable, "-m", "graph_builder.cli", "build"]
    for attempt in range(12):
        title = ("Edited title", "Edited again") if attempt % 2 else ("Edited again", "Edited title")
        text = (work / "sources" / "documents" / "opinions-2022.yaml").read_text(encoding="utf-8")
        if title[0] in text:
            edit_title(work / "sources", title[0], title[1])
        process = subprocess.Popen(command, cwd=work, env=polkg_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 2.5))
        process.kill()
        process.wait(timeout=60)
        assert (out / "manifest.json").is_file(), f"attempt {attempt}: a whole build is in place"
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        for name, key in (("graph.nt", "nt_sha256"), ("graph.ttl", "ttl_sha256")):
            digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
            assert digest == manifest[key], f"attempt {attempt}: {name} is the one its manifest describes"
        ran = polkg("query", "run", "documents", "--format", "json", cwd=work)
        assert_clean(ran)
    assert_clean(polkg("build", cwd=work))
    assert_clean(polkg("build", "--sources", "sources", "--out", str(tmp_path / "last"), cwd=work))
    same_graph(out, tmp_path / "last")


def test_two_at_a_time_are_serialised(loop: tuple[Path, Path, Path]) -> None:
    work, out, fresh = loop
    command = [sys.executable, "-m", "graph_builder.cli", "build"]
    waited = 0
    for _ in range(3):
        processes = [
            subprocess.Popen(command, cwd=work, env=polkg_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        for process in processes:
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0 and "Traceback" not in stderr, stderr
            waited += "waiting for another polkg process" in stderr
        same_graph(out, fresh)
    assert waited >= 1, "a build that has to wait says so"


@pytest.mark.parametrize("step", ["written", "cached"])
def test_injected_full_disk(loop: tuple[Path, Path, Path], step: str) -> None:
    work, out, _ = loop
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "LOCK"}
    assert _holds_a_build(before), sorted(before)
    ran = polkg("build", cwd=work, env=polkg_env(POLKG_FAILPOINT=f"{step}:enospc"))
    assert_clean(ran, 9)
    assert ran.err.strip().splitlines() == [f"error: cannot write the build into polkg-out: the disk is full ({step})"]
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "LOCK"}
    assert after == before, "the previous build, its cache included, is unchanged"
    assert _leftovers(work) == []


@contextmanager
def _mounted(folder: Path, options: str) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_real_full_disk(loop: tuple[Path, Path, Path], tmp_path: Path) -> None:
    work, out, _ = loop
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    with _mounted(tmp_path / "small", f"size={size * 3 // 2}") as disk:
        assert_clean(polkg("build", "--out", str(disk / "b"), cwd=work, env=polkg_env(POLKG_SOURCES=str(work / "sources"))))
        before = {p.relative_to(disk): p.read_bytes() for p in (disk / "b").rglob("*") if p.is_file() and p.name != "LOCK"}
        assert _holds_a_build({path.relative_to("b") for path in before}), sorted(before)
        edit_title(work / "sources", "Edited title", "Edited once more")
        ran = polkg("build", "--out", str(disk / "b"), cwd=work, env=polkg_env(POLKG_SOURCES=str(work / "sources")))
        assert_clean(ran, 9)
        assert "the disk is full" in ran.err and len(ran.err.strip().splitlines()) == 1, ran.err
        after = {p.relative_to(disk): p.read_bytes() for p in (disk / "b").rglob("*") if p.is_file() and p.name != "LOCK"}
        assert after == before


def test_read_only_and_permission_denied(loop: tuple[Path, Path, Path], tmp_path: Path) -> None:
    work, _, _ = loop
    with _mounted(tmp_path / "ro", "ro,size=1M") as read_only:
        ran = polkg("build", "--out", str(read_only / "b"), cwd=work)
        assert_clean(ran, 9)
        assert "read-only" in ran.err and len(ran.err.strip().splitlines()) == 1, ran.err
    locked = tmp_path / "locked"
    locked.mkdir()
    chattr = subprocess.run(["chattr", "+i", str(locked)], capture_output=True, check=False)
    if chattr.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {chattr.stderr.decode().strip()}")
    try:
        ran = polkg("build", "--out", str(locked / "b"), cwd=work)
        assert_clean(ran, 9)
        assert "permission denied" in ran.err, ran.err  # EPERM and EACCES are both said in these words
        assert len(ran.err.strip().splitlines()) == 1
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=False)


def _flip_same_size(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    path.write_bytes(data.replace(old, new, 1))


def test_same_size_edit_of_graph_nt_is_not_copied(loop: tuple[Path, Path, Path]) -> None:
    work, out, fresh = loop
    _flip_same_size(out / "graph.nt", b"Ministry of Commerce", b"Ministry of Kommerce")
    assert_clean(polkg("build", cwd=work))
    same_graph(out, fresh)
    _flip_same_size(out / "graph.nt", b"Ministry of Commerce", b"Ministry of Kommerce")
    exported = polkg("export", "--format", "n-triples", cwd=work)
    assert_clean(exported)
    assert "Kommerce" not in exported.out and "not what the build wrote" in exported.err


def test_edited_cache_entry_is_not_used(loop: tuple[Path, Path, Path]) -> None:
    work, out, fresh = loop
    assert_clean(polkg("build", "--sources", "sources", "--out", str(out), cwd=work))  # the cache now holds the edit
    database = out / "cache" / "cache.sqlite"
    db = sqlite3.connect(database)
    rows = db.execute("SELECT key, ntriples, turtle FROM graphs").fetchall()
    assert rows, "the cache holds unit graphs"
    edited = 0
    for key, ntriples, turtle in rows:
        if b"Ministry of Commerce" in ntriples:
            db.execute(
                "UPDATE graphs SET ntriples = ?, turtle = ? WHERE key = ?",
                (ntriples.replace(b"of Commerce", b"of Kommerce"), turtle.replace(b"of Commerce", b"of Kommerce"), key),
            )
            edited += 1
    db.commit()
    db.close()
    assert edited
    (out / "graph.ttl").write_bytes((out / "graph.ttl").read_bytes() + b"\n")  # so units come from the cache
    assert_clean(polkg("build", cwd=work))
    same_graph(out, fresh)
    labels = polkg("query", "run", "document-issuers", "-p", "doc=opinions-2022", "--format", "csv", cwd=work)
    assert "Ministry of Commerce" in labels.out and "Kommerce" not in labels.out


@pytest.mark.parametrize("damage", ["sst", "current"])
def test_damaged_store_is_rebuilt(loop: tuple[Path, Path, Path], damage: str) -> None:
    work, out, fresh = loop
    assert_clean(polkg("build", cwd=work))
    store = out / "store"
    if damage == "sst":
        tables = sorted(store.glob("*.sst"))
        assert tables, f"the store in {store} has no .sst table to damage"
        target = max(tables, key=lambda p: p.stat().st_size)
        data = bytearray(target.read_bytes())
        for i in range(1000, len(data) - 2000, 7):
            data[i] ^= 0xFF
        target.write_bytes(bytes(data))
    else:
        (store / "CURRENT").write_text("MANIFEST-999999\n")
    ran = polkg("query", "run", "documents", "--format", "json", cwd=work)
    assert_clean(ran)
    assert "damaged; rebuilding" in ran.err
    assert "Edited title" in ran.out
    same_graph(out, fresh)
    assert_clean(polkg("query", "run", "documents", cwd=work))


@pytest.mark.parametrize("damage", ["manifest", "cache"])
def test_damaged_manifest_or_cache_gives_a_fresh_build(loop: tuple[Path, Path, Path], damage: str) -> None:
    work, out, fresh = loop
    if damage == "manifest":
        (out / "manifest.json").write_text('{"units": [1, 2], "spans": "x", "polkg": 3')
    else:
        (out / "cache" / "cache.sqlite").write_bytes(b"not a database" * 100)
    ran = polkg("build", "--sources", "sources", cwd=work)
    assert_clean(ran)
    same_graph(out, fresh)


def test_folders_and_files_follow_the_umask(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for umask, folder_mode, file_mode in ((0o022, 0o755, 0o644), (0o027, 0o750, 0o640)):
        out = f"out-{umask:o}"

        def run(*args: str, umask: int = umask) -> None:
            done = subprocess.run(
                [sys.executable, "-m", "graph_builder.cli", *args],
                cwd=work,
                env=polkg_env(),
                umask=umask,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr

        run("build", "--out", out)
        run("export", "--out", out, "-o", f"{out}.ttl")
        run("views", "--build", out, "--site", f"site-{umask:o}")
        assert (work / out).stat().st_mode & 0o777 == folder_mode
        assert (work / out / "cache").stat().st_mode & 0o777 == folder_mode
        assert (work / out / "manifest.json").stat().st_mode & 0o777 == file_mode
        assert (work / out / "graph.nt").stat().st_mode & 0o777 == file_mode
        assert (work / f"{out}.ttl").stat().st_mode & 0o777 == file_mode
        assert (work / f"site-{umask:o}").stat().st_mode & 0o777 == folder_mode


def test_recover_puts_back_a_build_moved_aside(tmp_path: Path) -> None:
    """Where folders cannot be exchanged in one step, a kill between the two renames leaves the old build aside:
    the next build (or reading command, which builds through the same lock) puts it back before anything else."""
    from graph_builder._fs import recover

    old = tmp_path / ".out.old-abc"
    old.mkdir()
    (old / "manifest.json").write_text("{}")
    unfinished = tmp_path / ".out.tmp-def"
    unfinished.mkdir()
    (unfinished / "graph.nt").write_text("")
    recover(tmp_path / "out", "manifest.json")
    assert (tmp_path / "out" / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
