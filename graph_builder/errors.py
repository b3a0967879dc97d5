"""Every error polkg reports, each with its exit code and the way it shows itself; the exit-code table.

The CLI prints ``error.report()`` and exits with ``error.exit_code``; ``--help`` and README show
``exit_code_table()``, which is read off the classes here, so the three never disagree.
"""

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
    """Base class of errors the CLI reports without a traceback; ``exit_code`` is what it exits with.

    ``meaning`` is the exit code's line in the exit-code table (classes sharing a code join theirs).
    """

    exit_code = 1
    meaning = "internal error (a bug: please report it)"

    def report(self) -> list[str]:
        """The lines that tell the person at the terminal what went wrong."""
        return [f"error: {self}"]


SHOWN_PROBLEMS = 200  # a file of many bad entries gives one problem each: show the first ones


class SourceError(PolkgError):
    """The curated sources are invalid; carries every problem found."""

    exit_code = 2
    meaning = "invalid sources"

    def __init__(self, problems: list[Problem], skipped: tuple[Path, ...] = ()):
        self.problems = problems
        self.skipped = skipped  # hidden entries of the sources folder that were not read
        super().__init__("\n".join(str(p) for p in problems))

    def report(self) -> list[str]:
        count = len(self.problems)
        lines = [f"error: the sources are invalid ({count} problem{'s' if count != 1 else ''}):"]
        lines += [f"  {problem}" for problem in self.problems[:SHOWN_PROBLEMS]]
        if count > SHOWN_PROBLEMS:
            lines.append(f"  ... and {count - SHOWN_PROBLEMS:,} more (fix these first)")
        return lines


class ShapeError(SourceError):
    """The graph the sources give does not conform to the SHACL shapes; carries every problem, located in the sources.

    ``shapes`` holds the violations themselves (``graph.shapes.ShapeProblem``: node, property, message) as data.
    """

    def __init__(self, problems: list[Problem], shapes: list[Any]):
        super().__init__(problems)
        self.shapes = shapes


class UsageError(PolkgError):
    """A parameter value or option the user gave is unknown or ambiguous."""

    exit_code = 2
    meaning = "unknown or ambiguous parameter value, bad usage"


class QueryError(PolkgError):
    """A query failed to parse or run."""

    exit_code = 3
    meaning = "the query failed (syntax error, malformed query, store unreadable)"


class QueryFileError(PolkgError):
    """A stored query file is malformed (a packaging or authoring bug, reported with its file)."""

    def report(self) -> list[str]:
        return [f"error: broken stored query: {self}"]


class EndpointUnreachable(PolkgError):
    """Nothing answered: connection refused, DNS failure."""

    exit_code = 4
    meaning = "endpoint unreachable (connection refused, DNS failure)"


class EndpointTimeout(PolkgError):
    """The endpoint did not answer within the timeout."""

    exit_code = 5
    meaning = "endpoint timeout"


class EndpointHTTPError(PolkgError):
    """The endpoint answered with an HTTP error (4xx or 5xx other than a malformed query)."""

    exit_code = 6
    meaning = "endpoint answered an HTTP error (4xx/5xx, refused credentials)"


class EndpointBadResponse(PolkgError):
    """The endpoint answered 200 with something that is not SPARQL results."""

    exit_code = 7
    meaning = "endpoint answer is not SPARQL results"


class PushVerificationError(PolkgError):
    """The store does not hold the number of triples that was pushed."""

    exit_code = 8
    meaning = "pushed graph not found complete in the store"


class OutputError(PolkgError):
    """polkg cannot write its output: permission denied, a full disk, a read-only file system."""

    exit_code = 9
    meaning = "cannot write the output (permission denied, disk full, read-only)"


def exit_code_table() -> list[tuple[int, str]]:
    """(code, meaning) for every exit code polkg uses, read off the error classes above."""
    meanings: dict[int, list[str]] = {0: ["success"]}
    pending: list[type[PolkgError]] = [PolkgError]
    while pending:
        cls = pending.pop(0)
        if cls.meaning not in meanings.setdefault(cls.exit_code, []):
            meanings[cls.exit_code].append(cls.meaning)
        pending.extend(cls.__subclasses__())
    return [(code, ", ".join(meanings[code])) for code in sorted(meanings)]
