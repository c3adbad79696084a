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
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import SnapshotError
from mimoto_gov.formats import uk_datetime
from mimoto_gov.support.files import private_dir, replacing_dir, write_bytes, write_text
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.frames import TABLES
from mimoto_gov.zammad.pull_steps import cursor, full_tables, incremental_tables
from mimoto_gov.zammad.puller import Puller
from mimoto_gov.zammad.snapshot import SCHEMA_VERSION, STATE_FILE, Inventory, read_snapshot

CLOCK_SKEW = timedelta(days=1)
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


def _max_time(df: pd.DataFrame, column: str = "updated_at") -> datetime | None:
    if column not in df or not len(df):
        return None
    value = df[column].max()
    return None if pd.isna(value) else value.to_pydatetime()


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
    puller = Puller(client, show_progress)
    if full or previous is None:
        mode = "full"
        got = full_tables(puller)
        last_full = snapshot_time.isoformat()
    else:
        mode = "incremental"
        got = incremental_tables(puller, previous)
        last_full = previous.sync_state.get("last_full_pull")
    watermarks = _watermarks(got.tables, puller.server_start)
    removed = _removed(got.tables, previous if mode == "full" else None)
    counts = {table: len(got.tables[table]) for table in TABLES}
    requests = client.request_count - requests_before
    state = {
        "schema_version": SCHEMA_VERSION,
        "zammad_url": client.url,
        "snapshot_time": snapshot_time.isoformat(),
        "mode": mode,
        "watermark": watermarks["tickets"],
        "watermarks": watermarks,
        "last_full_pull": last_full,
        "article_source": got.article_source,
        "user_source": got.user_source,
        "counts": counts,
        "requests": requests,
    }
    _write(folder, got.tables, state)
    return PullResult(
        mode=mode,
        counts=counts,
        fetched=got.fetched,
        removed=removed,
        requests=requests,
        snapshot_time=snapshot_time,
        path=folder,
        article_source=got.article_source,
        seconds=time.monotonic() - started,
        reason=reason or "asked for",
        watermark=datetime.fromisoformat(watermarks["tickets"]) if watermarks["tickets"] else None,
        since=cursor(previous.sync_state, "tickets") if mode == "incremental" else None,
    )


def _watermarks(tables: dict[str, pd.DataFrame], server_start: datetime | None) -> dict:
    """Return where the next pull of each table starts: the newest change this pull saw."""
    watermarks = {}
    for table in ("tickets", "articles", "users"):
        mark = _max_time(tables[table])
        # Zammad's clock when this pull began: anything changed while it ran is newer.
        if server_start is not None and (mark is None or mark > server_start):
            mark = server_start
        watermarks[table] = mark.astimezone(UTC).isoformat() if mark else None
    return watermarks


def _removed(tables: dict[str, pd.DataFrame], previous: Inventory | None) -> dict[str, int]:
    """Count the rows of each table a full pull dropped because Zammad no longer has them."""
    removed = {table: 0 for table in TABLES}
    if previous is not None:
        for table in TABLES:
            before = getattr(previous, table)
            removed[table] = int((~before["id"].isin(tables[table]["id"])).sum())
    return removed


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
