"""The request register as tables: the whole register for export, open requests for review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from mimoto_gov.registers.base import RegisterBase, iso
from mimoto_gov.registers.csvout import write_frame_csv
from mimoto_gov.registers.request_model import (
    OPEN_REQUEST_COLUMNS,
    Request,
    due_date_of,
    paused_days,
)

REQUEST_FIELDS = (
    "requester_name", "channel", "on_behalf_of", "authority_evidence", "ticket_number",
    "outcome_kind", "exemption", "refusal_grounds", "duplicate_of",
)  # fmt: skip


class RequestTablesMixin(RegisterBase):
    """Tables of the request register (mixed into the request register)."""

    def list_requests(self, status: str | None = None) -> list[Request]:  # pragma: no cover
        """Every request (provided by :class:`~mimoto_gov.registers.requests.RequestsMixin`)."""
        raise NotImplementedError

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
                    **{field: getattr(r, field) for field in REQUEST_FIELDS},
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
            "status", "closed_on", "outcome", "notes", *REQUEST_FIELDS, "package_sent",
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
