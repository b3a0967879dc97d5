"""The HTTP server under ``polkg serve``: a fixed pool of threads, bounded connections, deadlines on reading and writing.

``http.server.ThreadingHTTPServer`` gives every connection a thread for as long as the client
likes: 300 clients that send half a request hold 300 threads. Here one selector thread accepts
connections and reads each request's head without blocking, closing any that has not sent it
within ``head_timeout`` or that sends more than ``head_bytes``; only a complete head goes to the
pool of ``workers`` threads, where a body must arrive and the answer be taken within
``io_timeout``. At most ``max_connections`` are open at once: a new one pushes out the oldest
that is still sending its head (when all are being answered, it is refused with 503). One request
per connection (HTTP/1.0, so the selector reads every head). Handlers derive from ``Handler``.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import selectors
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

_UNAVAILABLE = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\ntoo many connections.\r\n"
)
_TOO_LARGE = (
    b"HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n\r\n"
    b"request head too large.\r\n"
)


class _DeadlineReader(io.RawIOBase):
    """A socket read as a file: first the bytes the selector already read, then the socket, until ``deadline``."""

    def __init__(self, sock: socket.socket, prefix: bytes, deadline: float):
        self.sock, self.prefix, self.deadline = sock, prefix, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.prefix:
            size = min(len(buffer), len(self.prefix))
            buffer[:size], self.prefix = self.prefix[:size], self.prefix[size:]
            return size
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request was not received in time")
        self.sock.settimeout(remaining)
        return self.sock.recv_into(buffer)


class _DeadlineWriter(io.RawIOBase):
    """A socket written as a file, every byte sent by ``deadline`` (a client that does not read is dropped)."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline = sock, deadline

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the answer was not taken in time")
        self.sock.settimeout(remaining)
        self.sock.sendall(data)
        return len(data)


@dataclass
class _Request:
    """A connection handed to a worker: its socket and the bytes the selector read (the head, perhaps more)."""

    sock: socket.socket
    head: bytes


@dataclass
class _Pending:
    deadline: float
    received: bytearray = field(default_factory=bytearray)


class Handler(http.server.BaseHTTPRequestHandler):
    """Base of polkg's handlers: reads through the deadline reader, quiet, no Python version in the Server header."""

    server_version = "polkg"
    sys_version = ""
    protocol_version = "HTTP/1.0"
    server: Server  # type: ignore[assignment]

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        request: _Request = self.request
        deadline = time.monotonic() + self.server.io_timeout
        self.connection = request.sock
        self.rfile = io.BufferedReader(_DeadlineReader(request.sock, request.head, deadline))
        self.wfile = _DeadlineWriter(request.sock, deadline)  # type: ignore[assignment]

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: one line per request would bury what the server says."""

    def reply(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8", head: bool = False) -> None:
        """Send a whole answer: status, type, length, polkg's headers, then ``body`` (not for HEAD)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def refuse(self, status: int, reason: str) -> None:
        """An error answer whose body is ``reason``, plain text (never HTML that could echo the request)."""
        self.close_connection = True
        self.drain()
        self.reply(status, (reason.rstrip() + "\n").encode("utf-8"), head=self.command == "HEAD")

    def drain(self, limit: int = 1 << 20) -> None:
        """Read a body the answer does not need (up to ``limit``), so closing does not reset the connection."""
        length = (self.headers.get("Content-Length") or "") if getattr(self, "headers", None) else ""
        if length.isdigit() and 0 < int(length) <= limit and not getattr(self, "body_read", False):
            self.body_read = True
            with contextlib.suppress(OSError, TimeoutError):
                self.rfile.read(int(length))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, an unsupported method), as plain text."""
        self.refuse(code, message or self.responses.get(code, ("error",))[0])


class Server:
    """Listen on ``host``:``port`` and answer with ``handler`` (a ``Handler`` subclass) until ``shutdown``."""

    def __init__(
        self,
        host: str,
        port: int,
        handler: type[Handler],
        *,
        workers: int = 8,
        max_connections: int = 256,
        head_timeout: float = 10.0,
        head_bytes: int = 16_384,
        io_timeout: float = 60.0,
    ):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=128)  # OSError if taken
        self.socket.setblocking(False)
        self.handler = handler
        self.max_connections = max_connections
        self.head_timeout, self.head_bytes, self.io_timeout = head_timeout, head_bytes, io_timeout
        self.server_name, self.server_port = host, port
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="polkg-http")
        self._pending: dict[socket.socket, _Pending] = {}
        self._busy = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        """Accept, read heads and dispatch until ``shutdown`` (from another thread or a signal handler)."""
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        try:
            while not self._stopped.is_set():
                for key, _ in selector.select(timeout=0.2):
                    if key.fileobj is self.socket:
                        self._accept(selector)
                    else:
                        self._read(selector, key.fileobj)  # type: ignore[arg-type]
                now = time.monotonic()
                for sock in [s for s, p in self._pending.items() if p.deadline < now]:
                    self._drop(selector, sock)
        finally:
            for sock in list(self._pending):
                self._drop(selector, sock)
            selector.close()

    def shutdown(self) -> None:
        self._stopped.set()

    def server_close(self) -> None:
        self._stopped.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.socket.close()

    def _accept(self, selector: selectors.BaseSelector) -> None:
        try:
            sock, _ = self.socket.accept()
        except (BlockingIOError, InterruptedError, ConnectionError):
            return
        except OSError:  # out of file descriptors: shed the oldest waiting connection
            if self._pending:
                self._drop(selector, next(iter(self._pending)))
            return
        with self._lock:
            full = len(self._pending) + self._busy >= self.max_connections
        if full and self._pending:  # the oldest unfinished head gives way: slow clients cannot lock others out
            self._drop(selector, next(iter(self._pending)))
        elif full:
            with contextlib.suppress(OSError):
                sock.setblocking(False)
                sock.send(_UNAVAILABLE)
            sock.close()
            return
        sock.setblocking(False)
        self._pending[sock] = _Pending(time.monotonic() + self.head_timeout)
        selector.register(sock, selectors.EVENT_READ)

    def _read(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        pending = self._pending.get(sock)
        if pending is None:
            return
        try:
            data = sock.recv(8192)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(selector, sock)
            return
        pending.received += data
        if b"\r\n\r\n" in pending.received or b"\n\n" in pending.received:
            selector.unregister(sock)
            del self._pending[sock]
            with self._lock:
                self._busy += 1
            self._pool.submit(self._handle, sock, bytes(pending.received))
        elif len(pending.received) > self.head_bytes:
            with contextlib.suppress(OSError):
                sock.send(_TOO_LARGE)
            self._drop(selector, sock)

    def _drop(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        self._pending.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(sock)
        sock.close()

    def _handle(self, sock: socket.socket, head: bytes) -> None:
        try:
            sock.setblocking(True)
            self.handler(_Request(sock, head), sock.getpeername(), self)  # type: ignore[arg-type]
        except (OSError, TimeoutError):
            pass  # the client went away or was too slow: nothing to tell it
        except Exception as exc:  # a bug in a handler: one line, not a traceback, and the server goes on
            print(f"polkg serve: internal error answering a request: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            with self._lock:
                self._busy -= 1
