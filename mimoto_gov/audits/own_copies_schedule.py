"""The periods of the workbook's own copies: the ``own_copies`` part of the retention schedule.

Subject access packages, deletion checklists, monthly reviews and retention plans, raw
analytics responses and failed-run notebooks are copies of personal data the workbook made
itself. Their periods are the ``own_copies`` section of ``data/policy/retention.yml`` (a copy at
``$MIMOTO_GOV_DATA/policy/retention.yml`` wins; a kind left out takes its built-in period), and
they are proposals until the schedule is approved (``mimoto-gov retention approve``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mimoto_gov.policy.schedule import SCHEDULE_FILE, CopyRule, Schedule
from mimoto_gov.retention.approval import load_approved_schedule
from mimoto_gov.settings import load_settings

__all__ = ["CopyRule", "OwnCopiesSchedule", "load_own_copies_schedule", "own_copies_of"]


@dataclass(frozen=True)
class OwnCopiesSchedule:
    """The ``own_copies`` part of the retention schedule, with the schedule's approval state."""

    version: str
    status: str
    rules: dict[str, CopyRule]
    approved_on: date | None = None
    owner: str = ""
    source: str = SCHEDULE_FILE

    @property
    def approved(self) -> bool:
        """Tell whether the schedule is approved (else the periods are proposals)."""
        return self.status == "approved"


def own_copies_of(schedule: Schedule) -> OwnCopiesSchedule:
    """Return the own-copies part of a loaded schedule."""
    return OwnCopiesSchedule(
        version=schedule.version,
        status=schedule.status,
        rules=dict(schedule.own_copies),
        approved_on=schedule.approved_on,
        owner=schedule.owner,
        source=schedule.source,
    )


def load_own_copies_schedule(data_dir: Path | str | None = None) -> OwnCopiesSchedule:
    """Read the ``own_copies`` periods of the retention schedule (the data folder's copy first).

    The approval state comes from the registers, read-only.

    Raises:
        ConfigError: the schedule is not YAML or breaks the format (one line naming the entry).

    """
    if data_dir is None:
        data_dir = load_settings().data_dir
    return own_copies_of(load_approved_schedule(data_dir))
