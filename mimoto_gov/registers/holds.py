"""Legal holds: reasons not to erase a person's data yet.

A hold is an entry placed by a member of staff (a legal claim, a dispute), in force until it
is lifted. An open law-enforcement request naming the person counts as a hold too: erasing
data an authority has asked for could be an offence, and is at least unwise.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from mimoto_gov.errors import RegisterError
from mimoto_gov.registers.base import (
    RegisterBase,
    as_date,
    iso,
    not_before,
    require_text,
    today_or_before,
    uk_day,
)
from mimoto_gov.registers.db import transaction
from mimoto_gov.registers.trail import track

track("holds", "holds")

HOLD_COLUMNS = [
    "id", "subject", "reason", "placed_on", "placed_by", "lifted_on", "lifted_by", "active",
]  # fmt: skip


class HoldsMixin(RegisterBase):
    """Legal holds (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def place_hold(
        self, email: str, reason: str, placed_by: str, placed_on: date | None = None
    ) -> int:
        """Place a legal hold on a person's data; return the hold's number."""
        ((email, subject_hash),) = self._subjects([email])
        reason = require_text(reason, "reason")
        placed_by = require_text(placed_by, "placed by")
        placed_on = today_or_before(placed_on, "placed")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "INSERT INTO holds (email, subject_hash, reason, placed_on, placed_by)"
                " VALUES (?, ?, ?, ?, ?)",
                (email, subject_hash, reason, iso(placed_on), placed_by),
            )
            self.record_change(conn, "holds", cursor.lastrowid, "place", placed_on)
        return int(cursor.lastrowid)

    def lift_hold(self, hold_id: int, lifted_by: str, lifted_on: date | None = None) -> None:
        """Lift a hold.

        Raises:
            RegisterError: no such hold, or it was already lifted.

        """
        row = self._one(
            "SELECT * FROM holds WHERE id = ?",
            (int(hold_id),),
            f"no hold {hold_id} in the register",
        )
        if row["lifted_on"] is not None:
            raise RegisterError(f"hold {hold_id} was already lifted on {uk_day(row['lifted_on'])}")
        lifted_on = self.change_day(lifted_on, "lifted")
        not_before(lifted_on, as_date(row["placed_on"]), "lifted", "placed")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE holds SET lifted_on = ?, lifted_by = ? WHERE id = ?",
                (iso(lifted_on), require_text(lifted_by, "lifted by"), int(hold_id)),
            )
            self.record_change(conn, "holds", int(hold_id), "lift", lifted_on)

    def holds(self, active_only: bool = False) -> pd.DataFrame:
        """Return the hold register (``subject`` is the email, or ``erased:<hash>``)."""
        sql = "SELECT * FROM holds"
        if active_only:
            sql += " WHERE lifted_on IS NULL"
        rows = [
            {
                "id": r["id"],
                "subject": r["email"] or f"erased:{r['subject_hash']}",
                "reason": r["reason"],
                "placed_on": as_date(r["placed_on"]),
                "placed_by": r["placed_by"],
                "lifted_on": as_date(r["lifted_on"]),
                "lifted_by": r["lifted_by"],
                "active": r["lifted_on"] is None,
            }
            for r in self.conn.execute(sql + " ORDER BY id")
        ]
        return pd.DataFrame(rows, columns=HOLD_COLUMNS)

    def held_subject_hashes(self) -> set[str]:
        """Return the keyed hashes of everyone an active hold or open law-enforcement names."""
        rows = self.conn.execute(
            "SELECT subject_hash FROM holds WHERE lifted_on IS NULL"
            " UNION SELECT s.subject_hash FROM law_enforcement_subjects s"
            " JOIN law_enforcement l ON l.id = s.law_enforcement_id WHERE l.status = 'open'"
        )
        return {row[0] for row in rows}

    def active_holds_for(self, email: str) -> list[dict]:
        """Everything that currently forbids erasing ``email``'s data.

        Returns:
            One dict per hold: ``source`` ("hold" or "law-enforcement"), ``id``, ``reason``
            and ``since`` (a date). Empty when nothing holds the person's data.

        """
        subject_hash = self.hash(email)
        found = [
            {
                "source": "hold",
                "id": r["id"],
                "reason": r["reason"],
                "since": as_date(r["placed_on"]),
            }
            for r in self.conn.execute(
                "SELECT * FROM holds WHERE subject_hash = ? AND lifted_on IS NULL ORDER BY id",
                (subject_hash,),
            )
        ]
        found += [
            {
                "source": "law-enforcement",
                "id": r["id"],
                "reason": f"open law-enforcement request from {r['authority']}",
                "since": as_date(r["received_on"]),
            }
            for r in self.conn.execute(
                "SELECT DISTINCT l.id, l.authority, l.received_on FROM law_enforcement l"
                " JOIN law_enforcement_subjects s ON s.law_enforcement_id = l.id"
                " WHERE s.subject_hash = ? AND l.status = 'open' ORDER BY l.id",
                (subject_hash,),
            )
        ]
        return found
