"""What every check shares: the statuses, an outcome, the context and the registry of checks.

Each check receives the :class:`CheckContext` (folders, the day to judge on, lazily opened
registers, snapshot and record of processing) and its
:class:`~mimoto_gov.policy.files.Commitment` (with its ``params``), and returns an
:class:`Outcome`: a status and one short sentence of evidence a reader can follow. The
checks register themselves in :data:`CHECKS` under the name ``commitments.yml`` uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.inventory import load_inventory
from mimoto_gov.policy.files import ROPA_FILE, Commitment, policy_file
from mimoto_gov.policy.ropa import load_ropa
from mimoto_gov.registers import open_registers

MET, NOT_MET, MISSING = "met", "not met", "evidence missing"
STATUSES = (MET, NOT_MET, MISSING)
EVIDENCE_CHARS = 240


@dataclass(frozen=True)
class Outcome:
    """A check's verdict: status, evidence in a sentence, and (optionally) a specific action."""

    status: str
    evidence: str
    action: str | None = None


def met(evidence: str) -> Outcome:
    """Return a "met" outcome: the promise is kept, as ``evidence`` shows."""
    return Outcome(MET, evidence)


def not_met(evidence: str, action: str | None = None) -> Outcome:
    """Return a "not met" outcome: the evidence shows the promise broken."""
    return Outcome(NOT_MET, evidence, action)


def missing(evidence: str, action: str | None = None) -> Outcome:
    """There is no (current) evidence either way."""
    return Outcome(MISSING, evidence, action)


@dataclass
class CheckContext:
    """What the checks read, opened on first use and closed by :meth:`close`.

    Attributes:
        data_dir: the workbook data folder (registers, snapshot, Gaug.es tables).
        reports_dir: the reports folder (the latest site audit).
        today: the day the checks judge on.
        policy_path: the privacy policy file.
        policy_text: its normalised text.
        attestation_valid_days: how long an attestation counts by default.
        helpdesk_hosts: the service desk's host (from ``ZAMMAD_URL``) for the analytics audit.

    """

    data_dir: Path
    reports_dir: Path
    today: date
    policy_path: Path
    policy_text: str = ""
    attestation_valid_days: int = 365
    helpdesk_hosts: tuple[str, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def registers_path(self) -> Path:
        """The registers file (``<data>/registers.sqlite``)."""
        return self.data_dir / "registers.sqlite"

    def registers(self):
        """Return the open registers, or None when there is no registers file (none is made)."""
        if "registers" not in self._cache:
            path = self.registers_path
            self._cache["registers"] = open_registers(path) if path.is_file() else None
        return self._cache["registers"]

    def inventory(self):
        """Return the latest Zammad snapshot (raises SnapshotError when there is none)."""
        if "inventory" not in self._cache:
            self._cache["inventory"] = load_inventory(self.data_dir)
        return self._cache["inventory"]

    def ropa(self) -> dict:
        """Return the record of processing (ConfigError when missing or malformed)."""
        if "ropa" not in self._cache:
            self._cache["ropa"] = load_ropa(policy_file(ROPA_FILE, self.data_dir))
        return self._cache["ropa"]

    def window_start(self, months: int) -> date:
        """Return the first day of a look-back window of ``months`` months ending today."""
        return (pd.Timestamp(self.today) - pd.DateOffset(months=int(months))).date()

    def end_of_today(self) -> datetime:
        """Return the last moment of ``today`` in UK time (breach clocks are judged on it)."""
        return datetime.combine(self.today, time(23, 59, 59), tzinfo=UK_TIME)

    def close(self) -> None:
        """Close the registers if they were opened."""
        registers = self._cache.pop("registers", None)
        if registers is not None:
            registers.close()

    def __enter__(self) -> CheckContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


Check = Callable[[CheckContext, Commitment], Outcome]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under the name ``commitments.yml`` uses."""

    def register(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return register


def shorten(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """Shorten text at a word boundary, with an ellipsis, for a table cell."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
