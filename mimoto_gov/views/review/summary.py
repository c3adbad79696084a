"""The retention review's figures, its list of actions and its headline, drawn from the sections.

:class:`mimoto_gov.views.review.core.RetentionReview` calls these once each and keeps the
result: the summary saved for next month's comparison (``summary.json``), and the actions and
headline on the first page. They read the sections; no section reads them.
"""

from __future__ import annotations

import pandas as pd

from mimoto_gov.formats import thousands, uk_date
from mimoto_gov.retention import rules as retention
from mimoto_gov.views.review.carried_out import CarriedOut
from mimoto_gov.views.review.customers import Customers
from mimoto_gov.views.review.governance import Governance
from mimoto_gov.views.review.model import ReviewData
from mimoto_gov.views.review.personal_data import PersonalData


def summarise(review: ReviewData, personal_data: PersonalData, customers: Customers) -> dict:
    """Return the month's figures, as saved in ``summary.json`` for next month's comparison."""
    counts = retention.action_counts(review.applied)
    # Attachments carry no date of their own: they exist when their article does.
    attachments = review.inventory.attachments
    attachments = attachments[attachments["article_id"].isin(review.articles["id"])]
    organisations = retention.as_of_frame(review.inventory.organizations, review.as_of)
    inactive = customers.inactive_frame()
    without = customers.without_frame()
    redact = personal_data.redaction_findings()
    return {
        "month": review.month,
        "as_of": review.as_of.isoformat(),
        "snapshot_time": review.snapshot_time.isoformat() if review.snapshot_time else None,
        "schedule_version": review.schedule.version,
        "schedule_status": review.schedule.status,
        "tickets": int(len(review.tickets)),
        "articles": int(len(review.articles)),
        "attachments": int(len(attachments)),
        "attachment_bytes": int(attachments["size"].fillna(0).sum()) if len(attachments) else 0,
        "users": int(len(review.users)),
        "organisations": int(len(organisations)),
        "tickets_past_period": int(review.applied["past_period"].sum()),
        "to_delete": counts["delete"],
        "to_anonymise": counts["anonymise"],
        "to_review": counts["review"],
        "pii_findings": int(len(review.findings)),
        "pii_by_kind": {k: int(v) for k, v in review.findings["kind"].value_counts().items()},
        "tickets_to_redact": int(redact["ticket_id"].nunique()),
        "inactive_customers": int(len(inactive)),
        "accounts_without_tickets": int(len(without)),
        "shared_emails": int(len(customers.shared_frame())),
    }


def actions(
    review: ReviewData, summary: dict, governance: Governance, carried_out: CarriedOut
) -> pd.DataFrame:
    """List the month's actions, most urgent first, from the figures and every section."""
    # Short lines on purpose: the whole list should fit on the report's first page.
    schedule = review.schedule
    rows: list[tuple[str, int | None, str, str]] = []
    if review.snapshot_warning():
        taken = uk_date(review.snapshot_time)
        rows.append(
            (
                "Pull a fresh snapshot, then run again",
                None,
                f"snapshot of {taken}: `mimoto-gov pull`, then `mimoto-gov review`",
                "Run box",
            )
        )
    requests = governance.open_requests()
    if requests is not None and len(requests):
        overdue = int((requests["Overdue"] == "OVERDUE").sum())
        where = "Open requests"
        if overdue:
            rows.append(
                (
                    "Answer overdue requests",
                    overdue,
                    "past the legal deadline: `mimoto-gov requests list`",
                    where,
                )
            )
        if len(requests) > overdue:
            rows.append(("Keep open requests on time", len(requests) - overdue, "due dates", where))
    candidates = governance.request_candidates()
    if candidates is not None and len(candidates):
        rows.append(
            (
                "Record or dismiss possible requests",
                len(candidates),
                "found in tickets; the clock may be running",
                "Possible requests in tickets",
            )
        )
    reappeared = governance.reappeared()
    if reappeared is not None and len(reappeared):
        rows.append(
            (
                "Check people who reappeared",
                len(reappeared),
                "match an earlier erasure",
                "Erased people who reappear",
            )
        )
    if not schedule.approved:
        rows.append(
            (
                "Approve the retention schedule",
                None,
                f'version {schedule.version}; the policy says "indefinitely"',
                "The schedule applied",
            )
        )
    problems = carried_out.problems()
    if len(problems):
        rows.append(
            ("Check retention actions that failed", len(problems), "see the log", "Carried out")
        )
    by_rule = retention.past_period(review.applied).groupby(["action", "rule"]).size()
    verbs = {"delete": "Delete", "anonymise": "Anonymise", "review": "Review"}
    for action in retention.ACTIONS:
        count = summary[f"to_{action}"]
        if count:
            rules = by_rule[action] if action in by_rule.index.get_level_values(0) else {}
            detail = ", ".join(f"{rule} {thousands(n)}" for rule, n in rules.items())
            rows.append(
                (
                    f"{verbs[action]} tickets past their period",
                    count,
                    detail,
                    "Tickets past their period",
                )
            )
    if summary["tickets_to_redact"]:
        rows.append(
            (
                "Redact personal data in tickets",
                summary["tickets_to_redact"],
                "card, bank or NI numbers; data in titles",
                "Personal data",
            )
        )
    customer_rows = (
        (
            "inactive_customers",
            "Review inactive accounts",
            f"no activity for {schedule.inactive_after} or more",
        ),
        ("shared_emails", "Merge accounts sharing an email", "one person, several accounts"),
        ("accounts_without_tickets", "Review accounts without tickets", "no conversation held"),
    )
    for key, text, why in customer_rows:
        if summary[key]:
            rows.append((text, summary[key], why, "Customers"))
    promises = governance.commitments()["Status"].value_counts()
    not_met, missing = int(promises.get("not met", 0)), int(promises.get("evidence missing", 0))
    if not_met or missing:
        detail = f"{not_met} not met, {missing} without evidence"
        rows.append(("Keep the policy's promises", not_met + missing, detail, "Promises"))
    own_copies = governance.own_copies()
    if len(own_copies):
        rows.append(
            (
                "Delete the workbook's own old copies",
                len(own_copies),
                "`mimoto-gov tidy --execute`",
                "The workbook's own copies",
            )
        )
    frame = pd.DataFrame(rows, columns=["What to do", "How many", "Detail", "See"])
    frame["How many"] = frame["How many"].astype("Int64")
    frame.insert(0, "#", range(1, len(frame) + 1))
    return frame


def headline(review: ReviewData, summary: dict, actions: pd.DataFrame) -> str:
    """Say in one paragraph for the first page what needs doing this month."""
    if not summary["tickets"]:
        parts = [_nothing_held_text(review, summary["users"])]
    else:
        parts = [
            f"{review.moment_text()}, {thousands(summary['tickets_past_period'])} of "
            f"{thousands(summary['tickets'])} tickets were past their retention period"
        ]
        if summary["tickets_past_period"]:
            parts[0] += (
                f" ({thousands(summary['to_delete'])} to delete, "
                f"{thousands(summary['to_anonymise'])} to anonymise, "
                f"{thousands(summary['to_review'])} to review)"
            )
        parts.append(
            f"{thousands(summary['tickets_to_redact'])} tickets held personal data that should "
            "not be in a support ticket"
        )
    count = len(actions)
    lead = (
        "Nothing needs doing this month."
        if not count
        else (f"{count} action{'s' if count != 1 else ''} for this month, listed below.")
    )
    return "; ".join(parts) + ". " + lead


def _nothing_held_text(review: ReviewData, users: int) -> str:
    # A new Zammad, or a month before its first ticket: a valid review with nothing in it.
    accounts = f"{thousands(users)} user account{'s' if users != 1 else ''}"
    held = f"no tickets yet, only {accounts}" if users else "nothing yet (no tickets, no users)"
    return (
        f"{review.moment_text()}, the Zammad service desk held {held}: nothing was past its "
        "retention period and there was no ticket text to check for personal data"
    )
