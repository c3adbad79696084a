"""What an erasure leaves to record besides its outcome: steps, keep decisions, Zammad tasks.

Three append-only tables, each written through one method, so that whatever else must happen
on each write (the accountability trail) has one place to go:

- ``erasure_step_records`` (:meth:`ErasureStepsMixin.record_erasure_step`): a step of the
  checklist finished by hand (or by the tool, after the purge): who, on which day, what was
  done; or why it was not needed.
- ``erasure_keep_decisions`` (:meth:`ErasureStepsMixin.record_keep_decision`): for data the
  plan flags as possibly to be kept (a refund, an invoice), staff's decision: keep, with the
  reason and a review date, or erase. A later decision on the same flag replaces an earlier
  one until the erasure runs; both stay in the table.
- ``erasure_tasks`` (:meth:`ErasureStepsMixin.record_erasure_task`): each Zammad data-privacy
  task, recorded the moment Zammad created it and before anything waits on it, so an
  interrupted run is never forgotten.

The checklist lines themselves are stored with each erasure entry (``erasure_steps``, written
by :meth:`~mimoto_gov.registers.erasures.ErasuresMixin.record_erasure`). Free text typed by
staff is scrubbed of the person's addresses when it is written: these rows are never updated.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import (
    RegisterBase,
    as_date,
    iso,
    not_before,
    optional_text,
    require_text,
    uk_day,
)
from mimoto_gov.registers.db import now_utc, transaction
from mimoto_gov.registers.trail import track

STEP_OUTCOMES = ("done", "not needed")
DECISIONS = ("keep", "erase")
STEP_LINE_FIELDS = ("step", "place", "held", "action", "owner", "state", "why", "items")
STEP_RECORD_COLUMNS = [
    "id", "request_id", "step", "outcome", "done_by", "done_on", "note", "recorded_at",
]  # fmt: skip
DECISION_COLUMNS = [
    "id", "request_id", "flag", "decision", "reason", "review_on", "decided_by", "decided_on",
    "recorded_at",
]  # fmt: skip
TASK_COLUMNS = ["request_id", "task_id", "user_id", "delete_organization", "created_at"]
_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+\.[A-Za-z]{2,}")
ERASED_MARK = "[erased]"

track("erasure-steps", "erasure_step_records")
track("keep-decisions", "erasure_keep_decisions")
track("erasure-tasks", "erasure_tasks", key="task_id")


def _day(value: date | None, name: str) -> date:
    value = value or date.today()
    if value > date.today():
        raise InputError(f"{name} {uk_day(value)} is in the future")
    return value


class ErasureStepsMixin(RegisterBase):
    """Steps, keep decisions and Zammad tasks of erasures (see the module docstring)."""

    def _scrub_for(self, request, text: str | None) -> str | None:
        """Replace the request's addresses in free text, found by value or by keyed hash."""
        if text is None:
            return None
        hashes = {s.subject_hash for s in request.subjects}
        for email in request.emails:
            text = re.sub(re.escape(email), ERASED_MARK, text, flags=re.IGNORECASE)

        def replace(match: re.Match) -> str:
            return ERASED_MARK if self.hash(match.group(0)) in hashes else match.group(0)

        return _ADDRESS.sub(replace, text)

    # -- steps ---------------------------------------------------------------------------

    def record_erasure_step(
        self,
        request_id: str,
        step: str,
        *,
        outcome: str,
        by: str,
        on: date | None = None,
        note: str | None = None,
    ) -> int:
        """Record a step of an erasure as done, or as not needed (with the reason).

        Args:
            request_id: the erasure request.
            step: the step's key in the checklist (``mailboxes``, ``notify-gaug-es``...).
            outcome: "done" or "not needed".
            by: who did it (a person, or the tool for its own steps).
            on: the day it was done (today by default; never in the future).
            note: what was done; for "not needed", the reason (required).

        Returns:
            The record's id.

        Raises:
            InputError: an unknown outcome, no name, a day to come, "not needed" without why.
            RegisterError: an unknown request, or a day before the request was received.

        """
        request = self.get_request(request_id)
        if outcome not in STEP_OUTCOMES:
            raise InputError(f"outcome: {outcome!r} is not one of {', '.join(STEP_OUTCOMES)}")
        step = require_text(step, "step")
        by = require_text(by, "--by")
        note = optional_text(note)
        if outcome == "not needed" and not note:
            raise InputError("a step that is not needed needs the reason")
        on = _day(on, "--on")
        not_before(on, request.received_on, "done", f"request {request.id} was received")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "INSERT INTO erasure_step_records (request_id, step, outcome, done_by, done_on,"
                " note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    request.id,
                    step,
                    outcome,
                    self._scrub_for(request, by),
                    iso(on),
                    self._scrub_for(request, note),
                    now_utc(),
                ),
            )
            self.record_change(conn, "erasure-steps", cursor.lastrowid, f"{step} {outcome}", on)
        return int(cursor.lastrowid)

    def erasure_step_records(self, request_id: str | None = None) -> pd.DataFrame:
        """Every step record (of one request, or all), oldest first."""
        sql = "SELECT * FROM erasure_step_records"
        params: tuple = ()
        if request_id is not None:
            sql += " WHERE request_id = ?"
            params = (request_id.strip().upper(),)
        rows = [
            {**dict(r), "done_on": as_date(r["done_on"])}
            for r in self.conn.execute(sql + " ORDER BY recorded_at, id", params)
        ]
        return pd.DataFrame(rows, columns=STEP_RECORD_COLUMNS, dtype=object)

    def erasure_step_lines(self, erasure_id: str) -> list[dict]:
        """Return the checklist lines stored with an erasure entry, in order (``items`` a list)."""
        rows = self.conn.execute(
            "SELECT step, place, held, action, owner, state, why, items FROM erasure_steps"
            " WHERE erasure_id = ? ORDER BY position",
            (erasure_id,),
        ).fetchall()
        return [{**dict(r), "items": json.loads(r["items"])} for r in rows]

    def _insert_step_lines(self, conn, request, erasure_id: str, steps) -> None:
        rows = []
        for position, line in enumerate(steps):
            missing = [f for f in STEP_LINE_FIELDS if f not in line]
            if missing:
                raise InputError(f"step {position}: missing {', '.join(missing)}")
            text = {f: self._scrub_for(request, str(line[f] or "")) for f in STEP_LINE_FIELDS[:-1]}
            items = [self._scrub_for(request, str(i)) for i in line["items"] or ()]
            rows.append(
                (erasure_id, position, *(text[f] for f in STEP_LINE_FIELDS[:-1]), json.dumps(items))
            )
        conn.executemany(
            "INSERT INTO erasure_steps (erasure_id, position, step, place, held, action, owner,"
            " state, why, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    # -- keep decisions --------------------------------------------------------------------

    def record_keep_decision(
        self,
        request_id: str,
        flag: str,
        *,
        decision: str,
        by: str,
        reason: str | None = None,
        review_on: date | None = None,
        on: date | None = None,
    ) -> int:
        """Record staff's decision on data an erasure flags as possibly to be kept.

        Args:
            request_id: the erasure request.
            flag: the flag's key (``ticket-31046``).
            decision: "keep" (with ``reason`` and ``review_on``) or "erase".
            by: who decided.
            reason: why it is kept (the legal obligation or claim); optional for "erase".
            review_on: when to look at it again (after the decision day).
            on: the day of the decision (today by default).

        Returns:
            The decision's id.

        Raises:
            InputError: a bad decision, a keep without reason or review date, a review date
                not after the decision, a day to come.
            RegisterError: an unknown request, or a finished one.

        """
        request = self.get_request(request_id)
        if request.finished:
            raise RegisterError(f"request {request.id} is already {request.status}")
        if decision not in DECISIONS:
            raise InputError(f"decision: {decision!r} is not one of {', '.join(DECISIONS)}")
        flag = require_text(flag, "flag").lower()
        by = require_text(by, "--by")
        reason = optional_text(reason)
        on = _day(on, "--on")
        not_before(on, request.received_on, "decided", f"request {request.id} was received")
        if decision == "keep":
            if not reason:
                raise InputError("keeping data needs the reason (the law or the claim it is for)")
            if review_on is None:
                raise InputError("keeping data needs a review date (--review-on)")
            if review_on <= on:
                raise InputError(f"--review-on {uk_day(review_on)} must be after the decision")
        elif review_on is not None:
            raise InputError("--review-on is for data that is kept")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "INSERT INTO erasure_keep_decisions (request_id, flag, decision, reason,"
                " review_on, decided_by, decided_on, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.id,
                    flag,
                    decision,
                    self._scrub_for(request, reason),
                    iso(review_on),
                    self._scrub_for(request, by),
                    iso(on),
                    now_utc(),
                ),
            )
            self.record_change(conn, "keep-decisions", cursor.lastrowid, f"{flag} {decision}", on)
        return int(cursor.lastrowid)

    def keep_decisions(self, request_id: str) -> pd.DataFrame:
        """Return the decision in force for each flag of a request (the latest recorded)."""
        rows = [
            {
                **dict(r),
                "review_on": as_date(r["review_on"]),
                "decided_on": as_date(r["decided_on"]),
            }
            for r in self.conn.execute(
                "SELECT * FROM erasure_keep_decisions WHERE request_id = ?"
                " ORDER BY recorded_at, id",
                (request_id.strip().upper(),),
            )
        ]
        frame = pd.DataFrame(rows, columns=DECISION_COLUMNS, dtype=object)
        return frame.drop_duplicates("flag", keep="last").reset_index(drop=True)

    # -- Zammad tasks --------------------------------------------------------------------

    def record_erasure_task(
        self, request_id: str, task_id: int, user_id: int, *, delete_organization: bool = False
    ) -> bool:
        """Record a data-privacy task Zammad created for a request (once; later calls do nothing).

        Returns:
            True when it was new.

        """
        request = self.get_request(request_id)
        known = self.conn.execute(
            "SELECT 1 FROM erasure_tasks WHERE request_id = ? AND task_id = ?",
            (request.id, int(task_id)),
        ).fetchone()
        if known:
            return False
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT INTO erasure_tasks (request_id, task_id, user_id, delete_organization,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (request.id, int(task_id), int(user_id), int(bool(delete_organization)), now_utc()),
            )
            self.record_change(conn, "erasure-tasks", task_id, f"task created for {request.id}")
        return True

    def erasure_tasks(self, request_id: str) -> pd.DataFrame:
        """Return every data-privacy task recorded for a request, in the order created."""
        rows = [
            dict(r)
            for r in self.conn.execute(
                "SELECT * FROM erasure_tasks WHERE request_id = ? ORDER BY created_at, task_id",
                (request_id.strip().upper(),),
            )
        ]
        frame = pd.DataFrame(rows, columns=TASK_COLUMNS)
        frame["delete_organization"] = frame["delete_organization"].astype(bool)
        return frame
