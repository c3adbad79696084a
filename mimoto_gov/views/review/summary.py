"""The retention review's figures and its list of actions, drawn from every section.

:class:`mimoto_gov.views.review.build.RetentionReview` calls these once each and keeps the
result: the
summary saved for next month's comparison, the actions on the first page, and the lists that
need the registers (open requests, people who reappeared after an erasure).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.formats import masked_emails, thousands, uk_date, uk_dates
from mimoto_gov.retention import rules as retention

if TYPE_CHECKING:
    from mimoto_gov.views.review.build import RetentionReview

# The kinds of personal data in the middle of a sentence ("2 payment card numbers").
KIND_NOUNS = {
    "email": "email address",
    "phone": "phone number",
    "card_number": "payment card number",
    "iban": "bank account (IBAN)",
    "ni_number": "National Insurance number",
    "postcode": "postcode",
    "ip_address": "IP address",
}
PLACE_LABELS = {"title": "ticket title", "subject": "article subject", "body": "article body"}


def tickets_to_redact(review: RetentionReview) -> pd.DataFrame:
    """List the tickets holding personal data they should not, with what and where (masked)."""
    findings = review.redaction_findings()
    columns = ["Ticket", "State", "Found", "Where", "Masked values"]
    if findings.empty:
        return pd.DataFrame(columns=columns)
    # Plain Python over the (few) findings: far cheaper than a pandas group per ticket.
    per_ticket: dict[Any, dict] = {}
    for ticket_id, kind, column, masked in zip(
        findings["ticket_id"], findings["kind"], findings["column"], findings["masked"], strict=True
    ):
        entry = per_ticket.setdefault(ticket_id, {"kinds": {}, "places": set(), "masked": {}})
        entry["kinds"][kind] = entry["kinds"].get(kind, 0) + 1
        entry["places"].add(PLACE_LABELS.get(column, column))
        entry["masked"][masked] = None
    tickets = review.tickets[["id", "number", "state"]].set_index("id")
    rows = []
    for ticket_id, entry in per_ticket.items():
        kinds = sorted(entry["kinds"].items(), key=lambda item: (-item[1], item[0]))
        masked = list(entry["masked"])
        shown = "; ".join(masked[:3]) + (f" (+{len(masked) - 3} more)" if len(masked) > 3 else "")
        known = ticket_id in tickets.index
        rows.append(
            {
                "Ticket": str(tickets.at[ticket_id, "number"]) if known else "",
                "State": str(tickets.at[ticket_id, "state"]) if known else "",
                "Found": ", ".join(f"{n} {KIND_NOUNS[k]}" for k, n in kinds),
                "Where": ", ".join(sorted(entry["places"])),
                "Masked values": shown,
                "_count": sum(entry["kinds"].values()),
            }
        )
    frame = pd.DataFrame(rows).sort_values(["_count", "Ticket"], ascending=[False, True])
    return frame.drop(columns="_count").reset_index(drop=True)


def _registers(review: RetentionReview):
    # Reading the review must not create a registers file where there is none.
    from mimoto_gov.registers import open_registers

    if review.data_dir is None:
        return None
    path = Path(review.data_dir) / "registers.sqlite"
    return open_registers(path) if path.is_file() else None


def review_day(review: RetentionReview) -> date:
    """Return the last day the review covers, in UK time."""
    # Its moment is midnight after that day.
    return (review.as_of - pd.Timedelta(microseconds=1)).tz_convert(UK_TIME).date()


def open_requests(review: RetentionReview) -> pd.DataFrame | None:
    """List the open subject rights requests and their deadlines; None without registers."""
    registers = _registers(review)
    if registers is None:
        return None
    with registers:
        frame = registers.open_requests_with_deadlines(today=review_day(review))
    return pd.DataFrame(
        {
            "Request": frame["id"],
            "Kind": frame["kind"],
            "Received": uk_dates(frame["received_on"]),
            "Due": uk_dates(frame["due_on"]),
            "Days left": frame["days_left"].astype(int),
            "Status": frame["status"],
            "Overdue": frame["overdue"].map({True: "OVERDUE", False: ""}).fillna(""),
        }
    )


def reappeared(review: RetentionReview) -> pd.DataFrame | None:
    """List Zammad users whose address matches an earlier erasure; None without registers."""
    from mimoto_gov.registers import keyed_hasher

    registers = _registers(review)
    if registers is None:
        return None
    with registers:
        hashes = registers.erased_hashes()
    columns = ["User id", "Email (masked)", "Account created", "Active in Zammad"]
    if not hashes:
        return pd.DataFrame(columns=columns)
    users = review.inventory.users
    emails = users["email"].fillna("").astype(str).str.strip()
    hasher = keyed_hasher(review.data_dir)
    matched = users[[bool(e) and hasher(e) in hashes for e in emails]]
    return pd.DataFrame(
        {
            "User id": matched["id"],
            "Email (masked)": masked_emails(matched["email"]),
            "Account created": uk_dates(matched["created_at"]),
            "Active in Zammad": matched["active"].map({True: "yes", False: "no"}).fillna("")
            if "active" in matched
            else "",
        },
        columns=columns,
    ).reset_index(drop=True)


def summarise(review: RetentionReview) -> dict:
    """Return the month's figures, as saved in ``summary.json`` for next month's comparison."""
    counts = retention.action_counts(review.applied)
    # Attachments carry no date of their own: they exist when their article does.
    attachments = review.inventory.attachments
    attachments = attachments[attachments["article_id"].isin(review.articles["id"])]
    organisations = retention.as_of_frame(review.inventory.organizations, review.as_of)
    inactive = review._inactive_frame()
    without = review._without_frame()
    redact = review.redaction_findings()
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
        "shared_emails": int(len(review._shared_frame())),
    }


def actions(review: RetentionReview) -> pd.DataFrame:
    """List the month's actions, most urgent first, derived from every section."""
    # Short lines on purpose: the whole list should fit on the report's first page.
    summary = review.summary()
    schedule = review.schedule
    rows: list[tuple[str, int | None, str, str]] = []
    if review.snapshot_warning():
        taken = uk_date(review.snapshot_time)
        rows.append(
            ("Pull a fresh snapshot, then run again", None, f"snapshot of {taken}", "Run box")
        )
    requests = review.open_requests()
    if requests is not None and len(requests):
        overdue = int((requests["Overdue"] == "OVERDUE").sum())
        where = "Open requests"
        if overdue:
            rows.append(("Answer overdue requests", overdue, "past the legal deadline", where))
        if len(requests) > overdue:
            rows.append(("Keep open requests on time", len(requests) - overdue, "due dates", where))
    reappeared = review.reappeared()
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
    promises = review.commitments()["Status"].value_counts()
    not_met, missing = int(promises.get("not met", 0)), int(promises.get("evidence missing", 0))
    if not_met or missing:
        detail = f"{not_met} not met, {missing} without evidence"
        rows.append(("Keep the policy's promises", not_met + missing, detail, "Promises"))
    own_copies = review.own_copies()
    if len(own_copies):
        rows.append(
            (
                "Delete the workbook's own old copies",
                len(own_copies),
                "mimoto-gov tidy --execute",
                "The workbook's own copies",
            )
        )
    frame = pd.DataFrame(rows, columns=["What to do", "How many", "Detail", "See"])
    frame["How many"] = frame["How many"].astype("Int64")
    frame.insert(0, "#", range(1, len(frame) + 1))
    return frame
