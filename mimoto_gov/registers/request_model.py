"""The request register's vocabulary: kinds, channels, outcomes, and a request as read.

A request's clock starts on the day it is received, or on the day identification that was
asked for arrives (Article 12A: the period begins with the later of the two). It runs one
calendar month (:func:`mimoto_gov.deadlines.sar_due_date`), or three from the same start once
extended. Clock stops (waiting for clarification the controller reasonably needs) add the
days the clock did not run: the due date is the calendar-month date plus the paused days,
moved to the next working day. A pause still open counts up to today (or the closing date).

Statuses: ``open``; ``paused`` while a clarification is awaited; ``extended`` once an
extension was decided; ``closed`` or ``refused`` at the end. A finished request has an
outcome (:data:`OUTCOMES`): answered, erased, partly refused (with the exemption relied on),
refused (manifestly unfounded or excessive, with the reason), withdrawn, or a duplicate of
another request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mimoto_gov.deadlines import EXTENDED_MONTHS, add_calendar_months, add_paused_days

# The rights of Articles 15 to 22, by the names the register uses.
KINDS = (
    "access", "erasure", "rectification", "restriction", "portability", "objection",
    "automated-decisions",
)  # fmt: skip
CHANNELS = ("email", "web", "phone", "post", "in-person", "social-media", "other")
STATUSES = ("open", "paused", "extended", "closed", "refused")
FINISHED = ("closed", "refused")
OUTCOMES = ("answered", "erased", "partly-refused", "refused", "withdrawn", "duplicate")
REFUSAL_GROUNDS = ("manifestly-unfounded", "excessive")
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
    requester_name: str | None = None
    channel: str | None = None
    on_behalf_of: str | None = None
    authority_evidence: str | None = None
    ticket_number: str | None = None
    outcome_kind: str | None = None
    exemption: str | None = None
    refusal_grounds: str | None = None
    duplicate_of: str | None = None

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
