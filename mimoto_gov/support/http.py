"""The one HTTP session builder for Zammad, Gaug.es and the site audit.

Every request the workbook sends to another server goes through a session made by
:func:`build_session`, so the three sources share one set of defences:

- **Timeouts and a deadline.** ``(connect, read)`` timeouts bound each wait, and a total
  deadline bounds the whole request, headers and body: a watchdog shuts the socket when it
  passes, so a server sending one byte a second cannot hold a run (under cron with
  ``flock -n`` a stuck run would block every later one). :class:`DeadlineExceeded`.
- **A body size cap.** The body is read in chunks and refused once past the cap; a declared
  ``Content-Length`` over the cap is refused before reading. :class:`BodyTooLarge`.
- **Redirects on the same host only** (``http`` may become ``https``), at most five; the
  credentials (``Authorization``, the source's token header, cookies) never cross a host
  change. :class:`RedirectRefused`.
- **Retries with backoff** (urllib3 ``Retry``) where the API allows: connection failures, and
  429/5xx answers on the methods given; a ``Retry-After`` is honoured up to
  :data:`MAX_SLEEP`. Clients whose calls differ in idempotence (Zammad) retry themselves with
  the same :func:`backoff_delay` and :func:`retry_after`.
- **An address guard** (the site audit's): every connection, after DNS resolution, goes to a
  public address only; loopback, private, link-local, metadata and other non-public addresses
  are refused unless allowed, and the checked address is the one connected to, so a second
  DNS answer cannot swap it. :class:`AddressRefused`.

A session's answers are read whole (within the cap and the deadline) before they are
returned, so ``response.content``, ``.text`` and ``.json()`` work as usual. With
``stream=True`` only the headers are awaited and the body is left unread: the caller closes
the response at once (the site audit does, to see a resource's cookies).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Collection
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.util.retry import Retry

from mimoto_gov.support.addresses import AddressGuard, non_public_kind, public_addresses_only
from mimoto_gov.support.transport import (
    MB,
    AddressRefused,
    BodyTooLarge,
    DeadlineExceeded,
    GuardedAdapter,
    HttpRefused,
    Limits,
    RedirectRefused,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_SLEEP = 60.0
MAX_REDIRECTS = 5


def describe(error: requests.exceptions.RequestException) -> str:
    """Say in a few words why a request failed (for a one-line message; no URL, no secret)."""
    if isinstance(error, HttpRefused | DeadlineExceeded):
        return str(error)
    if isinstance(error, requests.exceptions.SSLError):
        return "the TLS handshake failed (certificate or protocol problem)"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "the connection timed out"
    if isinstance(error, requests.exceptions.ReadTimeout):
        return "it did not answer in time"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut off"
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "the URL is not valid"
    text = str(error)
    if "NameResolutionError" in text or "Name or service not known" in text:
        return "the host name was not found"
    if "Connection refused" in text:
        return "the connection was refused"
    if "NewConnectionError" in text:
        return "no connection could be made"
    return "the connection dropped"


def before_sending(error: requests.exceptions.RequestException) -> bool:
    """Tell whether a failure happened before the request reached the server."""
    if isinstance(error, AddressRefused | requests.exceptions.SSLError):
        return True
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return True
    text = str(error)
    return any(
        marker in text
        for marker in ("NameResolutionError", "Name or service not known", "Connection refused",
                       "NewConnectionError")
    )  # fmt: skip


# -- backoff --------------------------------------------------------------------------------


def backoff_delay(backoff: float, attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): doubling, with jitter, capped."""
    delay = backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)  # noqa: S311
    return min(max(delay, 0.0), MAX_SLEEP)


def retry_after(response: requests.Response) -> float | None:
    """Seconds a ``Retry-After`` header asks for, capped at :data:`MAX_SLEEP` (None: absent)."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_SLEEP)


# -- the session ----------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def same_host(before: str, after: str) -> bool:
    """Tell whether a move from ``before`` to ``after`` stays on the host, never to plain http.

    The same scheme must keep the port; ``http`` to ``https`` on the same name may change it.
    """
    scheme, host, port = _origin(before)
    new_scheme, new_host, new_port = _origin(after)
    if new_host != host:
        return False
    if scheme == new_scheme:
        return port == new_port
    return (scheme, new_scheme) == ("http", "https")


class Session(requests.Session):
    """A ``requests.Session`` with the redirect policy of :func:`build_session`."""

    same_host_redirects = True
    credential_headers: tuple[str, ...] = ()

    def get_redirect_target(self, resp):
        """Return where a redirect points, refusing another host when so configured."""
        target = super().get_redirect_target(resp)
        if target and self.same_host_redirects:
            absolute = urljoin(resp.url, target)
            if not same_host(resp.url, absolute):
                host = urlsplit(absolute).hostname or absolute
                raise RedirectRefused(
                    f"redirected to another host ({host}), which is not followed", response=resp
                )
        return target

    def rebuild_auth(self, prepared_request, response):
        """Drop every credential when a redirect changes host (requests drops only some)."""
        super().rebuild_auth(prepared_request, response)
        if not same_host(response.request.url, prepared_request.url):
            for name in (*self.credential_headers, "Authorization", "Cookie"):
                prepared_request.headers.pop(name, None)


def build_session(
    *,
    headers: dict[str, str] | None = None,
    credential_headers: Collection[str] = (),
    limits: Limits = Limits(),  # noqa: B008 - frozen, shared safely
    retries: int = 0,
    backoff: float = 0.5,
    retry_methods: Collection[str] = ("GET", "HEAD"),
    same_host_redirects: bool = True,
    guard: AddressGuard | None = None,
) -> Session:
    """Build a session with timeouts, a deadline, a body cap, a redirect policy and retries.

    Args:
        headers: headers sent with every request (values must be latin-1 text without line
            breaks, as HTTP requires).
        credential_headers: headers that carry secrets (besides ``Authorization``); they never
            cross a host change.
        limits: timeouts, deadline and body cap.
        retries: how many times urllib3 retries a connection failure, or a 429/5xx answer to
            one of ``retry_methods`` (0: the caller retries, or nobody does).
        backoff: the first retry's delay in seconds (it doubles; capped at 60 s).
        retry_methods: the methods whose answers may be retried (idempotent ones).
        same_host_redirects: refuse redirects to another host (off for the site audit, which
            sends no credentials and guards every address instead).
        guard: check every address connected to (see :func:`public_addresses_only`); proxies
            from the environment are then not used, since they would hide the address.

    Raises:
        requests.exceptions.InvalidHeader: a header value HTTP cannot carry.

    """
    for name, value in (headers or {}).items():
        _check_header(name, value)
    session = Session()
    session.same_host_redirects = same_host_redirects
    session.credential_headers = tuple(credential_headers)
    session.max_redirects = MAX_REDIRECTS
    if guard is not None:
        session.trust_env = False
    retry: Retry | int = 0
    if retries > 0:
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=False,
            backoff_factor=backoff,
            backoff_max=MAX_SLEEP,
            backoff_jitter=backoff / 2,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset(m.upper() for m in retry_methods),
            raise_on_status=False,
            respect_retry_after_header=True,
            retry_after_max=MAX_SLEEP,
        )
    adapter = GuardedAdapter(limits, retry, guard)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(headers or {})
    return session


def _check_header(name: str, value: str) -> None:
    try:
        str(value).encode("latin-1")
    except UnicodeEncodeError:
        raise requests.exceptions.InvalidHeader(
            f"the {name} header holds a character HTTP cannot carry"
        ) from None
    if any(c in str(value) for c in "\r\n\x00"):
        raise requests.exceptions.InvalidHeader(f"the {name} header holds a line break")


__all__ = [
    "MB",
    "AddressGuard",
    "AddressRefused",
    "BodyTooLarge",
    "DeadlineExceeded",
    "HttpRefused",
    "Limits",
    "RedirectRefused",
    "Session",
    "backoff_delay",
    "before_sending",
    "build_session",
    "describe",
    "non_public_kind",
    "public_addresses_only",
    "retry_after",
    "same_host",
]
