"""The review's section "Carried out, and still overdue": the schedule acted on, from the log.

What ``mimoto-gov retention apply --execute`` did during the month (every run, what each
action came to, what failed or was left and why), read from the retention log, and what is
still overdue: items whose period ended before the month began and are still in Zammad (to
do, or left alone for a reason such as a legal hold).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.formats import format_uk_date, month_bounds, uk_dates
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.retention_log import (
    LOG_COLUMNS,
    read_retention_log,
    read_retention_runs,
)
from mimoto_gov.retention.plan import EXCLUDED, TO_DO, make_plan
from mimoto_gov.views.review.model import ReviewData

PROBLEMS = ("failed", "skipped", "timed out")


class CarriedOut:
    """The month's runs of the schedule and what is still overdue."""

    def __init__(self, data: ReviewData) -> None:
        """Read the month, the snapshot and the registers of ``data``."""
        self.data = data

    def _registers_path(self) -> Path | None:
        if self.data.data_dir is None:
            return None
        return Path(self.data.data_dir) / "registers.sqlite"

    def runs(self) -> pd.DataFrame:
        """List the runs of the schedule started during the month."""
        return self.data.memo("retention_runs", self._runs)

    def _runs(self) -> pd.DataFrame:
        path = self._registers_path()
        columns = ["Run", "Month applied", "Started", "Finished", "Schedule", "Planned"]
        runs = read_retention_runs(path) if path else pd.DataFrame()
        if runs.empty:
            return pd.DataFrame(columns=columns)
        start, end = month_bounds(self.data.month)
        started = pd.to_datetime(runs["started_at"], utc=True)
        runs = runs[(started >= start) & (started < end)]
        return pd.DataFrame(
            {
                "Run": runs["id"],
                "Month applied": runs["month"],
                "Started": runs["started_at"].map(lambda v: format_uk_date(v, with_time=True)),
                "Finished": runs["finished_at"].map(lambda v: format_uk_date(v, with_time=True)),
                "Schedule": runs["schedule_version"],
                "Planned": runs["planned"],
            }
        ).reset_index(drop=True)

    def _log(self) -> pd.DataFrame:
        def compute() -> pd.DataFrame:
            path = self._registers_path()
            log = read_retention_log(path) if path else pd.DataFrame(columns=LOG_COLUMNS)
            return log[log["run_id"].isin(set(self.runs()["Run"]))]

        return self.data.memo("retention_log", compute)

    def done(self) -> pd.DataFrame:
        """Count the month's actions by what they acted on, the action and the outcome."""
        log = self._log()
        counts = log.groupby(["target", "action", "outcome"]).size()
        return pd.DataFrame(
            [(t, a, o, int(n)) for (t, a, o), n in counts.items()],
            columns=["Target", "Action", "Outcome", "How many"],
        )

    def problems(self) -> pd.DataFrame:
        """List the month's actions that failed, were skipped or timed out, with the reason."""
        log = self._log()
        log = log[log["outcome"].isin(PROBLEMS)]
        return pd.DataFrame(
            {
                "Run": log["run_id"],
                "Target": log["target"],
                "Zammad id": log["zammad_id"],
                "Ticket": log["ticket_number"].fillna(""),
                "Action": log["action"],
                "Outcome": log["outcome"],
                "Why": log["reason"].fillna(""),
            }
        ).reset_index(drop=True)

    def overdue(self) -> pd.DataFrame:
        """List what was due before the month began and is still in Zammad, and its status."""
        return self.data.memo("overdue", self._overdue)

    def _overdue(self) -> pd.DataFrame:
        data = self.data
        path = self._registers_path()
        registers = open_registers(path) if path is not None and path.is_file() else None
        try:
            held = registers.held_subject_hashes() if registers else set()
            plan = make_plan(
                data.schedule,
                data.inventory,
                data.month,
                held=held,
                hasher=registers.hash if held else None,
                log=registers.retention_log() if registers else None,
            )
        finally:
            if registers is not None:
                registers.close()
        items = plan.items
        start = month_bounds(data.month)[0]
        late = items[items["status"].isin((TO_DO, EXCLUDED)) & (items["due_on"] < start)]
        late = late[late["action"] != "review"]
        return pd.DataFrame(
            {
                "Target": late["target"],
                "Zammad id": late["zammad_id"],
                "Ticket": late["number"],
                "Rule": late["rule"],
                "Action": late["action"],
                "Due since": uk_dates(late["due_on"]),
                "Status": late["status"],
                "Why": late["why"].where(late["status"] == EXCLUDED, ""),
            }
        ).reset_index(drop=True)

    def note(self) -> str:
        """Say in one paragraph what was carried out during the month and what is overdue."""
        runs, log, overdue = self.runs(), self._log(), self.overdue()
        if runs.empty:
            text = "The retention schedule was not carried out during the month (no run)."
        else:
            done = int(log["outcome"].isin(("done", "already gone")).sum())
            problems = int(log["outcome"].isin(PROBLEMS).sum())
            text = (
                f"{len(runs)} run(s) of the schedule during the month: {done:,} action(s) done "
                f"and read back from Zammad, {problems:,} failed, skipped or timed out."
            )
        waiting = int((overdue["Status"] == TO_DO).sum())
        left = int((overdue["Status"] == EXCLUDED).sum())
        if len(overdue):
            text += (
                f" {waiting:,} item(s) due before the month began are still to do "
                f"(`mimoto-gov retention apply --execute`), and {left:,} are left alone for the "
                "reason given."
            )
        else:
            text += " Nothing due before the month began is still waiting."
        return text
