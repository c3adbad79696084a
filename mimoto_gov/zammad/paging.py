"""Paging through Zammad's listings, whatever the release and response shape.

Every endpoint clamps ``per_page`` silently to its own maximum (tickets 100, search 200,
users, organisations and the article index 1000) and sends no paging headers, so the end of
a listing is a page shorter than the *clamped* size, or an empty one. Older releases clamped
lower (users at 500, search at 100); a short page of exactly such a size is confirmed with one
more request instead of being trusted.

Search has answered in four shapes over the years: a flat list, ``{records, total_count}``,
``{record_ids, assets, total_count}`` and the legacy ``{tickets, tickets_count, assets}``;
:func:`records` reads them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mimoto_gov.errors import NotZammad

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


def iter_pages(
    request: Callable[..., Any],
    path: str,
    *,
    per_page: int,
    params: dict | None = None,
    method: str = "GET",
    json: dict | None = None,
) -> Iterator[dict]:
    """Yield every record of a paginated endpoint, page by page, each id once.

    The listing ends on an empty page or on one shorter than the server-clamped page size
    (or when a reported ``total_count`` is reached). Records already seen are skipped, and a
    page with nothing new ends the listing, so a server that ignores ``page`` cannot cause an
    endless loop.

    Args:
        request: the client's ``request(method, path, params=..., json=..., idempotent=...)``.
        path: the endpoint below ``/api/v1`` (``tickets``, ``tickets/search``...).
        per_page: the page size to ask for; clamped to the endpoint's known maximum.
        params: extra query parameters (GET).
        method: ``GET``, or ``POST`` for a search with a JSON body.
        json: the JSON body of a POST search (``page``/``per_page`` are added).

    Yields:
        Zammad's records as dicts.

    """
    model, plural = MODELS.get(path.split("/")[0], (None, None))
    cap = PAGE_MAX.get(path)
    size = min(per_page, cap) if cap else per_page
    seen: set = set()
    page = 1
    while True:
        paging = {"page": page, "per_page": per_page}
        if method.upper() == "GET":
            body = request("GET", path, params={**(params or {}), **paging})
        else:
            body = request(
                method, path, params=params, json={**(json or {}), **paging}, idempotent=True
            )
        found, page_len, total = records(body, model, plural)
        fresh = 0
        for record in found:
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


def records(body: Any, model: str | None, plural: str | None) -> tuple[list, int, int | None]:
    """Return the records, the page length and the total count of a page, whatever its shape."""
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
        listed = body["records"] or []
        return listed, len(listed), total
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
    found = []
    for record_id in ids:
        record = table.get(str(record_id)) or table.get(record_id)
        if record is not None:
            found.append(_with_names(dict(record), assets))
    return found, len(ids), total


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
