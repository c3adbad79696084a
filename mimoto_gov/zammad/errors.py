"""How Zammad's answers and transport failures become the workbook's one-line errors.

:class:`ErrorMapper` turns an HTTP status (401, 403, 404, 422, 429, 5xx), an HTML page where
JSON was expected, or a transport failure (refused, timed out, cut off, past the deadline,
too large, redirected away) into a :mod:`mimoto_gov.errors` exception whose message reads well
on its own and never contains the token. Failures worth another attempt come back wrapped in
:class:`Retry`; the client decides whether the call may be repeated.
"""

from __future__ import annotations

import requests

from mimoto_gov.errors import (
    AuthError,
    NotFound,
    NotZammad,
    PermissionDenied,
    ServerError,
    Unreachable,
    ZammadError,
)
from mimoto_gov.support.http import (
    BodyTooLarge,
    DeadlineExceeded,
    RedirectRefused,
    before_sending,
    describe,
    retry_after,
)

API_PREFIX = "/api/v1"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

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


class Retry(Exception):  # noqa: N818 - a signal to the retry loop, not a failure of its own
    """A failed attempt that may be retried; carries the error to raise when retries run out."""

    def __init__(self, error: ZammadError, *, delay: float | None = None, safe: bool = False):
        super().__init__(str(error))
        self.error = error
        self.delay = delay
        # safe: the request never reached Zammad (or was refused unprocessed), so even a
        # non-idempotent call may be repeated.
        self.safe = safe


def hint(where: str) -> str:
    """Name the permission a 403 on ``where`` (``GET /api/v1/users``) most likely lacks."""
    path = where.split(" ", 1)[-1].removeprefix(API_PREFIX).strip("/")
    for prefix, text in PERMISSION_HINTS:
        if path.startswith(prefix):
            return text
    return "a permission it lacks"


def error_text(response: requests.Response) -> str:
    """Zammad's own words for an error (``error_human``, ``error``), shortened."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason or ""
    if isinstance(data, dict):
        return str(data.get("error_human") or data.get("error") or data)[:300]
    return str(data)[:300]


class ErrorMapper:
    """Builds a client's errors: its URL on each, its token never in one.

    Args:
        url: the base URL as shown in messages.
        token: the API token, scrubbed from every message.

    """

    def __init__(self, url: str, token: str):
        self.url = url
        self._token = token

    def scrub(self, text: str) -> str:
        """Remove the token from a message, whatever produced it, on one line."""
        text = " ".join(str(text).split())
        if self._token:
            text = text.replace(self._token, "***")
        return text

    def make(self, cls: type[ZammadError], message: str, status: int | None = None):
        """Return ``cls(message)`` scrubbed, with this client's URL and ``status``."""
        return cls(self.scrub(message), status=status, url=self.url)

    def transport(self, exc: requests.exceptions.RequestException, *, reached: bool):
        """Turn a transport failure into an immediate error or a :class:`Retry`.

        Args:
            exc: what ``requests`` raised.
            reached: whether Zammad has answered this client before; until it has, a refused
                connection or an unknown host is a configuration problem, reported at once.

        """
        if isinstance(exc, RedirectRefused):
            return self.make(NotZammad, f"Zammad at {self.url} {exc}: check ZAMMAD_URL")
        if isinstance(exc, DeadlineExceeded):
            return self.make(Unreachable, f"Zammad at {self.url} answered too slowly: {exc}")
        if isinstance(exc, BodyTooLarge):
            return self.make(ServerError, f"Zammad at {self.url} sent too much: {exc}")
        reason = describe(exc)
        if reason in ("the URL is not valid", "the host name was not found"):
            reason += " (check ZAMMAD_URL)"
        error = self.make(Unreachable, f"cannot reach Zammad at {self.url}: {reason}")
        early = before_sending(exc)
        if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.InvalidURL):
            return error
        if early and not reached:
            return error
        if isinstance(
            exc, requests.exceptions.ReadTimeout | requests.exceptions.ChunkedEncodingError
        ):
            return Retry(error)
        if isinstance(exc, requests.exceptions.ConnectionError):
            return Retry(error, safe=early)
        return error

    def not_zammad(self, response: requests.Response, where: str) -> NotZammad:
        """Say the URL answers, but not as Zammad's REST API does (HTML, another content type)."""
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        what = "HTML" if "html" in content_type.lower() else (content_type or "no content type")
        return self.make(
            NotZammad,
            f"{self.url} does not look like Zammad's REST API (it answered {what} "
            f"to {where}, status {response.status_code}): check ZAMMAD_URL",
            response.status_code,
        )

    def server(self, response: requests.Response, where: str) -> Retry:
        """Map a 429 or 5xx answer to a retry (a 429 was refused unprocessed: always safe)."""
        status = response.status_code
        if status == 429:
            error = self.make(ServerError, f"Zammad throttled {where} (429 Retry later)", status)
        else:
            text = error_text(response)
            if "html" in response.headers.get("Content-Type", "").lower():
                text = response.reason or "an HTML error page"
            error = self.make(ServerError, f"Zammad failed {where} with {status} ({text})", status)
        return Retry(error, delay=retry_after(response), safe=status == 429)

    def http(self, response: requests.Response, where: str) -> ZammadError:
        """Map a 4xx answer: the token, a permission, a missing object or a rejected request."""
        status = response.status_code
        if "html" in response.headers.get("Content-Type", "").lower():
            return self.not_zammad(response, where)
        text = error_text(response)
        if status == 401:
            return self.make(
                AuthError, f"Zammad refused the token (401: {text}): check ZAMMAD_TOKEN", status
            )
        if status == 403:
            if text in {"Authentication required", "API token access disabled!"}:
                return self.make(
                    AuthError, f"Zammad refused the token (403: {text}): check ZAMMAD_TOKEN", status
                )
            return self.make(
                PermissionDenied,
                f"Zammad refused {where} (403: {text}): the token needs {hint(where)}",
                status,
            )
        if status == 404:
            return self.make(NotFound, f"Zammad has no such object: {where} (404: {text})", status)
        if status == 422:
            return self.make(ZammadError, f"Zammad rejected {where} (422: {text})", status)
        return self.make(ZammadError, f"Zammad answered {status} to {where}: {text}", status)
