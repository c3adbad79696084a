"""The request register: every subject rights request, who made it, its clock and its end.

The vocabulary (kinds, channels, outcomes, the :class:`Request` record and the due-date
arithmetic) is in :mod:`mimoto_gov.registers.request_model`; the steps between receipt and
answer (identity, pauses, extension) in :mod:`mimoto_gov.registers.request_steps`. Every
change leaves an event in the trail (:mod:`mimoto_gov.registers.trail`).

A second request while one is open for the same person is refused unless it says what it is:
``duplicate_of`` (recorded and closed at once as a duplicate of that request) or
``separate=True`` (a request in its own right, e.g. another right exercised).
"""

from __future__ import annotations

from datetime import date

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import (
    as_date,
    insert_subjects,
    iso,
    not_before,
    optional_text,
    received_day,
    require_text,
)
from mimoto_gov.registers.db import next_id, now_utc, transaction
from mimoto_gov.registers.request_model import (
    CHANNELS,
    EVIDENCE_MAX_CHARS,
    FINISHED,
    KINDS,
    OUTCOMES,
    REFUSAL_GROUNDS,
    STATUSES,
    PackageSent,
    Pause,
    Request,
    Subject,
    due_date_of,
    paused_days,
)
from mimoto_gov.registers.request_steps import RequestStepsMixin
from mimoto_gov.registers.request_tables import REQUEST_FIELDS, RequestTablesMixin
from mimoto_gov.registers.trail import track

track(
    "requests",
    "requests",
    children=(("request_subjects", "request_id"), ("request_pauses", "request_id")),
)
track("packages-sent", "request_packages_sent")


def _choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is not None and value not in allowed:
        raise InputError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


class RequestsMixin(RequestStepsMixin, RequestTablesMixin):
    """The request register's operations (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def add_request(
        self,
        kind: str,
        emails: list[str] | tuple[str, ...] | str,
        received_on: date | None = None,
        notes: str | None = None,
        *,
        requester_name: str | None = None,
        channel: str | None = None,
        on_behalf_of: str | None = None,
        authority_evidence: str | None = None,
        ticket_number: str | None = None,
        duplicate_of: str | None = None,
        separate: bool = False,
    ) -> Request:
        """Record a new request and return it with its id (``R-<year>-<nnnn>``).

        Args:
            kind: one of :data:`KINDS`.
            emails: the subject's address(es); normalised to lower case.
            received_on: the day it was received (today by default; never in the future).
            notes: free text.
            requester_name: the name of whoever made the request.
            channel: how it arrived (:data:`CHANNELS`).
            on_behalf_of: the subject's name when someone else asks for them; then
                ``authority_evidence`` must say what shows their authority.
            authority_evidence: what was seen of the requester's authority (a sentence).
            ticket_number: the Zammad ticket it arrived in.
            duplicate_of: the open request this one repeats: it is recorded and closed at
                once as that request's duplicate.
            separate: record it as a request in its own right although the person already
                has an open one.

        Raises:
            InputError: an unknown kind or channel, no email or a malformed one, a date in
                the future, someone acting for the person without evidence of authority.
            RegisterError: the person has an open request and neither ``duplicate_of`` nor
                ``separate`` was given, or the request to duplicate does not exist.

        """
        _choice(kind, KINDS, "kind")
        _choice(channel, CHANNELS, "channel")
        if isinstance(emails, str):
            emails = [emails]
        subjects = self._subjects(emails)
        if not subjects:
            raise InputError("a request needs at least one subject email")
        received_on = received_day(received_on)
        on_behalf_of, authority = optional_text(on_behalf_of), optional_text(authority_evidence)
        if on_behalf_of and not authority:
            raise InputError(
                "on behalf of: say what shows the requester's authority to act for the person"
            )
        if authority and len(authority) > EVIDENCE_MAX_CHARS:
            raise InputError(f"authority: describe it in at most {EVIDENCE_MAX_CHARS} characters")
        original = self._duplicate_target(subjects, duplicate_of, separate)
        ticket_number = optional_text(ticket_number)
        with transaction(self.conn) as conn:
            request_id = next_id(conn, "requests", "R", received_on.year)
            conn.execute(
                "INSERT INTO requests (id, kind, received_on, status, notes, created_at,"
                " requester_name, channel, on_behalf_of, authority_evidence, ticket_number)"
                " VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
                (
                    request_id, kind, iso(received_on), optional_text(notes), now_utc(),
                    optional_text(requester_name), channel, on_behalf_of, authority,
                    ticket_number,
                ),
            )  # fmt: skip
            insert_subjects(conn, "request_subjects", "request_id", request_id, subjects)
            if original is not None:
                conn.execute(
                    "UPDATE requests SET status = 'closed', closed_on = received_on,"
                    " outcome_kind = 'duplicate', duplicate_of = ?, outcome = ? WHERE id = ?",
                    (original.id, f"duplicate of {original.id}", request_id),
                )
            self.record_change(conn, "requests", request_id, "add", received_on)
            if ticket_number:
                self.link_candidate(conn, ticket_number, request_id)
        return self.get_request(request_id)

    def link_candidate(self, conn, ticket_number: str, request_id: str) -> None:
        """Mark a ticket's candidate as recorded by ``request_id`` (if it was a candidate)."""
        linked = conn.execute(
            "UPDATE request_candidates SET status = 'recorded', request_id = ?, decided_at = ?"
            " WHERE ticket_number = ? AND status != 'recorded'",
            (request_id, now_utc(), ticket_number),
        )
        if linked.rowcount:
            self.record_change(conn, "candidates", ticket_number, "recorded as a request")

    def _duplicate_target(
        self, subjects: list[tuple[str, str]], duplicate_of: str | None, separate: bool
    ) -> Request | None:
        if duplicate_of and separate:
            raise InputError("give --duplicate-of or --separate, not both")
        if duplicate_of:
            return self.get_request(duplicate_of)
        if separate:
            return None
        hashes = [h for _, h in subjects]
        marks = ", ".join("?" for _ in hashes)
        open_ids = [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT q.id FROM requests q JOIN request_subjects s"
                f" ON s.request_id = q.id WHERE s.subject_hash IN ({marks})"  # noqa: S608
                f" AND q.status NOT IN ({', '.join(repr(s) for s in FINISHED)})"
                " ORDER BY q.received_on, q.id",
                hashes,
            )
        ]
        if open_ids:
            raise RegisterError(
                f"this person already has an open request ({', '.join(open_ids)}): give "
                f"--duplicate-of {open_ids[0]} to record this one as its duplicate, or "
                "--separate for a request in its own right"
            )
        return None

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
            **{field: row[field] for field in REQUEST_FIELDS},
        )

    def list_requests(self, status: str | None = None) -> list[Request]:
        """Every request (or those with one status), oldest first."""
        _choice(status, STATUSES, "status")
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

    def close_request(
        self,
        request_id: str,
        outcome: str,
        closed_on: date | None = None,
        *,
        refused: bool = False,
        detail: str | None = None,
        exemption: str | None = None,
        grounds: str | None = None,
        duplicate_of: str | None = None,
    ) -> Request:
        """Close a request with its outcome.

        Args:
            request_id: the request.
            outcome: one of :data:`OUTCOMES`; any other text is taken as what was done
                (the outcome is then "refused" with ``refused=True``, "erased" for an
                erasure request, else "answered").
            closed_on: the day (today by default; before today only with a reason).
            refused: record a refusal (with free-text ``outcome``).
            detail: what was done, or why it was refused.
            exemption: for "partly-refused", the exemption relied on.
            grounds: for "refused", manifestly-unfounded or excessive.
            duplicate_of: for "duplicate", the request it repeats.

        Raises:
            InputError: an outcome without what it needs (exemption, grounds and reason, the
                original request), a date in the future or back-dated without a reason.
            RegisterError: the request is already finished, or closed before it was received.

        """
        request = self.unfinished_request(request_id)
        exemption, grounds = optional_text(exemption), _choice(grounds, REFUSAL_GROUNDS, "grounds")
        original = None
        if outcome in OUTCOMES:
            kind, text = outcome, optional_text(detail)
            if refused and kind != "refused":
                raise InputError(f"a {kind} outcome is not a refusal")
            original = self._check_outcome(request, kind, text, exemption, grounds, duplicate_of)
        else:
            # What was done, in words (the register's first form): the kind follows from it.
            text = require_text(outcome, "outcome")
            kind = "refused" if refused else "erased" if request.kind == "erasure" else "answered"
        closed_on = self.change_day(closed_on, "closed")
        not_before(closed_on, request.received_on, "closed", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE requests SET status = ?, closed_on = ?, outcome = ?, outcome_kind = ?,"
                " exemption = ?, refusal_grounds = ?, duplicate_of = ? WHERE id = ?",
                (
                    "refused" if kind == "refused" else "closed", iso(closed_on), text, kind,
                    exemption, grounds, original, request.id,
                ),
            )  # fmt: skip
            self.record_change(conn, "requests", request.id, f"close ({kind})", closed_on)
        return self.get_request(request.id)

    def _check_outcome(
        self,
        request: Request,
        kind: str,
        text: str | None,
        exemption: str | None,
        grounds: str | None,
        duplicate_of: str | None,
    ) -> str | None:
        if kind == "partly-refused" and not exemption:
            raise InputError("a partly refused request needs the exemption relied on")
        if kind == "refused" and (grounds is None or not text):
            raise InputError(
                "a refusal needs its grounds (manifestly-unfounded or excessive) and the reason"
            )
        if kind != "duplicate":
            if duplicate_of:
                raise InputError("--duplicate-of goes with the duplicate outcome")
            return None
        if not duplicate_of:
            raise InputError("a duplicate needs the request it repeats (--duplicate-of)")
        original = self.get_request(duplicate_of)
        if original.id == request.id:
            raise InputError(f"request {request.id} cannot be a duplicate of itself")
        return original.id

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
            cursor = conn.execute(
                "INSERT INTO request_packages_sent"
                " (request_id, sent_on, manifest_sha256, files, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (request.id, iso(sent_on), digest, int(files), now_utc()),
            )
            self.record_change(conn, "packages-sent", cursor.lastrowid, "sent", sent_on)
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


# The register's vocabulary, importable from here as before the split.
__all__ = [
    "CHANNELS",
    "FINISHED",
    "KINDS",
    "OUTCOMES",
    "REFUSAL_GROUNDS",
    "STATUSES",
    "Pause",
    "Request",
    "RequestsMixin",
    "Subject",
    "due_date_of",
    "paused_days",
]
