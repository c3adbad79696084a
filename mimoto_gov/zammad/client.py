"""A thin client for Zammad's REST API (``/api/v1``), built on ``requests``.

What Zammad does that this client has to cope with (see ``reference/zammad-api.md``):

- Every endpoint clamps ``per_page`` silently to its own maximum (tickets 100, search 200,
  users, organisations and the article index 1000) and sends no paging headers, so the end of
  a listing is a page shorter than the *clamped* size, or an empty one. Older releases
  clamped lower (users at 500, search at 100); a short page of exactly such a size is
  confirmed with one more request instead of being trusted.
- Search has answered in four shapes over the years: a flat list, ``{records, total_count}``,
  ``{record_ids, assets, total_count}`` and the legacy ``{tickets, tickets_count, assets}``.
- A throttled request gets ``429 Retry later`` without a ``Retry-After`` header; proxies in
  front of Zammad answer 502/503/504 with HTML pages. Both are retried with exponential
  backoff and jitter, as are dropped or truncated answers of read-only calls.
- ``ticket_articles/by_ticket`` is not paginated at all; the global article index needs the
  ``admin`` permission.

The client yields Zammad's records as plain dicts; shaping them into frames is
:mod:`mimoto_gov.inventory`'s job. Errors become :mod:`mimoto_gov.errors` exceptions whose
messages read well on their own and never contain the token.
"""

from __future__ import annotations

import contextlib
import email.utils
import json as jsonlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from mimoto_gov.errors import (
    AuthError,
    NotFound,
    NotZammad,
    PermissionDenied,
    ServerError,
    TaskTimeout,
    Unreachable,
    ZammadError,
)

API_PREFIX = "/api/v1"

# The server-side maximum page size of each paginated endpoint (zammad-api.md §2.2).
PAGE_MAX = {
    "tickets": 100,
    "tickets/search": 200,
    "users": 1000,
    "users/search": 200,
    "organizations": 1000,
    "organizations/search": 200,
    "ticket_articles": 1000,
    "jobs": 1000,
    "data_privacy_tasks": 1000,
}

# Page sizes older Zammad releases clamped to. A first page of exactly one of these sizes,
# shorter than what was asked for, may be a clamp rather than the end of the data.
LEGACY_CLAMPS = frozenset({50, 100, 200, 500})

# First path segment -> (asset model name, plural key of the legacy search shape).
MODELS = {
    "tickets": ("Ticket", "tickets"),
    "users": ("User", "users"),
    "organizations": ("Organization", "organizations"),
    "ticket_articles": ("TicketArticle", "ticket_articles"),
}

# Which permission a 403 on an endpoint most likely means is missing.
PERMISSION_HINTS = (
    ("ticket_articles/by_ticket", "ticket.agent with read access to the ticket's group"),
    ("ticket_articles", "the admin permission (the global article list)"),
    ("users/search", "ticket.agent or admin.user"),
    ("users", "admin.user"),
    ("organizations", "ticket.agent or admin.organization"),
    ("data_privacy_tasks", "admin.data_privacy"),
    ("jobs", "admin.scheduler"),
    ("tickets", "ticket.agent with read access to the ticket's group"),
    ("ticket_history", "ticket.agent with read access to the ticket's group"),
    ("ticket_attachment", "ticket.agent with read access to the ticket's group"),
    ("tags", "ticket.agent with read access to the ticket's group"),
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_SLEEP = 60.0


class _Retry(Exception):
    """A failed attempt that may be retried; carries the error to raise when retries run out."""

    def __init__(self, error: ZammadError, *, delay: float | None = None, safe: bool = False):
        super().__init__(str(error))
        self.error = error
        self.delay = delay
        # safe: the request never reached Zammad (or was refused unprocessed), so even a
        # non-idempotent call may be repeated.
        self.safe = safe


class ZammadClient:
    """A Zammad REST API client: one configured session, retries, paging and clear errors.

    Args:
        url: the Zammad base URL (``https://desk.example.com``; a trailing ``/api/v1`` is
            accepted too).
        token: an API token (``Authorization: Token token=...``).
        timeout: ``(connect, read)`` timeout in seconds for every request.
        max_retries: how many times a retryable failure is retried.
        backoff: the first retry delay in seconds; it doubles each time, with jitter.

    Attributes:
        request_count: every HTTP attempt made, retries included.
        server_date: Zammad's clock at the latest answer (its ``Date`` header), or None.

    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: tuple[float, float] = (10, 180),
        max_retries: int = 5,
        backoff: float = 0.5,
    ):
        base = url.strip().rstrip("/")
        if base.endswith(API_PREFIX):
            base = base[: -len(API_PREFIX)]
        self.base_url = base
        self.api_url = base + API_PREFIX
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.request_count = 0
        self.server_date: datetime | None = None
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
        if parts.port:
            host = f"{host}:{parts.port}"
        return f"{parts.scheme}://{host}{parts.path}"

    @property
    def session(self) -> requests.Session:
        """The calling thread's session (one per thread, so concurrent fetches are safe)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Authorization": f"Token token={self._token}",
                    "Accept": "application/json",
                    "User-Agent": "mimoto-gov",
                }
            )
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
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

    def _scrub(self, text: str) -> str:
        """Remove the token from a message, whatever produced it."""
        text = " ".join(str(text).split())
        if self._token:
            text = text.replace(self._token, "***")
        return text

    def _error(self, cls: type[ZammadError], message: str, status: int | None = None):
        return cls(self._scrub(message), status=status, url=self.url)

    def _count(self) -> None:
        with self._lock:
            self.request_count += 1

    def _sleep(self, attempt: int, delay: float | None) -> None:
        if delay is None:
            delay = self.backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)  # noqa: S311
        time.sleep(min(max(delay, 0.0), MAX_SLEEP))

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
            stream: stream the body (for downloads).
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
                return self._attempt(method, url, where, params, json, decode, stream)
            except _Retry as failure:
                if attempt > self.max_retries or not (idempotent or failure.safe):
                    error = failure.error
                    if attempt > 1:
                        error = type(error)(
                            f"{error} (gave up after {attempt} attempts)",
                            status=error.status,
                            url=error.url,
                        )
                    raise error from None
                self._sleep(attempt, failure.delay)
            except NotFound:
                if gone_ok and attempt > 1:
                    return None
                raise

    def _attempt(self, method, url, where, params, json, decode, stream) -> Any:
        self._count()
        try:
            response = self.session.request(
                method, url, params=params, json=json, timeout=self.timeout, stream=stream
            )
        except requests.exceptions.RequestException as exc:
            raise self._connection_failure(exc) from None
        self._note_date(response)
        try:
            status = response.status_code
            if status in RETRY_STATUSES or status >= 500:
                self._reached = True
                raise _Retry(
                    self._server_error(response, where),
                    delay=_retry_after(response),
                    safe=status == 429,
                )
            if status >= 400:
                self._reached = True
                raise self._http_error(response, where)
            result = decode(response, where)
            self._reached = True
            return result
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError):
            raise _Retry(
                self._error(Unreachable, f"the answer from Zammad at {self.url} was cut off")
            ) from None
        finally:
            response.close()

    def _note_date(self, response: requests.Response) -> None:
        """Remember Zammad's clock (the ``Date`` header), for watermarks immune to skew."""
        value = response.headers.get("Date")
        if value:
            with contextlib.suppress(TypeError, ValueError):
                self.server_date = email.utils.parsedate_to_datetime(value)

    def _connection_failure(self, exc: requests.exceptions.RequestException) -> Exception:
        """Turn a transport failure into an immediate error or a retryable one."""
        reason, before_send = _describe(exc)
        error = self._error(Unreachable, f"cannot reach Zammad at {self.url}: {reason}")
        if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.InvalidURL):
            return error
        if before_send and not self._reached:
            return error
        if isinstance(
            exc, requests.exceptions.ReadTimeout | requests.exceptions.ChunkedEncodingError
        ):
            return _Retry(error)
        if isinstance(exc, requests.exceptions.ConnectionError):
            return _Retry(error, safe=before_send)
        return error

    def _decode_json(self, response: requests.Response, where: str) -> Any:
        content_type = response.headers.get("Content-Type", "").lower()
        body = response.content
        if "html" in content_type or (not content_type and body.lstrip()[:1] == b"<"):
            raise self._not_zammad(response, where)
        if response.status_code == 204 or not body.strip():
            return None
        try:
            return jsonlib.loads(body)
        except ValueError:
            if content_type and "json" not in content_type:
                raise self._not_zammad(response, where) from None
            # Zammad promised JSON but the body ends early: a truncated answer.
            raise _Retry(
                self._error(
                    ServerError,
                    f"Zammad sent an incomplete answer to {where}",
                    response.status_code,
                )
            ) from None

    def _not_zammad(self, response: requests.Response, where: str) -> NotZammad:
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        what = "HTML" if "html" in content_type.lower() else (content_type or "no content type")
        return self._error(
            NotZammad,
            f"{self.url} does not look like Zammad's REST API (it answered {what} "
            f"to {where}, status {response.status_code}): check ZAMMAD_URL",
            response.status_code,
        )

    @staticmethod
    def _error_text(response: requests.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.text.strip()[:200] or response.reason or ""
        if isinstance(data, dict):
            return str(data.get("error_human") or data.get("error") or data)[:300]
        return str(data)[:300]

    def _server_error(self, response: requests.Response, where: str) -> ServerError:
        status = response.status_code
        if status == 429:
            return self._error(
                ServerError,
                f"Zammad throttled {where} (429 Retry later)",
                status,
            )
        text = self._error_text(response)
        if "html" in response.headers.get("Content-Type", "").lower():
            text = response.reason or "an HTML error page"
        return self._error(
            ServerError,
            f"Zammad failed {where} with {status} ({text})",
            status,
        )

    def _http_error(self, response: requests.Response, where: str) -> ZammadError:
        status = response.status_code
        if "html" in response.headers.get("Content-Type", "").lower():
            return self._not_zammad(response, where)
        text = self._error_text(response)
        if status == 401:
            return self._error(
                AuthError, f"Zammad refused the token (401: {text}): check ZAMMAD_TOKEN", status
            )
        if status == 403:
            if text in {"Authentication required", "API token access disabled!"}:
                return self._error(
                    AuthError, f"Zammad refused the token (403: {text}): check ZAMMAD_TOKEN", status
                )
            return self._error(
                PermissionDenied,
                f"Zammad refused {where} (403: {text}): the token needs {_hint(where)}",
                status,
            )
        if status == 404:
            return self._error(
                NotFound, f"Zammad has no such object: {where} (404: {text})", status
            )
        if status == 422:
            return self._error(ZammadError, f"Zammad rejected {where} (422: {text})", status)
        return self._error(ZammadError, f"Zammad answered {status} to {where}: {text}", status)

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

        The listing ends on an empty page or on one shorter than the server-clamped page size
        (or when a reported ``total_count`` is reached). Records already seen are skipped, and
        a page with nothing new ends the listing, so a server that ignores ``page`` cannot
        cause an endless loop.

        Args:
            path: the endpoint below ``/api/v1`` (``tickets``, ``tickets/search``...).
            per_page: the page size to ask for; clamped to the endpoint's known maximum.
            params: extra query parameters (GET).
            method: ``GET``, or ``POST`` for a search with a JSON body.
            json: the JSON body of a POST search (``page``/``per_page`` are added).

        Yields:
            Zammad's records as dicts.

        """
        path = self._path(path)
        model, plural = MODELS.get(path.split("/")[0], (None, None))
        cap = PAGE_MAX.get(path)
        size = min(per_page, cap) if cap else per_page
        seen: set = set()
        page = 1
        while True:
            paging = {"page": page, "per_page": per_page}
            if method.upper() == "GET":
                body = self.request("GET", path, params={**(params or {}), **paging})
            else:
                body = self.request(
                    method, path, params=params, json={**(json or {}), **paging}, idempotent=True
                )
            records, page_len, total = _records(body, model, plural)
            fresh = 0
            for record in records:
                key = record.get("id") if isinstance(record, dict) else None
                if key is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                fresh += 1
                yield record
            if page_len == 0 or fresh == 0:
                return
            if total is not None and page * size >= total:
                return
            if page_len > size:
                size = page_len
            elif page_len < size:
                if page > 1 or page_len not in LEGACY_CLAMPS:
                    return
                # A short first page may be an older server's lower clamp: adopt it as the
                # page size and look at the next page.
                size = page_len
            page += 1

    # -- reads ----------------------------------------------------------------------------

    def me(self) -> dict:
        """Return the token's own user (``users/me``): a cheap check of URL and token."""
        return self.request("GET", "users/me")

    def iter_tickets(self) -> Iterator[dict]:
        """Every ticket the token may read, in id order, with state/group/... names."""
        return self.iter_pages("tickets", per_page=100, params={"expand": "true"})

    def iter_users(self) -> Iterator[dict]:
        """Every user in id order (needs ``admin.user``)."""
        return self.iter_pages("users", per_page=1000)

    def iter_organizations(self) -> Iterator[dict]:
        """Every organisation in id order."""
        return self.iter_pages(
            "organizations", per_page=1000, params={"sort_by": "id", "order_by": "asc"}
        )

    def iter_articles(self, *, since: datetime | None = None) -> Iterator[dict]:
        """Every article of every ticket, from the global index (needs ``admin``).

        Args:
            since: only articles created or changed at or after this moment, newest first
                (the index is read by ``updated_at`` descending and left at the first older
                article); by default every article, in id order.

        Yields:
            Article dicts with ``attachments`` metadata and ``sender``/``type`` names.

        """
        if since is None:
            yield from self.iter_pages(
                "ticket_articles",
                per_page=1000,
                params={"sort_by": "id", "order_by": "asc", "expand": "true"},
            )
            return
        params = {"sort_by": "updated_at,id", "order_by": "desc,desc", "expand": "true"}
        for article in self.iter_pages("ticket_articles", per_page=1000, params=params):
            stamp = _parse_time(article.get("updated_at") or article.get("created_at"))
            if stamp is not None and stamp < since:
                return
            yield article

    def articles_by_ticket(self, ticket_id: int) -> list[dict]:
        """All articles of one ticket (Zammad does not paginate this endpoint)."""
        return list(self.request("GET", f"ticket_articles/by_ticket/{int(ticket_id)}") or [])

    def search_tickets(
        self,
        *,
        query: str | None = None,
        condition: dict | None = None,
        sort_by: str | None = None,
        order_by: str | None = None,
    ) -> Iterator[dict]:
        """Search tickets by query or by a condition (selector), 200 per page.

        A ``condition`` such as ``{"ticket.updated_at": {"operator": "after (absolute)",
        "value": "2026-01-01T00:00:00Z"}}`` is sent as a POST body and runs on Zammad's
        database path (no index lag, no 10,000-hit window).

        Yields:
            Ticket dicts, whichever response shape the server uses.

        """
        return self._search("tickets/search", query, condition, sort_by, order_by, expand=True)

    def search_users(
        self,
        query: str | None = None,
        *,
        condition: dict | None = None,
        sort_by: str | None = None,
        order_by: str | None = None,
        expand: bool = False,
    ) -> Iterator[dict]:
        """Search users by query (``email:x@y``) or condition, 200 per page.

        Users come as ``/users`` lists them (ids, no names) unless ``expand=True``.

        Yields:
            User dicts, whichever response shape the server uses.

        """
        return self._search("users/search", query, condition, sort_by, order_by, expand=expand)

    def _search(self, path, query, condition, sort_by, order_by, *, expand) -> Iterator[dict]:
        options = {"expand": "true"} if expand else {}
        if sort_by:
            options["sort_by"] = sort_by
            options["order_by"] = order_by or ",".join("asc" for _ in sort_by.split(","))
        if condition is not None:
            body: dict[str, Any] = {**options, "condition": condition}
            if expand:
                body["expand"] = True
            if query:
                body["query"] = query
            return self.iter_pages(path, per_page=200, method="POST", json=body)
        return self.iter_pages(path, per_page=200, params={**options, "query": query or ""})

    def ticket(self, ticket_id: int, *, expand: bool = True) -> dict:
        """One ticket (with state/group/... names unless ``expand=False``)."""
        params = {"expand": "true"} if expand else None
        return self.request("GET", f"tickets/{int(ticket_id)}", params=params)

    def user(self, user_id: int, *, expand: bool = True) -> dict:
        """One user (with organisation and role names unless ``expand=False``)."""
        params = {"expand": "true"} if expand else None
        return self.request("GET", f"users/{int(user_id)}", params=params)

    def ticket_history(self, ticket_id: int) -> list[dict]:
        """Return the history entries of one ticket, oldest first."""
        body = self.request("GET", f"ticket_history/{int(ticket_id)}") or {}
        return list(body.get("history", []) if isinstance(body, dict) else body)

    def ticket_tags(self, ticket_id: int) -> list[str]:
        """Return the tags of one ticket (they are not part of the ticket payload)."""
        body = self.request("GET", "tags", params={"object": "Ticket", "o_id": int(ticket_id)})
        return [str(tag) for tag in (body or {}).get("tags", [])]

    def download_attachment(self, ticket_id: int, article_id: int, attachment_id: int) -> bytes:
        """Download one attachment, streamed; the bytes are never parsed."""

        def read(response: requests.Response, where: str) -> bytes:
            return b"".join(response.iter_content(chunk_size=64 * 1024))

        path = f"ticket_attachment/{int(ticket_id)}/{int(article_id)}/{int(attachment_id)}"
        return self.request("GET", path, decode=read, stream=True)

    def jobs(self) -> list[dict]:
        """Return the schedulers (``/jobs``; ``admin.scheduler``), to spot auto-deletions."""
        return list(self.iter_pages("jobs", per_page=1000))

    # -- data privacy and deletion ----------------------------------------------------------

    def create_deletion_task(self, user_id: int, *, delete_organization: bool = False) -> dict:
        """Queue the deletion of a user (a data privacy task); Zammad runs it within 10 min.

        Args:
            user_id: the user to delete (with all tickets they are the customer of).
            delete_organization: also delete their organisation (and its tickets) when they
                are its only member. Sent as the string ``"true"``, as Zammad requires.

        Returns:
            The task as Zammad created it (``state`` ``in process``, a ticket preview).

        """
        body: dict[str, Any] = {"deletable_type": "User", "deletable_id": int(user_id)}
        if delete_organization:
            body["preferences"] = {"delete_organization": "true"}
        return self.request("POST", "data_privacy_tasks", json=body, idempotent=False)

    def data_privacy_task(self, task_id: int) -> dict:
        """One data privacy task (``state``: in process, completed or failed)."""
        return self.request("GET", f"data_privacy_tasks/{int(task_id)}")

    def wait_for_task(self, task_id: int, *, timeout: float = 1200, interval: float = 60) -> dict:
        """Poll a data privacy task until it is ``completed`` or ``failed``.

        Returns:
            The finished task (check ``state``; a failure carries ``preferences.error``).

        Raises:
            TaskTimeout: the task was still in process after ``timeout`` seconds.

        """
        deadline = time.monotonic() + timeout
        while True:
            task = self.data_privacy_task(task_id)
            if task.get("state") in {"completed", "failed"}:
                return task
            if time.monotonic() + interval > deadline:
                raise self._error(
                    TaskTimeout,
                    f"data privacy task {task_id} was still '{task.get('state')}' after "
                    f"{timeout:g} s; Zammad runs these tasks every 10 minutes, try again later",
                )
            time.sleep(interval)

    def delete_ticket(self, ticket_id: int) -> None:
        """Delete one ticket at once (admin).

        A retried DELETE whose first attempt went through finds nothing; that 404 counts as
        success. A 404 on the first attempt (no such ticket) is raised.
        """
        self.request("DELETE", f"tickets/{int(ticket_id)}", gone_ok=True)


def _records(body: Any, model: str | None, plural: str | None) -> tuple[list, int, int | None]:
    """Return records, page length and total count of a page, whatever its shape."""
    if body is None:
        return [], 0, None
    if isinstance(body, list):
        return body, len(body), None
    if not isinstance(body, dict):
        raise NotZammad(f"Zammad sent an unexpected answer ({type(body).__name__})")
    total = body.get("total_count")
    if total is None and plural:
        total = body.get(f"{plural}_count")
    if "records" in body:
        records = body["records"] or []
        return records, len(records), total
    ids = body.get("record_ids")
    if ids is None and plural:
        ids = body.get(plural)
    if ids is None:
        if "total_count" in body:
            return [], 0, total
        raise NotZammad(f"Zammad sent an answer of an unknown shape (keys: {sorted(body)[:6]})")
    if ids and isinstance(ids[0], dict):
        return ids, len(ids), total
    assets = body.get("assets") or {}
    table = assets.get(model or "", {})
    records = []
    for record_id in ids:
        record = table.get(str(record_id)) or table.get(record_id)
        if record is not None:
            records.append(_with_names(dict(record), assets))
    return records, len(ids), total


# id field -> (asset model, attribute holding its name, name field to add)
_ASSET_NAMES = (
    ("state_id", "TicketState", "name", "state"),
    ("priority_id", "TicketPriority", "name", "priority"),
    ("group_id", "Group", "name", "group"),
    ("organization_id", "Organization", "name", "organization"),
    ("owner_id", "User", "login", "owner"),
    ("customer_id", "User", "login", "customer"),
)


def _with_names(record: dict, assets: dict) -> dict:
    """Add the name fields ``expand=true`` would give, from the answer's own assets."""
    for id_field, model, attribute, name_field in _ASSET_NAMES:
        if name_field in record or record.get(id_field) is None:
            continue
        related = assets.get(model, {}).get(str(record[id_field]))
        if related and related.get(attribute) is not None:
            record[name_field] = related[attribute]
    return record


def _parse_time(value: Any) -> datetime | None:
    """Parse Zammad's ISO-8601 timestamps (``2025-01-22T10:46:58.255Z``)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (Zammad sends none, a proxy might)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        if when is None:
            return None
        return max(0.0, when.timestamp() - time.time())


def _describe(exc: requests.exceptions.RequestException) -> tuple[str, bool]:
    """Return a short reason for a transport failure and whether it was before sending."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return "the TLS handshake failed (certificate or protocol problem)", True
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "the connection timed out", True
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "it did not answer in time", False
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut off", False
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "the URL is not valid (check ZAMMAD_URL)", True
    if "NameResolutionError" in text or "Name or service not known" in text:
        return "the host name was not found (check ZAMMAD_URL)", True
    if "Connection refused" in text:
        return "the connection was refused", True
    if "NewConnectionError" in text:
        return "no connection could be made", True
    return "the connection dropped", False


def _hint(where: str) -> str:
    path = where.split(" ", 1)[-1].removeprefix(API_PREFIX).strip("/")
    for prefix, hint in PERMISSION_HINTS:
        if path.startswith(prefix):
            return hint
    return "a permission it lacks"


def client_from_settings(settings=None, **options: Any) -> ZammadClient:
    """Build a client from ``ZAMMAD_URL`` and ``ZAMMAD_TOKEN`` (environment or ``.env``).

    Args:
        settings: a :class:`~mimoto_gov.settings.Settings` (loaded when omitted).
        **options: passed to :class:`ZammadClient` (timeout, max_retries, backoff).

    Raises:
        ConfigError: a variable is missing (named, never its value).

    """
    if settings is None:
        from mimoto_gov.settings import load_settings

        settings = load_settings()
    url = settings.require("ZAMMAD_URL")
    token = settings.require("ZAMMAD_TOKEN")
    return ZammadClient(url, token, **options)
