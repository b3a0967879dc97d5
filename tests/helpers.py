"""Helpers for tests that run `polkg` as a person does: a real process, in a working folder, with relative paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from graph_builder.layout import default_sources

CHECKOUT = Path(__file__).resolve().parents[1]
BUILD_FILES = ("graph.nt", "graph.ttl")


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
