"""Reading the trail and checking it: the chain, and every register entry against it.

:func:`verify` recomputes each event's digest and its link to the one before, then compares
every entry of every register declared with :func:`mimoto_gov.registers.trail.track` with the
state its last event recorded: an entry edited, added or removed outside the workbook (with
``sqlite3``, say) is named, as is an event altered, removed or reordered.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from mimoto_gov.registers.trail import (
    EVENT_COLUMNS,
    GENESIS,
    REMOVED,
    TRACKED,
    event_digest,
    is_empty_whole,
    record_ids,
    record_state,
    state_digest,
)


@dataclass(frozen=True)
class Event:
    """One event of the trail, as stored."""

    seq: int
    typed_at: str
    claimed_on: str | None
    actor: str
    command: str
    action: str
    register: str
    record_id: str
    reason: str | None
    state_digest: str
    prev_digest: str
    digest: str


def events(
    conn: sqlite3.Connection, record_id: str | None = None, since: date | None = None
) -> list[Event]:
    """Return the trail, oldest first: all of it, one entry's events, or those typed since."""
    sql, params = "SELECT * FROM trail_events WHERE 1 = 1", []
    if record_id is not None:
        sql += " AND upper(record_id) = upper(?)"
        params.append(str(record_id).strip())
    if since is not None:
        sql += " AND typed_at >= ?"
        params.append(since.isoformat())
    return [Event(**{c: row[c] for c in EVENT_COLUMNS}) for row in conn.execute(sql, params)]


@dataclass(frozen=True)
class Problem:
    """Something :func:`verify` found wrong: an event, or an entry changed outside."""

    register: str
    record_id: str
    message: str


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` checked and found."""

    events: int
    entries: int
    head: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether the chain holds and every entry matches its last event."""
        return not self.problems


def _describe(event: Event) -> str:
    return f"event {event.seq} ({event.command}, {event.action}, by {event.actor})"


def verify(conn: sqlite3.Connection, secret: bytes) -> Verification:
    """Recompute the chain and compare every register entry with its last event's state."""
    problems: list[Problem] = []
    last: dict[tuple[str, str], Event] = {}
    previous, expected_seq, count = GENESIS, 1, 0
    for event in events(conn):
        count += 1
        where = ("trail", str(event.seq))
        if event.seq != expected_seq or event.prev_digest != previous:
            problems.append(
                Problem(
                    *where,
                    f"event {event.seq} does not follow the event before it: "
                    "events were removed, inserted or reordered",
                )  # fmt: skip
            )
        if event_digest(secret, event.__dict__) != event.digest:
            problems.append(Problem(*where, f"event {event.seq} was altered after it was written"))
        previous, expected_seq = event.digest, event.seq + 1
        last[(event.register, event.record_id)] = event
    mark = conn.execute("SELECT value FROM trail_meta WHERE key = 'baseline'").fetchone()
    if mark is not None and mark[0] == "done" and count == 0:
        problems.append(Problem("trail", "-", "the trail is empty although it was started"))
    entries = 0
    for tracked in TRACKED.values():
        present = record_ids(conn, tracked)
        for record_id in present:
            event = last.get((tracked.register, record_id))
            now = state_digest(secret, record_state(conn, tracked, record_id))
            if event is None and is_empty_whole(conn, tracked, record_id):
                continue
            entries += 1
            if event is None:
                problems.append(
                    Problem(tracked.register, record_id, "added outside the workbook: no event")
                )
            elif event.state_digest != now:
                problems.append(
                    Problem(
                        tracked.register,
                        record_id,
                        f"changed outside the workbook since {_describe(event)}",
                    )
                )
        gone = {
            rid
            for (register, rid), event in last.items()
            if register == tracked.register and event.state_digest != REMOVED
        } - set(present)
        for record_id in sorted(gone):
            event = last[(tracked.register, record_id)]
            problems.append(
                Problem(
                    tracked.register,
                    record_id,
                    f"removed outside the workbook after {_describe(event)}",
                )
            )
    return Verification(count, entries, previous, tuple(problems))
