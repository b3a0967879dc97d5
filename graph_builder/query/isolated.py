"""A person's query on the embedded store, run in a child process that is killed at the time limit.

pyoxigraph has no query timeout and no way to cancel a query, and a query that exhausts the engine's
stack or memory takes the whole process down (a segfault, an abort). So ``polkg sparql`` evaluates
the query in a fresh child Python (``python -m graph_builder.query.isolated``), which opens the store
read-only itself, and waits at most the time limit: the child is killed at the deadline, and a child
that dies is reported as an error naming how it died. A fresh interpreter (not ``fork``) because the
parent has the store open, and RocksDB's threads do not survive a fork. This costs a child's start
(about 0.2 s): stored queries, which are ours, run in-process as before.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

from graph_builder.errors import PolkgError, QueryError
from graph_builder.query.results import ResultSet

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


def _died(returncode: int, stderr: bytes) -> QueryError:
    """The error for a child that exited without an answer (with the engine's own last word, when it said one)."""
    said = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    known = [line for line in said if "memory allocation" in line or "overflowed its stack" in line]
    detail = f" ({known[-1][:200]})" if known else ""
    if returncode < 0:
        number = -returncode
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        if number in (signal.SIGKILL, signal.SIGABRT):
            return QueryError(
                f"the query engine stopped on this query ({name}: out of memory, or a query too large to evaluate)"
                f"{detail}; narrow the query"
            )
        return QueryError(f"the query engine crashed on this query ({name}){detail}; simplify the query")
    return QueryError(f"the query engine exited with status {returncode} without an answer{detail}")


def run_isolated(store_path: Path, sparql: str, writes_rdf: bool, timeout: float) -> ResultSet | bytes:
    """``sparql``'s answer from the store at ``store_path``, evaluated in a child process given ``timeout`` seconds."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "graph_builder.query.isolated", str(store_path), "rdf" if writes_rdf else "table"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = process.communicate(sparql.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise QueryError(
            f"the query ran past the time limit of {timeout:g} s and was stopped (--timeout sets the limit); "
            "narrow the query (a pattern that shares no variable with the rest multiplies the rows)"
        ) from None
    except BaseException:
        process.kill()
        process.wait()
        raise
    if process.returncode != 0 or not out:
        raise _died(process.returncode, err)
    try:
        kind, value = pickle.loads(out)  # noqa: S301 - written by the child we started, a moment ago
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise QueryError(f"the query engine gave an unreadable answer: {exc}") from None
    if kind == "error":
        raise QueryError(str(value))
    return value  # type: ignore[no-any-return]


def _child(store_path: str, mode: str) -> int:
    """Evaluate the query on stdin and write ``("ok", answer)`` or ``("error", message)`` pickled to stdout."""
    from graph_builder.query.embedded import EmbeddedEngine

    sparql = sys.stdin.buffer.read().decode("utf-8")
    answer: tuple[str, object]
    try:
        engine = EmbeddedEngine(Path(store_path))
        answer = ("ok", engine.construct(sparql) if mode == "rdf" else engine.select(sparql))
    except PolkgError as exc:
        answer = ("error", str(exc))
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2]))
