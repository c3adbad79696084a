"""The deletion checklist and the certificate of erasure as HTML and PDF documents.

Both are rendered into ``reports/erasure/<request id>/`` through the house page
(:func:`mimoto_gov.reports.run.render_document`: CSP, print CSS) and WeasyPrint
(:func:`mimoto_gov.reports.run.render_pdf`, data URLs only). Every value is escaped by the
:mod:`mimoto_gov.reports.display` helpers. The dry-run checklist names the person, for the staff
who check it; once the person is erased the checklist is rendered again without identifying
them, and the certificate identifies them only by the request id and the keyed hash. The
certificate is **partial**, listing the open steps, until every step is finished; it is then
written again as **complete**. The confirmation letter to the person names nobody.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.erasure.model import BY_HAND, DONE, KEPT, VERIFIED, ChecklistLine, ErasurePlan
from mimoto_gov.reports.display import (
    callout_html,
    format_uk_date,
    key_figures_html,
    list_html,
    table_html,
)
from mimoto_gov.reports.run import render_document, render_pdf, write_index
from mimoto_gov.support.files import private_dir, safe_path, write_text
from mimoto_gov.support.safe_output import escape

CHECKLIST = "checklist"
CERTIFICATE = "certificate"
LETTER = "letter"


def erasure_folder(reports_dir: Path, request_id: str) -> Path:
    """Return the folder of one request's erasure documents: ``reports/erasure/<id>``."""
    return safe_path(Path(reports_dir), "erasure", request_id)


def checklist_table(lines: list[ChecklistLine]) -> pd.DataFrame:
    """Return the checklist as a table: Where, State, Owner, What is held, What happens, Why."""
    return pd.DataFrame(
        [(x.place, x.state, x.owner, x.held, x.action, x.why) for x in lines],
        columns=["Where", "State", "Owner", "What is held", "What happens", "Why"],
    )


def backups_html(beyond_use: str) -> str:
    """Return the statement on backups (ICO "beyond use"), shown once per document."""
    return f"<h2>Backups: beyond use</h2><p>{escape(beyond_use)}</p>"


def kept_table(lines: list[ChecklistLine]) -> pd.DataFrame:
    """List what stays (kept, or left to staff), with the reason and the owner."""
    kept = [x for x in lines if x.state in (KEPT, BY_HAND)]
    return pd.DataFrame(
        [(x.place, x.held, x.action, x.why, x.owner) for x in kept],
        columns=["What", "Held", "What happens", "Why", "Owner"],
    )


def _details(lines: list[ChecklistLine]) -> str:
    parts = []
    for line in lines:
        if line.items:
            parts.append(f"<h3>{escape(line.place)}</h3>{list_html(line.items)}")
    return "".join(parts)


@dataclass
class Outcome:
    """The facts of an erasure that the certificate and the letter report.

    Built from the erasure register (:func:`mimoto_gov.erasure.certificate.certificate_outcome`),
    so that the documents can be written again at any time and say the same.

    Attributes:
        erasure_id: the completed erasure register entry.
        subject_hash: the keyed hash of the person's address.
        started_at: when the (completed) erasure started.
        finished_at: when Zammad's deletion was verified.
        tasks: every Zammad data-privacy task of the request: Task, Deletes, State.
        checks: what was read back from Zammad.
        deleted: What, How much, Which (the lines deleted and verified).
        lines: every step with its current state.
        done: the steps finished and recorded: Step, Where, Outcome, By, On, What was done.
        kept: the tickets kept by decision: Ticket, Why it is kept, Review on, Decided by.
        recipients: the recipients of the data: Recipient, State, By, On, Note.
        retained: the backups and logs that age out: Copy, Owner, Ages out on.
        received_on: the day the request was received.

    """

    erasure_id: str
    subject_hash: str
    started_at: datetime
    finished_at: datetime
    tasks: pd.DataFrame
    checks: list[str]
    deleted: pd.DataFrame
    lines: list[ChecklistLine] = field(default_factory=list)
    done: pd.DataFrame = field(default_factory=pd.DataFrame)
    kept: pd.DataFrame = field(default_factory=pd.DataFrame)
    recipients: pd.DataFrame = field(default_factory=pd.DataFrame)
    retained: pd.DataFrame = field(default_factory=pd.DataFrame)
    received_on: date | None = None

    @property
    def open_lines(self) -> list[ChecklistLine]:
        """The steps still open."""
        return [x for x in self.lines if x.open]

    @property
    def complete(self) -> bool:
        """Whether every step is done, kept for a reason, not needed, or held nothing."""
        return not self.open_lines


def open_table(lines: list[ChecklistLine]) -> pd.DataFrame:
    """List the open steps: Step (its name for ``erasure done``), Where, Owner, What to do."""
    return pd.DataFrame(
        [(x.key, x.place, x.owner, x.action) for x in lines if x.open],
        columns=["Step", "Where", "Owner", "What to do"],
    )


def checklist_body(
    plan: ErasurePlan, *, identify: bool, note: str = "", level: str = "info"
) -> str:
    """Build the body of the checklist document.

    Args:
        plan: the plan (its ``lines`` are shown as they are).
        identify: name the person (addresses); False once they are erased.
        note: a callout above the table (what this document is, or why an execution failed).
        level: the callout's level (info, warning, action).

    """
    subject = ", ".join(plan.emails) if identify else "the data subject of this request"
    figures = {
        "Request": plan.request_id,
        "Subject": subject,
        "Snapshot of Zammad": format_uk_date(plan.snapshot_time, with_time=True),
        "Checklist made": format_uk_date(plan.planned_at, with_time=True),
        "User records": len(plan.users),
        "Tickets to delete": len(plan.tickets_to_delete),
        "Articles kept on other tickets": len(plan.kept_articles),
    }
    if plan.flags:
        figures["Tickets flagged as possibly to keep"] = len(plan.flags)
        figures["Tickets kept by decision"] = len(plan.kept)
    parts = [key_figures_html(figures, caption="The request")]
    if note:
        parts.append(callout_html(note, level))
    parts.append("<h2>Every place their data lives</h2>")
    parts.append(table_html(checklist_table(plan.lines)))
    parts.append(backups_html(plan.backup_policy.beyond_use))
    parts.append("<h2>Details</h2>")
    parts.append(_details(plan.lines) or "<p>Nothing further to list.</p>")
    return "".join(parts)


def certificate_title(outcome: Outcome, request_id: str) -> str:
    """Return the certificate's title, which says whether it is complete or partial."""
    kind = "complete" if outcome.complete else "partial"
    return f"Certificate of erasure ({kind}): request {request_id}"


def certificate_body(outcome: Outcome, *, request_id: str, beyond_use: str) -> str:
    """Build the certificate of erasure's body: complete, or partial with its open steps."""
    when = format_uk_date(outcome.finished_at, with_time=True)
    statement = (
        f"Mimoto Ltd erased the personal data of the data subject of request {request_id} "
        f"from its Zammad service desk and from the workbook's own copies on {when}. Zammad "
        "was read back afterwards and held nothing of theirs that the erasure covered. What "
        "remains, and why, is listed below. The person is identified here only by the keyed "
        "hash of their address, which cannot be reversed without the workbook's secret key."
    )
    opened = outcome.open_lines
    if outcome.complete:
        verdict = "complete: every step is done, kept for a stated reason, or not needed"
        note = ""
    else:
        verdict = f"partial: {len(opened):,} step(s) still open"
        note = callout_html(
            "This is a partial certificate. The erasure is not finished until every step "
            "below is done or recorded as not needed: record each with `mimoto-gov erasure "
            f"done {request_id} STEP --by NAME` (or --not-needed REASON). A complete "
            "certificate then replaces this one, and the request is closed.",
            "warning",
        )
    figures = {
        "Request": request_id,
        "Erasure register entry": outcome.erasure_id,
        "Keyed hash of the address": outcome.subject_hash,
        "Started": format_uk_date(outcome.started_at, with_time=True),
        "Zammad verified": when,
        "Certificate": verdict,
    }
    parts = [
        f"<p>{escape(statement)}</p>",
        key_figures_html(figures, caption="The erasure"),
    ]
    if not outcome.complete:
        parts += [note, "<h2>Still to do</h2>", table_html(open_table(outcome.lines))]
    parts += [
        "<h2>Deleted</h2>",
        table_html(outcome.deleted),
        "<h2>Zammad data-privacy tasks</h2>",
        table_html(outcome.tasks),
        "<h2>Verified against Zammad</h2>",
        list_html(outcome.checks),
        "<h2>Steps finished</h2>",
        table_html(outcome.done, date_columns=["On"]),
        "<h2>Kept under a legal obligation or for legal claims</h2>",
        table_html(outcome.kept, date_columns=["Review on"])
        if len(outcome.kept)
        else "<p>Staff decided to keep none of the data this erasure covered.</p>",
        "<h2>Recipients of the data (Art. 19)</h2>",
        table_html(outcome.recipients, date_columns=["On"]),
        "<h2>Kept, and why</h2>",
        table_html(kept_table(outcome.lines)),
        backups_html(beyond_use),
        table_html(outcome.retained, date_columns=["Ages out on"]),
        "<h2>The checklist, step by step</h2>",
        table_html(checklist_table(outcome.lines)),
        _details(outcome.lines),
    ]
    return "".join(parts)


def _erased_for_letter(lines: list[ChecklistLine]) -> list[str]:
    """Say what was deleted in Zammad in the person's terms, from the executed lines."""
    items = []
    for line in lines:
        if line.state != VERIFIED:
            continue
        n = len(line.items)
        if line.key == "zammad-users":
            items.append("your account on our service desk" if n == 1 else f"your {n} accounts")
        elif line.key == "zammad-tickets":
            items.append(f"{n:,} support request(s) you made, with every message and attachment")
        elif line.key.startswith("organization-"):
            items.append(
                "your organisation's account (you were its only member), with its "
                f"{n:,} other support request(s)"
            )
    items.append(
        "your address and details in our own copies (snapshots and earlier reports); our "
        "registers keep only a one-way code of your address, so that we never add it again"
    )
    return items


def letter_title(request_id: str) -> str:
    """Return the confirmation letter's title."""
    return f"Confirmation of erasure: your request {request_id}"


def letter_body(outcome: Outcome, *, request_id: str, beyond_use: str) -> str:
    """Build the letter to the person: what was erased, what was kept and why, backups.

    It names nobody: staff send it in reply to the request, from the mailbox the request
    came to, so the workbook never needs the address again.
    """
    received = (
        f" on {format_uk_date(outcome.received_on)}" if outcome.received_on is not None else ""
    )
    erased = (
        f"You asked Mimoto Ltd{received} to erase the personal data we hold about you "
        f"(our reference: {request_id}). We erased it from our service desk (Zammad) on "
        f"{format_uk_date(outcome.finished_at)}, and from our own copies of it, and checked "
        "afterwards that it was gone."
    )
    parts = ["<p>Dear customer,</p>", f"<p>{escape(erased)}</p>", "<h2>What we erased</h2>"]
    parts.append(list_html(_erased_for_letter(outcome.lines)))
    parts.append("<h2>What we kept, and why</h2>")
    if len(outcome.kept):
        parts.append(
            "<p>The law lets us keep some data when we must keep it to meet a legal "
            "obligation or for legal claims (UK GDPR Article 17(3)). We kept:</p>"
        )
        parts.append(
            list_html(
                f"{row['Ticket']}: {row['Why it is kept']} (we look at it again on "
                f"{format_uk_date(row['Review on'])})"
                for row in outcome.kept.to_dict("records")
            )
        )
    else:
        parts.append("<p>We kept none of your correspondence with us.</p>")
    if any(x.key == "zammad-other-tickets" and x.items for x in outcome.lines):
        parts.append(
            "<p>Messages you wrote on other customers' requests stay part of their records; "
            "we remove your name and contact details from them.</p>"
        )
    parts.append("<h2>Backups</h2>")
    parts.append(f"<p>{escape(beyond_use)}</p>")
    if len(outcome.retained):
        parts.append(
            list_html(
                f"{row['Copy']}: gone by {format_uk_date(row['Ages out on'])}"
                for row in outcome.retained.to_dict("records")
            )
        )
    told = outcome.recipients
    if len(told):
        told = told[told["State"] == DONE]
    if len(told):
        parts.append("<h2>Who we told</h2>")
        parts.append(
            "<p>We told those we had shared your data with that it was erased:</p>"
            + list_html(told["Recipient"])
        )
    parts.append(
        "<p>If you are unhappy with how we handled your request, please tell us. You also "
        "have the right to complain to the Information Commissioner's Office (ico.org.uk, "
        "0303 123 1113).</p><p>Yours faithfully,<br>Data protection lead, Mimoto Ltd</p>"
    )
    return "".join(parts)


def write_document(folder: Path, name: str, title: str, body: str, run_info: dict) -> list[Path]:
    """Render ``body`` into ``<folder>/<name>.html`` and ``.pdf`` (both 0600).

    The folder's ``run.json`` then describes this document, so ``reports/index.html`` lists
    the latest document of each request (the certificate once there is one).

    Returns:
        The paths of the HTML and the PDF.

    """
    for level in (folder.parent.parent, folder.parent, folder):
        private_dir(level)
    generated_at = datetime.now(UTC)
    html = render_document(title, body, {**run_info, "generated_at": generated_at.isoformat()})
    html_path = write_text(folder / f"{name}.html", html)
    pdf_path = render_pdf(html, folder / f"{name}.pdf")
    description = {
        "kind": folder.parent.name,
        "run_id": folder.name,
        "title": title,
        "generated_at": generated_at.isoformat(),
        "files": {"html": html_path.name, "pdf": pdf_path.name},
    }
    write_text(folder / "run.json", json.dumps(description, indent=2) + "\n")
    write_index(folder.parent.parent)
    return [html_path, pdf_path]
