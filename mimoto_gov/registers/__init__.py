"""The workbook's registers, all in one private SQLite file.

Open them with :func:`open_registers` (``$MIMOTO_GOV_DATA/registers.sqlite`` by default) and use
the returned :class:`Registers`; each concern lives in its own module:

- requests: subject rights requests, identity checks, clock stops, extensions, due dates;
- holds: legal holds (an open law-enforcement request naming a person is one too);
- erasures: the append-only erasure register, and forgetting an erased person's address;
- erasure_steps: an erasure's steps finished by hand, keep decisions, Zammad tasks;
- law_enforcement: requests from authorities and the yearly transparency table;
- consents: marketing consents, the mailing list and its audit, the suppression list;
- complaints, breaches, attestations;
- retention_log: runs of the retention schedule, each action taken, each approval;
- candidates: tickets that read like a rights request, until recorded or dismissed;
- trail: one hash-chained event per change to any of them (who, when typed, date claimed).

``Registers`` is a context manager; leaving the block closes the file. Changes are made as
its :attr:`Registers.provenance` (actor, command, reason), set when opening or with
:meth:`Registers.acting`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.registers.attestations import Attestation, AttestationsMixin
from mimoto_gov.registers.breaches import BreachesMixin
from mimoto_gov.registers.candidates import Candidate, CandidatesMixin
from mimoto_gov.registers.complaints import ComplaintsMixin
from mimoto_gov.registers.consents import ConsentsMixin, MailingListImport, read_mailing_list
from mimoto_gov.registers.csvout import neutralise, write_frame_csv
from mimoto_gov.registers.db import SCHEMA_VERSION, connect, schema_version, transaction
from mimoto_gov.registers.erasures import ErasuresMixin
from mimoto_gov.registers.holds import HoldsMixin
from mimoto_gov.registers.law_enforcement import LawEnforcementMixin
from mimoto_gov.registers.notices import select_contactable
from mimoto_gov.registers.request_model import (
    CHANNELS,
    KINDS,
    OUTCOMES,
    REFUSAL_GROUNDS,
    STATUSES,
    Pause,
    Request,
    Subject,
    due_date_of,
    paused_days,
)
from mimoto_gov.registers.requests import RequestsMixin
from mimoto_gov.registers.retention_log import RetentionLogMixin
from mimoto_gov.registers.subjects import keyed_hash, keyed_hasher, normalise_email
from mimoto_gov.registers.trail import Provenance, provenance, record_baseline
from mimoto_gov.registers.trail_check import Verification, events, verify
from mimoto_gov.settings import load_settings


class Registers(
    RequestsMixin,
    HoldsMixin,
    ErasuresMixin,
    LawEnforcementMixin,
    ConsentsMixin,
    ComplaintsMixin,
    BreachesMixin,
    AttestationsMixin,
    RetentionLogMixin,
    CandidatesMixin,
):
    """Every register in one SQLite file. Build it with :func:`open_registers`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, who: Provenance | None = None):
        self.conn = conn
        self.path = Path(path)
        self.data_dir = self.path.parent
        self._hasher = None
        self._secret = None
        self.provenance = who or provenance()

    def start_trail(self) -> int:
        """Give the entries a file held before it had a trail their first event (once)."""
        pending = self.conn.execute(
            "SELECT 1 FROM trail_meta WHERE key = 'baseline' AND value = 'pending'"
        ).fetchone()
        if not pending:
            return 0
        with transaction(self.conn) as conn:
            return record_baseline(conn, self.secret)

    def trail(self, record_id: str | None = None, since=None) -> list:
        """Return the trail, oldest first: all of it, one entry's events, or those typed since."""
        return events(self.conn, record_id, since)

    def verify_trail(self) -> Verification:
        """Recompute the chain and compare every entry with its last event (see ``trail``)."""
        return verify(self.conn, self.secret)

    def __enter__(self) -> Registers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the SQLite file (to close a request, see :meth:`close_request`)."""
        self.conn.close()

    @property
    def schema_version(self) -> int:
        """The file's schema version (``PRAGMA user_version``)."""
        return schema_version(self.conn)

    # name -> method returning the register as a DataFrame, for `register ... export`.
    TABLES = {
        "requests": "requests_frame",
        "holds": "holds",
        "erasures": "erasures",
        "law-enforcement": "law_enforcement_requests",
        "transparency": "transparency_table",
        "consents": "consents",
        "suppressions": "suppressions",
        "complaints": "complaints",
        "breaches": "breaches",
        "attestations": "attestations",
        "retention-log": "retention_log",
        "candidates": "candidates",
    }

    def table(self, name: str) -> pd.DataFrame:
        """Return a register as a DataFrame by its name (see :attr:`TABLES`)."""
        method = self.TABLES.get(name)
        if method is None:
            raise InputError(f"no register named {name!r} (one of {', '.join(self.TABLES)})")
        return getattr(self, method)()

    def export_csv(self, name: str, path: Path) -> Path:
        """Write a register as CSV for auditors (formula injection neutralised, 0600)."""
        return write_frame_csv(self.table(name), Path(path))

    def contactable_users(self, users: pd.DataFrame) -> pd.DataFrame:
        """Return the business-transfer notice list from a users table (see ``notices``)."""
        excluded = self.erased_hashes() | self.suppressed_hashes()
        return select_contactable(users, self.hash, excluded)


def open_registers(path: Path | None = None, *, who: Provenance | None = None) -> Registers:
    """Open the registers file, creating and migrating it as needed.

    Args:
        path: the SQLite file; by default ``Settings.registers_path``
            (``$MIMOTO_GOV_DATA/registers.sqlite``). The keyed-hash key lives outside the
            data folder (:func:`mimoto_gov.registers.subjects.erasure_key_path`).
        who: who makes the changes, with which command and why (by default the actor from
            ``MIMOTO_GOV_ACTOR`` or the login name, and the command being run).

    Returns:
        A :class:`Registers` (usable as a context manager).

    Raises:
        RegisterError: the file is not a registers file, or is newer than this workbook.

    """
    if path is None:
        path = load_settings().registers_path
    path = Path(path)
    registers = Registers(connect(path), path, who)
    try:
        registers.start_trail()
    except BaseException:
        registers.close()
        raise
    return registers


__all__ = [
    "CHANNELS",
    "KINDS",
    "OUTCOMES",
    "REFUSAL_GROUNDS",
    "SCHEMA_VERSION",
    "STATUSES",
    "Attestation",
    "Candidate",
    "MailingListImport",
    "Pause",
    "Provenance",
    "Registers",
    "Request",
    "Subject",
    "due_date_of",
    "keyed_hash",
    "keyed_hasher",
    "neutralise",
    "normalise_email",
    "open_registers",
    "paused_days",
    "provenance",
    "read_mailing_list",
    "select_contactable",
    "write_frame_csv",
]
