"""The request register: every subject rights request, its identity check and its clock.

A request's clock starts on the day it is received, or on the day identification that was
asked for arrives (Article 12A: the period begins with the later of the two). It runs one
calendar month (:func:`mimoto_gov.deadlines.sar_due_date`), or three from the same start once
extended. Clock stops (waiting for clarification the controller reasonably needs) add the
days the clock did not run: the due date is the calendar-month date plus the paused days,
moved to the next working day. A pause still open counts up to today (or the closing date).

Statuses: ``open``; ``paused`` while a clarification is awaited; ``extended`` once an
extension was decided; ``closed`` or ``refused`` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import EXTENDED_MONTHS, add_calendar_months, add_paused_days
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import (
    RegisterBase,
    as_date,
    insert_subjects,
    iso,
    not_before,
    optional_text,
    received_day,
    require_text,
    uk_day,
)
from mimoto_gov.registers.csvout import write_frame_csv
from mimoto_gov.registers.db import next_id, now_utc, transaction

KINDS = ("access", "erasure", "rectification", "objection")
STATUSES = ("open", "paused", "extended", "closed", "refused")
FINISHED = ("closed", "refused")
# A description of what was seen, never a copy of a document: a sentence, not a scan.
EVIDENCE_MAX_CHARS = 300

OPEN_REQUEST_COLUMNS = ["id", "kind", "received_on", "due_on", "days_left", "status", "overdue"]


@dataclass(frozen=True)
class Subject:
    """A person a register entry is about: their email until erased, and its keyed hash."""

    email: str | None
    subject_hash: str

    @property
    def label(self) -> str:
        """The email, or ``erased:<hash>`` once the address was forgotten."""
        return self.email or f"erased:{self.subject_hash}"


@dataclass(frozen=True)
class Pause:
    """A clock stop: clarification asked for on one day, answered on another (or not yet)."""

    asked_on: date
    answered_on: date | None
    reason: str


@dataclass(frozen=True)
class Request:
    """One entry of the request register, as read from the file."""

    id: str
    kind: str
    received_on: date
    subjects: tuple[Subject, ...]
    status: str
    id_received_on: date | None = None
    verified_at: date | None = None
    verify_method: str | None = None
    verified_by: str | None = None
    evidence_seen: str | None = None
    pauses: tuple[Pause, ...] = ()
    extension_decided_on: date | None = None
    extension_reason: str | None = None
    extension_told_on: date | None = None
    closed_on: date | None = None
    outcome: str | None = None
    notes: str | None = None

    @property
    def emails(self) -> tuple[str, ...]:
        """The subject addresses still held (erased ones are absent)."""
        return tuple(s.email for s in self.subjects if s.email)

    @property
    def subject_hash(self) -> str:
        """The keyed hash of the first subject address."""
        return self.subjects[0].subject_hash

    @property
    def clock_starts_on(self) -> date:
        """The day the clock starts: receipt, or receipt of identification asked for."""
        return max(self.received_on, self.id_received_on or self.received_on)

    @property
    def extended(self) -> bool:
        """Whether an extension was decided."""
        return self.extension_decided_on is not None

    @property
    def verified(self) -> bool:
        """Whether the requester's identity was verified (and recorded)."""
        return self.verified_at is not None

    @property
    def finished(self) -> bool:
        """Whether the request is closed or refused."""
        return self.status in FINISHED

    @property
    def open_pause(self) -> Pause | None:
        """The clock stop awaiting an answer, if any."""
        return next((p for p in self.pauses if p.answered_on is None), None)


@dataclass(frozen=True)
class PackageSent:
    """A subject access package recorded as sent: when, and its manifest's SHA-256."""

    request_id: str
    sent_on: date
    manifest_sha256: str
    files: int


def paused_days(request: Request, as_of: date | None = None) -> int:
    """Days the clock did not run: each pause from its asking to its answer.

    A pause still open counts to ``as_of`` (today by default), or to the closing date of a
    finished request. Days before the clock started are not counted twice.
    """
    until = request.closed_on or as_of or date.today()
    total = 0
    for pause in request.pauses:
        start = max(pause.asked_on, request.clock_starts_on)
        end = pause.answered_on or until
        total += max(0, (end - start).days)
    return total


def due_date_of(
    request: Request, as_of: date | None = None, *, extended: bool | None = None
) -> date:
    """Return a request's due date: the ICO calendar month, plus paused days, on a working day.

    Args:
        request: the register entry.
        as_of: the day an open pause counts up to (today by default).
        extended: override whether to count the extended (three-month) period; by default,
            whether the request was extended.

    Returns:
        The due date.

    """
    is_extended = request.extended if extended is None else extended
    months = EXTENDED_MONTHS if is_extended else 1
    calendar_due = add_calendar_months(request.clock_starts_on, months)
    return add_paused_days(calendar_due, paused_days(request, as_of))


class RequestsMixin(RegisterBase):
    """The request register's operations (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def add_request(
        self,
        kind: str,
        emails: list[str] | tuple[str, ...] | str,
        received_on: date | None = None,
        notes: str | None = None,
    ) -> Request:
        """Record a new request and return it with its id (``R-<year>-<nnnn>``).

        Args:
            kind: access, erasure, rectification or objection.
            emails: the subject's address(es); normalised to lower case.
            received_on: the day it was received (today by default).
            notes: free text.

        Raises:
            InputError: an unknown kind, no email or a malformed one, a date in the future.

        """
        if kind not in KINDS:
            raise InputError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
        if isinstance(emails, str):
            emails = [emails]
        subjects = self._subjects(emails)
        if not subjects:
            raise InputError("a request needs at least one subject email")
        received_on = received_day(received_on)
        with transaction(self.conn) as conn:
            request_id = next_id(conn, "requests", "R", received_on.year)
            conn.execute(
                "INSERT INTO requests (id, kind, received_on, status, notes, created_at)"
                " VALUES (?, ?, ?, 'open', ?, ?)",
                (request_id, kind, iso(received_on), optional_text(notes), now_utc()),
            )
            insert_subjects(conn, "request_subjects", "request_id", request_id, subjects)
        return self.get_request(request_id)

    def get_request(self, request_id: str) -> Request:
        """Read one request.

        Raises:
            RegisterError: ``no request R-2026-0099 in the register``.

        """
        row = self._one(
            "SELECT * FROM requests WHERE id = ?",
            ((request_id or "").strip().upper(),),
            f"no request {request_id} in the register",
        )
        subjects = tuple(
            Subject(r["email"], r["subject_hash"])
            for r in self.conn.execute(
                "SELECT email, subject_hash FROM request_subjects WHERE request_id = ?"
                " ORDER BY position",
                (row["id"],),
            )
        )
        pauses = tuple(
            Pause(as_date(r["asked_on"]), as_date(r["answered_on"]), r["reason"])
            for r in self.conn.execute(
                "SELECT asked_on, answered_on, reason FROM request_pauses WHERE request_id = ?"
                " ORDER BY asked_on, id",
                (row["id"],),
            )
        )
        return Request(
            id=row["id"],
            kind=row["kind"],
            received_on=as_date(row["received_on"]),
            subjects=subjects,
            status=row["status"],
            id_received_on=as_date(row["id_received_on"]),
            verified_at=as_date(row["verified_at"]),
            verify_method=row["verify_method"],
            verified_by=row["verified_by"],
            evidence_seen=row["evidence_seen"],
            pauses=pauses,
            extension_decided_on=as_date(row["extension_decided_on"]),
            extension_reason=row["extension_reason"],
            extension_told_on=as_date(row["extension_told_on"]),
            closed_on=as_date(row["closed_on"]),
            outcome=row["outcome"],
            notes=row["notes"],
        )

    def list_requests(self, status: str | None = None) -> list[Request]:
        """Every request (or those with one status), oldest first."""
        if status is not None and status not in STATUSES:
            raise InputError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
        sql = "SELECT id FROM requests"
        params: tuple = ()
        if status is not None:
            sql += " WHERE status = ?"
            params = (status,)
        ids = [r["id"] for r in self.conn.execute(sql + " ORDER BY received_on, id", params)]
        return [self.get_request(i) for i in ids]

    def requests_about(self, email: str) -> list[Request]:
        """Every request naming ``email`` (matched by keyed hash, so erased entries count too)."""
        subject_hash = self.hash(email)
        ids = [
            r["request_id"]
            for r in self.conn.execute(
                "SELECT DISTINCT s.request_id FROM request_subjects s"
                " JOIN requests q ON q.id = s.request_id"
                " WHERE s.subject_hash = ? ORDER BY q.received_on, q.id",
                (subject_hash,),
            )
        ]
        return [self.get_request(i) for i in ids]

    def _open_request(self, request_id: str) -> Request:
        request = self.get_request(request_id)
        if request.finished:
            raise RegisterError(f"request {request.id} is already {request.status}")
        return request

    def _set_status(self, conn, request_id: str) -> None:
        row = conn.execute(
            "SELECT extension_decided_on, closed_on, status FROM requests WHERE id = ?",
            (request_id,),
        ).fetchone()
        if row["status"] in FINISHED:
            return
        waiting = conn.execute(
            "SELECT 1 FROM request_pauses WHERE request_id = ? AND answered_on IS NULL",
            (request_id,),
        ).fetchone()
        status = "paused" if waiting else "extended" if row["extension_decided_on"] else "open"
        conn.execute("UPDATE requests SET status = ? WHERE id = ?", (status, request_id))

    def verify_identity(
        self,
        request_id: str,
        method: str,
        verified_by: str,
        evidence_seen: str,
        verified_at: date | None = None,
        id_received_on: date | None = None,
    ) -> Request:
        """Record how the requester's identity was verified, never a copy of any document.

        Args:
            request_id: the request.
            method: how (e.g. "request came from the registered account's address").
            verified_by: the staff member who decided.
            evidence_seen: a short description of what was seen (at most 300 characters).
            verified_at: the day (today by default).
            id_received_on: if identification was asked for, the day it arrived: the clock
                then starts on that day (Article 12A).

        Raises:
            InputError: an empty field, or an evidence description long enough to be a copy.

        """
        request = self._open_request(request_id)
        method = require_text(method, "method")
        verified_by = require_text(verified_by, "verified by")
        evidence = require_text(evidence_seen, "evidence seen")
        if len(evidence) > EVIDENCE_MAX_CHARS:
            raise InputError(
                f"evidence seen: describe it in at most {EVIDENCE_MAX_CHARS} characters; "
                "never store a copy of an identity document"
            )
        verified_at = verified_at or date.today()
        not_before(verified_at, request.received_on, "verified", "received")
        if id_received_on is not None:
            not_before(id_received_on, request.received_on, "identification received", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE requests SET verified_at = ?, verify_method = ?, verified_by = ?,"
                " evidence_seen = ?, id_received_on = ? WHERE id = ?",
                (iso(verified_at), method, verified_by, evidence, iso(id_received_on), request.id),
            )
        return self.get_request(request.id)

    def pause(self, request_id: str, reason: str, asked_on: date | None = None) -> Request:
        """Stop the clock: clarification the request needs was asked for on ``asked_on``.

        Raises:
            RegisterError: the request is finished or already paused.

        """
        request = self._open_request(request_id)
        reason = require_text(reason, "reason")
        if request.open_pause is not None:
            raise RegisterError(
                f"request {request.id} is already paused since "
                f"{uk_day(request.open_pause.asked_on)}"
            )
        asked_on = asked_on or date.today()
        not_before(asked_on, request.received_on, "paused", "received")
        last_answer = max((p.answered_on for p in request.pauses), default=None)
        if last_answer is not None:
            not_before(asked_on, last_answer, "paused", "the previous pause's end")
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT INTO request_pauses (request_id, asked_on, reason) VALUES (?, ?, ?)",
                (request.id, iso(asked_on), reason),
            )
            self._set_status(conn, request.id)
        return self.get_request(request.id)

    def resume(self, request_id: str, answered_on: date | None = None) -> Request:
        """Restart the clock: the clarification arrived on ``answered_on``.

        Raises:
            RegisterError: the request is not paused.

        """
        request = self._open_request(request_id)
        pause = request.open_pause
        if pause is None:
            raise RegisterError(f"request {request.id} is not paused")
        answered_on = answered_on or date.today()
        not_before(answered_on, pause.asked_on, "resumed", "the pause")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE request_pauses SET answered_on = ?"
                " WHERE request_id = ? AND answered_on IS NULL",
                (iso(answered_on), request.id),
            )
            self._set_status(conn, request.id)
        return self.get_request(request.id)

    def extend(
        self,
        request_id: str,
        reason: str,
        told_on: date | None = None,
        decided_on: date | None = None,
    ) -> Request:
        """Extend the deadline to three months from the start (complex or several requests).

        The person must be told, with reasons, within the first month, so both the decision
        and the telling must fall on or before the original due date.

        Raises:
            RegisterError: already extended, finished, or decided or told too late.

        """
        request = self._open_request(request_id)
        if request.extended:
            raise RegisterError(
                f"request {request.id} was already extended on "
                f"{uk_day(request.extension_decided_on)}"
            )
        reason = require_text(reason, "reason")
        decided_on = decided_on or date.today()
        told_on = told_on or decided_on
        not_before(decided_on, request.received_on, "extension decided", "received")
        not_before(told_on, decided_on, "subject told", "the extension decision")
        original_due = due_date_of(request, as_of=told_on, extended=False)
        if told_on > original_due:
            raise RegisterError(
                f"an extension must be decided and told within the first month: request "
                f"{request.id} was due {uk_day(original_due)}"
            )
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE requests SET extension_decided_on = ?, extension_reason = ?,"
                " extension_told_on = ? WHERE id = ?",
                (iso(decided_on), reason, iso(told_on), request.id),
            )
            self._set_status(conn, request.id)
        return self.get_request(request.id)

    def close_request(
        self,
        request_id: str,
        outcome: str,
        closed_on: date | None = None,
        *,
        refused: bool = False,
    ) -> Request:
        """Close a request with its outcome (``refused=True`` records a refusal).

        Raises:
            RegisterError: the request is already finished, or closed before it was received.

        """
        request = self._open_request(request_id)
        outcome = require_text(outcome, "outcome")
        closed_on = closed_on or date.today()
        not_before(closed_on, request.received_on, "closed", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE requests SET status = ?, closed_on = ?, outcome = ? WHERE id = ?",
                ("refused" if refused else "closed", iso(closed_on), outcome, request.id),
            )
        return self.get_request(request.id)

    def record_package_sent(
        self, request_id: str, manifest_sha256: str, files: int, sent_on: date | None = None
    ) -> PackageSent:
        """Record that an access request's package was sent (append-only).

        Args:
            request_id: the access request.
            manifest_sha256: SHA-256 of the package's ``manifest.json`` (hex).
            files: how many files the manifest lists.
            sent_on: the day it was sent (today by default).

        Raises:
            RegisterError: no such request, not an access request, or a day before the
                request was received.
            InputError: not a SHA-256.

        """
        request = self.get_request(request_id)
        if request.kind != "access":
            raise RegisterError(
                f"request {request.id} is a {request.kind} request: only access requests "
                "send a package"
            )
        digest = (manifest_sha256 or "").strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise InputError("manifest SHA-256: expected 64 hexadecimal characters")
        sent_on = sent_on or date.today()
        not_before(sent_on, request.received_on, "sent", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT INTO request_packages_sent"
                " (request_id, sent_on, manifest_sha256, files, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (request.id, iso(sent_on), digest, int(files), now_utc()),
            )
        return PackageSent(request.id, sent_on, digest, int(files))

    def packages_sent(self, request_id: str) -> list[PackageSent]:
        """List the packages recorded as sent for a request, oldest first."""
        return [
            PackageSent(r["request_id"], as_date(r["sent_on"]), r["manifest_sha256"], r["files"])
            for r in self.conn.execute(
                "SELECT request_id, sent_on, manifest_sha256, files FROM request_packages_sent"
                " WHERE request_id = ? ORDER BY sent_on, id",
                ((request_id or "").strip().upper(),),
            )
        ]

    def due_date_of(self, request: Request | str, as_of: date | None = None) -> date:
        """Return the due date of a request (or request id); see :func:`due_date_of`."""
        if isinstance(request, str):
            request = self.get_request(request)
        return due_date_of(request, as_of)

    def requests_frame(self, as_of: date | None = None) -> pd.DataFrame:
        """Return the whole request register as a table (one row per request), for export."""
        rows = []
        for r in self.list_requests():
            rows.append(
                {
                    "id": r.id,
                    "kind": r.kind,
                    "subjects": "; ".join(s.label for s in r.subjects),
                    "received_on": iso(r.received_on),
                    "id_received_on": iso(r.id_received_on),
                    "verified_at": iso(r.verified_at),
                    "verify_method": r.verify_method,
                    "verified_by": r.verified_by,
                    "evidence_seen": r.evidence_seen,
                    "pauses": "; ".join(
                        f"{p.asked_on} to {p.answered_on or 'awaiting answer'}: {p.reason}"
                        for p in r.pauses
                    ),
                    "paused_days": paused_days(r, as_of),
                    "extension_decided_on": iso(r.extension_decided_on),
                    "extension_reason": r.extension_reason,
                    "extension_told_on": iso(r.extension_told_on),
                    "due_on": iso(due_date_of(r, as_of)),
                    "status": r.status,
                    "closed_on": iso(r.closed_on),
                    "outcome": r.outcome,
                    "notes": r.notes,
                    "package_sent": "; ".join(
                        f"{p.sent_on} manifest {p.manifest_sha256}"
                        for p in self.packages_sent(r.id)
                    ),
                }
            )
        columns = [
            "id", "kind", "subjects", "received_on", "id_received_on", "verified_at",
            "verify_method", "verified_by", "evidence_seen", "pauses", "paused_days",
            "extension_decided_on", "extension_reason", "extension_told_on", "due_on",
            "status", "closed_on", "outcome", "notes", "package_sent",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def export_requests_csv(self, path: Path) -> Path:
        """Write the request register as CSV for auditors (formula injection neutralised)."""
        return write_frame_csv(self.requests_frame(), Path(path))

    def open_requests_with_deadlines(self, today: date | None = None) -> pd.DataFrame:
        """Open requests with their due dates, overdue first, for the monthly review.

        Returns:
            Columns id, kind, received_on, due_on, days_left (negative when overdue), status,
            overdue; sorted overdue first, then by due date.

        """
        today = today or date.today()
        rows = []
        for r in self.list_requests():
            if r.finished:
                continue
            due = due_date_of(r, today)
            rows.append(
                {
                    "id": r.id,
                    "kind": r.kind,
                    "received_on": r.received_on,
                    "due_on": due,
                    "days_left": (due - today).days,
                    "status": r.status,
                    "overdue": today > due,
                }
            )
        frame = pd.DataFrame(rows, columns=OPEN_REQUEST_COLUMNS)
        if frame.empty:
            return frame.astype({"days_left": "int64", "overdue": "bool"})
        frame = frame.sort_values(["overdue", "due_on", "id"], ascending=[False, True, True])
        return frame.reset_index(drop=True)
