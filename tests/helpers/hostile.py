"""Small hostile web servers on 127.0.0.1 for the security tests.

Each test describes its server as a :class:`Hostile` subclass (a ``BaseHTTPRequestHandler``)
and runs it with :func:`serving`, in a thread of the test process. Every request the server
receives is recorded (method, path, headers) in ``server.seen``, so a test can assert that
nothing reached a place it must not reach. Servers that misbehave in time (dripping bytes,
endless bodies) stop on their own after :data:`GIVE_UP` seconds, so that a client without a
deadline makes the test fail instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIVE_UP = 20.0


@dataclass
class Seen:
    """One request a hostile server received."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class Hostile(BaseHTTPRequestHandler):
    """A handler that records every request; subclasses override :meth:`answer`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        """Stay quiet."""

    def _record(self) -> None:
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers.items())))

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._record()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.answer()

    do_POST = do_GET  # noqa: N815

    def answer(self) -> None:
        """Answer the request (override)."""
        self.send_body(b"{}", "application/json")

    # -- building blocks ------------------------------------------------------------------

    def send_body(self, body: bytes, kind: str = "text/html", status: int = 200, headers=()):
        """Send a whole answer with its length."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        """Send a redirect."""
        self.send_body(b"", status=status, headers=[("Location", location)])

    def drip(self, kind: str = "application/json", interval: float = 0.3) -> None:
        """Promise a body, then send it one byte at a time (for at most GIVE_UP seconds)."""
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self.wfile.flush()
        ends = time.monotonic() + GIVE_UP
        while time.monotonic() < ends:
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(interval)
        self.close_connection = True

    def flood(self, declared: int | None, kind: str = "text/html") -> None:
        """Send zeros fast: ``declared`` bytes promised (None: chunked, without end)."""
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if declared is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        chunk = b"0" * (1 << 20)
        ends = time.monotonic() + GIVE_UP
        sent = 0
        while time.monotonic() < ends and (declared is None or sent < declared):
            if declared is None:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            else:
                self.wfile.write(chunk)
            sent += len(chunk)
            self.server.sent = sent
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.seen: list[Seen] = []
        self.sent = 0


@dataclass
class Running:
    """A running hostile server: its root URL and what it saw."""

    server: _Server
    host: str

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    @property
    def seen(self) -> list[Seen]:
        """Every request received so far."""
        return self.server.seen

    @property
    def sent(self) -> int:
        """Bytes of body a flooding answer has sent so far."""
        return self.server.sent


@contextlib.contextmanager
def serving(handler: type[Hostile], host: str = "127.0.0.1") -> Iterator[Running]:
    """Run ``handler`` on a free port of ``host`` for the ``with`` block."""
    server = _Server((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(server, host)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
