"""What every register shares: the connection, the keyed hash, dates, the trail of changes."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers import trail
from mimoto_gov.registers.subjects import (
    keyed_hasher,
    normalise_email,
    registers_hold_hashes,
    secret_key,
)
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


def today_or_before(day: date | None, what: str) -> date:
    """Return ``day`` (today by default), refusing a day to come."""
    day = day or date.today()
    if day > date.today():
        raise InputError(f"{what} {uk_day(day)} is in the future")
    return day


class RegisterBase:
    """The connection, the person-hashing and the trail that the register mixins build on."""

    conn: sqlite3.Connection
    path: Path
    data_dir: Path
    _hasher: Callable[[str], str] | None = None
    _secret: bytes | None = None
    provenance: trail.Provenance = trail.Provenance(actor="unknown")

    @property
    def secret(self) -> bytes:
        """The workbook's secret, read once (keyed digests of the trail)."""
        if self._secret is None:
            self._secret = secret_key(self.data_dir)
        return self._secret

    @contextlib.contextmanager
    def acting(
        self, actor: str | None = None, command: str | None = None, reason: str | None = None
    ) -> Iterator[RegisterBase]:
        """Make changes in a block as ``actor``, with ``command``, for ``reason``.

        What is not given stays as it was. Afterwards the previous provenance is back.
        """
        before = self.provenance
        self.provenance = replace(
            before,
            actor=(actor or "").strip() or before.actor,
            command=(command or "").strip() or before.command,
            reason=(reason or "").strip() or before.reason,
        )
        try:
            yield self
        finally:
            self.provenance = before

    def record_change(
        self,
        conn: sqlite3.Connection,
        register: str,
        record_id: str | int,
        action: str,
        claimed_on: date | datetime | None = None,
    ) -> int:
        """Append the trail event of a change, inside the transaction that made it.

        See :func:`mimoto_gov.registers.trail.record_event`; the actor, command and reason
        are this object's :attr:`provenance`.
        """
        return trail.record_event(
            conn,
            self.secret,
            self.provenance,
            register=register,
            record_id=record_id,
            action=action,
            claimed_on=claimed_on,
        )

    def change_moment(self, moment: datetime, what: str) -> datetime:
        """Check a time a change claims, as :meth:`change_day` checks a day (UK dates)."""
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UK_TIME)
        if moment > datetime.now(UK_TIME):
            raise InputError(f"{what} {uk_day(moment, with_time=True)} is in the future")
        self.change_day(moment.astimezone(UK_TIME).date(), what)
        return moment

    def change_day(self, day: date | None, what: str) -> date:
        """Return the day a change claims (today by default), checked against the clock.

        A day to come is refused. A day before today is accepted only with a reason (given
        with ``--reason``, kept in the trail beside both dates): a change recorded after the
        fact must say so, so that a late answer cannot be made to look on time.

        Raises:
            InputError: the day is in the future, or before today without a reason.

        """
        day = today_or_before(day, what)
        if day < date.today() and not self.provenance.reason:
            raise InputError(
                f"{what} {uk_day(day)} is before today: give --reason to say why the change "
                "is recorded after the fact"
            )
        return day

    def hash(self, email: str) -> str:
        """Return the keyed hash of ``email`` under this workbook's secret (``keyed_hash``)."""
        if self._hasher is None:
            self._hasher = keyed_hasher(
                self.data_dir, holds_hashes=lambda: registers_hold_hashes(self.conn)
            )
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
