"""The monthly retention review as the notebook uses it: the month's data and its sections.

:class:`RetentionReview` is :class:`~mimoto_gov.views.review.model.ReviewData` (the month, its
moment, the snapshot, the schedule applied, the memoised frames) with one attribute per section
of the report, the summary and actions drawn from them, and saving for next month. Build it with
:func:`mimoto_gov.views.review.build.build_review`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mimoto_gov.formats import month_label, uk_datetime
from mimoto_gov.reports.display import record_run_info
from mimoto_gov.support.files import write_text
from mimoto_gov.views.review import summary as review_summary
from mimoto_gov.views.review.carried_out import CarriedOut
from mimoto_gov.views.review.customers import Customers
from mimoto_gov.views.review.governance import Governance
from mimoto_gov.views.review.holdings import Holdings
from mimoto_gov.views.review.model import ReviewData
from mimoto_gov.views.review.output import Output
from mimoto_gov.views.review.personal_data import PersonalData
from mimoto_gov.views.review.report import SUMMARY_FILE
from mimoto_gov.views.review.schedule import ScheduleApplied
from mimoto_gov.views.review.signed import SignedSchedule


@dataclass
class RetentionReview(ReviewData):
    """Every figure of one month's retention review, computed once, by section.

    The sections return the frames, texts and figures the notebook shows, already in the
    report's words and formats (UK dates, thousands separators, masked personal data):
    ``holdings`` (inventory, changes, age), ``schedule_applied`` (rules, tickets past their
    period, Zammad schedulers), ``carried_out`` (the month's runs of the schedule from the
    retention log, and what is still overdue), ``personal_data``, ``customers``,
    ``governance`` (promises, policy changes, record of processing, registers, own copies,
    analytics), ``signed_schedule`` (the whole schedule as the document the data protection
    lead signs, and its approvals) and ``output`` (the long lists and their CSV files).
    """

    holdings: Holdings = field(init=False, repr=False)
    schedule_applied: ScheduleApplied = field(init=False, repr=False)
    carried_out: CarriedOut = field(init=False, repr=False)
    personal_data: PersonalData = field(init=False, repr=False)
    customers: Customers = field(init=False, repr=False)
    governance: Governance = field(init=False, repr=False)
    signed_schedule: SignedSchedule = field(init=False, repr=False)
    output: Output = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Set up the sections over this review's data."""
        self.holdings = Holdings(self, self.summary)
        self.schedule_applied = ScheduleApplied(self)
        self.carried_out = CarriedOut(self)
        self.personal_data = PersonalData(self)
        self.customers = Customers(self)
        self.governance = Governance(self)
        self.signed_schedule = SignedSchedule(self)
        self.output = Output(self)

    def summary(self) -> dict:
        """Return the figures next month's review compares with (``summary.json``)."""
        return self.memo(
            "summary",
            lambda: review_summary.summarise(self, self.personal_data, self.customers),
        )

    def actions(self) -> pd.DataFrame:
        """List the month's actions, most urgent first, derived from every section."""
        return self.memo(
            "actions",
            lambda: review_summary.actions(self, self.summary(), self.governance, self.carried_out),
        )

    def headline(self) -> str:
        """Say in one paragraph for the first page what needs doing this month."""
        return review_summary.headline(self, self.summary(), self.actions())

    def record_run_info(self) -> None:
        """Record the snapshot time and schedule version for the report's run box."""
        record_run_info(
            snapshot_time=self.snapshot_time,
            policy_version=f"retention schedule {self.schedule.version} ({self.schedule.status})",
            month=month_label(self.month),
            figures_as_at=uk_datetime(self.as_of),
        )

    def save(self) -> None:
        """Write ``summary.json`` and ``zammad-jobs.json`` beside the report, if any."""
        if self.output_dir is None:
            return
        folder = Path(self.output_dir)
        jobs = self.schedule_applied.zammad_jobs()
        write_text(folder / "zammad-jobs.json", json.dumps(jobs, indent=2) + "\n")
        write_text(folder / SUMMARY_FILE, json.dumps(self.summary(), indent=2) + "\n")
