"""Helpers the test modules share (fixtures live in conftest.py): the fixture and seed folders, reading query
results, seed texts and view pages, and running `polkg` as a person does (a real process, in a working folder,
with relative paths)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph_builder.layout import default_sources
from graph_builder.query.results import ResultSet

CHECKOUT = Path(__file__).resolve().parents[1]
BUILD_FILES = ("graph.nt", "graph.ttl")
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(os.environ.get("POLKG_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds"))
OPINIONS_SEED = SEEDS / "002_1fb6f873d9b9dbd3.txt"
# the official vocabulary files (shared/vocab/README.md): beside the checkout, as in CI, or $POLKG_VOCAB
VOCAB = Path(os.environ.get("POLKG_VOCAB", Path(__file__).resolve().parents[2] / "shared" / "vocab"))

Run = Callable[..., ResultSet]  # the conftest fixture `run`: run("query-id", doc="...", ...) -> ResultSet


# ------------------------------------------------------------------ fixtures folders
def overlay(invalid: Path, target: Path) -> Path:
    """A sources folder at ``target``: fixtures/valid/minimal with the YAML files of ``invalid`` written over it."""
    shutil.copytree(FIXTURES / "valid" / "minimal", target)
    overlaid = sorted(invalid.rglob("*.yaml"))
    assert overlaid, f"{invalid} holds no YAML files to overlay"
    for path in overlaid:
        destination = target / path.relative_to(invalid)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    return target


def expected_lines(invalid: Path) -> list[str]:
    """The lines an invalid fixture's expected.txt says its error message holds (at least one)."""
    lines = [line for line in (invalid / "expected.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines, f"{invalid}/expected.txt is empty"
    return lines


# ------------------------------------------------------------------ query results
def column_set(result: ResultSet, column: str) -> set[str]:
    """The distinct values of ``column`` (IRIs in full)."""
    return {value for value in result.column(column) if value is not None}


def agency_set(*agency_ids: str) -> set[str]:
    from graph_builder.graph.iris import agency_iri

    return {str(agency_iri(a)) for a in agency_ids}


# ------------------------------------------------------------------ seed texts
def _alias_index() -> list[tuple[str, str]]:
    from graph_builder.sources.load import load_sources
    from graph_builder.sources.names import normalise_name

    corpus = load_sources(default_sources())
    index = []
    for agency in corpus.agencies.agencies:
        for name in [agency.name.en, *agency.aliases]:
            index.append((normalise_name(name), agency.id))
    return sorted(index, key=lambda kv: -len(kv[0]))  # longest names first


def seed_names_to_ids(text: str) -> set[str]:
    """The agency ids whose names or aliases occur in ``text`` (longest names matched first)."""
    from graph_builder.sources.names import normalise_name

    text = normalise_name(text)
    found = set()
    for name, agency_id in _alias_index():
        if re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", text):
            found.add(agency_id)
            text = text.replace(name, " ")
    return found


def seed_responsibility_lists() -> dict[str, set[str]]:
    """Provision number -> responsible agency ids, read straight from the 2022 Opinions seed text."""
    text = OPINIONS_SEED.read_text(encoding="utf-8")
    lists = dict(re.findall(r"^\((\d+)\) .*\(([^()]*(?:responsible)[^()]*)\)\s*$", text, flags=re.MULTILINE))
    return {number: seed_names_to_ids(names.split(" are responsible")[0]) for number, names in lists.items()}


# ------------------------------------------------------------------ view pages
def page_data(page: Path) -> dict:
    """The JSON a view page embeds (nodes, edges, filters)."""
    html = page.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="polkg-data">(.*?)</script>', html, flags=re.DOTALL)
    assert match, f"{page} embeds no view data"
    return json.loads(match.group(1))


# ------------------------------------------------------------------ polkg as a real process


@dataclass(frozen=True)
class Ran:
    """A finished polkg process."""

    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def polkg_env(**extra: str) -> dict[str, str]:
    """The environment a person's shell would give polkg: no POLKG_* settings unless the test sets them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLKG_")}
    env.update(extra)
    return env


def polkg(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 180,
    pythonpath: Path = CHECKOUT,
    user: int | None = None,
) -> Ran:
    """Run ``polkg ARGS`` as its own process in ``cwd``: this checkout's code, or the copy at ``pythonpath``."""
    env = dict(env if env is not None else polkg_env())
    env["PYTHONPATH"] = str(pythonpath)
    command = [sys.executable, "-m", "graph_builder.cli", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False, user=user)
    return Ran(done.returncode, done.stdout, done.stderr)


def assert_clean(ran: Ran, code: int = 0) -> None:
    """The process exited with ``code`` and printed no traceback."""
    assert ran.code == code, str(ran)
    assert "Traceback" not in ran.err and "Traceback" not in ran.out, str(ran)


def build_bytes(out: Path) -> dict[str, bytes]:
    """A build's graph files and manifest, to compare byte for byte."""
    return {name: (out / name).read_bytes() for name in (*BUILD_FILES, "manifest.json")}


def same_graph(a: Path, b: Path) -> None:
    """Builds ``a`` and ``b`` hold the same graph files and the same store contents."""
    from graph_builder.store.build import store_triples

    for name in BUILD_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between {a} and {b}"
    assert store_triples(a) == store_triples(b), f"the stores of {a} and {b} differ"


def copy_sources(target: Path) -> Path:
    """A private copy of the curated sources at ``target``."""
    shutil.copytree(default_sources(), target)
    return target


def edit_title(sources: Path, old: str, new: str) -> None:
    """Change a document title in the 2022 Opinions file (an edit a curator makes)."""
    path = sources / "documents" / "opinions-2022.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def stop(process: subprocess.Popen[bytes]) -> str:
    """Stop a server we started, by its process id; its output."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        output, _ = process.communicate(timeout=10)
    return output.decode("utf-8", "replace")
