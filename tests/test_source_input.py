"""Hostile or accidental input to the source loader: each case exits 2 with its own message, or is read as documented.

Every case is written into a copy of fixtures/valid/minimal. The cases that used to hang, crash or
exhaust memory (a FIFO, billion laughs, bytes that are not UTF-8, a dangling link) run `polkg` as
a real process, from a fresh working folder, with a timeout.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, Ran, polkg

from graph_builder.cli import main
from graph_builder.errors import Problem, SourceError
from graph_builder.sources.files import MAX_FILE_BYTES, source_paths
from graph_builder.sources.load import load_sources
from graph_builder.sources.yamlio import MAX_SCALAR_CHARS, load_data

MINIMAL = FIXTURES / "valid" / "minimal"
OUTPUTS = ("graph.nt", "graph.ttl", "manifest.json")


def minimal_copy(tmp_path: Path, name: str = "sources") -> Path:
    target = tmp_path / name
    shutil.copytree(MINIMAL, target)
    assert sorted(p.name for p in (target / "documents").iterdir()) == ["early.yaml", "late.yaml"]
    return target


def problems_of(sources: Path) -> list[Problem]:
    with pytest.raises(SourceError) as caught:
        load_sources(sources)
    problems = caught.value.problems
    assert problems and all(isinstance(p, Problem) and p.file is not None for p in problems)
    return problems


def one_problem(sources: Path, name: str) -> Problem:
    """The single problem reported, which must name the file ``name``."""
    problems = problems_of(sources)
    assert len(problems) == 1, problems
    assert problems[0].file is not None and problems[0].file.name == name, problems
    return problems[0]


def refused_cleanly(result: Ran, *words: str) -> None:
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "Traceback" not in result.out
    for word in words:
        assert word in result.err, f"{word!r} not in:\n{result.err}"


def line_of(path: Path, needle: str) -> int:
    """The line of ``path`` that contains ``needle`` (there must be exactly one)."""
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


# ------------------------------------------------------------------ 1. which files are read
def test_yml_files_are_read_like_yaml(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "late.yaml").rename(sources / "documents" / "late.yml")
    corpus = load_sources(sources)
    assert [path.name for path, _ in corpus.files] == ["early.yaml", "late.yml"]
    assert "late-circular" in {doc.id for _, doc in corpus.documents()}


def test_subfolder_is_refused_by_name(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "archive").mkdir()
    (sources / "documents" / "late.yaml").rename(sources / "documents" / "archive" / "late.yaml")
    problem = one_problem(sources, "archive")
    assert "subfolders of documents/ are not read" in problem.message
    assert problem.fix == "documents/ is flat: move archive/late.yaml up into documents/"


def test_other_files_in_documents_are_refused(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "README.md").write_text("notes\n", encoding="utf-8")
    (sources / "documents" / "notes.txt").write_text("notes\n", encoding="utf-8")
    problems = problems_of(sources)
    assert sorted(p.file.name for p in problems if p.file) == ["README.md", "notes.txt"]
    assert all("documents/ holds only *.yaml and *.yml files" in p.message for p in problems)


def test_unknown_registry_file_is_refused(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "registry" / "agency.yaml").write_text("agencies: []\n", encoding="utf-8")
    problem = one_problem(sources, "agency.yaml")
    assert "is not a registry file" in problem.message and problem.fix == "rename it to agencies.yaml"


def test_hidden_entries_are_skipped_and_noted(tmp_path: Path, workdir: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / ".#late.yaml").symlink_to("someone@host.1234:1700000000")  # an editor's lock: dangling
    (sources / "documents" / ".late.yaml.swp").write_bytes(b"\x00\xff swap")
    corpus = load_sources(sources)
    assert sorted(p.name for p in corpus.skipped) == [".#late.yaml", ".late.yaml.swp"]
    assert [p.name for p in source_paths(sources).documents] == ["early.yaml", "late.yaml"]
    for command in (
        ["validate", "--sources", str(sources)],
        ["build", "--sources", str(sources), "--out", str(tmp_path / "out")],
    ):
        result = polkg(*command, cwd=workdir)
        assert result.code == 0, result.err
        note = [line for line in result.err.splitlines() if line.startswith("note:")]
        assert note == [
            "note: skipped 2 hidden entries (names starting with '.'): documents/.#late.yaml, documents/.late.yaml.swp"
        ]


# ------------------------------------------------------------------ 2. what cannot be read
def test_dangling_symlink_is_refused(tmp_path: Path, workdir: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "extra.yaml").symlink_to(tmp_path / "gone.yaml")
    result = polkg("validate", "--sources", str(sources), cwd=workdir, timeout=60)
    refused_cleanly(result, "documents/extra.yaml: is a symbolic link to", "which does not exist", "remove the link")


def test_symlink_loop_is_refused(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "a.yaml").symlink_to("b.yaml")
    (sources / "documents" / "b.yaml").symlink_to("a.yaml")
    problems = problems_of(sources)
    assert sorted(p.file.name for p in problems if p.file) == ["a.yaml", "b.yaml"]
    assert all("loops back on itself" in p.message for p in problems)


def test_folder_named_like_a_document_is_refused(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "x.yaml").mkdir()
    assert "is a folder" in one_problem(sources, "x.yaml").message


def test_registry_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "registry" / "agencies.yaml").unlink()
    (sources / "registry" / "agencies.yaml").mkdir()
    problem = one_problem(sources, "agencies.yaml")
    assert "is a folder; a registry file is expected" in problem.message and "agencies.yaml file" in problem.fix


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking_and_previous_build_is_kept(tmp_path: Path, workdir: Path) -> None:
    out = tmp_path / "out"
    good = polkg("build", "--sources", str(MINIMAL), "--out", str(out), cwd=workdir)
    assert good.code == 0, good.err
    before = outputs(out)
    sources = minimal_copy(tmp_path)
    os.mkfifo(sources / "documents" / "x.yaml")
    started = time.monotonic()
    result = polkg("build", "--sources", str(sources), "--out", str(out), cwd=workdir, timeout=60)
    refused_cleanly(result, "documents/x.yaml: is a FIFO (named pipe)", "nothing was written")
    assert time.monotonic() - started < 30
    assert outputs(out) == before
    refused_cleanly(polkg("validate", "--sources", str(sources), cwd=workdir, timeout=60), "is a FIFO")


def test_file_that_is_not_utf8_is_reported_at_its_line(tmp_path: Path, workdir: Path) -> None:
    sources = minimal_copy(tmp_path)
    late = sources / "documents" / "late.yaml"
    text = late.read_text(encoding="utf-8").replace("Late Circular on Testing", "Late Circular on Testing caf\u00e9")
    late.write_bytes(text.encode("latin-1"))
    line = text.splitlines().index("    title: Late Circular on Testing caf\u00e9") + 1
    result = polkg("validate", "--sources", str(sources), cwd=workdir, timeout=60)
    refused_cleanly(result, f"documents/late.yaml:{line}: is not UTF-8 text: byte 0xe9", "save the file with the encoding UTF-8")


def test_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    late = sources / "documents" / "late.yaml"
    late.write_bytes(late.read_text(encoding="utf-8").encode("utf-16"))
    assert "UTF-16" in one_problem(sources, "late.yaml").message


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "huge.yaml").write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    problem = one_problem(sources, "huge.yaml")
    assert f"is {MAX_FILE_BYTES + 3:,} bytes" in problem.message and "at most 2.0 MiB" in problem.message


def test_huge_value_is_refused_with_its_line(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    late = sources / "documents" / "late.yaml"
    late.write_text(
        late.read_text(encoding="utf-8").replace("summary: Banks lend against IP.", "summary: " + "x" * (MAX_SCALAR_CHARS + 1)),
        encoding="utf-8",
    )
    problem = one_problem(sources, "late.yaml")
    assert problem.line == 14 and problem.field == "documents[0].provisions[0].summary"
    assert f"a value of {MAX_SCALAR_CHARS + 1:,} characters" in problem.message


# ------------------------------------------------------------------ 3. YAML that changes meaning silently
def test_duplicate_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    late = sources / "documents" / "late.yaml"
    late.write_text(
        late.read_text(encoding="utf-8").replace("    date: 2025-09-22\n", "    date: 2025-09-22\n    title: Again\n"),
        encoding="utf-8",
    )
    problem = one_problem(sources, "late.yaml")
    assert problem.line == line_of(late, "title: Again") and problem.field == "documents[0].title"
    first = line_of(late, "title: Late Circular")
    assert f"the key 'title' is given twice in this mapping (first on line {first})" in problem.message


def test_scalars_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "typed.yaml"
    path.write_text(
        "octal: 010\nversion: 1.10\nhex: 0x1F\nclock: 12:30\nwords: [yes, no, on, off, y, n]\n"
        "bools: [true, False, TRUE, tRuE]\nnulls: [null, ~, Null]\nempty:\nday: 2023-11-16\nint: 27\n"
        "merge: {<<: x}\nvalue: =\nquoted: '010'\n",
        encoding="utf-8",
    )
    assert load_data(path) == {
        "octal": "010",
        "version": "1.10",
        "hex": "0x1F",
        "clock": "12:30",
        "words": ["yes", "no", "on", "off", "y", "n"],
        "bools": [True, False, True, True],
        "nulls": [None, None, None],
        "empty": None,
        "day": "2023-11-16",
        "int": "27",
        "merge": {"<<": "x"},
        "value": "=",
        "quoted": "010",
    }


def test_number_like_values_keep_their_text_in_the_corpus(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    early = sources / "documents" / "early.yaml"
    text = early.read_text(encoding="utf-8").replace('number: "Test [2022] No. 1"', "number: 010")
    early.write_text(text.replace('chapters:\n      - {number: "I"', "chapters:\n      - {number: 1.10"), encoding="utf-8")
    early.write_text(early.read_text(encoding="utf-8").replace('chapter: "I"', "chapter: 1.10"), encoding="utf-8")
    corpus = load_sources(sources)
    doc = next(doc for _, doc in corpus.documents() if doc.id == "early-opinions")
    assert doc.number == "010" and doc.chapters[0].number == "1.10" and doc.provisions[0].chapter == "1.10"


def test_hex_in_a_number_field_asks_for_a_whole_number(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    early = sources / "documents" / "early.yaml"
    early.write_text(early.read_text(encoding="utf-8").replace("count: 3,", "count: 0x1F,"), encoding="utf-8")
    problem = one_problem(sources, "early.yaml")
    assert problem.field == "documents[0].issuers.count" and problem.line == line_of(early, "0x1F")
    assert problem.fix == "write a whole number"


def test_explicit_tag_is_refused(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    early = sources / "documents" / "early.yaml"
    early.write_text(early.read_text(encoding="utf-8").replace("count: 3,", "count: !!int 3,"), encoding="utf-8")
    problem = one_problem(sources, "early.yaml")
    assert problem.line == line_of(early, "!!int") and "the YAML tag !!int is not allowed" in problem.message


def test_alias_is_refused_with_its_line(tmp_path: Path) -> None:
    sources = minimal_copy(tmp_path)
    early = sources / "documents" / "early.yaml"
    text = (
        early.read_text(encoding="utf-8")
        .replace("themes: [tax]", "themes: &t [tax]")
        .replace("themes: [financing]", "themes: *t")
    )
    early.write_text(text, encoding="utf-8")
    assert "themes: *t" in text
    problem = one_problem(sources, "early.yaml")
    assert problem.line == line_of(early, "*t")
    assert f"an alias (*t) repeats the value anchored on line {line_of(early, '&t')}" in problem.message


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{x}: &{x} [{','.join([f'*{p}'] * 9)}]\n" for p, x in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_fails_fast(tmp_path: Path, workdir: Path) -> None:
    assert len(BILLION_LAUGHS) < 500 and BILLION_LAUGHS.count("*") == 72
    sources = minimal_copy(tmp_path)
    (sources / "documents" / "lol.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        load_sources(sources)
    assert time.monotonic() - started < 2
    [problem] = caught.value.problems
    assert problem.file is not None and problem.file.name == "lol.yaml" and problem.line == 2
    assert "an alias (*a) repeats the value anchored on line 1" in problem.message
    started = time.monotonic()
    result = polkg("validate", "--sources", str(sources), cwd=workdir, timeout=30)
    refused_cleanly(result, "documents/lol.yaml:2: an alias (*a)", "no anchors or aliases")
    assert time.monotonic() - started < 15  # the process start and imports included


# ------------------------------------------------------------------ 4. dates in other digits
def test_full_width_date_builds_a_valid_xsd_date(tmp_path: Path, workdir: Path) -> None:
    import pyoxigraph

    sources = minimal_copy(tmp_path)
    late = sources / "documents" / "late.yaml"
    late.write_text(late.read_text(encoding="utf-8").replace("date: 2025-09-22", 'date: "２０２３-11-16"'), encoding="utf-8")
    out = tmp_path / "out"
    result = polkg("build", "--sources", str(sources), "--out", str(out), cwd=workdir)
    assert result.code == 0, result.err
    store = pyoxigraph.Store.read_only(str(out / "store"))
    query = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?o WHERE { <https://w3id.org/polkg/id/doc/late-circular> ?p ?o FILTER(datatype(?o) = xsd:date) }"""
    dates = {solution["o"].value for solution in store.query(query)}
    assert dates == {"2023-11-16"}
    assert "２" not in (out / "graph.nt").read_text(encoding="utf-8")


def test_other_digit_scripts_are_refused(tmp_path: Path, workdir: Path) -> None:
    sources = minimal_copy(tmp_path)
    late = sources / "documents" / "late.yaml"
    late.write_text(late.read_text(encoding="utf-8").replace("date: 2025-09-22", 'date: "٢٠٢٣-١١-١٦"'), encoding="utf-8")
    problem = one_problem(sources, "late.yaml")
    line = line_of(late, "date:")
    assert problem.line == line and problem.field == "documents[0].date" and "in the digits 0-9" in problem.message
    assert "2023-11-16" in problem.fix
    refused_cleanly(polkg("validate", "--sources", str(sources), cwd=workdir), f"late.yaml:{line}: documents[0].date")


def test_many_problems_show_the_first_ones(tmp_path: Path, runner: CliRunner) -> None:
    sources = minimal_copy(tmp_path)
    late = sources / "documents" / "late.yaml"
    themes = ", ".join(f"unknown-{i}" for i in range(250))
    late.write_text(late.read_text(encoding="utf-8").replace("themes: [financing]", f"themes: [{themes}]"), encoding="utf-8")
    result = runner.invoke(main, ["validate", "--sources", str(sources)])
    assert result.exit_code == 2
    assert "the sources are invalid (250 problems)" in result.output and "... and 50 more (fix these first)" in result.output
    assert result.output.count("unknown theme") == 200
