"""Personal data breaches: every one recorded, reported to the ICO within 72 hours or not, and why.

Article 33(5) asks for a record of every breach, including those not reported, with the
reasons. The 72 hours run from becoming aware (``found_at``); they are elapsed hours, so a
clock change in between is counted correctly (:func:`mimoto_gov.deadlines.breach_report_deadline`).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from mimoto_gov.deadlines import UK_TIME, breach_report_deadline
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import RegisterBase, optional_text, require_text, uk_day
from mimoto_gov.registers.db import next_id, now_utc, transaction
from mimoto_gov.registers.trail import track

track("breaches", "breaches")

# More people than live on Earth is a typing mistake (and past SQLite's integers, a crash).
MAX_PEOPLE = 10_000_000_000

BREACH_COLUMNS = [
    "id", "found_at", "description", "people_affected", "measures", "report_due_at",
    "reported_to_ico_at", "ico_reference", "reason_not_reported", "reported_late", "status",
]  # fmt: skip


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UK_TIME)


class BreachesMixin(RegisterBase):
    """The breach log (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def add_breach(
        self,
        found_at: datetime,
        description: str,
        people_affected: int | None = None,
        measures: str | None = None,
    ) -> str:
        """Record a breach when it is found; return its id (``B-<year>-<nnnn>``).

        Args:
            found_at: when Mimoto became aware of it (naive times are UK time).
            description: what happened and what data.
            people_affected: how many people, if known.
            measures: what was done to contain it.

        """
        found_at = _aware(found_at)
        if found_at > datetime.now(UK_TIME):
            raise InputError(f"found at {uk_day(found_at, with_time=True)} is in the future")
        if people_affected is not None and people_affected < 0:
            raise InputError("people affected cannot be negative")
        if people_affected is not None and people_affected > MAX_PEOPLE:
            raise InputError(f"people affected: at most {MAX_PEOPLE:,} (check the number)")
        with transaction(self.conn) as conn:
            breach_id = next_id(conn, "breaches", "B", found_at.year)
            conn.execute(
                "INSERT INTO breaches (id, found_at, description, people_affected, measures,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    breach_id,
                    found_at.isoformat(),
                    require_text(description, "description"),
                    people_affected,
                    optional_text(measures),
                    now_utc(),
                ),
            )
            self.record_change(conn, "breaches", breach_id, "add", found_at)
        return breach_id

    def _breach_row(self, breach_id: str):
        row = self._one(
            "SELECT * FROM breaches WHERE id = ?",
            ((breach_id or "").strip().upper(),),
            f"no breach {breach_id} in the register",
        )
        if row["reported_to_ico_at"] or row["reason_not_reported"]:
            raise RegisterError(f"breach {row['id']} already has its reporting decision")
        return row

    def report_breach(
        self, breach_id: str, reported_at: datetime, ico_reference: str | None = None
    ) -> bool:
        """Record the report to the ICO; return True if it was within the 72 hours."""
        row = self._breach_row(breach_id)
        reported_at = self.change_moment(_aware(reported_at), "reported at")
        found_at = datetime.fromisoformat(row["found_at"])
        if reported_at < found_at:
            raise RegisterError(
                f"reported at {uk_day(reported_at, with_time=True)} is before it was found "
                f"({uk_day(found_at, with_time=True)})"
            )
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE breaches SET reported_to_ico_at = ?, ico_reference = ? WHERE id = ?",
                (reported_at.isoformat(), optional_text(ico_reference), row["id"]),
            )
            self.record_change(conn, "breaches", row["id"], "report to the ICO", reported_at)
        return reported_at <= breach_report_deadline(found_at)

    def record_breach_not_reported(self, breach_id: str, reason: str) -> None:
        """Record the decision not to report a breach to the ICO, and why."""
        row = self._breach_row(breach_id)
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE breaches SET reason_not_reported = ? WHERE id = ?",
                (require_text(reason, "reason"), row["id"]),
            )
            self.record_change(conn, "breaches", row["id"], "not reported")

    def breaches(self, now: datetime | None = None) -> pd.DataFrame:
        """Return the breach log with each 72-hour deadline.

        ``status`` is "reported", "not reported (reason recorded)", or "decision due" /
        "decision overdue" while neither is recorded; ``reported_late`` flags a report after
        the deadline.
        """
        now = _aware(now or datetime.now(UK_TIME))
        rows = []
        for r in self.conn.execute("SELECT * FROM breaches ORDER BY found_at, id"):
            # Stored with a fixed offset; shown in UK time (GMT or BST as it was then).
            found_at = datetime.fromisoformat(r["found_at"]).astimezone(UK_TIME)
            due = breach_report_deadline(found_at)
            reported = r["reported_to_ico_at"]
            reported_at = datetime.fromisoformat(reported).astimezone(UK_TIME) if reported else None
            if reported_at:
                status = "reported"
            elif r["reason_not_reported"]:
                status = "not reported (reason recorded)"
            else:
                status = "decision overdue" if now > due else "decision due"
            rows.append(
                {
                    "id": r["id"],
                    "found_at": found_at,
                    "description": r["description"],
                    "people_affected": r["people_affected"],
                    "measures": r["measures"],
                    "report_due_at": due,
                    "reported_to_ico_at": reported_at,
                    "ico_reference": r["ico_reference"],
                    "reason_not_reported": r["reason_not_reported"],
                    "reported_late": bool(reported_at and reported_at > due),
                    "status": status,
                }
            )
        return pd.DataFrame(rows, columns=BREACH_COLUMNS)
