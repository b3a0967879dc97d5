"""Seeded, bounded fuzzing of the source loader: mutated copies of fixtures/valid/minimal always give a clean result.

Each example applies one to three mutations (a deleted key, a value of the wrong type, an unknown or
duplicated id, an impossible date, random bytes or another encoding, a symbolic link, an anchor and
alias, a duplicated line or key, a huge value or file, an odd entry in documents/). In process,
``load_sources`` either returns or raises SourceError whose every Problem names a file; run as a real
``polkg build`` into a folder holding a previous build, it exits 0 or 2, never with a traceback, and
on 2 leaves the previous build's files byte-identical.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import FIXTURES, polkg
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from graph_builder.errors import Problem, SourceError
from graph_builder.sources.files import MAX_FILE_BYTES, fingerprint, source_paths
from graph_builder.sources.load import load_sources
from graph_builder.sources.yamlio import MAX_SCALAR_CHARS, load_data

MINIMAL = FIXTURES / "valid" / "minimal"
FILES = sorted(path.relative_to(MINIMAL).as_posix() for path in MINIMAL.rglob("*.yaml"))
DOCUMENTS = [name for name in FILES if name.startswith("documents/")]
OUTPUTS = ("graph.nt", "graph.ttl", "manifest.json")
IN_PROCESS_EXAMPLES = 500
PROCESS_EXAMPLES = 20

Draw = Callable[..., Any]


def test_the_fuzzed_fixture_is_found() -> None:
    assert len(FILES) == 8 and len(DOCUMENTS) == 2


# ------------------------------------------------------------------ structure of a parsed file
def _locations(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location path in ``data`` (mapping keys and list items), parents before children."""
    found: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append((*path, key))
        found.extend(_locations(value, (*path, key)))
    return found


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _delete(data: Any, path: tuple[Any, ...]) -> None:
    for key in path[:-1]:
        data = data[key]
    del data[path[-1]]


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


WRONG_VALUES = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.sampled_from(["", "010", "0x1F", "12:30", "yes", "no", "1.10", "~", "null", "<<", "=", "-", "a, b"]),
)
DATES = st.one_of(
    st.sampled_from(
        ["2023-02-30", "0000-00-00", "9999-99-99", "2023-13", "20230101", "２０２３-11-16", "٢٠٢٣-١١-١٦", "2023-1-1", "", "-1"]
    ),
    st.text(max_size=12),
    st.dates().map(str),
)
ID_KEYS = {"id", "lead", "co", "agencies", "mentions", "themes", "sectors", "zones", "frameworks", "kind", "type", "later"}


# ------------------------------------------------------------------ mutations (each edits the folder in place)
def _structured(root: Path, draw: Draw, edit: Callable[[Any, list[tuple[Any, ...]], Draw], None]) -> None:
    path = root / draw(st.sampled_from(FILES))
    data = load_data(path)
    locations = _locations(data)
    if locations:
        edit(data, locations, draw)
        _dump(path, data)


def delete_key(root: Path, draw: Draw) -> None:
    def edit(data: Any, locations: list[tuple[Any, ...]], draw: Draw) -> None:
        _delete(data, draw(st.sampled_from(locations)))

    _structured(root, draw, edit)


def wrong_type(root: Path, draw: Draw) -> None:
    def edit(data: Any, locations: list[tuple[Any, ...]], draw: Draw) -> None:
        _set(data, draw(st.sampled_from(locations)), draw(WRONG_VALUES))

    _structured(root, draw, edit)


def unknown_id(root: Path, draw: Draw) -> None:
    def edit(data: Any, locations: list[tuple[Any, ...]], draw: Draw) -> None:
        ids = [loc for loc in locations if any(key in ID_KEYS for key in loc if isinstance(key, str))]
        if ids:
            _set(data, draw(st.sampled_from(ids)), draw(st.one_of(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), st.text())))

    _structured(root, draw, edit)


def impossible_date(root: Path, draw: Draw) -> None:
    def edit(data: Any, locations: list[tuple[Any, ...]], draw: Draw) -> None:
        dates = [loc for loc in locations if loc[-1] in ("date", "published", "established")]
        if dates:
            _set(data, draw(st.sampled_from(dates)), draw(DATES))

    _structured(root, draw, edit)


def duplicate_ids(root: Path, draw: Draw) -> None:
    source = root / draw(st.sampled_from(DOCUMENTS))
    shutil.copyfile(source, root / "documents" / f"copy-{draw(st.integers(0, 9))}.yaml")


def random_bytes(root: Path, draw: Draw) -> None:
    path = root / draw(st.sampled_from(FILES))
    data = path.read_bytes()
    how = draw(st.sampled_from(["overwrite", "insert", "truncate", "encode"]))
    at = draw(st.integers(0, len(data)))
    if how == "overwrite":
        junk = draw(st.binary(min_size=1, max_size=16))
        data = data[:at] + junk + data[at + len(junk) :]
    elif how == "insert":
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    elif how == "truncate":
        data = data[:at]
    else:
        encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "gbk", "latin-1", "utf-8-sig", "utf-32"]))
        data = data.decode("utf-8").encode(encoding, errors="replace")
    path.write_bytes(data)


def symlink(root: Path, draw: Draw) -> None:
    target = draw(
        st.sampled_from(["dangling", "loop", "self", "folder", "devnull", "document", "registry-dangling", "registry-folder"])
    )
    link = root / "documents" / draw(st.sampled_from(["link.yaml", "link.yml", "zz.yaml"]))
    if target == "dangling":
        link.symlink_to(root / "nowhere.yaml")
    elif target == "loop":
        link.symlink_to(link.with_name("other.yaml"))
        link.with_name("other.yaml").symlink_to(link)
    elif target == "self":
        link.symlink_to(link)
    elif target == "folder":
        link.symlink_to(root / "registry", target_is_directory=True)
    elif target == "devnull":
        link.symlink_to(os.devnull)
    elif target == "document":
        link.symlink_to(root / draw(st.sampled_from(DOCUMENTS)))
    else:
        registry = root / draw(st.sampled_from([name for name in FILES if name.startswith("registry/")]))
        registry.unlink()
        if target == "registry-dangling":
            registry.symlink_to(root / "gone.yaml")
        else:
            registry.symlink_to(root / "documents", target_is_directory=True)


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{x}: &{x} [{','.join([f'*{p}'] * 9)}]\n" for p, x in zip("abcdefgh", "bcdefghi", strict=True)
)


def anchors(root: Path, draw: Draw) -> None:
    path = root / draw(st.sampled_from(FILES))
    if draw(st.booleans()):
        (path if draw(st.booleans()) else root / "documents" / "lol.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    values = [i for i, line in enumerate(lines) if ": " in line and not line.rstrip().endswith(":")]
    if len(values) < 2:
        return
    first, second = sorted(draw(st.lists(st.sampled_from(values), min_size=2, max_size=2, unique=True)))
    key, _, value = lines[first].partition(": ")
    lines[first] = f"{key}: &x {value}"
    key, _, _ = lines[second].partition(": ")
    lines[second] = f"{key}: *x\n"
    path.write_text("".join(lines), encoding="utf-8")


def line_edit(root: Path, draw: Draw) -> None:
    path = root / draw(st.sampled_from(FILES))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if not lines:
        return
    at = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["duplicate", "delete", "insert", "indent", "dedent"]))
    if how == "duplicate":  # often a duplicate key
        lines.insert(at, lines[at])
    elif how == "delete":
        del lines[at]
    elif how == "insert":
        lines.insert(at, draw(st.text(max_size=30)).replace("\r", "") + "\n")
    elif how == "indent":
        lines[at] = "  " + lines[at]
    else:
        lines[at] = lines[at].lstrip()
    path.write_text("".join(lines), encoding="utf-8")


def huge(root: Path, draw: Draw) -> None:
    if draw(st.booleans()):

        def edit(data: Any, locations: list[tuple[Any, ...]], draw: Draw) -> None:
            _set(data, draw(st.sampled_from(locations)), "x" * (MAX_SCALAR_CHARS + draw(st.integers(1, 1000))))

        _structured(root, draw, edit)
    else:
        path = root / draw(st.sampled_from(FILES))
        path.write_bytes(path.read_bytes() + b"#" * (MAX_FILE_BYTES + draw(st.integers(0, 100))) + b"\n")


def odd_entry(root: Path, draw: Draw) -> None:
    docs = root / "documents"
    what = draw(st.sampled_from(["subfolder", "readme", "hidden", "lock", "yml-copy", "fifo", "empty", "folder-yaml"]))
    if what == "subfolder":
        (docs / "old").mkdir(exist_ok=True)
        shutil.copyfile(root / DOCUMENTS[0], docs / "old" / "early.yaml")
    elif what == "readme":
        (docs / "README.md").write_text("# notes\n", encoding="utf-8")
    elif what == "hidden":
        (docs / ".early.yaml.swp").write_bytes(b"\x00\xff\xfe")
    elif what == "lock":
        if not (docs / ".#early.yaml").is_symlink():
            (docs / ".#early.yaml").symlink_to("user@host.1:2")
    elif what == "yml-copy":
        shutil.copyfile(root / DOCUMENTS[1], docs / "late-copy.yml")
    elif what == "fifo" and hasattr(os, "mkfifo"):
        if not (docs / "pipe.yaml").exists():
            os.mkfifo(docs / "pipe.yaml")
    elif what == "empty":
        (docs / "empty.yaml").write_bytes(b"")
    elif what == "folder-yaml":
        (docs / "dir.yaml").mkdir(exist_ok=True)


MUTATIONS = [
    delete_key,
    wrong_type,
    unknown_id,
    impossible_date,
    duplicate_ids,
    random_bytes,
    symlink,
    anchors,
    line_edit,
    huge,
    odd_entry,
]


def mutate(root: Path, data: st.DataObject) -> list[str]:
    """Apply one to three mutations to the sources folder ``root``; return their names."""
    names = []
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        # an earlier mutation may have made this one impossible (the file is no YAML any more, a link is there)
        with contextlib.suppress(OSError, yaml.YAMLError, SourceError, UnicodeDecodeError):
            mutation(root, data.draw)
        names.append(mutation.__name__)
        event(mutation.__name__)
    return names


def assert_clean(problems: list[Problem]) -> None:
    assert problems
    for problem in problems:
        assert isinstance(problem, Problem) and problem.file is not None, problem
        assert problem.message and str(problem)


# ------------------------------------------------------------------ in process
@settings(
    derandomize=True,
    database=None,
    max_examples=IN_PROCESS_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_mutated_sources_load_or_fail_cleanly(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "sources"
        shutil.copytree(MINIMAL, root)
        note(mutate(root, data))
        started = time.monotonic()
        fingerprint(root)  # never raises
        found = source_paths(root)
        assert all(isinstance(p, Problem) and p.file is not None for p in found.problems)
        try:
            corpus = load_sources(root, workers=1)
        except SourceError as exc:
            assert_clean(exc.problems)
            event("refused")
        else:
            assert corpus.files
            event("loaded")
        assert time.monotonic() - started < 10


# ------------------------------------------------------------------ as real processes
@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("previous") / "out"
    result = polkg("build", "--sources", str(MINIMAL), "--out", str(out), cwd=out.parent)
    assert result.code == 0, result.err
    return out


@pytest.mark.slow
@settings(
    derandomize=True,
    database=None,
    max_examples=PROCESS_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(st.data())
def test_mutated_sources_build_as_a_process_keeps_the_previous_build(previous_build: Path, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root = work / "sources"
        shutil.copytree(MINIMAL, root)
        note(mutate(root, data))
        out = work / "out"
        shutil.copytree(previous_build, out, symlinks=True)
        before = {name: (out / name).read_bytes() for name in OUTPUTS}
        cwd = work / "cwd"
        cwd.mkdir()
        result = polkg("build", "--sources", str(root), "--out", str(out), cwd=cwd)
        assert result.code in (0, 2), result.err
        event(f"exit {result.code}")
        assert "Traceback" not in result.err + result.out
        if result.code == 2:
            assert result.err.startswith(("error: ", "note: ")), result.err
            assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
