"""The trail: who changed which register entry, when it was typed, and what date it claims.

Every change to a register appends one event to ``trail_events`` inside the same transaction
as the change, so there is never a change without its event or an event without its change.
An event holds:

- ``typed_at``: when it was recorded (UTC, from the clock, never typed by anyone);
- ``claimed_on``: the date (or time) the change says it happened (``--on``, ``--at``...);
- ``actor``: who (``--by NAME``, else ``MIMOTO_GOV_ACTOR``, else the login name);
- ``command`` and ``action``: what was run (``requests close``) and what it did (``close``);
- ``register`` and ``record_id``: the entry (``requests``, ``R-2026-0001``);
- ``reason``: why a change is dated before the day it was typed (required then);
- ``state_digest``: a keyed digest of the entry's whole new state (its row and child rows);
- ``prev_digest`` and ``digest``: the chain. Each event's digest covers its fields and the
  previous event's digest, so editing, removing or reordering an event breaks every digest
  after it.

Digests are HMAC-SHA256 under the workbook's secret (the one behind the keyed hashes of
addresses), so nobody without it can test a guessed address against a state digest or
rebuild the chain after editing it. Email addresses in a reason are replaced before it is
stored: the trail never holds an erased person's address, and it never needs rewriting.

:func:`mimoto_gov.registers.trail_check.verify` recomputes the chain and compares every
register row with the state its last event recorded: a row edited, added or removed outside
the workbook (with ``sqlite3``, say) is named. Registers declare their tables with
:func:`track`; other packages' registers do the same and call :func:`record_event` (or
``Registers.record_change``) in their transactions.
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import hashlib
import hmac
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from mimoto_gov.errors import RegisterError

ACTOR_VARIABLE = "MIMOTO_GOV_ACTOR"
GENESIS = "0" * 64
REMOVED = "removed"
REASON_MAX_CHARS = 500
_EMAIL = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+\.[A-Za-z]{2,}")
_STATE_DOMAIN = b"mimoto-gov trail state\x00"
_EVENT_DOMAIN = b"mimoto-gov trail event\x00"
EVENT_COLUMNS = [
    "seq", "typed_at", "claimed_on", "actor", "command", "action", "register", "record_id",
    "reason", "state_digest", "prev_digest", "digest",
]  # fmt: skip


# -- who and what ------------------------------------------------------------------------


def default_actor() -> str:
    """Return who is acting when nobody said: ``MIMOTO_GOV_ACTOR``, else the login name."""
    named = os.environ.get(ACTOR_VARIABLE, "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


@dataclass(frozen=True)
class Provenance:
    """Who makes the changes, with which command, and why a back-dated one is late."""

    actor: str
    command: str = "python"
    reason: str | None = None


_COMMAND: contextvars.ContextVar[str] = contextvars.ContextVar("trail_command", default="python")


@contextlib.contextmanager
def running(command: str) -> Iterator[None]:
    """Name the command in progress, for registers opened without their own provenance."""
    token = _COMMAND.set(command)
    try:
        yield
    finally:
        _COMMAND.reset(token)


def provenance(
    actor: str | None = None, command: str | None = None, reason: str | None = None
) -> Provenance:
    """Build a :class:`Provenance`, filling the actor and command in from the context."""
    return Provenance(
        actor=(actor or "").strip() or default_actor(),
        command=(command or "").strip() or _COMMAND.get(),
        reason=(reason or "").strip() or None,
    )


# -- which tables are registers ---------------------------------------------------------------


@dataclass(frozen=True)
class Tracked:
    """A register's table as the trail sees it.

    Attributes:
        register: the name events use (``requests``, ``law-enforcement``...).
        table: the SQLite table holding one row per entry.
        key: the column identifying an entry.
        children: ``(table, column)`` pairs of rows belonging to an entry (its subjects,
            its pauses), part of the entry's state.
        whole_table: the table is one entry (``record_id`` "all"), e.g. the mailing list.

    """

    register: str
    table: str
    key: str = "id"
    children: tuple[tuple[str, str], ...] = ()
    whole_table: bool = False


TRACKED: dict[str, Tracked] = {}
WHOLE = "all"


def track(
    register: str,
    table: str,
    key: str = "id",
    children: tuple[tuple[str, str], ...] = (),
    *,
    whole_table: bool = False,
) -> Tracked:
    """Declare a register table, so that :func:`verify` compares its rows with the trail."""
    tracked = Tracked(register, table, key, tuple(children), whole_table)
    TRACKED[register] = tracked
    return tracked


def _order(conn: sqlite3.Connection, table: str) -> str:
    # Insertion order where the table has a rowid; a WITHOUT ROWID table (the erasure steps
    # and tasks) scans in primary-key order, which is just as stable.
    without_rowid = conn.execute(
        "SELECT wr FROM pragma_table_list WHERE name = ?", (table,)
    ).fetchone()
    return "" if without_rowid and without_rowid[0] else "ORDER BY rowid"


def _rows(conn: sqlite3.Connection, table: str, where: str = "", params: tuple = ()) -> list:
    order = _order(conn, table)
    cursor = conn.execute(f"SELECT * FROM {table} {where} {order}", params)  # noqa: S608
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, tuple(row), strict=True)) for row in cursor]


def record_state(conn: sqlite3.Connection, tracked: Tracked, record_id: str) -> dict | None:
    """Return an entry's whole state (its row and child rows), or None when it is gone."""
    if tracked.whole_table:
        return {"rows": _rows(conn, tracked.table)}
    rows = _rows(conn, tracked.table, f"WHERE CAST({tracked.key} AS TEXT) = ?", (record_id,))
    if not rows:
        return None
    state = {"row": rows[0]}
    for table, column in tracked.children:
        state[table] = _rows(conn, table, f"WHERE CAST({column} AS TEXT) = ?", (record_id,))
    return state


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def state_digest(secret: bytes, state: dict | None) -> str:
    """Return the keyed digest of an entry's state (``removed`` when it no longer exists)."""
    if state is None:
        return REMOVED
    return hmac.new(secret, _STATE_DOMAIN + _canonical(state), hashlib.sha256).hexdigest()


# -- writing events ----------------------------------------------------------------------------


def scrub_addresses(text: str | None) -> str | None:
    """Replace every email address in ``text`` with ``[address]`` (the trail keeps none)."""
    if text is None:
        return None
    return _EMAIL.sub("[address]", text)


def _when(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def event_digest(secret: bytes, event: dict) -> str:
    """Return an event's chained digest: its fields and the previous digest, keyed."""
    fields = [event[c] for c in EVENT_COLUMNS if c != "digest"]
    return hmac.new(secret, _EVENT_DOMAIN + _canonical(fields), hashlib.sha256).hexdigest()


def record_event(
    conn: sqlite3.Connection,
    secret: bytes,
    who: Provenance,
    *,
    register: str,
    record_id: str | int,
    action: str,
    claimed_on: date | datetime | None = None,
) -> int:
    """Append the event for a change just made to an entry; return its sequence number.

    Call it inside the transaction that made the change (after the change), so that both
    are written or neither. The entry's state is read back from the table.

    Args:
        conn: the registers connection, inside a write transaction.
        secret: the workbook secret (:func:`mimoto_gov.registers.subjects.secret_key`).
        who: the actor, command and reason (:func:`provenance`).
        register: a name declared with :func:`track`.
        record_id: the entry's id (``WHOLE`` for a whole-table register).
        action: what was done, in a word or two (``add``, ``close``, ``forget address``).
        claimed_on: the date or time the change says it happened, if it says one.

    Raises:
        RegisterError: the register was never declared with :func:`track`.

    """
    tracked = TRACKED.get(register)
    if tracked is None:
        raise RegisterError(f"the trail does not know a register named {register!r}")
    record_id = WHOLE if tracked.whole_table else str(record_id)
    last = conn.execute("SELECT seq, digest FROM trail_events ORDER BY seq DESC LIMIT 1").fetchone()
    reason = scrub_addresses(who.reason)
    event = {
        "seq": (last[0] + 1) if last else 1,
        "typed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "claimed_on": _when(claimed_on),
        "actor": who.actor,
        "command": who.command,
        "action": action,
        "register": register,
        "record_id": record_id,
        "reason": reason[:REASON_MAX_CHARS] if reason else None,
        "state_digest": state_digest(secret, record_state(conn, tracked, record_id)),
        "prev_digest": last[1] if last else GENESIS,
    }
    event["digest"] = event_digest(secret, event)
    conn.execute(
        f"INSERT INTO trail_events ({', '.join(EVENT_COLUMNS)})"  # noqa: S608 - our columns
        f" VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})",
        [event[c] for c in EVENT_COLUMNS],
    )
    return event["seq"]


def record_ids(conn: sqlite3.Connection, tracked: Tracked) -> list[str]:
    """Return the ids of every entry a register holds now."""
    if tracked.whole_table:
        return [WHOLE]
    return [
        str(row[0])
        for row in conn.execute(
            f"SELECT {tracked.key} FROM {tracked.table} {_order(conn, tracked.table)}"  # noqa: S608
        )
    ]


def is_empty_whole(conn: sqlite3.Connection, tracked: Tracked, record_id: str) -> bool:
    """Tell whether an entry is a whole-table register with nothing in it yet."""
    return tracked.whole_table and record_state(conn, tracked, record_id) == {"rows": []}


def record_baseline(conn: sqlite3.Connection, secret: bytes) -> int:
    """Record the entries a file held before it had a trail, once; return how many.

    Runs when the trail was just created (the ``baseline`` mark is ``pending``): each entry
    gets a ``baseline`` event with its state as found, and the mark becomes ``done``.
    """
    mark = conn.execute("SELECT value FROM trail_meta WHERE key = 'baseline'").fetchone()
    if mark is None or mark[0] != "pending":
        return 0
    who = Provenance(actor=default_actor(), command="trail started")
    count = 0
    for tracked in TRACKED.values():
        for record_id in record_ids(conn, tracked):
            if is_empty_whole(conn, tracked, record_id):
                continue
            record_event(
                conn, secret, who, register=tracked.register, record_id=record_id, action="baseline"
            )
            count += 1
    conn.execute("UPDATE trail_meta SET value = 'done' WHERE key = 'baseline'")
    return count


def owners_of(conn: sqlite3.Connection, table: str, rowids: list[int]) -> set[tuple[str, str]]:
    """Return the (register, record id) entries that rows of ``table`` belong to."""
    owners: set[tuple[str, str]] = set()
    if not rowids:
        return owners
    marks = ", ".join("?" for _ in rowids)
    for tracked in TRACKED.values():
        columns = [(tracked.table, WHOLE if tracked.whole_table else tracked.key)]
        columns += list(tracked.children)
        for child_table, column in columns:
            if child_table != table:
                continue
            if column == WHOLE:
                owners.add((tracked.register, WHOLE))
                continue
            for row in conn.execute(
                f"SELECT {column} FROM {table} WHERE rowid IN ({marks})",  # noqa: S608
                rowids,
            ):
                owners.add((tracked.register, str(row[0])))
    return owners


__all__ = [
    "EVENT_COLUMNS",
    "GENESIS",
    "REMOVED",
    "TRACKED",
    "Provenance",
    "Tracked",
    "default_actor",
    "event_digest",
    "is_empty_whole",
    "owners_of",
    "provenance",
    "record_baseline",
    "record_event",
    "record_ids",
    "record_state",
    "running",
    "scrub_addresses",
    "state_digest",
    "track",
]
