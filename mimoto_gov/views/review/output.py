"""The review's lists: a page-sized table in the report, the whole list as CSV beside it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.formats import thousands
from mimoto_gov.reports.display import show_callout, show_table
from mimoto_gov.support.csvout import write_csv
from mimoto_gov.views.review.model import STAFF_ONLY, ReviewData

LIST_LIMIT = 50


class Output:
    """Show the review's long lists and write them in full beside the report."""

    def __init__(self, data: ReviewData) -> None:
        """Write into the report folder of ``data`` (``output_dir``), if it has one."""
        self.data = data

    def show_list(
        self,
        frame: pd.DataFrame | None,
        *,
        caption: str,
        csv: str,
        limit: int = LIST_LIMIT,
        missing: str = "Not available yet.",
    ) -> None:
        """Show at most ``limit`` rows, say how many more, and write the whole list as CSV.

        The CSV goes beside the report (``output_dir``); a run without one (a notebook opened
        by hand) shows the first rows only and says so. ``frame`` None (a register not set up
        yet) shows the ``missing`` sentence instead. Columns marked with
        :func:`for_staff_only` go into the CSV and never onto the page.
        """
        if frame is None:
            show_callout(f"{caption}: {missing}", level="info")
            return
        total = len(frame)
        if total == 0:
            show_callout(f"{caption}: none.", level="info")
            return
        written = self.write_csv(frame, csv)
        private = [c for c in frame.attrs.get(STAFF_ONLY, ()) if c in frame.columns]
        shown = frame.drop(columns=private)
        show_table(shown, caption=f"{caption} ({thousands(total)})", max_rows=limit)
        if total > limit:
            where = (
                f"the full list is in {csv} beside this report"
                if written
                else "`mimoto-gov review` writes the full list as CSV beside the report"
            )
            show_callout(f"{thousands(total - limit)} more not shown here: {where}.", level="info")

    def write_csv(self, frame: pd.DataFrame, name: str) -> Path | None:
        """Write a CSV beside the report (formula injection neutralised); None without a folder."""
        if self.data.output_dir is None:
            return None
        return write_csv(frame, Path(self.data.output_dir) / name)
