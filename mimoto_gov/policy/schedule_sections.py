"""The retention schedule's parts other than the ticket rules, and their shared pieces.

:class:`Period` and the small checks every section uses live here, with the sections that are
not carried out through Zammad: ``stores`` (one documented line per store), ``own_copies``
(the workbook's own copies, carried out by ``mimoto-gov tidy``) and ``backups`` (backups and
the provider's logs, printed on every deletion checklist). :mod:`mimoto_gov.policy.schedule`
puts them together.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from mimoto_gov.errors import ConfigError

KEEP = "keep"
RULE_ACTIONS = ("delete", "anonymise", "review", KEEP)

# A function turning a message into the ConfigError to raise (it names the file).
Fail = Callable[[str], ConfigError]

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*(day|days|month|months|year|years)\s*$", re.IGNORECASE)
_STORE_KEYS = {"name", "where", "period", "from", "action", "by", "reason"}
_COPY_KEYS = {"period", "reason"}
_BACKUP_KEYS = {"beyond_use", "copies", "provider_logs"}


@dataclass(frozen=True)
class Period:
    """A retention period: a whole number of days, months or years."""

    amount: int
    unit: str  # "days", "months" or "years"

    @classmethod
    def parse(cls, text: Any) -> Period:
        """Read ``"18 months"``-style text; raise ``ValueError`` on anything else."""
        match = _PERIOD_RE.match(str(text)) if text is not None else None
        if not match or int(match.group(1)) <= 0:
            raise ValueError(f"period {text!r} is not like '90 days', '18 months' or '6 years'")
        unit = match.group(2).lower()
        return cls(int(match.group(1)), unit if unit.endswith("s") else unit + "s")

    @property
    def offset(self) -> pd.DateOffset:
        """Return the period as a calendar offset (months and years follow the calendar)."""
        return pd.DateOffset(**{self.unit: self.amount})

    @property
    def zammad_range(self) -> str:
        """Return the unit as Zammad's relative date conditions name it (day, month, year)."""
        return self.unit[:-1]

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


def check_keys(
    mapping: dict, allowed: set[str], prefix: str, fail: Fail, shown: set[str] | None = None
) -> None:
    """Refuse a key outside ``allowed`` (the message lists ``shown``, by default ``allowed``)."""
    unknown = sorted(set(map(str, mapping)) - allowed)
    if unknown:
        expected = ", ".join(sorted(shown or allowed))
        raise fail(f"{prefix}unknown key {unknown[0]!r} (expected {expected})")


def reason_text(value: Any) -> str:
    """Return a reason (folded YAML or not) as one line."""
    return " ".join(str(value or "").split())


def parse_period(item: dict, action: str, label: str, fail: Fail) -> Period | None:
    """Read ``item["period"]``: required, except for ``keep`` (where it may be left out)."""
    if item.get("period") is None:
        if action == KEEP:
            return None
        raise fail(f"{label}: 'period' is missing")
    try:
        return Period.parse(item["period"])
    except ValueError as error:
        raise fail(f"{label}: {error}") from None


# --------------------------------------------------------------------------------------------
# Other stores: documented lines


@dataclass(frozen=True)
class StoreLine:
    """One store the schedule covers outside Zammad: its period, clock, action, who and why."""

    key: str
    name: str
    where: str
    period: Period | None
    counted_from: str
    action: str
    by: str
    reason: str


def parse_stores(data: Any, fail: Fail) -> tuple[StoreLine, ...]:
    """Check the ``stores`` section: key -> name, where, period, from, action, by, reason."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise fail("'stores' must be a mapping of store -> its line")
    lines = []
    for key, entry in data.items():
        label = f"stores: {key}"
        if not isinstance(entry, dict):
            raise fail(f"{label}: expected name, where, period, from, action, by and reason")
        check_keys(entry, _STORE_KEYS, f"{label}: ", fail)
        action = str(entry.get("action") or "").strip().lower()
        if action not in RULE_ACTIONS:
            raise fail(
                f"{label}: action {entry.get('action')!r} must be one of {', '.join(RULE_ACTIONS)}"
            )
        missing = [k for k in ("name", "reason", "by") if not reason_text(entry.get(k))]
        if missing:
            raise fail(f"{label}: '{missing[0]}' is missing")
        lines.append(
            StoreLine(
                key=str(key),
                name=reason_text(entry["name"]),
                where=reason_text(entry.get("where")),
                period=parse_period(entry, action, label, fail),
                counted_from=reason_text(entry.get("from")),
                action=action,
                by=reason_text(entry["by"]),
                reason=reason_text(entry["reason"]),
            )
        )
    return tuple(lines)


# --------------------------------------------------------------------------------------------
# The workbook's own copies


@dataclass(frozen=True)
class CopyRule:
    """How long one kind of the workbook's own copies is kept, and why."""

    key: str
    what: str
    period: Period
    reason: str
    counted_from: str = ""


# key -> (what the report calls it, built-in period, built-in reason, what starts the clock)
OWN_COPY_DEFAULTS: dict[str, tuple[str, str, str, str]] = {
    "subject_access_packages": (
        "Subject access package",
        "6 months",
        "Kept for follow-up questions or a complaint after the request was closed.",
        "the day the request was closed",
    ),
    "erasure_certificates": (
        "Certificate of erasure",
        "6 years",
        "Evidence of the erasure (no email address in it); six years covers a claim.",
        "the day the certificate was written",
    ),
    "erasure_checklists": (
        "Deletion checklist (dry run)",
        "1 month",
        "Names the person; once the request is closed the certificate and register suffice.",
        "the day the request was closed",
    ),
    "monthly_reviews": (
        "Monthly retention review",
        "24 months",
        "Two years of reviews show the schedule applied; older ones add nothing.",
        "the newest file of the month's review",
    ),
    "retention_plans": (
        "Monthly retention plan",
        "24 months",
        "The retention log keeps what was done; two years of plans show it.",
        "the newest file of the month's plan",
    ),
    "analytics_raw": (
        "Raw analytics response",
        "14 months",
        "Full URLs can carry personal data; the Parquet tables hold what reports need.",
        "the day the response was saved",
    ),
    "failed_notebooks": (
        "Failed-run notebook",
        "30 days",
        "Kept only to find the fault; may hold personal data printed before it failed.",
        "the day the run failed",
    ),
}


def parse_own_copies(data: Any, fail: Fail) -> dict[str, CopyRule]:
    """Check the ``own_copies`` section; a kind left out (or no section) takes its built-in."""
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise fail("'own_copies' must be a mapping of kind -> period and reason")
    unknown = sorted(set(map(str, data)) - set(OWN_COPY_DEFAULTS))
    if unknown:
        raise fail(
            f"own_copies: unknown kind {unknown[0]!r} (expected {', '.join(OWN_COPY_DEFAULTS)})"
        )
    rules = {}
    for key, (what, period_text, reason, counted_from) in OWN_COPY_DEFAULTS.items():
        entry = data.get(key) or {}
        if isinstance(entry, str):  # "subject_access_packages: 6 months" is fine too
            entry = {"period": entry}
        if not isinstance(entry, dict):
            raise fail(f"own_copies: {key}: expected 'period' and 'reason'")
        check_keys(entry, _COPY_KEYS, f"own_copies: {key}: ", fail)
        try:
            period = Period.parse(entry.get("period", period_text))
        except ValueError as error:
            raise fail(f"own_copies: {key}: {error}") from None
        text = reason_text(entry.get("reason") or reason)
        rules[key] = CopyRule(key, what, period, text, counted_from)
    return rules


# --------------------------------------------------------------------------------------------
# Backups and the provider's logs


@dataclass(frozen=True)
class RetainedCopy:
    """A backup or provider log that keeps the data until it ages out."""

    name: str
    owner: str
    holds: str
    retention_days: int
    kind: str
    confirmed_on: date | None = None

    def ages_out(self, erased_on: date) -> date:
        """Return the date the last copy made before the erasure is gone."""
        return erased_on + timedelta(days=self.retention_days)


@dataclass(frozen=True)
class BackupPolicy:
    """The "beyond use" statement and the copies an erasure cannot remove at once."""

    beyond_use: str
    copies: tuple[RetainedCopy, ...]


def parse_backups(data: Any, fail: Fail) -> BackupPolicy | None:
    """Check the ``backups`` section (None when the schedule has none)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise fail("'backups' must be a mapping with beyond_use, copies and provider_logs")
    check_keys(data, _BACKUP_KEYS, "backups: ", fail)
    statement = reason_text(data.get("beyond_use"))
    if not statement:
        raise fail("backups: 'beyond_use' is missing: the statement printed on every checklist")
    copies = []
    for section, kind in (("copies", "backup"), ("provider_logs", "provider log")):
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise fail(f"backups: {section} must be a list")
        for number, entry in enumerate(entries, start=1):
            copies.append(_retained(entry, kind, f"backups: {section} {number}", fail))
    return BackupPolicy(beyond_use=statement, copies=tuple(copies))


def _retained(entry: Any, kind: str, label: str, fail: Fail) -> RetainedCopy:
    if not isinstance(entry, dict):
        raise fail(f"{label}: expected name, owner, holds and retention_days")
    for key in ("name", "owner"):
        if not reason_text(entry.get(key)):
            raise fail(f"{label}: '{key}' is missing")
    days = entry.get("retention_days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise fail(f"{label}: retention_days {days!r} must be a whole number of days, 0 or more")
    confirmed = entry.get("confirmed_on")
    if isinstance(confirmed, str):
        try:
            confirmed = date.fromisoformat(confirmed)
        except ValueError:
            raise fail(f"{label}: confirmed_on {confirmed!r} is not a date") from None
    elif confirmed is not None and not isinstance(confirmed, date):
        raise fail(f"{label}: confirmed_on {confirmed!r} is not a date")
    return RetainedCopy(
        name=reason_text(entry["name"]),
        owner=reason_text(entry["owner"]),
        holds=reason_text(entry.get("holds")),
        retention_days=days,
        kind=kind,
        confirmed_on=confirmed,
    )
