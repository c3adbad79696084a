"""Law-enforcement requests: what was asked, on what authority, what was done, who was told.

The policy promises disclosure only against legal warrants from UK authorities, and that users
are told unless the law forbids it. Each request records the authority, whether it is a UK
authority, the instrument (warrant, production order...) and its reference, the scope, the
decision, what was disclosed, and either the day the user was told or the legal basis for not
telling them (e.g. DPA 2018 Sch. 2 para 2, or a court's non-disclosure order).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

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
)
from mimoto_gov.registers.db import next_id, now_utc, transaction
from mimoto_gov.registers.trail import track

track(
    "law-enforcement",
    "law_enforcement",
    children=(("law_enforcement_subjects", "law_enforcement_id"),),
)

DECISIONS = ("disclosed", "refused", "partial")
LAW_ENFORCEMENT_COLUMNS = [
    "id", "received_on", "authority", "uk", "instrument", "reference", "scope", "subjects",
    "decision", "decided_on", "disclosed", "user_told_on", "not_told_basis", "status",
    "closed_on", "notes",
]  # fmt: skip
TRANSPARENCY_COLUMNS = [
    "year", "received", "from_uk", "disclosed", "partly_disclosed", "refused", "undecided",
    "users_told", "not_told",
]  # fmt: skip


class LawEnforcementMixin(RegisterBase):
    """Law-enforcement requests (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def add_law_enforcement(
        self,
        authority: str,
        uk: bool,
        instrument: str,
        scope: str,
        emails: list[str] | tuple[str, ...] = (),
        received_on: date | None = None,
        reference: str | None = None,
        notes: str | None = None,
    ) -> str:
        """Record a request from an authority; return its id (``LE-<year>-<nnnn>``).

        Args:
            authority: who asked (e.g. "Metropolitan Police Service").
            uk: whether it is a UK authority.
            instrument: the legal instrument (e.g. "production order, PACE Sch. 1").
            scope: what was asked for.
            emails: the people it names (an open request holds their data from erasure).
            received_on: the day it arrived (today by default).
            reference: the instrument's or authority's reference.
            notes: free text.

        """
        subjects = self._subjects(emails)
        received_on = received_day(received_on)
        with transaction(self.conn) as conn:
            le_id = next_id(conn, "law_enforcement", "LE", received_on.year)
            conn.execute(
                "INSERT INTO law_enforcement (id, received_on, authority, uk, instrument,"
                " reference, scope, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    le_id,
                    iso(received_on),
                    require_text(authority, "authority"),
                    int(bool(uk)),
                    require_text(instrument, "instrument"),
                    optional_text(reference),
                    require_text(scope, "scope"),
                    optional_text(notes),
                    now_utc(),
                ),
            )
            insert_subjects(conn, "law_enforcement_subjects", "law_enforcement_id", le_id, subjects)
            self.record_change(conn, "law-enforcement", le_id, "add", received_on)
        return le_id

    def _law_enforcement_row(self, le_id: str):
        return self._one(
            "SELECT * FROM law_enforcement WHERE id = ?",
            ((le_id or "").strip().upper(),),
            f"no law-enforcement request {le_id} in the register",
        )

    def decide_law_enforcement(
        self,
        le_id: str,
        decision: str,
        disclosed: str | None = None,
        decided_on: date | None = None,
    ) -> None:
        """Record the decision: disclosed, refused or partial (with what was disclosed)."""
        row = self._law_enforcement_row(le_id)
        if decision not in DECISIONS:
            raise InputError(f"decision: {decision!r} is not one of {', '.join(DECISIONS)}")
        if row["status"] == "closed":
            raise RegisterError(f"law-enforcement request {row['id']} is closed")
        disclosed = optional_text(disclosed)
        if decision in ("disclosed", "partial") and not disclosed:
            raise InputError("disclosed: say what was disclosed")
        decided_on = self.change_day(decided_on, "decided")
        not_before(decided_on, as_date(row["received_on"]), "decided", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE law_enforcement SET decision = ?, decided_on = ?, disclosed = ?"
                " WHERE id = ?",
                (decision, iso(decided_on), disclosed, row["id"]),
            )
            self.record_change(conn, "law-enforcement", row["id"], "decide", decided_on)

    def record_user_told(
        self,
        le_id: str,
        told_on: date | None = None,
        not_told_basis: str | None = None,
    ) -> None:
        """Record that the user was told (on a day), or the legal basis for not telling them.

        Raises:
            InputError: neither or both given.

        """
        row = self._law_enforcement_row(le_id)
        basis = optional_text(not_told_basis)
        if (told_on is None) == (basis is None):
            raise InputError("give either the day the user was told or the basis for not telling")
        if told_on is not None:
            told_on = self.change_day(told_on, "user told")
            not_before(told_on, as_date(row["received_on"]), "user told", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE law_enforcement SET user_told_on = ?, not_told_basis = ? WHERE id = ?",
                (iso(told_on), basis, row["id"]),
            )
            action = "user told" if told_on else "basis for not telling"
            self.record_change(conn, "law-enforcement", row["id"], action, told_on)

    def close_law_enforcement(self, le_id: str, closed_on: date | None = None) -> None:
        """Close a request once decided (it then no longer holds anyone's data).

        Raises:
            RegisterError: already closed, or no decision recorded.

        """
        row = self._law_enforcement_row(le_id)
        if row["status"] == "closed":
            raise RegisterError(f"law-enforcement request {row['id']} is already closed")
        if row["decision"] is None:
            raise RegisterError(f"record the decision on {row['id']} before closing it")
        closed_on = self.change_day(closed_on, "closed")
        not_before(closed_on, as_date(row["received_on"]), "closed", "received")
        with transaction(self.conn) as conn:
            conn.execute(
                "UPDATE law_enforcement SET status = 'closed', closed_on = ? WHERE id = ?",
                (iso(closed_on), row["id"]),
            )
            self.record_change(conn, "law-enforcement", row["id"], "close", closed_on)

    def law_enforcement_requests(self) -> pd.DataFrame:
        """Return the law-enforcement register as a table, oldest first."""
        subjects: dict[str, list[str]] = {}
        for r in self.conn.execute(
            "SELECT law_enforcement_id, email, subject_hash FROM law_enforcement_subjects"
            " ORDER BY law_enforcement_id, position"
        ):
            subjects.setdefault(r["law_enforcement_id"], []).append(
                r["email"] or f"erased:{r['subject_hash']}"
            )
        rows = []
        for r in self.conn.execute("SELECT * FROM law_enforcement ORDER BY received_on, id"):
            row = {c: r[c] for c in LAW_ENFORCEMENT_COLUMNS if c != "subjects"}
            row["uk"] = bool(r["uk"])
            for column in ("received_on", "decided_on", "user_told_on", "closed_on"):
                row[column] = as_date(r[column])
            row["subjects"] = "; ".join(subjects.get(r["id"], []))
            rows.append(row)
        return pd.DataFrame(rows, columns=LAW_ENFORCEMENT_COLUMNS)

    def transparency_table(self) -> pd.DataFrame:
        """Yearly counts for a transparency report (by year received).

        Returns:
            Columns year, received, from_uk, disclosed, partly_disclosed, refused, undecided,
            users_told, not_told (a legal basis for not telling was recorded).

        """
        frame = self.law_enforcement_requests()
        if frame.empty:
            return pd.DataFrame(columns=TRANSPARENCY_COLUMNS).astype("int64")
        frame["year"] = [d.year for d in frame["received_on"]]
        grouped = frame.groupby("year")
        table = pd.DataFrame(
            {
                "received": grouped.size(),
                "from_uk": grouped["uk"].sum(),
                "disclosed": grouped["decision"].agg(lambda s: int((s == "disclosed").sum())),
                "partly_disclosed": grouped["decision"].agg(lambda s: int((s == "partial").sum())),
                "refused": grouped["decision"].agg(lambda s: int((s == "refused").sum())),
                "undecided": grouped["decision"].agg(lambda s: int(s.isna().sum())),
                "users_told": grouped["user_told_on"].agg(lambda s: int(s.notna().sum())),
                "not_told": grouped["not_told_basis"].agg(lambda s: int(s.notna().sum())),
            }
        )
        return table.reset_index()[TRANSPARENCY_COLUMNS].astype("int64")
