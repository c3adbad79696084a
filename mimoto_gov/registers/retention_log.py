"""The retention log: every run of the schedule, every action it took, and its approvals.

Three tables (created by the migration ``_RETENTION_LOG`` of :mod:`mimoto_gov.registers.db`):

- ``retention_runs``: one row per ``mimoto-gov retention apply --execute``: the month
  applied, the schedule version and fingerprint, the desk, when it started and finished.
- ``retention_log`` (append-only): one row per action: the run, the ticket (number and Zammad
  id) or account (Zammad id, never an address), the rule, the action, the outcome (``done``,
  ``failed``, ``skipped``, ``listed``, ``already gone``, ``timed out``), the reason, the
  Zammad data-privacy task id, whether it was verified by reading Zammad back, and what was
  kept and why.
- ``retention_approvals`` (append-only): who approved which version of the schedule (by its
  fingerprint) and when.

The log names no person: ticket numbers and account ids only. SQLite triggers reject any
UPDATE or DELETE of the append-only tables; a mistake is corrected by a new row. Every row
written here has its event in the registers' trail, in the same transaction (who, which command,
when).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import RegisterBase, optional_text, require_text
from mimoto_gov.registers.db import next_id, now_utc, transaction
from mimoto_gov.registers.trail import track

track("retention-runs", "retention_runs")
track("retention-log", "retention_log")
track("schedule-approvals", "retention_approvals")

TARGETS = ("ticket", "account")
LOG_ACTIONS = ("delete", "anonymise", "review")
OUTCOMES = ("done", "failed", "skipped", "listed", "already gone", "timed out")
# Outcomes after which there is nothing left to do for the item.
FINISHED = ("done", "already gone")

LOG_COLUMNS = [
    "id", "run_id", "month", "target", "zammad_id", "ticket_number", "rule", "action",
    "outcome", "reason", "task_id", "verified", "kept", "recorded_at",
]  # fmt: skip
RUN_COLUMNS = [
    "id", "month", "started_at", "finished_at", "schedule_version", "schedule_digest",
    "zammad_url", "planned",
]  # fmt: skip
APPROVAL_COLUMNS = [
    "id", "approved_by", "approved_at", "schedule_version", "schedule_digest", "source",
]  # fmt: skip


def _check_month(month: str) -> str:
    try:
        datetime.strptime(month, "%Y-%m")
    except (TypeError, ValueError):
        raise InputError(f"month {month!r} is not like 2026-11") from None
    return month


class RetentionLogMixin(RegisterBase):
    """The retention log (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def start_retention_run(
        self,
        month: str,
        *,
        schedule_version: str,
        schedule_digest: str,
        planned: int,
        zammad_url: str | None = None,
    ) -> str:
        """Open a run of the schedule over ``month``; return its id (``RR-<year>-<nnnn>``)."""
        started = now_utc()
        with transaction(self.conn) as conn:
            run_id = next_id(conn, "retention_runs", "RR", int(started[:4]))
            conn.execute(
                "INSERT INTO retention_runs (id, month, started_at, schedule_version,"
                " schedule_digest, zammad_url, planned) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    _check_month(month),
                    started,
                    require_text(schedule_version, "schedule version"),
                    require_text(schedule_digest, "schedule digest"),
                    optional_text(zammad_url),
                    int(planned),
                ),
            )
            self.record_change(conn, "retention-runs", run_id, "start")
        return run_id

    def finish_retention_run(self, run_id: str) -> None:
        """Record when a run ended."""
        with transaction(self.conn) as conn:
            changed = conn.execute(
                "UPDATE retention_runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                (now_utc(), run_id),
            ).rowcount
            if changed:
                self.record_change(conn, "retention-runs", run_id, "finish")
        if not changed:
            raise RegisterError(f"no unfinished retention run {run_id}")

    def record_retention_action(
        self,
        run_id: str,
        *,
        target: str,
        zammad_id: int,
        rule: str,
        action: str,
        outcome: str,
        ticket_number: str | None = None,
        reason: str | None = None,
        task_id: int | None = None,
        verified: bool = False,
        kept: object = None,
    ) -> int:
        """Append one action of a run to the log; return the row's id.

        Raises:
            InputError: an unknown target, action or outcome, or a failure without a reason.
            RegisterError: no such run.

        """
        for name, value, allowed in (
            ("target", target, TARGETS),
            ("action", action, LOG_ACTIONS),
            ("outcome", outcome, OUTCOMES),
        ):
            if value not in allowed:
                raise InputError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
        reason = optional_text(reason)
        if outcome in ("failed", "skipped", "timed out") and not reason:
            raise InputError(f"a {outcome} action needs its reason")
        run = self.conn.execute("SELECT month FROM retention_runs WHERE id = ?", (run_id,))
        row = run.fetchone()
        if row is None:
            raise RegisterError(f"no retention run {run_id}")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "INSERT INTO retention_log (run_id, month, target, zammad_id, ticket_number,"
                " rule, action, outcome, reason, task_id, verified, kept, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    row["month"],
                    target,
                    int(zammad_id),
                    None if ticket_number is None else str(ticket_number),
                    require_text(rule, "rule"),
                    action,
                    outcome,
                    reason,
                    None if task_id is None else int(task_id),
                    int(bool(verified)),
                    None if kept is None else json.dumps(kept, ensure_ascii=False),
                    now_utc(),
                ),
            )
            self.record_change(conn, "retention-log", cursor.lastrowid, f"{action}: {outcome}")
        return int(cursor.lastrowid)

    def retention_log(self, month: str | None = None) -> pd.DataFrame:
        """Return the log (of one month, when given), oldest first; ``kept`` decoded."""
        sql, params = "SELECT * FROM retention_log", ()
        if month is not None:
            sql, params = sql + " WHERE month = ?", (_check_month(month),)
        return _log_frame(self.conn.execute(sql + " ORDER BY id", params).fetchall())

    def retention_runs(self) -> pd.DataFrame:
        """Return every run of the schedule, oldest first."""
        rows = self.conn.execute("SELECT * FROM retention_runs ORDER BY started_at, id")
        return pd.DataFrame([dict(r) for r in rows], columns=RUN_COLUMNS)

    def record_schedule_approval(
        self,
        approved_by: str,
        *,
        schedule_version: str,
        schedule_digest: str,
        source: str,
        approved_at: datetime | None = None,
    ) -> int:
        """Record that ``approved_by`` approved one exact schedule; return the row's id."""
        when = (approved_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "INSERT INTO retention_approvals (approved_by, approved_at, schedule_version,"
                " schedule_digest, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    require_text(approved_by, "approved by"),
                    when,
                    require_text(schedule_version, "schedule version"),
                    require_text(schedule_digest, "schedule digest"),
                    require_text(source, "source"),
                    now_utc(),
                ),
            )
            self.record_change(conn, "schedule-approvals", cursor.lastrowid, "approve")
        return int(cursor.lastrowid)

    def schedule_approvals(self) -> pd.DataFrame:
        """Return every approval of the schedule, oldest first."""
        rows = self.conn.execute("SELECT * FROM retention_approvals ORDER BY approved_at, id")
        return pd.DataFrame([dict(r) for r in rows], columns=[*APPROVAL_COLUMNS, "recorded_at"])


def _log_frame(rows) -> pd.DataFrame:
    records = []
    for r in rows:
        record = {c: r[c] for c in LOG_COLUMNS}
        record["verified"] = bool(r["verified"])
        record["kept"] = json.loads(r["kept"]) if r["kept"] else None
        records.append(record)
    return pd.DataFrame(records, columns=LOG_COLUMNS)


def _read_only(path: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row] | None:
    """Run a query on the registers file without creating or migrating it.

    Returns None when the file does not exist or predates the retention log.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise RegisterError(f"cannot read the registers file {path}: {error}") from None
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise RegisterError(f"{path} is not a usable registers file: {error}") from None
    except sqlite3.DatabaseError as error:
        raise RegisterError(f"{path} is not a usable registers file: {error}") from None
    finally:
        conn.close()


def read_schedule_approvals(path: Path) -> list[dict]:
    """Return the approvals in a registers file, read-only (none when it has none)."""
    rows = _read_only(path, "SELECT * FROM retention_approvals ORDER BY approved_at, id")
    return [dict(r) for r in rows or []]


def read_retention_log(path: Path, months: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return the retention log (of the given months) from a registers file, read-only."""
    sql, params = "SELECT * FROM retention_log", tuple(months)
    if months:
        sql += f" WHERE month IN ({', '.join('?' for _ in months)})"
    return _log_frame(_read_only(path, sql + " ORDER BY id", params) or [])


def read_retention_runs(path: Path) -> pd.DataFrame:
    """Return every run of the schedule from a registers file, read-only, oldest first."""
    rows = _read_only(path, "SELECT * FROM retention_runs ORDER BY started_at, id") or []
    return pd.DataFrame([dict(r) for r in rows], columns=RUN_COLUMNS)
