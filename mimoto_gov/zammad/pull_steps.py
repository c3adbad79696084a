"""What a pull fetches: everything (a full pull), or what changed since the watermarks.

A full pull lists tickets, articles, users and organisations side by side; an incremental one
searches tickets and users changed since the watermark (minus :data:`OVERLAP`), fetches
articles again only for tickets whose articles differ, and merges the changes into the
previous snapshot's frames. Each returns the new tables and what came from Zammad;
:func:`mimoto_gov.zammad.sync.pull` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from mimoto_gov.errors import PermissionDenied
from mimoto_gov.zammad.frames import attachment_records, frame
from mimoto_gov.zammad.puller import Puller
from mimoto_gov.zammad.snapshot import Inventory

OVERLAP = timedelta(minutes=10)


@dataclass(frozen=True)
class Fetched:
    """The tables a pull built, and what of them came from Zammad.

    Attributes:
        tables: the new snapshot's frames by table name.
        fetched: rows of each table that came from Zammad in this pull.
        article_source: ``"index"`` (the admin article list) or ``"by_ticket"``.
        user_source: ``"list"`` (the admin user list) or ``"search"``.

    """

    tables: dict[str, pd.DataFrame]
    fetched: dict[str, int]
    article_source: str
    user_source: str


def zammad_time(moment: datetime) -> str:
    """Format a moment as Zammad does: ISO-8601 UTC with milliseconds and ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def cursor(state: dict, table: str) -> datetime | None:
    """Return where an incremental listing of ``table`` starts: its watermark minus overlap."""
    mark = (state.get("watermarks") or {}).get(table)
    return datetime.fromisoformat(mark) - OVERLAP if mark else None


def merge(table: str, old: pd.DataFrame, new: pd.DataFrame, *, drop: pd.Series) -> pd.DataFrame:
    """Replace rows of ``old`` (those ``drop`` marks, and those ``new`` has) with ``new``."""
    kept = old[~drop & ~old["id"].isin(new["id"])]
    parts = [part for part in (kept, new) if len(part)]
    if not parts:
        return frame(table, new)
    return frame(table, pd.concat(parts, ignore_index=True))


def _changed_since(field: str, since: datetime) -> dict:
    return {field: {"operator": "after (absolute)", "value": zammad_time(since)}}


# -- a full pull ---------------------------------------------------------------------------


def full_tables(puller: Puller) -> Fetched:
    """List everything: tickets, articles (the index, else ticket by ticket), users, orgs."""
    client = puller.client

    def index_articles() -> list[dict] | None:
        try:
            return puller.listing(client.iter_articles(), "articles")
        except PermissionDenied:
            return None  # not an admin token: ticket by ticket, once the tickets are known

    got = puller.together(
        tickets=lambda: puller.listing(client.iter_tickets(), "tickets"),
        articles=index_articles,
        users=puller.users,
        organizations=lambda: puller.listing(client.iter_organizations(), "organisations"),
    )
    tickets, articles, organizations = got["tickets"], got["articles"], got["organizations"]
    users, user_source = got["users"]
    ticket_ids = [t["id"] for t in tickets]
    source = "index"
    if articles is None:
        by_ticket, _gone = puller.articles_of(ticket_ids)
        articles = [a for found in by_ticket.values() for a in found]
        source = "by_ticket"
    # Articles of tickets created after the ticket listing arrive with their ticket next time.
    known = set(ticket_ids)
    articles = [a for a in articles if a.get("ticket_id") in known]
    tables = {
        "tickets": frame("tickets", tickets),
        "articles": frame("articles", articles),
        "attachments": frame("attachments", attachment_records(articles)),
        "users": frame("users", users),
        "organizations": frame("organizations", organizations),
    }
    fetched = {table: len(df) for table, df in tables.items()}
    return Fetched(tables, fetched, source, user_source)


# -- an incremental pull -------------------------------------------------------------------


def _article_ids(ticket: dict) -> set[int] | None:
    """Return the ids of a ticket's articles as the ticket lists them, if it does."""
    ids = ticket.get("article_ids")
    if isinstance(ids, str):
        ids = json.loads(ids)
    return {int(i) for i in ids} if isinstance(ids, list) else None


def incremental_tables(puller: Puller, previous: Inventory) -> Fetched:
    """Fetch what changed since the previous snapshot and merge it into its tables."""
    client = puller.client
    state = previous.sync_state
    since = cursor(state, "tickets") or datetime.fromisoformat(state["watermark"]) - OVERLAP
    search = client.search_tickets(
        condition=_changed_since("ticket.updated_at", since),
        sort_by="updated_at,id",
        order_by="asc,asc",
    )
    got = puller.together(
        changed=lambda: puller.listing(search, "changed tickets"),
        users=lambda: _changed_users(puller, previous),
        organizations=lambda: puller.listing(client.iter_organizations(), "organisations"),
    )
    changed, organizations = got["changed"], got["organizations"]
    users, user_source = got["users"]
    source, fresh = _fresh_articles(puller, state, since, changed)
    refresh = _tickets_to_refresh(changed, previous.articles, fresh)
    by_ticket, gone = puller.articles_of(refresh)
    merged = _merged(previous, changed, fresh, refresh, (by_ticket, gone))
    tables, articles_new, attachments_new = merged
    tables["users"] = users
    tables["organizations"] = frame("organizations", organizations)
    fetched = {
        "tickets": len(changed),
        "articles": articles_new,
        "attachments": attachments_new,
        "users": puller.fetched_users,
        "organizations": len(organizations),
    }
    return Fetched(tables, fetched, source, user_source)


def _fresh_articles(
    puller: Puller, state: dict, since: datetime, changed: list[dict]
) -> tuple[str, list[dict]]:
    """Return new and edited articles from the admin index, newest first, if it may be read.

    Without the index (or for what it cannot show, such as a deleted article) articles come
    ticket by ticket.
    """
    source = state.get("article_source", "by_ticket")
    if source != "index" or not changed:
        return source, []
    try:
        since_articles = cursor(state, "articles") or since
        return source, puller.listing(puller.client.iter_articles(since=since_articles), "articles")
    except PermissionDenied:
        return "by_ticket", []


def _tickets_to_refresh(
    changed: list[dict], old_articles: pd.DataFrame, fresh: list[dict]
) -> list[int]:
    """Return the changed tickets whose article ids differ from what the snapshot holds."""
    holds: dict[int, set[int]] = {}
    for ticket_id, article_id in zip(old_articles["ticket_id"], old_articles["id"], strict=True):
        if not pd.isna(ticket_id):
            holds.setdefault(int(ticket_id), set()).add(int(article_id))
    for article in fresh:
        holds.setdefault(int(article["ticket_id"]), set()).add(int(article["id"]))
    refresh = []
    for ticket in changed:
        listed = _article_ids(ticket)
        if listed is None or listed != holds.get(int(ticket["id"]), set()):
            refresh.append(int(ticket["id"]))
    return refresh


def _merged(
    previous: Inventory,
    changed: list[dict],
    fresh: list[dict],
    refresh: list[int],
    refreshed: tuple[dict[int, list[dict]], set[int]],
) -> tuple[dict[str, pd.DataFrame], int, int]:
    """Merge changed tickets and their articles into the snapshot's tickets and articles.

    ``refresh`` lists the tickets whose articles were fetched again; ``refreshed`` is what that
    found: their articles by ticket, and the tickets Zammad no longer has.

    Returns:
        The tickets, articles and attachments tables, and how many articles and attachments
        came from Zammad.

    """
    by_ticket, gone = refreshed
    changed_frame = frame("tickets", [t for t in changed if int(t["id"]) not in gone])
    old_tickets, old_articles, old_att = previous.tickets, previous.articles, previous.attachments
    tickets = merge("tickets", old_tickets, changed_frame, drop=old_tickets["id"].isin(gone))
    ticket_set = set(tickets["id"].dropna().astype(int))
    redone = set(refresh)  # tickets whose articles by_ticket now lists in full
    new_articles = [a for a in fresh if a.get("ticket_id") not in redone]
    new_articles += [a for articles in by_ticket.values() for a in articles]
    new_articles = [a for a in new_articles if a.get("ticket_id") in ticket_set]
    articles_new = frame("articles", new_articles)
    attachments_new = frame("attachments", attachment_records(new_articles))
    dropped = redone | gone
    articles = merge(
        "articles", old_articles, articles_new, drop=old_articles["ticket_id"].isin(dropped)
    )
    attachments = merge(
        "attachments",
        old_att,
        attachments_new,
        drop=old_att["ticket_id"].isin(dropped) | old_att["article_id"].isin(articles_new["id"]),
    )
    tables = {"tickets": tickets, "articles": articles, "attachments": attachments}
    return tables, len(articles_new), len(attachments_new)


def _changed_users(puller: Puller, previous: Inventory) -> tuple[pd.DataFrame, str]:
    """Merge the users changed since the last pull (a condition search) into the snapshot.

    A server that ignores the condition answers with every user, which is merely slower.
    A token that may not search users lists them all instead.
    """
    since = cursor(previous.sync_state, "users")
    if since is not None:
        search = puller.client.search_users(
            None,
            condition=_changed_since("user.updated_at", since),
            sort_by="updated_at,id",
            order_by="asc,asc",
        )
        try:
            changed = puller.listing(search, "changed users")
        except PermissionDenied:
            pass
        else:
            puller.fetched_users = len(changed)
            old = previous.users
            merged = merge("users", old, frame("users", changed), drop=old["id"].isna())
            return merged, previous.sync_state.get("user_source", "list")
    users, source = puller.users()
    puller.fetched_users = len(users)
    return frame("users", users), source
