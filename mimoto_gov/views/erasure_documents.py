"""The deletion checklist and the certificate of erasure as HTML and PDF documents.

Both are rendered into ``reports/erasure/<request id>/`` through the house page
(:func:`mimoto_gov.reports.run.render_document`: CSP, print CSS) and WeasyPrint
(:func:`mimoto_gov.reports.run.render_pdf`, data URLs only). Every value is escaped by the
:mod:`mimoto_gov.reports.display` helpers. The dry-run checklist names the person, for the staff who
check it; once the person is erased the checklist is rendered again without identifying them,
and the certificate identifies them only by the request id and the keyed hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.erasure.plan import BY_HAND, KEPT, ChecklistLine, ErasurePlan
from mimoto_gov.reports.display import (
    callout_html,
    format_uk_date,
    key_figures_html,
    list_html,
    table_html,
)
from mimoto_gov.support.files import private_dir, safe_path
from mimoto_gov.support.safe_output import escape

CHECKLIST = "checklist"
CERTIFICATE = "certificate"


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
    """The facts of an execution that the certificate reports."""

    erasure_id: str
    subject_hash: str
    started_at: datetime
    finished_at: datetime
    tasks: pd.DataFrame
    checks: list[str]
    purged: pd.DataFrame
    deleted: pd.DataFrame
    lines: list[ChecklistLine] = field(default_factory=list)


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
    parts = [key_figures_html(figures, caption="The request")]
    if note:
        parts.append(callout_html(note, level))
    parts.append("<h2>Every place their data lives</h2>")
    parts.append(table_html(checklist_table(plan.lines)))
    parts.append(backups_html(plan.backup_policy.beyond_use))
    parts.append("<h2>Details</h2>")
    parts.append(_details(plan.lines) or "<p>Nothing further to list.</p>")
    return "".join(parts)


def certificate_body(outcome: Outcome, *, request_id: str, beyond_use: str) -> str:
    """Build the certificate of erasure's body: what was deleted, verified, purged and kept."""
    statement = (
        f"Mimoto Ltd erased the personal data of the data subject of request {request_id} "
        f"from its Zammad service desk and from the workbook's own copies on "
        f"{format_uk_date(outcome.finished_at, with_time=True)}. Zammad was read back "
        "afterwards and held nothing of theirs that the erasure covered. What remains, and why, "
        "is listed below. The person is identified here only by the keyed hash of their "
        "address, which cannot be reversed without the workbook's secret key."
    )
    figures = {
        "Request": request_id,
        "Erasure register entry": outcome.erasure_id,
        "Keyed hash of the address": outcome.subject_hash,
        "Started": format_uk_date(outcome.started_at, with_time=True),
        "Finished": format_uk_date(outcome.finished_at, with_time=True),
        "Outcome": "completed, verified against Zammad",
    }
    return "".join(
        [
            f"<p>{escape(statement)}</p>",
            key_figures_html(figures, caption="The erasure"),
            "<h2>Deleted</h2>",
            table_html(outcome.deleted),
            "<h2>Zammad data-privacy tasks</h2>",
            table_html(outcome.tasks),
            "<h2>Verified against Zammad</h2>",
            list_html(outcome.checks),
            "<h2>The workbook's own copies</h2>",
            table_html(outcome.purged),
            "<h2>Kept, and why</h2>",
            table_html(kept_table(outcome.lines)),
            backups_html(beyond_use),
            "<h2>The checklist as executed</h2>",
            table_html(checklist_table(outcome.lines)),
            _details(outcome.lines),
        ]
    )


def write_document(folder: Path, name: str, title: str, body: str, run_info: dict) -> list[Path]:
    """Render ``body`` into ``<folder>/<name>.html`` and ``.pdf`` (both 0600).

    The folder's ``run.json`` then describes this document, so ``reports/index.html`` lists
    the latest document of each request (the certificate once there is one).

    Returns:
        The paths of the HTML and the PDF.

    """
    from mimoto_gov.reports.run import render_document, render_pdf, write_index
    from mimoto_gov.support.files import write_text

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
