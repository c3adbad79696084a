"""The data every section of the monthly retention review reads: one month's figures, once.

:class:`ReviewData` holds what :func:`mimoto_gov.views.review.build.build_review` computed
(the month, its moment, the snapshot, the schedule applied, the personal-data findings) and
memoises the frames the sections derive from it, so that each is computed once per review.
The sections (:mod:`~mimoto_gov.views.review.holdings`, ``schedule``, ``personal_data``,
``customers``, ``governance``, ``output``) and the summary read it; it imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.formats import month_bounds, month_label, uk_datetime
from mimoto_gov.retention import rules as retention

T = TypeVar("T")


@dataclass
class ReviewData:
    """One month's review figures, limited to the review's moment, with a memo of derived frames.

    A review is "as at" the end of its month (midnight UK time at the start of the next month),
    or the snapshot's time if that is earlier.
    """

    month: str
    as_of: pd.Timestamp
    snapshot_time: pd.Timestamp | None
    schedule: retention.Schedule
    schedule_path: Path
    inventory: Any
    applied: pd.DataFrame
    findings: pd.DataFrame
    scan_stats: dict[str, int]
    staff: set
    previous: dict | None
    previous_source: str
    output_dir: Path | None = None
    data_dir: Path | None = None
    reports_dir: Path | None = None
    cache: dict = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Return the value kept under ``key``, computing it with ``compute`` the first time."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    # ---- frames limited to the review's moment -------------------------------------------

    @property
    def tickets(self) -> pd.DataFrame:
        """Return the tickets that existed at the review's moment."""
        return self.memo(
            "tickets", lambda: retention.as_of_frame(self.inventory.tickets, self.as_of)
        )

    @property
    def articles(self) -> pd.DataFrame:
        """Return the articles that existed at the review's moment."""
        return self.memo(
            "articles", lambda: retention.as_of_frame(self.inventory.articles, self.as_of)
        )

    @property
    def users(self) -> pd.DataFrame:
        """Return the user accounts that existed at the review's moment."""
        return self.memo("users", lambda: retention.as_of_frame(self.inventory.users, self.as_of))

    # ---- the moment ------------------------------------------------------------------------

    @property
    def title(self) -> str:
        """Return the title, e.g. ``Retention review: October 2026``."""
        return f"Retention review: {month_label(self.month)}"

    def moment_text(self) -> str:
        """Say when the review is "as at": the month's end, or the snapshot's time if earlier."""
        if self.as_of >= month_bounds(self.month)[1]:
            return f"At the end of {month_label(self.month)}"
        return f"As at {uk_datetime(self.as_of)} (when the snapshot was taken)"

    def snapshot_warning(self) -> str | None:
        """Warn when the snapshot ends before the month does (pull first)."""
        end = month_bounds(self.month)[1]
        if self.snapshot_time is not None and self.snapshot_time < end:
            return (
                f"The snapshot was taken on {uk_datetime(self.snapshot_time)}, before the end of "
                f"{month_label(self.month)}: the figures stop there. Run `mimoto-gov pull` and "
                "then this review again for the whole month."
            )
        return None

    def review_day(self) -> date:
        """Return the last day the review covers, in UK time."""
        # Its moment is midnight after that day.
        return (self.as_of - pd.Timedelta(microseconds=1)).tz_convert(UK_TIME).date()


# frame.attrs key naming the columns of a list that go only into its CSV beside the report
# (in the private reports folder), never onto the page (see Output.show_list).
STAFF_ONLY = "staff_only_columns"


def for_staff_only(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Mark ``columns`` of a list as for its CSV only (say, an address staff write to)."""
    frame.attrs[STAFF_ONLY] = tuple(columns)
    return frame
