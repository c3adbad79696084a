"""The read calls of :class:`~.client.ZammadClient`: listings, searches, one record, files.

Each is one endpoint of ``reference/zammad-api.md``, made through the client's ``request``
and ``iter_pages`` (which bring the retries, the paging and the error mapping).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import requests


class Reads:
    """The read calls (mixed into the client, which gives ``request`` and ``iter_pages``)."""

    request: Callable[..., Any]
    iter_pages: Callable[..., Iterator[dict]]

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
            stamp = parse_time(article.get("updated_at") or article.get("created_at"))
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
        """Download one attachment (within the body cap); the bytes are never parsed."""

        def read(response: requests.Response, where: str) -> bytes:
            return response.content

        path = f"ticket_attachment/{int(ticket_id)}/{int(article_id)}/{int(attachment_id)}"
        return self.request("GET", path, decode=read)

    def jobs(self) -> list[dict]:
        """Return the schedulers (``/jobs``; ``admin.scheduler``), to spot auto-deletions."""
        return list(self.iter_pages("jobs", per_page=1000))


def parse_time(value: Any) -> datetime | None:
    """Parse Zammad's ISO-8601 timestamps (``2025-01-22T10:46:58.255Z``)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
