"""Data protection complaints made to Mimoto: received, acknowledged within 30 days, outcome.

From 19 June 2026 (DUAA s.103) a controller must acknowledge a complaint within 30 days of
receipt. A late acknowledgement is still recorded, as it happened, and flagged as late: the
register is evidence, so it keeps the truth rather than refusing it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mimoto_gov.deadlines import complaint_ack_deadline
from mimoto_gov.errors import RegisterError
from mimoto_gov.registers.base import (
    RegisterBase,
    as_date,
    iso,
    not_before,
    received_day,
    require_text,
    uk_day,
)
from mimoto_gov.registers.db import next_id, now_utc, transaction
from mimoto_gov.registers.subjects import normalise_email
from mimoto_gov.registers.trail import track

track("complaints", "complaints")

COMPLAINT_COLUMNS = [
    "id", "received_on", "subject", "summary", "ack_due_on", "acknowledged_on", "ack_late",
    "outcome", "closed_on", "status",
]  # fmt: skip


class ComplaintsMixin(RegisterBase):
    """The complaints register (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def add_complaint(
        self, summary: str, received_on: date | None = None, email: str | None = None
    ) -> str:
        """Record a complaint; return its id (``C-<year>-<nnnn>``)."""
        received_on = received_day(received_on)
        normalised = normalise_email(email) if email else None
        with transaction(self.conn) as conn:
            complaint_id = next_id(conn, "complaints", "C", received_on.year)
            conn.execute(
                "INSERT INTO complaints (id, received_on, email, subject_hash, summary,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    complaint_id,
                    iso(received_on),
                    normalised,
                    self.hash(normalised) if normalised else None,
                    require_text(summary, "summary"),
                    now_utc(),
                ),
            )
            self.record_change(conn, "complaints", complaint_id, "add", received_on)
        return complaint_id

    def _complaint_row(self, complaint_id: str):
        return self._one(
            "SELECT * FROM complaints WHERE id = ?",
            ((complaint_id or "").strip().upper(),),
            f"no complaint {complaint_id} in the register",
        )

    def acknowledge_complaint(self, complaint_id: str, acknowledged_on: date | None = None) -> bool:
        """Record the acknowledgement; return True if it was on time (within 30 days).

        Raises:
            RegisterError: no such complaint, or already acknowledged.

        """
        row = self._complaint_row(complaint_id)
        if row["acknowledged_on"]:
            raise RegisterError(
                f"complaint {row['id']} was acknowledged on {uk_day(row['acknowledged_on'])}"
            )
        received = as_date(row["received_on"])
        acknowledged_on = self.change_day(acknowledged_on, "acknowledged")
        not_before(acknowledged_on, received, "acknowledged", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE complaints SET acknowledged_on = ? WHERE id = ?",
                (iso(acknowledged_on), row["id"]),
            )
            self.record_change(conn, "complaints", row["id"], "acknowledge", acknowledged_on)
        return acknowledged_on <= complaint_ack_deadline(received)

    def close_complaint(
        self, complaint_id: str, outcome: str, closed_on: date | None = None
    ) -> None:
        """Record a complaint's outcome and close it.

        Raises:
            RegisterError: no such complaint, or already closed.

        """
        row = self._complaint_row(complaint_id)
        if row["closed_on"]:
            raise RegisterError(f"complaint {row['id']} was closed on {uk_day(row['closed_on'])}")
        closed_on = self.change_day(closed_on, "closed")
        not_before(closed_on, as_date(row["received_on"]), "closed", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE complaints SET outcome = ?, closed_on = ? WHERE id = ?",
                (require_text(outcome, "outcome"), iso(closed_on), row["id"]),
            )
            self.record_change(conn, "complaints", row["id"], "close", closed_on)

    def complaints(self, today: date | None = None) -> pd.DataFrame:
        """Return the complaints register with each acknowledgement deadline and lateness.

        ``ack_late`` is True when acknowledged after the deadline, or not yet acknowledged and
        the deadline has passed (as of ``today``).
        """
        today = today or date.today()
        rows = []
        for r in self.conn.execute("SELECT * FROM complaints ORDER BY received_on, id"):
            received = as_date(r["received_on"])
            due = complaint_ack_deadline(received)
            acknowledged = as_date(r["acknowledged_on"])
            subject = r["email"] or (f"erased:{r['subject_hash']}" if r["subject_hash"] else None)
            rows.append(
                {
                    "id": r["id"],
                    "received_on": received,
                    "subject": subject,
                    "summary": r["summary"],
                    "ack_due_on": due,
                    "acknowledged_on": acknowledged,
                    "ack_late": (acknowledged or today) > due,
                    "outcome": r["outcome"],
                    "closed_on": as_date(r["closed_on"]),
                    "status": "closed" if r["closed_on"] else "open",
                }
            )
        return pd.DataFrame(rows, columns=COMPLAINT_COLUMNS)
