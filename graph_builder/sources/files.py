"""Which files a build reads (decided here only), reading them safely, and a cheap fingerprint of them.

``source_paths`` is the one place that decides which files under a sources folder are read: the
six registry files and the ``*.yaml`` and ``*.yml`` files directly in ``documents/``. Hidden entries
(names starting with '.', such as an editor's lock or swap file) are skipped and listed; every other
entry of ``registry/`` or ``documents/`` that is not read (a subfolder, a note, a dangling link, a
FIFO, a file over ``MAX_FILE_BYTES``) is refused by name, so nothing is ever skipped silently.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from graph_builder.errors import Problem, SourceError

REGISTRY_NAMES = ("vocabularies.yaml", "agencies.yaml", "sectors.yaml", "themes.yaml", "zones.yaml", "frameworks.yaml")
DOCUMENT_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 2 << 20  # 2 MiB: 130 times the largest curated file; bounds the memory one file's parse takes
# how files are read and typed (see yamlio): part of the fingerprint and of every cache key, so a
# build made under other reading rules is never taken for current
READER_VERSION = "2"


def path_order(path: Path) -> tuple[str, ...]:
    """A sort key giving the order of Paths themselves (by parts), without Path's slow comparisons."""
    return path.parts


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"


@dataclass
class SourceFiles:
    """The outcome of looking at a sources folder: what a build reads, what it skips, what it refuses."""

    root: Path
    registry: dict[str, Path] = field(default_factory=dict)  # the registry files present, by name
    documents: list[Path] = field(default_factory=list)  # the document files, in name order
    skipped: list[Path] = field(default_factory=list)  # hidden entries, not read
    problems: list[Problem] = field(default_factory=list)  # entries refused, registry files missing

    @property
    def paths(self) -> list[Path]:
        """Every file a build reads: the registry files, then the document files."""
        return [*self.registry.values(), *self.documents]


def refusal(path: Path, kind: str) -> Problem | None:
    """Why ``path`` cannot be read as a source file (of ``kind``: 'registry' or 'document'), or None if it can.

    Follows symbolic links; never opens the file (a FIFO would block).
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(path, None, "", "is a symbolic link that loops back on itself", "replace the link with the file")
        if os.path.islink(path):
            return Problem(
                path,
                None,
                "",
                f"is a symbolic link to {os.readlink(path)!r}, which does not exist",
                "remove the link, or restore the file it points to",
            )
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return Problem(path, None, "", "file not found", "create it; see sources/README.md")
        return Problem(path, None, "", f"cannot be read: {exc.strerror}", "check the file's permissions")
    if stat.S_ISDIR(st.st_mode):
        fix = (
            f"replace the folder with the {path.name} file; see sources/README.md"
            if kind == "registry"
            else "documents/ is flat: move the files inside it up into documents/ and remove the folder"
        )
        return Problem(path, None, "", f"is a folder; a {kind} file is expected here", fix)
    if not stat.S_ISREG(st.st_mode):
        what = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "not a regular file (a device or socket)"
        return Problem(path, None, "", f"is {what}; a YAML text file is expected", "replace it with a plain YAML file")
    if st.st_size > MAX_FILE_BYTES:
        return _too_large(path, st.st_size)
    return None


def _too_large(path: Path, size: int) -> Problem:
    return Problem(
        path,
        None,
        "",
        f"is {size:,} bytes ({_mib(size)}); source files may be at most {_mib(MAX_FILE_BYTES)}",
        "split it into several document files",
    )


def _documents(root: Path, found: SourceFiles) -> None:
    docs = root / "documents"
    try:
        entries = sorted(os.scandir(docs), key=lambda entry: entry.name)
    except FileNotFoundError:
        return  # reported by the loader: no document files
    except NotADirectoryError:
        found.problems.append(Problem(docs, None, "", "is not a folder", "documents/ must be a folder of *.yaml files"))
        return
    except OSError as exc:
        found.problems.append(Problem(docs, None, "", f"cannot be read: {exc.strerror}", "check the folder's permissions"))
        return
    for entry in entries:
        path = docs / entry.name
        if entry.name.startswith("."):
            found.skipped.append(path)
            continue
        if path.suffix in DOCUMENT_SUFFIXES:
            problem = refusal(path, "document")
            if problem is None:
                found.documents.append(path)
            else:
                found.problems.append(problem)
        elif _is_dir(path):
            found.problems.append(_subfolder(path))
        else:
            found.problems.append(
                Problem(
                    path,
                    None,
                    "",
                    "is not a document file: documents/ holds only *.yaml and *.yml files, and reads all of them",
                    "move it out of the sources folder, or rename it to .yaml if it is a document file",
                )
            )


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _subfolder(path: Path) -> Problem:
    """A subfolder of documents/: refused, naming a file in it to move up."""
    try:
        inside = sorted(entry.name for entry in os.scandir(path) if not entry.name.startswith("."))
    except OSError:
        inside = []
    yaml_files = [name for name in inside if Path(name).suffix in DOCUMENT_SUFFIXES]
    if yaml_files:
        fix = f"documents/ is flat: move {path.name}/{yaml_files[0]} up into documents/"
        if len(yaml_files) > 1:
            fix += f" (and the {len(yaml_files) - 1} other YAML file{'s' if len(yaml_files) > 2 else ''} in it)"
    elif inside:
        fix = f"documents/ is flat: move {path.name}/ out of the sources folder"
    else:
        fix = f"remove the empty folder {path.name}/"
    return Problem(path, None, "", "is a folder; subfolders of documents/ are not read", fix)


def _registry(root: Path, found: SourceFiles) -> None:
    import difflib

    folder = root / "registry"
    for name in REGISTRY_NAMES:
        path = folder / name
        problem = refusal(path, "registry")
        if problem is None:
            found.registry[name] = path
        elif problem.message == "file not found":
            missing = Problem(path, None, "", "required registry file is missing", "create it; see sources/README.md")
            found.problems.append(missing)
        else:
            found.problems.append(problem)
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return
    for name in names:
        if name.startswith("."):
            found.skipped.append(folder / name)
        elif name not in REGISTRY_NAMES:
            close = difflib.get_close_matches(name, REGISTRY_NAMES, n=1, cutoff=0.6)
            fix = f"rename it to {close[0]}" if close else "move it out of the sources folder"
            found.problems.append(
                Problem(
                    folder / name,
                    None,
                    "",
                    f"is not a registry file: registry/ holds only {', '.join(REGISTRY_NAMES)}",
                    fix,
                )
            )


def source_paths(root: Path) -> SourceFiles:
    """Every file a build of ``root`` reads (``.paths``), the hidden entries it skips, the entries it refuses."""
    root = Path(root)
    found = SourceFiles(root)
    _registry(root, found)
    _documents(root, found)
    return found


def read_source(path: Path) -> bytes:
    """The bytes of source file ``path``; SourceError if it is not a regular file or is over ``MAX_FILE_BYTES``.

    Opened non-blocking and checked again once open, so a file swapped for a FIFO never blocks the read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        problem = refusal(path, "source") or Problem(path, None, "", "cannot be opened", "check the file's permissions")
        raise SourceError([problem]) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SourceError([refusal(path, "source") or Problem(path, None, "", "is not a regular file", "replace it")])
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise SourceError([_too_large(path, max(size, st.st_size))])
        return b"".join(chunks)
    except OSError as exc:
        raise SourceError([Problem(path, None, "", f"cannot be read: {exc.strerror}", "check the file")]) from None
    finally:
        os.close(fd)


def read_digests(paths: list[Path]) -> tuple[dict[Path, str], list[Problem]]:
    """The SHA-256 of the bytes of each file of ``paths`` that can be read, and the problems of those that cannot."""
    digests: dict[Path, str] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            digests[path] = hashlib.sha256(read_source(path)).hexdigest()
        except SourceError as exc:
            problems.extend(exc.problems)
    return digests, problems


def file_digests(root: Path) -> list[tuple[Path, str]]:
    """Every source file with the SHA-256 of its bytes; SourceError if any entry is refused or unreadable."""
    found = source_paths(root)
    digests, problems = read_digests(found.paths)
    if found.problems or problems:
        raise SourceError(found.problems + problems)
    return list(digests.items())


def combine(root: Path, digests: dict[Path, str], refused: list[Problem] | None = None) -> str:
    """The fingerprint of ``root`` from its files' digests (and the entries refused, which no valid build has)."""
    whole = hashlib.sha256(f"reader {READER_VERSION}\0".encode())
    for path, digest in sorted(digests.items(), key=lambda item: path_order(item[0])):
        whole.update(f"{path.relative_to(root).as_posix()}\0{digest}\0".encode("utf-8", "surrogateescape"))
    for problem in refused or ():
        whole.update(f"refused\0{problem}\0".encode("utf-8", "surrogateescape"))
    return whole.hexdigest()


def fingerprint(root: Path) -> str:
    """A hash of every source file's path and bytes: equal fingerprints mean equal sources. Never raises SourceError."""
    found = source_paths(root)
    digests, problems = read_digests(found.paths)
    return combine(Path(root), digests, found.problems + problems)
