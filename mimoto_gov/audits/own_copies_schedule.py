"""The periods of the workbook's own copies: ``own-copies.yml``, or the built-in ones.

Subject access packages, deletion checklists, monthly reviews, raw analytics responses and
failed-run notebooks are copies of personal data the workbook made itself. Their periods are in
``data/policy/own-copies.yml`` (a copy at ``$MIMOTO_GOV_DATA/policy/own-copies.yml`` wins; an
entry left out, or a missing file, takes the built-in period).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.files import policy_file, read_yaml
from mimoto_gov.retention.rules import STATUSES, Period

OWN_COPIES_FILE = "own-copies.yml"

# key -> (what the report calls it, built-in period, built-in reason)
DEFAULTS: dict[str, tuple[str, str, str]] = {
    "subject_access_packages": (
        "Subject access package",
        "6 months",
        "Kept for follow-up questions or a complaint after the request was closed.",
    ),
    "erasure_certificates": (
        "Certificate of erasure",
        "6 years",
        "Evidence of the erasure (no email address in it); six years covers a claim.",
    ),
    "erasure_checklists": (
        "Deletion checklist (dry run)",
        "1 month",
        "Names the person; once the request is closed the certificate and register suffice.",
    ),
    "monthly_reviews": (
        "Monthly retention review",
        "24 months",
        "Two years of reviews show the schedule applied; older ones add nothing.",
    ),
    "analytics_raw": (
        "Raw analytics response",
        "14 months",
        "Full URLs can carry personal data; the Parquet tables hold what reports need.",
    ),
    "failed_notebooks": (
        "Failed-run notebook",
        "30 days",
        "Kept only to find the fault; may hold personal data printed before it failed.",
    ),
}
_TOP_KEYS = {"version", "status", "approved_on", "owner", "copies"}
_ENTRY_KEYS = {"period", "reason"}


@dataclass(frozen=True)
class CopyRule:
    """How long one kind of the workbook's own copies is kept, and why."""

    key: str
    what: str
    period: Period
    reason: str


@dataclass(frozen=True)
class OwnCopiesSchedule:
    """The periods of ``own-copies.yml`` (built-in ones for entries it leaves out)."""

    version: str
    status: str
    rules: dict[str, CopyRule]
    approved_on: date | None = None
    owner: str = ""
    source: str = OWN_COPIES_FILE

    @property
    def approved(self) -> bool:
        """Tell whether staff have approved the periods (else they are proposals)."""
        return self.status == "approved"


def parse_own_copies_schedule(data: Any, source: str = OWN_COPIES_FILE) -> OwnCopiesSchedule:
    """Check the periods read from YAML; ``None`` (an empty file) gives the built-in ones.

    Raises:
        ConfigError: one line naming ``source`` and the faulty entry.

    """

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    data = {} if data is None else data
    status, approved_on, copies = _check_header(data, fail)
    rules = {key: copy_rule(key, copies.get(key), fail) for key in DEFAULTS}
    return OwnCopiesSchedule(
        version=str(data.get("version") or "built-in").strip(),
        status=status,
        rules=rules,
        approved_on=approved_on,
        owner=str(data.get("owner") or "").strip(),
        source=source,
    )


def _check_header(data: Any, fail: Callable[[str], ConfigError]) -> tuple[str, date | None, dict]:
    # The top of the file: its keys, status, approval date and the mapping of copies.
    if not isinstance(data, dict):
        raise fail("expected a mapping with 'version' and 'copies'")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (expected {', '.join(sorted(_TOP_KEYS))})")
    status = str(data.get("status") or "proposed").strip().lower()
    if status not in STATUSES:
        raise fail(f"status {status!r} must be 'proposed' or 'approved'")
    approved_on = data.get("approved_on")
    if approved_on is not None and not isinstance(approved_on, date):
        raise fail(f"approved_on {approved_on!r} is not a date like 2026-12-01")
    if status == "approved" and approved_on is None:
        raise fail("status is 'approved' but approved_on (the date) is missing")
    copies = data.get("copies") or {}
    if not isinstance(copies, dict):
        raise fail("'copies' must be a mapping of kind -> period and reason")
    unknown = sorted(set(map(str, copies)) - set(DEFAULTS))
    if unknown:
        raise fail(f"copies: unknown kind {unknown[0]!r} (expected {', '.join(DEFAULTS)})")
    return status, approved_on, copies


def copy_rule(key: str, entry: Any, fail: Callable[[str], ConfigError]) -> CopyRule:
    """Return the rule of one kind of copy from its entry (the built-in period when empty).

    Args:
        key: the kind, a key of :data:`DEFAULTS`.
        entry: the YAML entry: None, a period such as ``"6 months"``, or a mapping with
            ``period`` and ``reason``.
        fail: makes the error naming the file.

    Raises:
        ConfigError: the entry has an unknown key or a malformed period.

    """
    what, period_text, reason = DEFAULTS[key]
    entry = entry or {}
    if isinstance(entry, str):  # "subject_access_packages: 6 months" is fine too
        entry = {"period": entry}
    if not isinstance(entry, dict):
        raise fail(f"copies: {key}: expected 'period' and 'reason'")
    bad = sorted(set(map(str, entry)) - _ENTRY_KEYS)
    if bad:
        raise fail(f"copies: {key}: unknown key {bad[0]!r} (expected period, reason)")
    try:
        period = Period.parse(entry.get("period", period_text))
    except ValueError as error:
        raise fail(f"copies: {key}: {error}") from None
    text = " ".join(str(entry.get("reason") or reason).split())
    return CopyRule(key, what, period, text)


def load_own_copies_schedule(data_dir: Path | str | None = None) -> OwnCopiesSchedule:
    """Read ``own-copies.yml`` (the data folder's copy first), or the built-in periods.

    Raises:
        ConfigError: the file is not YAML or breaks the format (one line naming the entry).

    """
    path = policy_file(OWN_COPIES_FILE, data_dir)
    if not path.is_file():
        return parse_own_copies_schedule(None, source="built-in periods")
    return parse_own_copies_schedule(read_yaml(path, "own copies schedule"), source=path.name)
