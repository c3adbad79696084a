"""The review's appendix "The retention schedule": the document the data protection lead signs.

Every store the workbook knows, as ``data/policy/retention.yml`` says: the ticket rules, the
Zammad accounts, the marketing list and each register, the Gaug.es tables, the workbook's own
copies and the backups, each with its period, what starts the clock, the action and why. Then
who approved this exact version and when (``mimoto-gov retention approve --by NAME``), or the
lines to sign while it is a proposal.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.formats import format_uk_date, uk_date
from mimoto_gov.policy.schedule import MEASURES
from mimoto_gov.registers.retention_log import read_schedule_approvals
from mimoto_gov.retention.rules import period_text
from mimoto_gov.views.review.model import ReviewData

APPROVE = "mimoto-gov retention approve --by NAME"


def _action(rule) -> str:
    if rule.action != "anonymise":
        return rule.action
    if rule.text_left == "delete":
        return "delete (anonymising would leave the text)"
    return "anonymise (the text stays)"


class SignedSchedule:
    """The retention schedule as a document to sign, and its approvals."""

    def __init__(self, data: ReviewData) -> None:
        """Read the schedule of ``data``."""
        self.data = data

    @property
    def schedule(self):
        """The schedule the review applied."""
        return self.data.schedule

    def notice(self) -> tuple[str, str]:
        """Return who approved this version and when, or what to do, as ``(text, level)``."""
        schedule = self.schedule
        name = f"Retention schedule version {schedule.version} (fingerprint {schedule.digest[:12]})"
        if schedule.approved:
            approval = schedule.approval
            return (
                f"{name}: approved by {approval.approved_by} on {uk_date(schedule.approved_on)}, "
                "as recorded in the registers. Any change to what the schedule says makes it a "
                "proposal again until it is approved again.",
                "info",
            )
        return (
            f"{name} is a PROPOSAL, not approved as it now reads. The data protection lead "
            f"reads it below and approves it with `{APPROVE}`; until then `retention apply "
            "--execute` is refused.",
            "warning",
        )

    def tickets(self) -> pd.DataFrame:
        """List the ticket rules in order, then the default: period, clock, action and why."""
        rules = self.schedule.all_rules
        return pd.DataFrame(
            {
                "Rule": [rule.name for rule in rules],
                "Applies to": [rule.describe_match() for rule in rules],
                "Period": [period_text(rule) for rule in rules],
                "Counted from": [MEASURES[rule.measure_from] for rule in rules],
                "Action": [_action(rule) for rule in rules],
                "Why": [
                    " ".join(p for p in (rule.reason, rule.text_reason) if p) or "(no reason)"
                    for rule in rules
                ],
            }
        )

    def stores(self) -> pd.DataFrame:
        """List every other store: Zammad accounts, the marketing list, each register..."""
        accounts = self.schedule.accounts
        rows = [
            (
                "Zammad user accounts", "Zammad", str(accounts.period or "no end"),
                "the last login or ticket activity", accounts.action,
                "mimoto-gov retention apply", accounts.reason,
            )
        ]  # fmt: skip
        rows += [
            (
                line.name, line.where, str(line.period or "no end"), line.counted_from,
                line.action, line.by, line.reason,
            )
            for line in self.schedule.stores
        ]  # fmt: skip
        columns = ["Store", "Where", "Period", "Clock starts", "Action", "Carried out by", "Why"]
        return pd.DataFrame(rows, columns=columns)

    def own_copies(self) -> pd.DataFrame:
        """List the workbook's own copies: period, clock and why (deleted by ``tidy``)."""
        rules = list(self.schedule.own_copies.values())
        return pd.DataFrame(
            {
                "Copy": [rule.what for rule in rules],
                "Period": [str(rule.period) for rule in rules],
                "Counted from": [rule.counted_from for rule in rules],
                "Why": [rule.reason for rule in rules],
            }
        )

    def backups(self) -> pd.DataFrame:
        """List the backups and the provider's logs, with how long each keeps data."""
        copies = self.schedule.backups.copies if self.schedule.backups else ()
        return pd.DataFrame(
            {
                "Copy": [c.name for c in copies],
                "Kind": [c.kind for c in copies],
                "Owner": [c.owner for c in copies],
                "Holds": [c.holds for c in copies],
                "Kept for": [f"{c.retention_days} days" for c in copies],
                "Confirmed": [
                    uk_date(c.confirmed_on) if c.confirmed_on else "not yet" for c in copies
                ],
            }
        )

    def beyond_use(self) -> str:
        """Return the "beyond use" statement printed on every deletion checklist."""
        backups = self.schedule.backups
        return backups.beyond_use if backups else "The schedule has no backups section."

    def approvals(self) -> pd.DataFrame:
        """List every recorded approval of the schedule, newest first, and which is this one."""
        columns = ["Approved by", "When", "Version", "This version"]
        if self.data.data_dir is None:
            return pd.DataFrame(columns=columns)
        rows = read_schedule_approvals(Path(self.data.data_dir) / "registers.sqlite")
        return pd.DataFrame(
            [
                (
                    row["approved_by"],
                    format_uk_date(row["approved_at"], with_time=True),
                    row["schedule_version"],
                    "yes" if row["schedule_digest"] == self.schedule.digest else "",
                )
                for row in reversed(rows)
            ],
            columns=columns,
        )
