"""The month's retention plan as a document: ``reports/retention/<YYYY-MM>/plan.*``.

The plan names every ticket and account the schedule acts on and why, what is left alone and
why, and (once executed) what happened to each. It is rendered through the house page (CSP,
print CSS) to HTML and PDF, with the same rows as ``plan.csv`` for a spreadsheet. It names
ticket numbers and account ids, never a person: the plan is for the data protection lead to
check before signing off the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from mimoto_gov.formats import format_uk_date, month_label
from mimoto_gov.reports.display import callout_html, key_figures_html, list_html, table_html
from mimoto_gov.reports.run import ReportRun, render_document, save_report
from mimoto_gov.retention.apply import ActionOutcome
from mimoto_gov.retention.plan import (
    ACCOUNTS_RULE,
    DONE_BEFORE,
    EXCLUDED,
    KEPT,
    TO_DO,
    RetentionPlan,
)
from mimoto_gov.retention.rules import period_text
from mimoto_gov.support.csvout import csv_text

KIND = "retention"
NAME = "plan"
CSV_NAME = "plan.csv"
DRY_RUN_NOTE = (
    "Dry run: nothing was changed in Zammad. Check the lists below, then carry the plan out "
    "with `mimoto-gov retention apply --month {month} --execute`."
)
LIMITS = [
    "A ticket is deleted through a Zammad data-privacy task, which Zammad logs; the task is "
    "followed to its end and the ticket read back (it must be gone).",
    "Anonymising moves a ticket to an anonymous placeholder customer (an inactive account "
    "with no email) and replaces its title. Zammad's API cannot change an article's text, "
    "sender or attachments, nor the ticket's history (which keeps the old title and the "
    "customer's name): the schedule's rule says whether that text is kept, and why, or the "
    "ticket deleted instead.",
    "An account is deleted only when no ticket it is the customer of remains in Zammad; "
    "Zammad keeps what the person wrote on other customers' tickets.",
    "Nothing is touched while a legal hold names the customer or a correspondent, while a "
    "ticket is open, when it was updated in the last 90 days, or when it changed in Zammad "
    "since the snapshot the plan was made from.",
]


def plan_table(plan: RetentionPlan, outcomes: Iterable[ActionOutcome] = ()) -> pd.DataFrame:
    """Return the plan as rows (the CSV), with what happened to each item when executed."""
    items = plan.items
    done = {(o.target, o.zammad_id): o for o in outcomes}
    frame = pd.DataFrame(
        {
            "Target": items["target"],
            "Zammad id": items["zammad_id"],
            "Ticket": items["number"].map(lambda n: f"#{n}" if n else ""),
            "Rule": items["rule"],
            "Action": items["action"],
            "Status": items["status"],
            "Why": items["why"],
            "State": items["state"],
            "Due since": items["due_on"].map(format_uk_date),
            "Age": items["age"],
            "Kept": items["kept"],
        }
    )
    if done:
        keys = list(zip(items["target"], items["zammad_id"].astype(int), strict=True))
        frame["Outcome"] = [done[k].outcome if k in done else "" for k in keys]
        frame["Outcome detail"] = [done[k].reason if k in done else "" for k in keys]
        frame["Zammad task"] = [
            str(done[k].task_id) if k in done and done[k].task_id else "" for k in keys
        ]
    return frame


def _section(frame: pd.DataFrame, title: str, columns: list[str], empty: str) -> str:
    if frame.empty:
        return f"<h2>{title}</h2>" + list_html([], empty=empty)
    return f"<h2>{title}</h2>" + table_html(frame[columns], caption=f"{len(frame):,} item(s)")


def log_table(log: pd.DataFrame | None) -> pd.DataFrame:
    """Return the retention log's rows as the document shows them."""
    columns = ["Run", "Recorded", "Target", "Zammad id", "Ticket", "Action", "Outcome", "Detail"]
    if log is None or log.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(
        {
            "Run": log["run_id"],
            "Recorded": log["recorded_at"].map(lambda v: format_uk_date(v, with_time=True)),
            "Target": log["target"],
            "Zammad id": log["zammad_id"],
            "Ticket": log["ticket_number"].map(lambda n: f"#{n}" if n else ""),
            "Action": log["action"],
            "Outcome": log["outcome"],
            "Detail": log["reason"].fillna(""),
        }
    )


def rules_table(plan: RetentionPlan) -> pd.DataFrame:
    """One row per rule with something to do: its period, action, reason and what stays.

    The item lists name the rule only; the reasons are given once, here.
    """
    todo = plan.to_do()
    rows = []
    schedule = plan.schedule
    for rule in schedule.all_rules:
        mine = todo[(todo["target"] == "ticket") & (todo["rule"] == rule.name)]
        if mine.empty:
            continue
        action = rule.action
        if rule.action == "anonymise" and rule.text_left == "delete":
            action = "delete (anonymising would leave the text)"
        stays = ""
        if rule.action == "anonymise":
            stays = rule.text_reason
        rows.append(
            (
                rule.name,
                rule.describe_match(),
                period_text(rule),
                action,
                len(mine),
                rule.reason,
                stays,
            )  # fmt: skip
        )
    accounts = todo[todo["target"] == "account"]
    if len(accounts):
        rows.append(
            (
                ACCOUNTS_RULE,
                "customer accounts without login or ticket activity",
                str(schedule.accounts.period),
                schedule.accounts.action,
                len(accounts),
                schedule.accounts.reason,
                "",
            )  # fmt: skip
        )
    columns = ["Rule", "Applies to", "Period", "Action", "To do", "Why", "Text that stays"]
    return pd.DataFrame(rows, columns=columns)


def _figures(plan: RetentionPlan) -> dict:
    schedule, items = plan.schedule, plan.items
    todo = items["status"] == TO_DO

    def count(target: str, action: str) -> int:
        return int((todo & (items["target"] == target) & (items["action"] == action)).sum())

    approval = (
        f"version {schedule.version}, approved by {schedule.approval.approved_by} on "
        f"{format_uk_date(schedule.approved_on)}"
        if schedule.approved
        else f"version {schedule.version}: a PROPOSAL, not yet approved"
    )
    return {
        "Month": month_label(plan.month),
        "Schedule": approval,
        "Applied as at": format_uk_date(plan.as_of, with_time=True),
        "Snapshot of Zammad": format_uk_date(plan.snapshot_time, with_time=True),
        "Desk": plan.zammad_url or "unknown",
        "Plan made": format_uk_date(plan.made_at, with_time=True),
        "Tickets to delete": count("ticket", "delete"),
        "Tickets to anonymise": count("ticket", "anonymise"),
        "Accounts to delete": count("account", "delete"),
        "For a person to review": int((todo & (items["action"] == "review")).sum()),
        "Left alone": int(items["status"].isin((EXCLUDED, KEPT)).sum()),
        "Done before": int((items["status"] == DONE_BEFORE).sum()),
    }


def plan_body(
    plan: RetentionPlan,
    outcomes: Iterable[ActionOutcome] = (),
    *,
    note: str = "",
    level: str = "info",
    log: pd.DataFrame | None = None,
) -> str:
    """Build the plan document's body (escaped throughout).

    Args:
        plan: the plan.
        outcomes: what this run did to each item (after an execution).
        note: a call-out above the lists (what this document is).
        level: the call-out's level.
        log: the retention log of the plan's month (every run so far), shown last.

    """
    outcomes = list(outcomes)
    table = plan_table(plan, outcomes)
    parts = [key_figures_html(_figures(plan), caption="The plan")]
    if not plan.schedule.approved:
        parts.append(
            callout_html(
                "The schedule is a proposal: `retention apply --execute` is refused until the "
                "data protection lead approves it with `mimoto-gov retention approve --by NAME`.",
                "warning",
            )
        )
    if note:
        parts.append(callout_html(note, level))
    rules = rules_table(plan)
    if len(rules):
        parts.append("<h2>The rules applied</h2>" + table_html(rules))
    shown = ["Ticket", "Rule", "State", "Due since", "Age"]
    if outcomes:
        shown = ["Ticket", "Rule", "Outcome", "Outcome detail", "Zammad task"]
    rows = table[table["Status"] == TO_DO]
    tickets, accounts = rows[rows["Target"] == "ticket"], rows[rows["Target"] == "account"]
    for action, title in (("delete", "Tickets to delete"), ("anonymise", "Tickets to anonymise")):
        frame = tickets[tickets["Action"] == action]
        parts.append(_section(frame, title, shown, "None this month."))
    account_columns = ["Zammad id", *[c for c in shown if c not in ("Ticket", "Rule", "State")]]
    parts.append(
        _section(
            accounts[accounts["Action"] == "delete"],
            "Accounts to delete",
            account_columns,
            "None this month.",
        )
    )
    other = ["Target", "Zammad id", "Ticket", "Rule", "Action", "Why"]
    for frame, title, empty in (
        (rows[rows["Action"] == "review"], "For a person to review", "Nothing to review."),
        (
            table[table["Status"].isin((EXCLUDED, KEPT))],
            "Left alone, and why",
            "Nothing was left alone.",
        ),
        (table[table["Status"] == DONE_BEFORE], "Done by an earlier run", "Nothing before."),
    ):
        parts.append(_section(frame, title, other, empty))
    parts.append(
        _section(
            log_table(log),
            "The retention log for this month",
            list(log_table(None).columns),
            "No run has acted on this month yet.",
        )
    )
    parts.append("<h2>How the plan is carried out</h2>" + list_html(LIMITS))
    return "".join(parts)


def write_plan(
    plan: RetentionPlan,
    reports_dir: Path,
    outcomes: Iterable[ActionOutcome] = (),
    *,
    note: str = "",
    level: str = "info",
    log: pd.DataFrame | None = None,
) -> ReportRun:
    """Render the plan to ``reports/retention/<month>/plan.html``, ``.pdf`` and ``.csv``.

    ``log`` is the month's retention log, shown at the end (see :func:`plan_body`).
    """
    outcomes = list(outcomes)
    if not note and not outcomes:
        note = DRY_RUN_NOTE.format(month=plan.month)
    title = f"Retention plan: {month_label(plan.month)}"
    run_info = {
        "kind": KIND,
        "run_id": plan.month,
        "snapshot_time": plan.snapshot_time,
        "policy_version": f"retention schedule {plan.schedule.version} ({plan.schedule.status})",
        "generated_at": pd.Timestamp.now(tz="UTC").isoformat(),
    }
    body = plan_body(plan, outcomes, note=note, level=level, log=log)
    html = render_document(title, body, run_info)
    summary = {"schedule_version": plan.schedule.version, **plan.counts()}
    if outcomes:
        summary["outcomes"] = pd.Series([o.outcome for o in outcomes]).value_counts().to_dict()
    return save_report(
        KIND,
        plan.month,
        title=title,
        html=html,
        reports_dir=reports_dir,
        filename=NAME,
        summary=summary,
        extra_files={CSV_NAME: csv_text(plan_table(plan, outcomes))},
    )
