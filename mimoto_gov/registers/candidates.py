"""Request candidates: tickets that read like a rights request, until someone decides.

The detector (:mod:`mimoto_gov.intake`) finds tickets whose customer wrote something like
"please delete my account and data". Each is kept here by ticket number with the customer,
the time the message arrived (the clock's start if it is a request), the kind guessed and the
phrase that matched. A candidate stays ``open`` until it is recorded as a request
(``requests add --from-ticket``) or dismissed with a reason (``requests dismiss``); both are
changes with an event in the trail. Each scan is logged in ``candidate_scans``, so the next
one starts where the last stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from mimoto_gov.errors import RegisterError
from mimoto_gov.registers.base import RegisterBase, require_text
from mimoto_gov.registers.db import now_utc, transaction
from mimoto_gov.registers.subjects import normalise_email
from mimoto_gov.registers.trail import track

track("candidates", "request_candidates", key="ticket_number")

CANDIDATE_STATUSES = ("open", "recorded", "dismissed")
CANDIDATE_COLUMNS = [
    "ticket_number", "customer", "received_at", "kind", "phrase", "status", "request_id",
    "dismissed_reason", "found_at",
]  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A ticket that reads like a rights request."""

    ticket_number: str
    ticket_id: int
    article_id: int | None
    customer: str | None
    email: str | None
    received_at: datetime
    kind: str
    phrase: str


def _utc_text(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # Full precision: the next scan starts strictly after the newest change seen.
    return moment.astimezone(UTC).isoformat()


class CandidatesMixin(RegisterBase):
    """Request candidates (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def settled_tickets(self) -> set[str]:
        """Return the ticket numbers not to raise again: linked to a request, or decided."""
        linked = {
            str(r[0])
            for r in self.conn.execute(
                "SELECT ticket_number FROM requests WHERE ticket_number IS NOT NULL"
            )
        }
        decided = {
            r[0]
            for r in self.conn.execute(
                "SELECT ticket_number FROM request_candidates WHERE status != 'open'"
            )
        }
        return linked | decided

    def last_candidate_scan(self) -> datetime | None:
        """Return the newest ticket change the last scan covered (the next scan starts there)."""
        row = self.conn.execute(
            "SELECT through FROM candidate_scans WHERE through IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def save_candidates(
        self,
        found: list[Candidate],
        *,
        since: datetime | None,
        through: datetime | None,
        tickets: int,
    ) -> int:
        """Keep the candidates a scan found (new ones, or newer news on open ones).

        Args:
            found: what the scan found.
            since: the scan's start (tickets changed after it), None for everything.
            through: the newest ticket change it saw.
            tickets: how many tickets it read.

        Returns:
            How many candidates were added or updated.

        """
        settled = self.settled_tickets()
        changed = 0
        with transaction(self.conn) as conn:
            for item in found:
                if item.ticket_number in settled:
                    continue
                email = normalise_email(item.email) if item.email else None
                values = (
                    item.ticket_id,
                    item.article_id,
                    item.customer,
                    email,
                    self.hash(email) if email else None,
                    _utc_text(item.received_at),
                    item.kind,
                    item.phrase,
                )
                old = conn.execute(
                    "SELECT ticket_id, article_id, customer, email, subject_hash, received_at,"
                    " kind, phrase FROM request_candidates WHERE ticket_number = ?",
                    (item.ticket_number,),
                ).fetchone()
                if old is not None and tuple(old) == values:
                    continue
                conn.execute(
                    "INSERT INTO request_candidates (ticket_number, ticket_id, article_id,"
                    " customer, email, subject_hash, received_at, kind, phrase, found_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_number) DO UPDATE"
                    " SET ticket_id = excluded.ticket_id, article_id = excluded.article_id,"
                    " customer = excluded.customer, email = excluded.email,"
                    " subject_hash = excluded.subject_hash, received_at = excluded.received_at,"
                    " kind = excluded.kind, phrase = excluded.phrase",
                    (item.ticket_number, *values, now_utc()),
                )
                action = "found" if old is None else "found again"
                self.record_change(conn, "candidates", item.ticket_number, action, item.received_at)
                changed += 1
            conn.execute(
                "INSERT INTO candidate_scans (scanned_at, since, through, tickets, found)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    now_utc(),
                    _utc_text(since) if since else None,
                    _utc_text(through) if through else None,
                    tickets,
                    changed,
                ),
            )
        return changed

    def dismiss_candidate(self, ticket_number: str, reason: str) -> None:
        """Record that a ticket is not a rights request, and why.

        Raises:
            RegisterError: the ticket is linked to a request already.

        """
        number = require_text(ticket_number, "ticket number").lstrip("#")
        reason = require_text(reason, "reason")
        linked = self.conn.execute(
            "SELECT id FROM requests WHERE ticket_number = ?", (number,)
        ).fetchone()
        if linked:
            raise RegisterError(f"ticket {number} is recorded as request {linked[0]}")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "UPDATE request_candidates SET status = 'dismissed', dismissed_reason = ?,"
                " decided_at = ? WHERE ticket_number = ?",
                (reason, now_utc(), number),
            )
            if not cursor.rowcount:
                # Dismissed before any scan raised it: remember it all the same.
                conn.execute(
                    "INSERT INTO request_candidates (ticket_number, ticket_id, received_at,"
                    " kind, phrase, found_at, status, dismissed_reason, decided_at)"
                    " VALUES (?, 0, ?, 'none', '', ?, 'dismissed', ?, ?)",
                    (number, now_utc(), now_utc(), reason, now_utc()),
                )
            self.record_change(conn, "candidates", number, "dismiss")

    def candidates(self, status: str | None = "open") -> pd.DataFrame:
        """Return the candidates (open ones by default, all with ``status=None``), oldest first.

        ``received_at`` is a UTC time; ``customer`` is the name and address (``erased`` once
        the person was erased).
        """
        sql, params = "SELECT * FROM request_candidates", ()
        if status is not None:
            sql += " WHERE status = ?"
            params = (status,)
        rows = []
        for r in self.conn.execute(sql + " ORDER BY received_at, ticket_number", params):
            row = {c: r[c] for c in CANDIDATE_COLUMNS}
            row["received_at"] = datetime.fromisoformat(r["received_at"])
            if row["customer"] is None and r["subject_hash"]:
                row["customer"] = f"erased:{r['subject_hash']}"
            rows.append(row)
        return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
