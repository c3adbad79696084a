"""Approving the retention schedule: a recorded act, bound to exactly what was approved.

``mimoto-gov retention approve --by NAME`` records who approved which version of the schedule
and when, in the registers (``retention_approvals``), against the schedule's fingerprint
(:attr:`~mimoto_gov.policy.schedule.Schedule.digest`). A later change to what the file says
gives another fingerprint, so the schedule is a proposal again until it is approved again;
changing a comment does not.

Reading the approval state never creates or migrates the registers file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mimoto_gov.policy.schedule import (
    Approval,
    Schedule,
    default_schedule_path,
    load_schedule,
)
from mimoto_gov.registers.retention_log import read_schedule_approvals
from mimoto_gov.settings import load_settings

REGISTERS_FILE = "registers.sqlite"


def _approval(row: dict) -> Approval:
    return Approval(
        approved_by=row["approved_by"],
        approved_at=datetime.fromisoformat(row["approved_at"]).astimezone(UTC),
        version=row["schedule_version"],
        digest=row["schedule_digest"],
    )


def schedule_path(data_dir: Path | str, path: Path | str | None = None) -> Path:
    """Return the schedule file used for a data folder: ``path``, else its working copy."""
    return Path(path) if path is not None else default_schedule_path(Path(data_dir) / "policy")


def load_approved_schedule(
    data_dir: Path | str | None = None, path: Path | str | None = None
) -> Schedule:
    """Load the schedule with its approval (if this exact content was approved).

    Args:
        data_dir: the workbook data folder, whose registers hold the approvals (the
            settings' by default).
        path: the schedule file (by default the data folder's copy, else the repository's).

    Raises:
        ConfigError: the schedule is malformed.
        RegisterError: the registers file exists but cannot be read.

    """
    if data_dir is None:
        data_dir = load_settings().data_dir
    schedule = load_schedule(schedule_path(data_dir, path))
    rows = read_schedule_approvals(Path(data_dir) / REGISTERS_FILE)
    return schedule.with_approvals([_approval(row) for row in rows])


def approve_schedule(
    registers, approved_by: str, *, path: Path | str | None = None
) -> tuple[Schedule, bool]:
    """Record that ``approved_by`` approves the schedule as it now reads.

    Args:
        registers: the open :class:`~mimoto_gov.registers.Registers`.
        approved_by: the name of the person approving (the data protection lead).
        path: the schedule file (by default the data folder's copy, else the repository's).

    Returns:
        The approved schedule, and whether a new approval was recorded (False when this exact
        content was already approved: approving twice changes nothing).

    Raises:
        ConfigError: the schedule is malformed (a malformed schedule cannot be approved).
        InputError: no name given.

    """
    path = schedule_path(registers.data_dir, path)
    schedule = load_schedule(path)
    rows = read_schedule_approvals(registers.path)
    current = schedule.with_approvals([_approval(row) for row in rows])
    if current.approved:
        return current, False
    registers.record_schedule_approval(
        approved_by,
        schedule_version=schedule.version,
        schedule_digest=schedule.digest,
        source=str(path),
    )
    rows = read_schedule_approvals(registers.path)
    return schedule.with_approvals([_approval(row) for row in rows]), True
