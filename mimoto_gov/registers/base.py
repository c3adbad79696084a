"""What every register shares: the connection, the keyed hash, date conversions, CSV export."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers.subjects import keyed_hasher, normalise_email
from mimoto_gov.support.bounds import check_received


def iso(day: date | None) -> str | None:
    """Return a date (or datetime) as ISO text for storage; None stays None."""
    return None if day is None else day.isoformat()


def as_date(text: str | None) -> date | None:
    """Turn stored ISO date text back into a date; None stays None."""
    return None if text is None else date.fromisoformat(text)


def uk_day(value: date | str, *, with_time: bool = False) -> str:
    """Format a date for a message the UK way, as reports do: ``1 Dec 2026``.

    Args:
        value: a date, a datetime or stored ISO text; times with a zone are shown in UK time.
        with_time: add the time of day (``1 Dec 2026 14:05``).

    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        local = value.astimezone(UK_TIME) if value.tzinfo is not None else value
        return f"{uk_date(local.date())} {local:%H:%M}" if with_time else uk_date(local.date())
    return uk_date(value)


def require_text(value: str | None, name: str) -> str:
    """Return ``value`` stripped, or raise if it is empty."""
    text = (value or "").strip()
    if not text:
        raise InputError(f"{name} must not be empty")
    return text


def optional_text(value: str | None) -> str | None:
    """Return ``value`` stripped, or None if it is empty."""
    text = (value or "").strip()
    return text or None


def not_before(later: date, earlier: date, what: str, reference: str) -> None:
    """Refuse a date that comes before the date it follows (e.g. closed before received)."""
    if later < earlier:
        raise RegisterError(f"{what} ({uk_day(later)}) is before {reference} ({uk_day(earlier)})")


def received_day(received_on: date | None) -> date:
    """Return the day something was received (today by default): from 2018, never ahead."""
    return check_received(received_on or date.today())


def insert_subjects(
    conn: sqlite3.Connection,
    table: str,
    key: str,
    record_id: str,
    subjects: list[tuple[str, str]],
) -> None:
    """Store a record's (email, hash) pairs, in order, in its ``<table>`` keyed by ``key``."""
    # table and key are names from this package's schema, never user input.
    conn.executemany(
        f"INSERT INTO {table} ({key}, position, email, subject_hash) VALUES (?, ?, ?, ?)",
        [(record_id, i, email, h) for i, (email, h) in enumerate(subjects)],
    )


class RegisterBase:
    """The connection and the person-hashing that the register mixins build on."""

    conn: sqlite3.Connection
    path: Path
    data_dir: Path
    _hasher: Callable[[str], str] | None = None

    def hash(self, email: str) -> str:
        """Return the keyed hash of ``email`` under this workbook's secret (``keyed_hash``)."""
        if self._hasher is None:
            self._hasher = keyed_hasher(self.data_dir)
        return self._hasher(email)

    def _subjects(self, emails: Iterable[str], name: str = "email") -> list[tuple[str, str]]:
        """Normalise, validate and de-duplicate emails; return (email, hash) pairs in order."""
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for email in emails:
            normalised = normalise_email(email, name)
            if normalised not in seen:
                seen.add(normalised)
                pairs.append((normalised, self.hash(normalised)))
        return pairs

    def _one(self, sql: str, params: tuple, missing: str) -> sqlite3.Row:
        row = self.conn.execute(sql, params).fetchone()
        if row is None:
            raise RegisterError(missing)
        return row
