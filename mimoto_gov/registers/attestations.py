"""Attestations: facts only a person can vouch for, with who, when, and until when.

Some promises cannot be checked by a program ("we do not record any service access logs").
For those, a named person attests the statement on a date, and the attestation expires after a
set period so that someone has to look again. The register is append-only: a new attestation
supersedes the old one, which stays as history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.registers.base import RegisterBase, as_date, iso, require_text, today_or_before
from mimoto_gov.registers.db import now_utc, transaction
from mimoto_gov.registers.trail import track

track("attestations", "attestations")

DEFAULT_VALID_DAYS = 365
ATTESTATION_COLUMNS = [
    "id", "statement_key", "text", "attested_by", "attested_on", "expires_on", "current",
]  # fmt: skip


@dataclass(frozen=True)
class Attestation:
    """One attestation of a statement."""

    id: int
    statement_key: str
    text: str
    attested_by: str
    attested_on: date
    expires_on: date


def _attestation(row) -> Attestation:
    return Attestation(
        id=row["id"],
        statement_key=row["statement_key"],
        text=row["text"],
        attested_by=row["attested_by"],
        attested_on=as_date(row["attested_on"]),
        expires_on=as_date(row["expires_on"]),
    )


class AttestationsMixin(RegisterBase):
    """The attestation register (mixed into :class:`~mimoto_gov.registers.Registers`)."""

    def attest(
        self,
        statement_key: str,
        text: str,
        attested_by: str,
        attested_on: date | None = None,
        expires_on: date | None = None,
    ) -> Attestation:
        """Record that ``attested_by`` vouches for a statement.

        Args:
            statement_key: the statement's key (e.g. ``no-access-logs``, as in commitments.yml).
            text: the statement as attested.
            attested_by: the person.
            attested_on: the day (today by default).
            expires_on: when it lapses (by default a year after ``attested_on``).

        """
        key = require_text(statement_key, "statement key")
        attested_on = today_or_before(attested_on, "attested")
        expires_on = expires_on or attested_on + timedelta(days=DEFAULT_VALID_DAYS)
        if expires_on <= attested_on:
            raise InputError("expires on must be after attested on")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "INSERT INTO attestations (statement_key, text, attested_by, attested_on,"
                " expires_on, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    require_text(text, "text"),
                    require_text(attested_by, "attested by"),
                    iso(attested_on),
                    iso(expires_on),
                    now_utc(),
                ),
            )
            self.record_change(conn, "attestations", cursor.lastrowid, "attest", attested_on)
        row = self.conn.execute(
            "SELECT * FROM attestations WHERE id = ?", (cursor.lastrowid,)
        ).fetchone()
        return _attestation(row)

    def current_attestation(self, statement_key: str, on: date | None = None) -> Attestation | None:
        """Return the latest attestation of a statement in force on ``on`` (today), or None."""
        on = on or date.today()
        row = self.conn.execute(
            "SELECT * FROM attestations WHERE statement_key = ? AND attested_on <= ?"
            " AND expires_on > ? ORDER BY attested_on DESC, id DESC LIMIT 1",
            (statement_key, iso(on), iso(on)),
        ).fetchone()
        return _attestation(row) if row else None

    def attestations(self, on: date | None = None) -> pd.DataFrame:
        """Every attestation, with ``current`` marking the one in force for its key."""
        on = on or date.today()
        rows = []
        for r in self.conn.execute("SELECT * FROM attestations ORDER BY statement_key, id"):
            a = _attestation(r)
            current = self.current_attestation(a.statement_key, on)
            rows.append(
                {
                    "id": a.id,
                    "statement_key": a.statement_key,
                    "text": a.text,
                    "attested_by": a.attested_by,
                    "attested_on": a.attested_on,
                    "expires_on": a.expires_on,
                    "current": current is not None and current.id == a.id,
                }
            )
        return pd.DataFrame(rows, columns=ATTESTATION_COLUMNS)
