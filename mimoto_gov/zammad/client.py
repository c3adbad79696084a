"""A thin client for Zammad's REST API (``/api/v1``), built on ``requests``.

What Zammad does that this client has to cope with (see ``reference/zammad-api.md``):

- Listings are clamped and unannounced; search answers in four shapes
  (:mod:`mimoto_gov.zammad.paging` reads them all).
- A throttled request gets ``429 Retry later`` without a ``Retry-After`` header; proxies in
  front of Zammad answer 502/503/504 with HTML pages. Both are retried with exponential
  backoff and jitter, as are dropped or truncated answers of read-only calls; a call that
  changes something is repeated only when it surely did not reach Zammad.
- ``ticket_articles/by_ticket`` is not paginated at all; the global article index needs the
  ``admin`` permission.

Every request goes through the workbook's one HTTP session builder
(:func:`mimoto_gov.support.http.build_session`): (connect, read) timeouts, a total deadline
per request however slowly Zammad answers, a cap on the body size, and redirects followed on
the same host only, so the token never reaches another one.

The client yields Zammad's records as plain dicts; shaping them into frames is
:mod:`mimoto_gov.inventory`'s job. Errors become :mod:`mimoto_gov.errors` exceptions whose
messages read well on their own and never contain the token
(:mod:`mimoto_gov.zammad.errors`).
"""

from __future__ import annotations

import contextlib
import email.utils
import json as jsonlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from mimoto_gov.errors import ConfigError, NotFound, ServerError, Unreachable
from mimoto_gov.settings import check_token, check_url, load_settings
from mimoto_gov.support.http import MB, Limits, backoff_delay, build_session
from mimoto_gov.zammad import paging
from mimoto_gov.zammad.errors import API_PREFIX, RETRY_STATUSES, ErrorMapper, Retry
from mimoto_gov.zammad.privacy import PrivacyTasks
from mimoto_gov.zammad.reads import Reads

PAGE_MAX = paging.PAGE_MAX
LEGACY_CLAMPS = paging.LEGACY_CLAMPS
DEFAULT_DEADLINE = 600.0
DEFAULT_MAX_BODY = 256 * MB


class ZammadClient(Reads, PrivacyTasks):
    """A Zammad REST API client: one configured session, retries, paging and clear errors.

    Args:
        url: the Zammad base URL (``https://desk.example.com``; a trailing ``/api/v1`` is
            accepted too).
        token: an API token (``Authorization: Token token=...``).
        timeout: ``(connect, read)`` timeout in seconds for every request.
        max_retries: how many times a retryable failure is retried.
        backoff: the first retry delay in seconds; it doubles each time, with jitter.
        deadline: seconds for each whole request, headers and body.
        max_body: bytes accepted in one answer (an attachment download included).

    Attributes:
        request_count: every HTTP attempt made, retries included.
        server_date: Zammad's clock at the latest answer (its ``Date`` header), or None.

    Raises:
        ConfigError: the URL is not a valid http(s) URL, or the token holds a character
            HTTP cannot carry (neither is shown).

    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: tuple[float, float] = (10, 180),
        max_retries: int = 5,
        backoff: float = 0.5,
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = DEFAULT_MAX_BODY,
    ):
        base = check_url("ZAMMAD_URL", url).rstrip("/")
        if base.endswith(API_PREFIX):
            base = base[: -len(API_PREFIX)]
        if token:
            check_token("ZAMMAD_TOKEN", token)
        self.base_url = base
        self.api_url = base + API_PREFIX
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.limits = Limits(timeout[0], timeout[1], deadline, max_body)
        self.request_count = 0
        self.server_date: datetime | None = None
        self.errors = ErrorMapper(self.url, token)
        self._token = token
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        # Until Zammad has answered once, a refused connection or an unknown host is a
        # configuration problem: report it at once instead of backing off for a minute.
        self._reached = False
        self.session  # noqa: B018 - build the calling thread's session now

    # -- plumbing -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL as shown in messages (scheme, host, port and path; no credentials)."""
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port:
            host = f"{host}:{parts.port}"
        return f"{parts.scheme}://{host}{parts.path}"

    @property
    def session(self) -> requests.Session:
        """The calling thread's session (one per thread, so concurrent fetches are safe)."""
        session = getattr(self._local, "session", None)
        if session is None:
            try:
                session = build_session(
                    headers={
                        "Authorization": f"Token token={self._token}",
                        "Accept": "application/json",
                        "User-Agent": "mimoto-gov",
                    },
                    limits=self.limits,
                )
            except requests.exceptions.InvalidHeader:
                raise ConfigError("ZAMMAD_TOKEN holds a character HTTP cannot carry") from None
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every session this client opened."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def __enter__(self) -> ZammadClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ZammadClient({self.url!r})"

    def _count(self) -> None:
        with self._lock:
            self.request_count += 1

    @staticmethod
    def _path(path: str) -> str:
        """Normalise ``/api/v1/tickets``, ``/tickets`` and ``tickets`` to ``tickets``."""
        path = path.strip()
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX) :]
        return path.strip("/")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        decode: Callable[[requests.Response, str], Any] | None = None,
        stream: bool = False,
        gone_ok: bool = False,
    ) -> Any:
        """Make one API call with retries and error mapping; return the decoded answer.

        Args:
            method: HTTP method.
            path: the endpoint below ``/api/v1`` (``tickets/3``).
            params: query parameters.
            json: a JSON body.
            idempotent: whether a failure after the request was sent may be retried
                (default: true for GET, HEAD and DELETE).
            decode: turns a 2xx response into the result (default: parse JSON).
            stream: unused (every answer is read whole, within the body cap).
            gone_ok: a 404 on a retry means an earlier attempt succeeded (for DELETE).

        Returns:
            The decoded answer.

        Raises:
            ZammadError: a subclass naming what went wrong.

        """
        method = method.upper()
        path = self._path(path)
        if idempotent is None:
            idempotent = method in {"GET", "HEAD", "DELETE"}
        decode = decode or self._decode_json
        url = f"{self.api_url}/{path}"
        where = f"{method} {API_PREFIX}/{path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(method, url, where, params, json, decode)
            except Retry as failure:
                if attempt > self.max_retries or not (idempotent or failure.safe):
                    error = failure.error
                    if attempt > 1:
                        error = type(error)(
                            f"{error} (gave up after {attempt} attempts)",
                            status=error.status,
                            url=error.url,
                        )
                    raise error from None
                delay = failure.delay
                time.sleep(backoff_delay(self.backoff, attempt) if delay is None else delay)
            except NotFound:
                if gone_ok and attempt > 1:
                    return None
                raise

    def _attempt(self, method, url, where, params, json, decode) -> Any:
        self._count()
        try:
            response = self.session.request(method, url, params=params, json=json)
        except requests.exceptions.RequestException as exc:
            raise self.errors.transport(exc, reached=self._reached) from None
        self._note_date(response)
        try:
            status = response.status_code
            if status in RETRY_STATUSES or status >= 500:
                self._reached = True
                raise self.errors.server(response, where)
            if status >= 400:
                self._reached = True
                raise self.errors.http(response, where)
            result = decode(response, where)
            self._reached = True
            return result
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError):
            raise Retry(
                self.errors.make(Unreachable, f"the answer from Zammad at {self.url} was cut off")
            ) from None
        finally:
            response.close()

    def _note_date(self, response: requests.Response) -> None:
        """Remember Zammad's clock (the ``Date`` header), for watermarks immune to skew."""
        value = response.headers.get("Date")
        if value:
            with contextlib.suppress(TypeError, ValueError):
                self.server_date = email.utils.parsedate_to_datetime(value)

    def _decode_json(self, response: requests.Response, where: str) -> Any:
        content_type = response.headers.get("Content-Type", "").lower()
        body = response.content
        if "html" in content_type or (not content_type and body.lstrip()[:1] == b"<"):
            raise self.errors.not_zammad(response, where)
        if response.status_code == 204 or not body.strip():
            return None
        try:
            return jsonlib.loads(body)
        except ValueError:
            if content_type and "json" not in content_type:
                raise self.errors.not_zammad(response, where) from None
            # Zammad promised JSON but the body ends early: a truncated answer.
            raise Retry(
                self.errors.make(
                    ServerError,
                    f"Zammad sent an incomplete answer to {where}",
                    response.status_code,
                )
            ) from None

    # -- paging ---------------------------------------------------------------------------

    def iter_pages(
        self,
        path: str,
        *,
        per_page: int,
        params: dict | None = None,
        method: str = "GET",
        json: dict | None = None,
    ) -> Iterator[dict]:
        """Yield every record of a paginated endpoint, page by page, each id once.

        See :func:`mimoto_gov.zammad.paging.iter_pages` (``path`` below ``/api/v1``,
        ``per_page`` clamped to the endpoint's known maximum, ``method`` ``POST`` for a
        search with a ``json`` body).
        """
        return paging.iter_pages(
            self.request, self._path(path), per_page=per_page, params=params, method=method,
            json=json,
        )  # fmt: skip


def client_from_settings(settings=None, **options: Any) -> ZammadClient:
    """Build a client from ``ZAMMAD_URL`` and ``ZAMMAD_TOKEN`` (environment or ``.env``).

    Args:
        settings: a :class:`~mimoto_gov.settings.Settings` (loaded when omitted).
        **options: passed to :class:`ZammadClient` (timeout, max_retries, backoff).

    Raises:
        ConfigError: a variable is missing (named, never its value).

    """
    if settings is None:
        settings = load_settings()
    url = settings.require("ZAMMAD_URL")
    token = settings.require("ZAMMAD_TOKEN")
    return ZammadClient(url, token, **options)
