"""Marketing consents, the mailing list and the suppression list.

The policy promises marketing only on opt-in (PECR reg. 22). Each consent records when it was
given, the wording the person agreed to (by version), the channel, and when it was withdrawn.
The mailing list itself comes from the mailing tool's export (CSV); the audit checks every
address on it has a live opt-in for email, none withdrawn, none erased, none suppressed.

The suppression list holds people who must not be contacted at all (an objection, an erasure
request): it is what the business-transfer notice list leaves out. A withdrawn marketing
consent is not a suppression: a legal notice is not marketing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import UK_TIME, parse_date, parse_datetime
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.base import (
    RegisterBase,
    as_date,
    iso,
    optional_text,
    require_text,
    today_or_before,
    uk_day,
)
from mimoto_gov.registers.db import now_utc, transaction
from mimoto_gov.registers.subjects import normalise_email
from mimoto_gov.registers.trail import track

track("consents", "consents")
track("mailing-list", "mailing_list", whole_table=True)
track("suppressions", "suppressions")

CHANNELS = ("email", "sms", "post", "phone")
EMAIL_COLUMNS = ("email", "email address", "email_address", "e-mail", "e-mail address")
CONSENTED_COLUMNS = ("consented_at", "optin_time", "opt-in time", "confirm_time", "opted_in_at")
WORDING_COLUMNS = ("wording_version", "consent_wording", "wording")
UNRECORDED_WORDING = "not recorded in the export"
CONSENT_COLUMNS = [
    "id", "subject", "consented_at", "wording_version", "channel", "withdrawn_at", "source",
]  # fmt: skip
AUDIT_COLUMNS = ["email", "problem", "detail"]
SUPPRESSION_COLUMNS = ["id", "subject", "reason", "added_on"]


@dataclass(frozen=True)
class MailingListImport:
    """What an import of the mailing-list export did."""

    members: int
    consents_added: int


def parse_when(text: str, name: str) -> datetime:
    """Parse a consent time: ``YYYY-MM-DD HH:MM[:SS]``, ISO 8601 with offset, or a date."""
    value = (text or "").strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is not None and len(value) > 10:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UK_TIME)
    try:
        day = parse_date(value, name)
    except InputError:
        return parse_datetime(value, name)
    return datetime(day.year, day.month, day.day, tzinfo=UK_TIME)


def _when(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        value = value.replace(microsecond=0)
        return value if value.tzinfo else value.replace(tzinfo=UK_TIME)
    return datetime(value.year, value.month, value.day, tzinfo=UK_TIME)


def _find_column(fieldnames: list[str], names: tuple[str, ...]) -> str | None:
    wanted = {n.lower() for n in names}
    return next((f for f in fieldnames if f and f.strip().lower() in wanted), None)


def read_mailing_list(csv_path: Path) -> list[dict]:
    """Read a mailing-list export: one dict per address (email, consented_at, wording_version).

    The export needs an email column (``email``, ``Email Address``...). An opt-in time column
    (``consented_at``, ``OPTIN_TIME``, ``CONFIRM_TIME``) and a wording column are optional.
    Addresses are normalised and de-duplicated.

    Raises:
        InputError: one line naming the problem (missing file, not UTF-8 CSV, no email column,
            a malformed address or time with its line number).

    """
    path = Path(csv_path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise InputError(f"{path}: not a UTF-8 CSV file") from None
    try:
        reader = csv.DictReader(text.splitlines())
        fieldnames = list(reader.fieldnames or [])
        if not fieldnames:
            raise InputError(f"{path}: the file is empty")
        email_col = _find_column(fieldnames, EMAIL_COLUMNS)
        if email_col is None:
            raise InputError(f"{path}: no email column (expected a header named 'email')")
        consented_col = _find_column(fieldnames, CONSENTED_COLUMNS)
        wording_col = _find_column(fieldnames, WORDING_COLUMNS)
        members: dict[str, dict] = {}
        for row in reader:
            line = reader.line_num
            raw = (row.get(email_col) or "").strip()
            if not raw:
                continue
            email = normalise_email(raw, f"{path}: line {line}")
            when = (row.get(consented_col) or "").strip() if consented_col else ""
            consented_at = parse_when(when, f"{path}: line {line}") if when else None
            members.setdefault(
                email,
                {
                    "email": email,
                    "consented_at": consented_at,
                    "wording_version": optional_text(row.get(wording_col)) if wording_col else None,
                },
            )
    except csv.Error as error:
        raise InputError(f"{path}: not a readable CSV file ({error})") from None
    return list(members.values())


class ConsentsMixin(RegisterBase):
    """Consents, mailing list and suppressions (mixed into ``Registers``)."""

    def add_consent(
        self,
        email: str,
        consented_at: datetime | date,
        wording_version: str,
        channel: str = "email",
        source: str | None = None,
    ) -> int:
        """Record an opt-in; return its number."""
        ((email, subject_hash),) = self._subjects([email])
        if channel not in CHANNELS:
            raise InputError(f"channel: {channel!r} is not one of {', '.join(CHANNELS)}")
        with transaction(self.conn) as conn:
            cursor = conn.execute(
                "INSERT INTO consents (email, subject_hash, consented_at, wording_version,"
                " channel, source) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    email,
                    subject_hash,
                    _when(consented_at).isoformat(),
                    require_text(wording_version, "wording version"),
                    channel,
                    optional_text(source),
                ),
            )
            self.record_change(conn, "consents", cursor.lastrowid, "add", _when(consented_at))
        return int(cursor.lastrowid)

    def withdraw_consent(
        self, email: str, withdrawn_at: datetime | date | None = None, channel: str = "email"
    ) -> int:
        """Record a withdrawal of every live consent on a channel; return how many.

        Raises:
            RegisterError: the person has no live consent on that channel.

        """
        subject_hash = self.hash(normalise_email(email))
        moment = self.change_moment(_when(withdrawn_at or datetime.now(UK_TIME)), "withdrawn")
        with transaction(self.conn) as conn:
            live = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM consents"
                    " WHERE subject_hash = ? AND channel = ? AND withdrawn_at IS NULL",
                    (subject_hash, channel),
                )
            ]
            if not live:
                raise RegisterError(f"{email} has no live {channel} consent to withdraw")
            for consent_id in live:
                conn.execute(
                    "UPDATE consents SET withdrawn_at = ? WHERE id = ?",
                    (moment.isoformat(), consent_id),
                )
                self.record_change(conn, "consents", consent_id, "withdraw", moment)
        return len(live)

    def consents(self) -> pd.DataFrame:
        """Return the consent register as a table."""
        rows = [
            {
                "id": r["id"],
                "subject": r["email"] or f"erased:{r['subject_hash']}",
                "consented_at": r["consented_at"],
                "wording_version": r["wording_version"],
                "channel": r["channel"],
                "withdrawn_at": r["withdrawn_at"],
                "source": r["source"],
            }
            for r in self.conn.execute("SELECT * FROM consents ORDER BY consented_at, id")
        ]
        return pd.DataFrame(rows, columns=CONSENT_COLUMNS)

    def import_mailing_list(self, csv_path: Path) -> MailingListImport:
        """Replace the stored mailing list with an export; record any opt-in times it carries.

        Consents already recorded (same person, channel and time) are not added twice. The
        file is read and checked completely before anything is written.

        Raises:
            InputError: the file is malformed (nothing is written).

        """
        path = Path(csv_path)
        members = read_mailing_list(path)
        imported_at = now_utc()
        added = 0
        with transaction(self.conn) as conn:
            conn.execute("DELETE FROM mailing_list")
            for member in members:
                subject_hash = self.hash(member["email"])
                conn.execute(
                    "INSERT INTO mailing_list (subject_hash, email, imported_at, source_file)"
                    " VALUES (?, ?, ?, ?)",
                    (subject_hash, member["email"], imported_at, path.name),
                )
                if member["consented_at"] is None:
                    continue
                when = member["consented_at"].isoformat()
                exists = conn.execute(
                    "SELECT 1 FROM consents WHERE subject_hash = ? AND channel = 'email'"
                    " AND consented_at = ?",
                    (subject_hash, when),
                ).fetchone()
                if exists:
                    continue
                cursor = conn.execute(
                    "INSERT INTO consents (email, subject_hash, consented_at, wording_version,"
                    " channel, source) VALUES (?, ?, ?, ?, 'email', ?)",
                    (
                        member["email"],
                        subject_hash,
                        when,
                        member["wording_version"] or UNRECORDED_WORDING,
                        f"mailing-list export {path.name}",
                    ),
                )
                self.record_change(
                    conn, "consents", cursor.lastrowid, "add (mailing-list import)",
                    member["consented_at"],
                )  # fmt: skip
                added += 1
            self.record_change(conn, "mailing-list", "all", "import")
        return MailingListImport(members=len(members), consents_added=added)

    def mailing_list_emails(self) -> list[str]:
        """Return the addresses on the last imported mailing list (erased ones are absent)."""
        return [
            r["email"]
            for r in self.conn.execute(
                "SELECT email FROM mailing_list WHERE email IS NOT NULL ORDER BY email"
            )
        ]

    def consent_audit(
        self,
        mailing_list_emails: list[str] | None = None,
        erased_hashes: set[str] | None = None,
        *,
        channel: str = "email",
    ) -> pd.DataFrame:
        """Every problem with the mailing list: addresses without a live opt-in.

        Args:
            mailing_list_emails: the addresses marketing goes to (default: the last import).
            erased_hashes: keyed hashes of erased people (default: the erasure register's).
            channel: the channel the list is for.

        Returns:
            Columns email, problem ("no opt-in", "withdrawn", "erased", "suppressed"), detail;
            one row per problem; empty when the list is clean.

        """
        if mailing_list_emails is None:
            mailing_list_emails = self.mailing_list_emails()
        if erased_hashes is None:
            erased_hashes = self.erased_hashes()
        suppressed = self.suppressed_hashes()
        problems = []
        seen: set[str] = set()
        for raw in mailing_list_emails:
            email = (raw or "").strip().lower()
            if not email or email in seen:
                continue
            seen.add(email)
            subject_hash = self.hash(email)
            if subject_hash in erased_hashes:
                problems.append((email, "erased", "the person was erased: remove them"))
            if subject_hash in suppressed:
                problems.append((email, "suppressed", "on the suppression list"))
            consents = self.conn.execute(
                "SELECT consented_at, withdrawn_at FROM consents"
                " WHERE subject_hash = ? AND channel = ? ORDER BY consented_at",
                (subject_hash, channel),
            ).fetchall()
            if not consents:
                problems.append((email, "no opt-in", f"no {channel} consent recorded"))
            elif all(c["withdrawn_at"] for c in consents):
                last = max(c["withdrawn_at"] for c in consents)
                problems.append((email, "withdrawn", f"consent withdrawn {uk_day(last)}"))
        return pd.DataFrame(problems, columns=AUDIT_COLUMNS)

    def add_suppression(
        self, email: str, reason: str | None = None, added_on: date | None = None
    ) -> int:
        """Put a person on the suppression list (idempotent); return the entry's number."""
        ((email, subject_hash),) = self._subjects([email])
        with transaction(self.conn) as conn:
            existing = conn.execute(
                "SELECT id FROM suppressions WHERE subject_hash = ?", (subject_hash,)
            ).fetchone()
            if existing:
                return int(existing["id"])
            added_on = today_or_before(added_on, "added")
            cursor = conn.execute(
                "INSERT INTO suppressions (email, subject_hash, reason, added_on)"
                " VALUES (?, ?, ?, ?)",
                (email, subject_hash, optional_text(reason), iso(added_on)),
            )
            self.record_change(conn, "suppressions", cursor.lastrowid, "add", added_on)
        return int(cursor.lastrowid)

    def suppressions(self) -> pd.DataFrame:
        """Return the suppression list as a table."""
        rows = [
            {
                "id": r["id"],
                "subject": r["email"] or f"erased:{r['subject_hash']}",
                "reason": r["reason"],
                "added_on": as_date(r["added_on"]),
            }
            for r in self.conn.execute("SELECT * FROM suppressions ORDER BY id")
        ]
        return pd.DataFrame(rows, columns=SUPPRESSION_COLUMNS)

    def suppressed_hashes(self) -> set[str]:
        """Keyed hashes of everyone on the suppression list."""
        return {r[0] for r in self.conn.execute("SELECT subject_hash FROM suppressions")}
