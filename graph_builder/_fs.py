"""Folders and files replaced whole, so that a reader, a crash or a full disk never leaves half of one."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

from graph_builder._faults import failpoint
from graph_builder.errors import OutputError, UsageError

_TMP = "tmp"
_OLD = "old"
_RENAME_EXCHANGE = 2  # linux/fs.h


@cache
def umask() -> int:
    """The process umask (read once: reading it means setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def permissions(path: Path, directory: bool) -> None:
    """Give ``path`` the mode a plain mkdir or open would have (tempfile makes 0700 folders and 0600 files)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~umask())


def temp_dir(target: Path) -> Path:
    """A new empty folder beside ``target`` (same file system, so it can be renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_TMP}-", dir=target.parent))
    permissions(path, directory=True)
    return path


@cache
def _renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(a: Path, b: Path) -> bool:
    """Swap folders ``a`` and ``b`` in one step (Linux ``renameat2``); False where the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    at_cwd = -100
    if function(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def is_ours(target: Path, marker: str) -> bool:
    """True when ``target`` is absent, empty or holds ``marker``: a folder polkg may replace."""
    if not target.exists():
        return True
    if not target.is_dir():
        return False
    return (target / marker).exists() or not any(target.iterdir())


def replace_dir(new: Path, target: Path, marker: str) -> None:
    """Put folder ``new`` at ``target``, which must be absent, empty or hold ``marker`` (a file polkg writes).

    Where the kernel can exchange two folders in one step, ``target`` is never missing; elsewhere
    the old folder is moved aside first, and ``recover`` puts it back if the process dies between
    the two renames. Either way the old folder is removed afterwards.
    """
    if not is_ours(target, marker):
        shutil.rmtree(new, ignore_errors=True)
        raise UsageError(f"{target} exists and is not a polkg folder (no {marker} in it); choose another folder or remove it")
    if target.exists():
        if _exchange(new, target):
            failpoint("swap")
            shutil.rmtree(new, ignore_errors=True)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_OLD}-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
        failpoint("swap")
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(new, target)


def recover(target: Path, marker: str) -> None:
    """Undo what an interrupted ``replace_dir`` or build left beside ``target`` (call with ``locked`` held).

    A missing ``target`` with a moved-aside old folder gets that folder back; unfinished new folders
    and old folders already replaced are removed.
    """
    parent = target.parent
    if not parent.is_dir():
        return
    leftovers = sorted(parent.glob(f".{target.name}.{_OLD}-*")) + sorted(parent.glob(f".{target.name}.{_TMP}-*"))
    for path in leftovers:
        if not target.exists() and path.name.startswith(f".{target.name}.{_OLD}-") and (path / marker).exists():
            os.replace(path, target)
            continue
        shutil.rmtree(path, ignore_errors=True)


_WAIT_SECONDS = 600.0


@contextmanager
def locked(target: Path, notify: Callable[[str], None] | None = None, wait: float = _WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock of folder ``target`` (a lock file beside it) for the block, waiting for another holder.

    One writer at a time: two builds into one folder run one after the other.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    path = target.parent / f".{target.name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~umask())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
            if notify is not None:
                notify(f"waiting for another polkg process ({holder}) to finish with {target}")
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise UsageError(
                            f"{target} has been in use by {holder} for {wait:.0f} s; wait for it to finish, or stop it"
                        ) from None
                    time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_file(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        permissions(Path(tmp), directory=False)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def output_error(exc: OSError, what: str) -> OutputError:
    """The error to show for ``exc`` raised while writing ``what``: the reason in words, never a traceback."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = "permission denied"
    elif exc.errno == errno.EROFS:
        reason = "the file system is read-only"
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(f"cannot write {what}: {reason}{where}")
