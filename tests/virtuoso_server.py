"""A private Virtuoso for the tests and the benchmark: own database folder and virtuoso.ini (Debian's, rewritten),
bound to 127.0.0.1 on free ports, started as a subprocess and stopped by its process id."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BINARY_NAMES = ("virtuoso-t",)
DEFAULT_INIS = (
    Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"),
    Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
)
START_SECONDS = 90


class VirtuosoMissing(RuntimeError):
    """virtuoso-t or Debian's default virtuoso.ini is not installed."""


def binary() -> str | None:
    for name in BINARY_NAMES:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_ini(default: str, folder: Path, sql_port: int, http_port: int, query_seconds: int) -> str:
    """Debian's virtuoso.ini with every file in ``folder``, both ports on 127.0.0.1, queries bounded."""
    settings = {
        ("Database", "DatabaseFile"): folder / "virtuoso.db",
        ("Database", "ErrorLogFile"): folder / "virtuoso.log",
        ("Database", "LockFile"): folder / "virtuoso.lck",
        ("Database", "TransactionFile"): folder / "virtuoso.trx",
        ("Database", "xa_persistent_file"): folder / "virtuoso.pxa",
        ("TempDatabase", "DatabaseFile"): folder / "virtuoso-temp.db",
        ("TempDatabase", "TransactionFile"): folder / "virtuoso-temp.trx",
        ("Parameters", "ServerPort"): f"127.0.0.1:{sql_port}",
        ("Parameters", "DirsAllowed"): f"., {folder}",
        ("HTTPServer", "ServerPort"): f"127.0.0.1:{http_port}",
        ("URIQA", "DefaultHost"): f"127.0.0.1:{http_port}",
        ("SPARQL", "ResultSetMaxRows"): 1_000_000,
        ("SPARQL", "MaxQueryExecutionTime"): query_seconds,
    }
    seen: set[tuple[str, str]] = set()
    section, lines = "", []
    for line in default.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1)
        key = re.match(r"\s*([A-Za-z_0-9]+)\s*=", line)
        if key and (section, key.group(1)) in settings:
            line = f"{key.group(1)} = {settings[(section, key.group(1))]}"
            seen.add((section, key.group(1)))
        lines.append(line)
    if seen != set(settings):
        raise VirtuosoMissing(f"the default virtuoso.ini lacks {sorted(set(settings) - seen)}")
    return "\n".join(lines) + "\n"


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the instance by its process id; kill it if it does not stop."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextmanager
def running(folder: Path, query_seconds: int = 30) -> Iterator[str]:
    """A private Virtuoso with its files in ``folder``, until the block ends; yields its base URL."""
    found, default = binary(), next((ini for ini in DEFAULT_INIS if ini.exists()), None)
    if found is None or default is None:
        raise VirtuosoMissing("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(private_ini(default.read_text(encoding="utf-8"), folder, sql_port, http_port, query_seconds), encoding="utf-8")
    output = folder / "stdout.log"
    with output.open("wb") as log:
        process = subprocess.Popen([found, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{http_port}"
        try:
            deadline = time.monotonic() + START_SECONDS
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {output.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2) as answer:
                        answer.read()
                    break
                except (urllib.error.URLError, OSError):
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"Virtuoso did not answer within {START_SECONDS} s: {output.read_text()[-2000:]}"
                        ) from None
                    time.sleep(0.5)
            yield base
        finally:
            stop(process)
