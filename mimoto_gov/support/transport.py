"""The guarded HTTP transport under every session of :mod:`mimoto_gov.support.http`.

A ``requests`` adapter whose urllib3 connections are watched and guarded:

- a watchdog per request shuts its sockets when the total deadline passes (``shutdown``
  wakes a ``recv`` blocked in another thread at once), whether the server is slow with its
  headers or its body; the read timeout alone restarts with every byte;
- every new connection may be checked by an address guard after DNS resolution, and then
  goes to the checked address itself, so a second DNS answer cannot swap it;
- the body is read in chunks within a size cap before the answer is returned.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import connection as urllib3_connection
from urllib3.util.retry import Retry

from mimoto_gov.support.addresses import AddressGuard, NotPublic

CHUNK = 64 * 1024
MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How long and how much one request may take.

    Attributes:
        connect: seconds to establish the connection.
        read: seconds to wait for any byte of the answer.
        deadline: seconds for the whole request, headers and body (redirects are separate
            requests, each with its own deadline).
        max_body: bytes of body accepted (decoded); more is refused.

    """

    connect: float = 10.0
    read: float = 60.0
    deadline: float = 300.0
    max_body: int = 64 * MB


# -- errors ---------------------------------------------------------------------------------


class HttpRefused(requests.exceptions.RequestException):
    """The session refused to go on with a request (see the subclasses)."""


class DeadlineExceeded(requests.exceptions.Timeout):
    """The answer did not arrive whole within the request's deadline."""


class BodyTooLarge(HttpRefused):
    """The answer's body is larger than the session accepts."""


class RedirectRefused(HttpRefused):
    """A redirect pointed to another host (or from https down to http)."""


class AddressRefused(HttpRefused):
    """A host name resolved to an address the session may not connect to."""


class _Expired(Exception):  # noqa: N818 - internal signal, becomes DeadlineExceeded
    """A retry would start after the deadline."""


class _Watch:
    """Shuts every socket of one request when its deadline passes."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if not self.fired:
                return
        _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def stop(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    # socket.shutdown wakes a recv() blocked in another thread at once (close() would not);
    # the base class's method, so a TLS socket's state is left to its own thread.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Call(threading.local):
    """What the adapter is doing in this thread: its watch and its address guard."""

    watch: _Watch | None = None
    guard: AddressGuard | None = None


_CALL = _Call()


class _Guarded:
    """Connection mixin: guarded connects, and every socket handed to the current watch."""

    def _new_conn(self) -> socket.socket:
        guard, watch = _CALL.guard, _CALL.watch
        if watch is not None and watch.fired:
            raise _Expired()
        sock = super()._new_conn() if guard is None else self._guarded_conn(guard)  # type: ignore[misc]
        if watch is not None:
            watch.add(sock)
        return sock

    def _guarded_conn(self, guard: AddressGuard) -> socket.socket:
        host, port = self._dns_host, self.port  # type: ignore[attr-defined]
        try:
            infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error  # type: ignore[attr-defined]
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            guard(self.host, address)  # type: ignore[attr-defined]
        last: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, port),
                    self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options,  # type: ignore[attr-defined]
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {host} timed out") from error
            except OSError as error:
                last = error
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")

    def getresponse(self, *args, **kwargs):
        """Hand a reused keep-alive socket to the watch too, then read the answer."""
        if _CALL.watch is not None:
            _CALL.watch.add(self.sock)  # type: ignore[attr-defined]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Guarded, HTTPConnection):
    pass


class _HTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """Sends one request under the deadline and the guard, then reads its body within the cap."""

    def __init__(self, limits: Limits, retry: Retry | int, guard: AddressGuard | None):
        self.limits = limits
        self.guard = guard
        super().__init__(pool_connections=4, pool_maxsize=8, max_retries=retry)

    def init_poolmanager(self, *args, **kwargs) -> None:
        """Build the pool manager with the guarded connection classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        """Build a proxy manager with the guarded connection classes."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Send ``request``; read the body whole unless ``stream`` (headers only)."""
        if timeout is None:
            timeout = (self.limits.connect, self.limits.read)
        watch = _Watch(self.limits.deadline)
        _CALL.watch, _CALL.guard = watch, self.guard
        try:
            try:
                response = super().send(
                    request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies
                )
            except NotPublic as refused:
                raise AddressRefused(str(refused), request=request) from None
            except (_Expired, requests.exceptions.RequestException):
                if watch.fired:
                    raise self._late(request) from None
                raise
            # a redirect's body is read too: requests would read it whole on its own
            if not stream or response.is_redirect:
                self._read_body(response, watch)
            return response
        finally:
            _CALL.watch = _CALL.guard = None
            watch.stop()

    def _late(self, request) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"the answer did not arrive within {self.limits.deadline:g} s", request=request
        )

    def _read_body(self, response: requests.Response, watch: _Watch) -> None:
        cap = self.limits.max_body
        declared = response.headers.get("Content-Length", "").strip()
        too_large = BodyTooLarge(f"the answer is larger than {_size(cap)}", response=response)
        if declared.isdigit() and int(declared) > cap:
            response.close()
            raise too_large
        chunks, size = [], 0
        try:
            for chunk in response.raw.stream(CHUNK, decode_content=True):
                size += len(chunk)
                if size > cap:
                    break
                chunks.append(chunk)
        except (ProtocolError, ReadTimeoutError, DecodeError, OSError) as error:
            response.close()
            if watch.fired:
                raise self._late(response.request) from None
            if isinstance(error, DecodeError):
                raise requests.exceptions.ContentDecodingError(error, response=response) from None
            if isinstance(error, ReadTimeoutError):
                raise requests.exceptions.ReadTimeout(error, response=response) from None
            raise requests.exceptions.ChunkedEncodingError(error, response=response) from None
        if size > cap:
            response.close()
            raise too_large
        if watch.fired:
            # the watchdog's shutdown reads as the end of a body without a length
            response.close()
            raise self._late(response.request)
        # requests keeps a read body here; setting it is how its own .content caches it
        response._content = b"".join(chunks)
        response._content_consumed = True
        response.raw.release_conn()


def _size(count: int) -> str:
    return f"{count / MB:,.0f} MB" if count >= MB else f"{count:,} bytes"
