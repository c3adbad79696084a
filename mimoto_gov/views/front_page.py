"""The top of ``reports/index.html``: what is due, and where the policy's promises stand.

:func:`due_frame` turns the due list (:func:`mimoto_gov.registers.due.collect_due`) into a
plain table; :func:`front_sections` adds the commitments' status
(:func:`mimoto_gov.commitments.evaluate.check_commitments`); :func:`refresh_index` hands both to
:func:`mimoto_gov.reports.index.write_index`, which keeps them at the top of the index until
the next refresh. ``mimoto-gov due`` refreshes it on every run.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.commitments.evaluate import NOT_MET, check_commitments, status_counts
from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import MimotoGovError
from mimoto_gov.registers.due import DueItem
from mimoto_gov.reports.index import FrontSection, write_index

DUE_COLUMNS = ["due", "days left", "register", "entry", "what", "detail"]
COMMITMENT_COLUMNS = ["promise", "status", "action", "owner"]


def days_left_text(item: DueItem, today: date, now: datetime) -> str:
    """Return the days left, or how long overdue: ``3``, ``OVERDUE by 2 day(s)``."""
    if not item.overdue(now):
        return str(item.days_left(today))
    late = -item.days_left(today)
    return f"OVERDUE by {late} day(s)" if late > 0 else "OVERDUE"


def due_frame(items: list[DueItem], today: date, now: datetime) -> pd.DataFrame:
    """Return the due list as a table of text: due, days left (or OVERDUE), entry, what."""
    rows = [
        {
            "due": item.due_text(),
            "days left": days_left_text(item, today, now),
            "register": item.register,
            "entry": item.record_id,
            "what": item.what,
            "detail": item.detail,
        }
        for item in items
    ]
    return pd.DataFrame(rows, columns=DUE_COLUMNS)


def due_summary(items: list[DueItem], within: int, now: datetime) -> str:
    """Say in a sentence how many items are overdue and how many are coming."""
    overdue = sum(item.overdue(now) for item in items)
    coming = len(items) - overdue
    return (
        f"{overdue:,} overdue, {coming:,} due within {within} days "
        f"(as at {uk_date(now.astimezone(UK_TIME).date())} {now.astimezone(UK_TIME):%H:%M})."
    )


def _due_section(items: list[DueItem], within: int, today: date, now: datetime) -> FrontSection:
    overdue = any(item.overdue(now) for item in items)
    return FrontSection(
        heading="Due",
        text=due_summary(items, within, now),
        table=due_frame(items, today, now),
        level="action" if overdue else "info",
    )


def _commitments_section(data_dir: Path, reports_dir: Path, today: date) -> FrontSection:
    try:
        table = check_commitments(data_dir=data_dir, reports_dir=reports_dir, today=today)
    except MimotoGovError as error:
        return FrontSection("Commitments", f"The commitments could not be checked: {error}", None)
    counts = status_counts(table)
    text = ", ".join(f"{n:,} {status}" for status, n in counts.items()) + "."
    return FrontSection(
        heading="Commitments",
        text=f"The privacy policy's promises on {uk_date(today)}: {text}",
        table=table[COMMITMENT_COLUMNS],
        level="warning" if counts.get(NOT_MET) else "info",
    )


def front_sections(
    items: list[DueItem],
    *,
    within: int,
    data_dir: Path,
    reports_dir: Path,
    today: date,
    now: datetime,
) -> list[FrontSection]:
    """Compose the index's opening: the due list, then the commitments' status."""
    return [
        _due_section(items, within, today, now),
        _commitments_section(Path(data_dir), Path(reports_dir), today),
    ]


def refresh_index(
    items: list[DueItem],
    *,
    within: int,
    data_dir: Path,
    reports_dir: Path,
    today: date,
    now: datetime,
) -> Path:
    """Rewrite ``reports/index.html`` opening with the due list and the commitments."""
    sections = front_sections(
        items, within=within, data_dir=data_dir, reports_dir=reports_dir, today=today, now=now
    )
    return write_index(reports_dir, front=sections)
