"""Pull Zammad into the local snapshot (``<data>/zammad/*.parquet`` plus ``sync_state.json``).

The first pull, and every ``full=True`` pull, lists everything: tickets by id (100 a page),
articles from the admin-only global index (1,000 a page) or else ticket by ticket with a few
threads, users (1,000 a page) and organisations. What Zammad no longer has leaves the
snapshot: a full pull is the only way to see deletions, because Zammad's REST API has no
change feed or tombstones.

Later pulls are incremental:

- tickets changed since the watermark (the newest ``updated_at`` seen, minus a ten-minute
  overlap) come from a condition search on ``ticket.updated_at`` sorted by
  ``updated_at, id``; the overlap and de-duplication by id cover clock edges and paging
  shifts;
- a changed ticket's articles are fetched again only when its ``article_ids`` differ from the
  snapshot's (or when the server does not say); if that is more tickets than the global
  article index has pages, the index is read instead;
- users and organisations are listed again (a few requests), which also drops deleted ones.

A pull first fetches everything into memory and only then writes the new snapshot into a
staging folder that replaces the old one in one rename (:func:`mimoto_gov.files.replacing_dir`):
a failure or an interruption at any point leaves the previous snapshot as it was.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import NotFound, PermissionDenied, SnapshotError
from mimoto_gov.files import private_dir, replacing_dir, write_bytes, write_text
from mimoto_gov.inventory import (
    SCHEMA_VERSION,
    STATE_FILE,
    TABLES,
    Inventory,
    attachment_records,
    frame,
    read_snapshot,
)
from mimoto_gov.progress import progress
from mimoto_gov.zammad.client import ZammadClient

OVERLAP = timedelta(minutes=10)
WORKERS = 4
ARTICLE_INDEX_PAGE = 1000


@dataclass(frozen=True)
class PullResult:
    """What a pull did.

    Attributes:
        mode: ``"full"`` or ``"incremental"``.
        counts: rows of each table in the new snapshot.
        fetched: rows of each table that came from Zammad in this pull.
        removed: rows of each table dropped because Zammad no longer has them.
        requests: HTTP requests made (retries included).
        snapshot_time: when the pull started (UTC); the snapshot is at least this fresh.
        path: the snapshot folder.
        article_source: ``"index"`` (the admin article list) or ``"by_ticket"``.
        seconds: wall time of the pull.
        reason: why a full pull was made (first pull, ``--full``, another server...).

    """

    mode: str
    counts: dict[str, int]
    fetched: dict[str, int]
    removed: dict[str, int]
    requests: int
    snapshot_time: datetime
    path: Path
    article_source: str
    seconds: float
    reason: str = ""
    watermark: datetime | None = field(default=None)

    def summary(self) -> str:
        """Describe the pull in one paragraph for a person."""
        held = _listing(self.counts)
        when = _uk_time(self.snapshot_time)
        if self.mode == "full":
            text = f"Full pull ({self.reason}): the snapshot holds {held}."
            gone = {table: n for table, n in self.removed.items() if n}
            if gone:
                text += f" Removed what Zammad no longer has: {_listing(gone)}."
        else:
            changed = self.fetched.get("tickets", 0)
            text = (
                f"Incremental pull: {changed:,} changed ticket{'s' if changed != 1 else ''}, "
                f"{self.fetched.get('articles', 0):,} articles fetched again; "
                f"the snapshot holds {held}."
            )
        articles = "the global article index" if self.article_source == "index" else "per ticket"
        return (
            f"{text} Articles came {'from ' if self.article_source == 'index' else ''}"
            f"{articles}. {self.requests:,} requests in {self.seconds:.1f} s. "
            f"Snapshot as of {when} in {self.path}."
        )


def _listing(counts: dict[str, int]) -> str:
    names = {"organizations": "organisations"}
    parts = [f"{n:,} {names.get(table, table)}" for table, n in counts.items()]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def _uk_time(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def _iso(moment: datetime) -> str:
    """Format a moment as Zammad does: ISO-8601 UTC with milliseconds and ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Puller:
    """One pull's fetching: talks to Zammad, returns raw records, counts nothing itself."""

    def __init__(self, client: ZammadClient, show_progress: bool | None):
        self.client = client
        self.show_progress = show_progress
        self.server_start: datetime | None = None

    def _bar(self, **kwargs):
        if self.show_progress is not None:
            kwargs["disable"] = not self.show_progress
        return progress(**kwargs)

    def listing(self, records: Iterable[dict], what: str) -> list[dict]:
        """Drain a paginated listing into a list, with a progress bar on a terminal."""
        rows = []
        with self._bar(desc=what, unit=f" {what}") as bar:
            for record in records:
                if self.server_start is None:
                    # Zammad's clock at the first answer: changes made during this pull are
                    # newer than this, whatever the local clock says.
                    self.server_start = self.client.server_date
                rows.append(record)
                bar.update()
        if self.server_start is None:
            self.server_start = self.client.server_date
        return rows

    def all_articles(self, ticket_ids: list[int]) -> tuple[list[dict], str]:
        """Every article, from the admin index when allowed, else ticket by ticket."""
        try:
            return self.listing(self.client.iter_articles(), "articles"), "index"
        except PermissionDenied:
            by_ticket, _gone = self.articles_of(ticket_ids)
            return [a for articles in by_ticket.values() for a in articles], "by_ticket"

    def articles_of(self, ticket_ids: list[int]) -> tuple[dict[int, list[dict]], set[int]]:
        """Articles of each ticket (a few threads); also the tickets Zammad no longer has."""
        found: dict[int, list[dict]] = {}
        gone: set[int] = set()
        if not ticket_ids:
            return found, gone

        def fetch(ticket_id: int) -> tuple[int, list[dict] | None]:
            try:
                return ticket_id, self.client.articles_by_ticket(ticket_id)
            except NotFound:
                return ticket_id, None

        pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="zammad-articles")
        try:
            with self._bar(total=len(ticket_ids), desc="articles", unit=" tickets") as bar:
                pending = {pool.submit(fetch, ticket_id) for ticket_id in ticket_ids}
                while pending:
                    done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                    for future in done:
                        ticket_id, articles = future.result()  # re-raises a failure
                        if articles is None:
                            gone.add(ticket_id)
                        else:
                            found[ticket_id] = articles
                        bar.update()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return found, gone

    def users(self) -> tuple[list[dict], str]:
        """Every user: the admin list, else (an agent token) a blank search by id."""
        try:
            return self.listing(self.client.iter_users(), "users"), "list"
        except PermissionDenied:
            search = self.client.search_users(None, sort_by="id", order_by="asc")
            return self.listing(search, "users"), "search"


def _previous(folder: Path, client: ZammadClient) -> tuple[Inventory | None, str]:
    """Return the snapshot to build on, or None and the reason a full pull is needed."""
    try:
        previous = read_snapshot(folder)
    except SnapshotError as error:
        return None, "first pull" if "no Zammad snapshot" in str(error) else "snapshot unreadable"
    state = previous.sync_state
    if state.get("zammad_url") != client.url:
        return None, "the snapshot came from another Zammad"
    if not state.get("watermark"):
        return None, "the snapshot has no watermark"
    return previous, ""


def _merge(table: str, old: pd.DataFrame, new: pd.DataFrame, *, drop: pd.Series) -> pd.DataFrame:
    """Replace rows of ``old`` (those ``drop`` marks, and those ``new`` has) with ``new``."""
    kept = old[~drop & ~old["id"].isin(new["id"])]
    parts = [part for part in (kept, new) if len(part)]
    if not parts:
        return frame(table, new)
    return frame(table, pd.concat(parts, ignore_index=True))


def _max_time(series: pd.Series) -> datetime | None:
    value = series.max() if len(series) else None
    return None if value is None or pd.isna(value) else value.to_pydatetime()


def pull(
    client: ZammadClient,
    data_dir: Path | str,
    *,
    full: bool = False,
    show_progress: bool | None = None,
) -> PullResult:
    """Pull Zammad into ``<data_dir>/zammad`` and return what was done.

    Args:
        client: a client for the Zammad to copy (an agent token with read access to all
            groups works; an admin token is faster and sees every user).
        data_dir: the workbook's data folder (made private, 0700).
        full: list everything and drop what Zammad no longer has, even when an earlier
            snapshot would allow an incremental pull.
        show_progress: force progress bars on or off (default: only on a terminal).

    Returns:
        A :class:`PullResult`.

    Raises:
        ZammadError: Zammad failed or refused; the previous snapshot is untouched.

    """
    started = time.monotonic()
    requests_before = client.request_count
    snapshot_time = datetime.now(UTC)
    data_dir = Path(data_dir)
    folder = data_dir / "zammad"
    private_dir(data_dir)

    previous, reason = _previous(folder, client)
    if full and previous is not None:
        reason = "asked for"
    puller = _Puller(client, show_progress)
    if full or previous is None:
        mode = "full"
        tables, fetched, source, user_source = _full(puller)
        watermark = _max_time(tables["tickets"]["updated_at"])
        last_full = _iso(snapshot_time)
    else:
        mode = "incremental"
        tables, fetched, source, user_source = _incremental(puller, previous)
        old_mark = datetime.fromisoformat(previous.sync_state["watermark"])
        new_mark = _max_time(tables["tickets"]["updated_at"])
        watermark = max(old_mark, new_mark) if new_mark else old_mark
        last_full = previous.sync_state.get("last_full_pull")
    if puller.server_start is not None and (watermark is None or watermark > puller.server_start):
        watermark = puller.server_start

    removed = {}
    for table in TABLES:
        before = getattr(previous, table) if previous is not None else None
        removed[table] = (
            int((~before["id"].isin(tables[table]["id"])).sum()) if before is not None else 0
        )
    counts = {table: len(tables[table]) for table in TABLES}
    state = {
        "schema_version": SCHEMA_VERSION,
        "zammad_url": client.url,
        "snapshot_time": snapshot_time.isoformat(),
        "mode": mode,
        "watermark": watermark.astimezone(UTC).isoformat() if watermark else None,
        "last_full_pull": last_full,
        "article_source": source,
        "user_source": user_source,
        "counts": counts,
        "requests": client.request_count - requests_before,
    }
    _write(folder, tables, state)
    return PullResult(
        mode=mode,
        counts=counts,
        fetched=fetched,
        removed=removed if mode == "full" else {table: 0 for table in TABLES},
        requests=client.request_count - requests_before,
        snapshot_time=snapshot_time,
        path=folder,
        article_source=source,
        seconds=time.monotonic() - started,
        reason=reason or "asked for",
        watermark=watermark,
    )


def _full(puller: _Puller) -> tuple[dict[str, pd.DataFrame], dict[str, int], str, str]:
    client = puller.client
    tickets = puller.listing(client.iter_tickets(), "tickets")
    ticket_ids = [t["id"] for t in tickets]
    articles, source = puller.all_articles(ticket_ids)
    # Articles of tickets created after the ticket listing arrive with their ticket next time.
    known = set(ticket_ids)
    articles = [a for a in articles if a.get("ticket_id") in known]
    users, user_source = puller.users()
    organizations = puller.listing(client.iter_organizations(), "organisations")
    tables = {
        "tickets": frame("tickets", tickets),
        "articles": frame("articles", articles),
        "attachments": frame("attachments", attachment_records(articles)),
        "users": frame("users", users),
        "organizations": frame("organizations", organizations),
    }
    fetched = {table: len(df) for table, df in tables.items()}
    return tables, fetched, source, user_source


def _needs_articles(ticket: dict, held: dict[int, set[int]]) -> bool:
    ids = ticket.get("article_ids")
    if isinstance(ids, str):
        ids = json.loads(ids)
    if not isinstance(ids, list):
        return True  # the server does not say which articles the ticket has
    return {int(i) for i in ids} != held.get(int(ticket["id"]), set())


def _incremental(
    puller: _Puller, previous: Inventory
) -> tuple[dict[str, pd.DataFrame], dict[str, int], str, str]:
    client = puller.client
    state = previous.sync_state
    cursor = datetime.fromisoformat(state["watermark"]) - OVERLAP
    condition = {"ticket.updated_at": {"operator": "after (absolute)", "value": _iso(cursor)}}
    search = client.search_tickets(condition=condition, sort_by="updated_at,id", order_by="asc,asc")
    changed = puller.listing(search, "changed tickets")

    old_articles = previous.articles
    held: dict[int, set[int]] = {}
    for ticket_id, article_id in zip(old_articles["ticket_id"], old_articles["id"], strict=True):
        if not pd.isna(ticket_id):
            held.setdefault(int(ticket_id), set()).add(int(article_id))
    refresh = [int(t["id"]) for t in changed if _needs_articles(t, held)]

    source = state.get("article_source", "by_ticket")
    index_pages = len(old_articles) // ARTICLE_INDEX_PAGE + 2
    gone: set[int] = set()
    if refresh and source == "index" and len(refresh) > index_pages:
        # Cheaper to read the whole index than to ask ticket by ticket.
        articles, source = puller.all_articles([int(t) for t in previous.tickets["id"]])
        fresh_articles = articles
        replace_all = True
    else:
        by_ticket, gone = puller.articles_of(refresh)
        fresh_articles = [a for articles in by_ticket.values() for a in articles]
        replace_all = False

    changed_frame = frame("tickets", [t for t in changed if int(t["id"]) not in gone])
    old_tickets = previous.tickets
    tickets = _merge("tickets", old_tickets, changed_frame, drop=old_tickets["id"].isin(gone))
    ticket_set = set(tickets["id"].dropna().astype(int))
    fresh_articles = [a for a in fresh_articles if a.get("ticket_id") in ticket_set]
    new_articles = frame("articles", fresh_articles)
    new_attachments = frame("attachments", attachment_records(fresh_articles))
    if replace_all:
        articles_df, attachments_df = new_articles, new_attachments
    else:
        redone = set(refresh) | gone
        old_att = previous.attachments
        articles_df = _merge(
            "articles", old_articles, new_articles, drop=old_articles["ticket_id"].isin(redone)
        )
        attachments_df = _merge(
            "attachments", old_att, new_attachments, drop=old_att["ticket_id"].isin(redone)
        )

    users, user_source = puller.users()
    organizations = puller.listing(client.iter_organizations(), "organisations")
    tables = {
        "tickets": tickets,
        "articles": articles_df,
        "attachments": attachments_df,
        "users": frame("users", users),
        "organizations": frame("organizations", organizations),
    }
    fetched = {
        "tickets": len(changed),
        "articles": len(new_articles),
        "attachments": len(new_attachments),
        "users": len(users),
        "organizations": len(organizations),
    }
    return tables, fetched, source, user_source


def _parquet(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _write(folder: Path, tables: dict[str, pd.DataFrame], state: dict) -> None:
    """Write the snapshot into a staging folder and swap it in (all or nothing)."""
    with replacing_dir(folder) as staging:
        for table in TABLES:
            write_bytes(staging / f"{table}.parquet", _parquet(tables[table]))
        write_text(staging / STATE_FILE, json.dumps(state, indent=2, sort_keys=True) + "\n")
