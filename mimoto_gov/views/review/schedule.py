"""The review's section "The schedule applied": rules, tickets past their period, Zammad jobs."""

from __future__ import annotations

import json

import pandas as pd

from mimoto_gov.formats import thousands, uk_date, uk_dates
from mimoto_gov.retention import rules as retention
from mimoto_gov.retention.customers import placeholder_user_id
from mimoto_gov.retention.jobs import describe_perform, zammad_jobs
from mimoto_gov.views.review import charts
from mimoto_gov.views.review.model import ReviewData


class ScheduleApplied:
    """The retention schedule applied to the month's tickets, and how Zammad would enforce it."""

    def __init__(self, data: ReviewData) -> None:
        """Read the figures of ``data``."""
        self.data = data

    def schedule_notice(self) -> tuple[str, str]:
        """Return the schedule's standing as ``(text, level)`` for :func:`show_callout`."""
        schedule = self.data.schedule
        where = f" (file {self.data.schedule_path.name})"
        if schedule.approved:
            return (
                f"Retention schedule version {schedule.version}{where}, approved by "
                f"{schedule.approval.approved_by} on {uk_date(pd.Timestamp(schedule.approved_on))}"
                ". Check that the published privacy policy states these periods. The whole "
                "schedule, every store, is in the appendix.",
                "info",
            )
        return (
            f"Retention schedule version {schedule.version}{where} is a PROPOSAL, not yet "
            "approved (the appendix prints it for the data protection lead to sign). "
            + (schedule.published_policy or 'The published policy says "stored indefinitely".'),
            "warning",
        )

    def rules_table(self) -> pd.DataFrame:
        """List each rule with what it applies to, its period, action and tickets covered."""
        table = retention.rule_summary(self.data.applied, self.data.schedule)
        return pd.DataFrame(
            {
                "Rule": table["rule"],
                "Applies to": table["applies_to"],
                "Period": table["period"] + " after " + table["counted_from"],
                "Action": table["action"],
                "Tickets": table["tickets"],
                "Past period": table["past_period"],
            }
        )

    def rules_reasons(self) -> pd.DataFrame:
        """List why each rule's period is justified (the schedule's ``reason``)."""
        rules = self.data.schedule.all_rules
        return pd.DataFrame(
            {
                "Rule": [rule.name for rule in rules],
                "Why this period": [rule.reason or "(no reason given)" for rule in rules],
            }
        )

    def rules_chart(self):
        """Chart each rule's tickets within and past their period."""
        figure = charts.rules_chart(retention.rule_summary(self.data.applied, self.data.schedule))
        return charts.noted_if_empty(figure, self.data.applied.empty, "No tickets held yet")

    def past_period(self) -> pd.DataFrame:
        """List every ticket past its period (longest overdue first): number, age, rule, action."""
        due = retention.past_period(self.data.applied)
        return pd.DataFrame(
            {
                "Ticket": due["number"],
                "State": due["state"],
                "Group": due["group"],
                "Counted from": due["counted_from"] + " " + uk_dates(due["reference"]),
                "Age": due["age"],
                "Rule": due["rule"],
                "Period": due["period"],
                "Action": due["action"],
                "Due since": uk_dates(due["due_on"]),
            }
        )

    def zammad_jobs(self) -> list[dict]:
        """Build the inactive Zammad schedulers (``/api/v1/jobs`` bodies) enforcing the rules."""
        inventory = self.data.inventory
        return zammad_jobs(
            self.data.schedule, inventory.tickets, placeholder_user_id(inventory.users)
        )

    def zammad_jobs_table(self) -> pd.DataFrame:
        """Tabulate the schedulers: name, condition (JSON), what it does, what to check."""
        rows = []
        for job in self.zammad_jobs():
            does = describe_perform(job)
            rows.append(
                {
                    "Scheduler (created switched off)": job["name"],
                    "Condition (Zammad JSON)": json.dumps(
                        job["condition"], separators=(", ", ": ")
                    ),
                    "What it does": does,
                    "Check before switching it on": job["note"] or "its preview",
                }
            )
        return pd.DataFrame(rows)

    def privacy_tasks_note(self) -> str:
        """Say how many data-privacy tasks deleting the due tickets one by one would take."""
        bodies = retention.privacy_task_bodies(
            retention.past_period(self.data.applied), self.data.schedule
        )
        if not bodies:
            return "No ticket is due for deletion, so no data-privacy task is needed this month."
        example = json.dumps(bodies[0])
        return (
            f"Instead of a scheduler, {thousands(len(bodies))} data-privacy task"
            f"{'s' if len(bodies) != 1 else ''} (one per ticket to delete) would do the same: "
            f"POST /api/v1/data_privacy_tasks with a body like {example}. "
            "`mimoto-gov retention apply --execute` sends them, leaves alone what a legal hold "
            "names or was updated in the last 90 days, reads each deletion back and logs it. "
            "The file zammad-jobs.json beside this report holds the scheduler bodies."
        )
