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
staging folder that replaces the old one in one rename
(:func:`mimoto_gov.support.files.replacing_dir`):
a failure or an interruption at any point leaves the previous snapshot as it was.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.errors import NotFound, PermissionDenied, SnapshotError
from mimoto_gov.formats import uk_datetime
from mimoto_gov.support.files import private_dir, replacing_dir, write_bytes, write_text
from mimoto_gov.support.progress import progress
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.frames import TABLES, attachment_records, frame
from mimoto_gov.zammad.snapshot import SCHEMA_VERSION, STATE_FILE, Inventory, read_snapshot

OVERLAP = timedelta(minutes=10)
CLOCK_SKEW = timedelta(days=1)
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
        watermark: the newest ticket change the snapshot holds (the next pull starts there).
        since: where an incremental pull started (the previous watermark minus the overlap).

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
    since: datetime | None = field(default=None)

    def summary(self) -> str:
        """Describe the pull in one paragraph for a person."""
        held = _listing(self.counts)
        if self.mode == "full":
            text = f"Full pull ({self.reason}): the snapshot holds {held}."
            gone = {table: n for table, n in self.removed.items() if n}
            if gone:
                text += f" Removed what Zammad no longer has: {_listing(gone)}."
        else:
            changed = {t: self.fetched.get(t, 0) for t in ("tickets", "articles", "users")}
            since = f" since {uk_datetime(self.since)}" if self.since else ""
            text = (
                f"Incremental pull: {_listing(changed)} new or changed{since}; "
                f"the snapshot holds {held}."
            )
        if self.article_source == "index":
            source = "Articles came from the global article list."
        else:
            source = "Articles came ticket by ticket (the token may not read the article list)."
        return (
            f"{text} {source} {self.requests:,} requests in {self.seconds:.1f} s. "
            f"Snapshot as of {uk_datetime(self.snapshot_time)} in {self.path}."
        )


def _listing(counts: dict[str, int]) -> str:
    names = {"organizations": "organisations"}
    parts = []
    for table, n in counts.items():
        name = names.get(table, table)
        parts.append(f"{n:,} {name[:-1] if n == 1 else name}")
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def _iso(moment: datetime) -> str:
    """Format a moment as Zammad does: ISO-8601 UTC with milliseconds and ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Stopped(Exception):
    """A listing gave up because another one running beside it failed."""


class _Puller:
    """One pull's fetching: talks to Zammad, returns raw records, counts nothing itself."""

    def __init__(self, client: ZammadClient, show_progress: bool | None):
        self.client = client
        self.show_progress = show_progress
        self.server_start: datetime | None = None
        self.fetched_users = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # While listings run side by side (together) they share one bar: bars on lines below
        # the first leave blank lines behind on the terminal when they close.
        self._shared = None
        self._running: list[str] = []

    def _bar(self, **kwargs):
        # Always on the cursor's line, one at a time; cleared when done (progress: leave=False).
        if self.show_progress is not None:
            kwargs["disable"] = not self.show_progress
        return progress(**kwargs)

    @contextmanager
    def _counter(self, what: str) -> Iterator[Callable[[], None]]:
        """Yield a function counting one record of the listing ``what`` on a progress bar.

        Inside :meth:`together` the listings count on the shared bar, whose label names the
        listings still running; otherwise the listing has a bar of its own.
        """
        shared = self._shared
        if shared is None:
            with self._bar(desc=what, unit=f" {what}") as bar:
                yield bar.update
            return

        def label() -> None:
            running = ", ".join(self._running)
            shared.set_description_str(f"listing {running}" if running else "listed")

        def count() -> None:
            with self._lock:
                shared.update()

        with self._lock:
            self._running.append(what)
            label()
        try:
            yield count
        finally:
            with self._lock:
                self._running.remove(what)
                label()

    def _note_start(self) -> None:
        # Zammad's clock at its first answer: changes made while this pull runs are newer
        # than this, whatever the local clock says.
        date = self.client.server_date
        with self._lock:
            if date is not None and (self.server_start is None or date < self.server_start):
                self.server_start = date

    def listing(self, records: Iterable[dict], what: str) -> list[dict]:
        """Drain a paginated listing into a list, with a progress bar on a terminal."""
        rows = []
        with self._counter(what) as count:
            for record in records:
                if not rows:
                    self._note_start()
                if self._stop.is_set():
                    raise _Stopped
                rows.append(record)
                count()
        self._note_start()
        return rows

    def together(self, **jobs: Callable[[], Any]) -> dict[str, Any]:
        """Run independent listings at the same time; the first failure stops the others."""
        results: dict[str, Any] = {}
        bar = self._bar(desc="listing", unit=" records")
        self._shared, self._running = bar, []
        pool = ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="zammad-list")
        try:
            futures = {pool.submit(job): name for name, job in jobs.items()}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    if future.exception() is not None and not isinstance(
                        future.exception(), _Stopped
                    ):
                        self._stop.set()
                        raise future.exception()
                    results[futures[future]] = future.result()
        finally:
            self._stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            self._stop.clear()
            self._shared = None
            bar.close()
        return results

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
    problem = _watermark_problem(state, datetime.now(UTC))
    if problem:
        return None, problem
    return previous, ""


def _watermark_problem(state: dict, now: datetime) -> str:
    """Say why the snapshot's watermarks cannot be trusted ("" when they can).

    A watermark is where the next incremental pull starts; one in the future (a damaged or
    hand-edited ``sync_state.json``, a clock that was wrong) would make every later pull
    fetch nothing, so it forces a full pull. Zammad's clock may run a little ahead of this
    machine's: a day is allowed.
    """
    marks = [state.get("watermark"), *(state.get("watermarks") or {}).values()]
    for mark in marks:
        if mark is None:
            continue
        try:
            moment = datetime.fromisoformat(str(mark))
        except ValueError:
            return "the snapshot's watermark is unreadable"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if moment > now + CLOCK_SKEW:
            return (
                f"the snapshot's watermark, {uk_datetime(moment)}, is in the future, "
                "so an incremental pull would fetch nothing"
            )
    return ""


def _merge(table: str, old: pd.DataFrame, new: pd.DataFrame, *, drop: pd.Series) -> pd.DataFrame:
    """Replace rows of ``old`` (those ``drop`` marks, and those ``new`` has) with ``new``."""
    kept = old[~drop & ~old["id"].isin(new["id"])]
    parts = [part for part in (kept, new) if len(part)]
    if not parts:
        return frame(table, new)
    return frame(table, pd.concat(parts, ignore_index=True))


def _max_time(df: pd.DataFrame, column: str = "updated_at") -> datetime | None:
    if column not in df or not len(df):
        return None
    value = df[column].max()
    return None if pd.isna(value) else value.to_pydatetime()


def _cursor(state: dict, table: str) -> datetime | None:
    """Return where an incremental listing of ``table`` starts: its watermark minus overlap."""
    mark = (state.get("watermarks") or {}).get(table)
    return datetime.fromisoformat(mark) - OVERLAP if mark else None


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
        last_full = snapshot_time.isoformat()
    else:
        mode = "incremental"
        tables, fetched, source, user_source = _incremental(puller, previous)
        last_full = previous.sync_state.get("last_full_pull")

    watermarks = {}
    for table in ("tickets", "articles", "users"):
        mark = _max_time(tables[table])
        # Zammad's clock when this pull began: anything changed while it ran is newer.
        if puller.server_start is not None and (mark is None or mark > puller.server_start):
            mark = puller.server_start
        watermarks[table] = mark.astimezone(UTC).isoformat() if mark else None

    removed = {table: 0 for table in TABLES}
    if mode == "full" and previous is not None:
        for table in TABLES:
            before = getattr(previous, table)
            removed[table] = int((~before["id"].isin(tables[table]["id"])).sum())
    counts = {table: len(tables[table]) for table in TABLES}
    requests = client.request_count - requests_before
    state = {
        "schema_version": SCHEMA_VERSION,
        "zammad_url": client.url,
        "snapshot_time": snapshot_time.isoformat(),
        "mode": mode,
        "watermark": watermarks["tickets"],
        "watermarks": watermarks,
        "last_full_pull": last_full,
        "article_source": source,
        "user_source": user_source,
        "counts": counts,
        "requests": requests,
    }
    _write(folder, tables, state)
    return PullResult(
        mode=mode,
        counts=counts,
        fetched=fetched,
        removed=removed,
        requests=requests,
        snapshot_time=snapshot_time,
        path=folder,
        article_source=source,
        seconds=time.monotonic() - started,
        reason=reason or "asked for",
        watermark=datetime.fromisoformat(watermarks["tickets"]) if watermarks["tickets"] else None,
        since=_cursor(previous.sync_state, "tickets") if mode == "incremental" else None,
    )


def _full(puller: _Puller) -> tuple[dict[str, pd.DataFrame], dict[str, int], str, str]:
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
    return tables, fetched, source, user_source


def _article_ids(ticket: dict) -> set[int] | None:
    """Return the ids of a ticket's articles as the ticket lists them, if it does."""
    ids = ticket.get("article_ids")
    if isinstance(ids, str):
        ids = json.loads(ids)
    return {int(i) for i in ids} if isinstance(ids, list) else None


def _incremental(
    puller: _Puller, previous: Inventory
) -> tuple[dict[str, pd.DataFrame], dict[str, int], str, str]:
    client = puller.client
    state = previous.sync_state
    since = _cursor(state, "tickets") or datetime.fromisoformat(state["watermark"]) - OVERLAP
    condition = {"ticket.updated_at": {"operator": "after (absolute)", "value": _iso(since)}}
    search = client.search_tickets(condition=condition, sort_by="updated_at,id", order_by="asc,asc")
    got = puller.together(
        changed=lambda: puller.listing(search, "changed tickets"),
        users=lambda: _changed_users(puller, previous),
        organizations=lambda: puller.listing(client.iter_organizations(), "organisations"),
    )
    changed, organizations = got["changed"], got["organizations"]
    users, user_source = got["users"]

    # New and edited articles: with the admin index, one listing newest first; else (or for
    # what the index cannot show, such as a deleted article) ticket by ticket.
    source = state.get("article_source", "by_ticket")
    fresh: list[dict] = []
    if source == "index" and changed:
        try:
            since_articles = _cursor(state, "articles") or since
            fresh = puller.listing(client.iter_articles(since=since_articles), "articles")
        except PermissionDenied:
            source = "by_ticket"
    old_articles = previous.articles
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
    by_ticket, gone = puller.articles_of(refresh)

    changed_frame = frame("tickets", [t for t in changed if int(t["id"]) not in gone])
    old_tickets = previous.tickets
    tickets = _merge("tickets", old_tickets, changed_frame, drop=old_tickets["id"].isin(gone))
    ticket_set = set(tickets["id"].dropna().astype(int))
    redone = set(refresh)  # tickets whose articles by_ticket now lists in full
    new_articles = [a for a in fresh if a.get("ticket_id") not in redone]
    new_articles += [a for articles in by_ticket.values() for a in articles]
    new_articles = [a for a in new_articles if a.get("ticket_id") in ticket_set]
    articles_new = frame("articles", new_articles)
    attachments_new = frame("attachments", attachment_records(new_articles))
    dropped = redone | gone
    old_att = previous.attachments
    articles = _merge(
        "articles", old_articles, articles_new, drop=old_articles["ticket_id"].isin(dropped)
    )
    attachments = _merge(
        "attachments",
        old_att,
        attachments_new,
        drop=old_att["ticket_id"].isin(dropped) | old_att["article_id"].isin(articles_new["id"]),
    )

    tables = {
        "tickets": tickets,
        "articles": articles,
        "attachments": attachments,
        "users": users,
        "organizations": frame("organizations", organizations),
    }
    fetched = {
        "tickets": len(changed),
        "articles": len(articles_new),
        "attachments": len(attachments_new),
        "users": puller.fetched_users,
        "organizations": len(organizations),
    }
    return tables, fetched, source, user_source


def _changed_users(puller: _Puller, previous: Inventory) -> tuple[pd.DataFrame, str]:
    """Merge the users changed since the last pull (a condition search) into the snapshot.

    A server that ignores the condition answers with every user, which is merely slower.
    A token that may not search users lists them all instead.
    """
    since = _cursor(previous.sync_state, "users")
    if since is not None:
        condition = {"user.updated_at": {"operator": "after (absolute)", "value": _iso(since)}}
        search = puller.client.search_users(
            None, condition=condition, sort_by="updated_at,id", order_by="asc,asc"
        )
        try:
            changed = puller.listing(search, "changed users")
        except PermissionDenied:
            pass
        else:
            puller.fetched_users = len(changed)
            old = previous.users
            merged = _merge("users", old, frame("users", changed), drop=old["id"].isna())
            return merged, previous.sync_state.get("user_source", "list")
    users, source = puller.users()
    puller.fetched_users = len(users)
    return frame("users", users), source


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
