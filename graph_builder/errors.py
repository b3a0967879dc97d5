"""Error types that carry where a problem is and how to fix it, for clean CLI messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sources: where, what, and how to fix it."""

    file: Path | None
    line: int | None
    field: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = _printable(str(self.file)) if self.file else "<sources>"
        if self.line:
            where += f":{self.line}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


def _printable(text: str) -> str:
    """``text`` with control characters (a newline in a file name) and undecodable bytes escaped, on one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class PolkgError(Exception):
    """Base class of errors the CLI reports without a traceback; ``exit_code`` is what it exits with."""

    exit_code = 1


class SourceError(PolkgError):
    """The curated sources are invalid; carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem], skipped: tuple[Path, ...] = ()):
        self.problems = problems
        self.skipped = skipped  # hidden entries of the sources folder that were not read
        super().__init__("\n".join(str(p) for p in problems))


class ShapeError(SourceError):
    """The graph the sources give does not conform to the SHACL shapes; carries every problem, located in the sources.

    ``shapes`` holds the violations themselves (``shacl.ShapeProblem``: node, property, message) as data.
    """

    def __init__(self, problems: list[Problem], shapes: list[Any]):
        super().__init__(problems)
        self.shapes = shapes


class UsageError(PolkgError):
    """A parameter value or option the user gave is unknown or ambiguous."""

    exit_code = 2


class QueryError(PolkgError):
    """A query failed to parse or run."""

    exit_code = 3


class OutputError(PolkgError):
    """polkg cannot write its output: permission denied, a full disk, a read-only file system."""

    exit_code = 9
