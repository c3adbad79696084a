"""The steps of a request between receipt and answer: identity, clock stops, extension.

Each step is a change to the request register, so it is dated (never in the future; before
today only with a reason) and leaves an event in the trail.
"""

from __future__ import annotations

from datetime import date

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import RegisterBase, iso, not_before, require_text, uk_day
from mimoto_gov.registers.db import transaction
from mimoto_gov.registers.request_model import (
    EVIDENCE_MAX_CHARS,
    FINISHED,
    Request,
    due_date_of,
)


class RequestStepsMixin(RegisterBase):
    """Identity checks, pauses and extensions (mixed into the request register)."""

    def get_request(self, request_id: str) -> Request:  # pragma: no cover - see RequestsMixin
        """Read one request (provided by :class:`~mimoto_gov.registers.requests.RequestsMixin`)."""
        raise NotImplementedError

    def unfinished_request(self, request_id: str) -> Request:
        """Read a request that is still open (paused or extended counts as open).

        Raises:
            RegisterError: the request is closed or refused.

        """
        request = self.get_request(request_id)
        if request.finished:
            raise RegisterError(f"request {request.id} is already {request.status}")
        return request

    def refresh_status(self, conn, request_id: str) -> None:
        """Set an unfinished request's status from its pauses and extension."""
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
        request = self.unfinished_request(request_id)
        method = require_text(method, "method")
        verified_by = require_text(verified_by, "verified by")
        evidence = require_text(evidence_seen, "evidence seen")
        if len(evidence) > EVIDENCE_MAX_CHARS:
            raise InputError(
                f"evidence seen: describe it in at most {EVIDENCE_MAX_CHARS} characters; "
                "never store a copy of an identity document"
            )
        verified_at = self.change_day(verified_at, "verified")
        not_before(verified_at, request.received_on, "verified", "received")
        if id_received_on is not None:
            id_received_on = self.change_day(id_received_on, "identification received")
            not_before(id_received_on, request.received_on, "identification received", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE requests SET verified_at = ?, verify_method = ?, verified_by = ?,"
                " evidence_seen = ?, id_received_on = ? WHERE id = ?",
                (iso(verified_at), method, verified_by, evidence, iso(id_received_on), request.id),
            )
            self.record_change(conn, "requests", request.id, "verify identity", verified_at)
        return self.get_request(request.id)

    def pause(self, request_id: str, reason: str, asked_on: date | None = None) -> Request:
        """Stop the clock: clarification the request needs was asked for on ``asked_on``.

        Raises:
            RegisterError: the request is finished or already paused.

        """
        request = self.unfinished_request(request_id)
        reason = require_text(reason, "reason")
        if request.open_pause is not None:
            raise RegisterError(
                f"request {request.id} is already paused since "
                f"{uk_day(request.open_pause.asked_on)}"
            )
        asked_on = self.change_day(asked_on, "paused")
        not_before(asked_on, request.received_on, "paused", "received")
        last_answer = max((p.answered_on for p in request.pauses), default=None)
        if last_answer is not None:
            not_before(asked_on, last_answer, "paused", "the previous pause's end")
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT INTO request_pauses (request_id, asked_on, reason) VALUES (?, ?, ?)",
                (request.id, iso(asked_on), reason),
            )
            self.refresh_status(conn, request.id)
            self.record_change(conn, "requests", request.id, "pause", asked_on)
        return self.get_request(request.id)

    def resume(self, request_id: str, answered_on: date | None = None) -> Request:
        """Restart the clock: the clarification arrived on ``answered_on``.

        Raises:
            RegisterError: the request is not paused.

        """
        request = self.unfinished_request(request_id)
        pause = request.open_pause
        if pause is None:
            raise RegisterError(f"request {request.id} is not paused")
        answered_on = self.change_day(answered_on, "resumed")
        not_before(answered_on, pause.asked_on, "resumed", "the pause")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE request_pauses SET answered_on = ?"
                " WHERE request_id = ? AND answered_on IS NULL",
                (iso(answered_on), request.id),
            )
            self.refresh_status(conn, request.id)
            self.record_change(conn, "requests", request.id, "resume", answered_on)
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
        request = self.unfinished_request(request_id)
        if request.extended:
            raise RegisterError(
                f"request {request.id} was already extended on "
                f"{uk_day(request.extension_decided_on)}"
            )
        reason = require_text(reason, "reason")
        decided_on = self.change_day(decided_on, "extension decided")
        told_on = self.change_day(told_on or decided_on, "subject told")
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
            self.refresh_status(conn, request.id)
            self.record_change(conn, "requests", request.id, "extend", decided_on)
        return self.get_request(request.id)
