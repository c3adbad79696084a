"""The monthly retention review: gather every figure once, hand each section to the notebook.

``notebooks/retention_review.ipynb`` builds one
:class:`~mimoto_gov.views.review.core.RetentionReview` with :func:`build_review` and then shows
one table or chart per cell from its sections (``review.holdings.age_chart("state")``...);
``mimoto-gov review`` runs that notebook through :func:`run_review` into
``reports/retention-review/YYYY-MM/retention-review.{ipynb,html,pdf}``.

A review is "as at" the end of its month (midnight UK time at the start of the next month),
or the snapshot's time if that is earlier. Each run writes ``summary.json`` beside the report;
next month's review compares itself with it ("what changed"). When there is no earlier
summary, last month's figures are rebuilt from the current snapshot and labelled as such.

The package's modules, each importing only those listed before it:

- :mod:`~mimoto_gov.views.review.model`: the month's data and memo (:class:`ReviewData`);
- one module per section of the report: :mod:`~mimoto_gov.views.review.holdings`,
  :mod:`~mimoto_gov.views.review.schedule`, :mod:`~mimoto_gov.views.review.personal_data`,
  :mod:`~mimoto_gov.views.review.customers`, :mod:`~mimoto_gov.views.review.governance`,
  :mod:`~mimoto_gov.views.review.output` (and the matplotlib charts in ``charts``);
- :mod:`~mimoto_gov.views.review.summary`: the figures, actions and headline;
- :mod:`~mimoto_gov.views.review.core`: :class:`RetentionReview`, the sections together;
- this module: :func:`build_review`; and :mod:`~mimoto_gov.views.review.report` renders the
  notebook.

The months and UK formats are in :mod:`mimoto_gov.formats` and the cached scan for personal
data in :mod:`mimoto_gov.pii.cache`; the public names used with a review are importable from
here too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.errors import SnapshotError
from mimoto_gov.formats import (
    month_before,
    month_bounds,
    month_label,
    parse_month,
    previous_month,
    size_text,
    thousands,
    uk_date,
    uk_datetime,
)
from mimoto_gov.inventory import load_inventory
from mimoto_gov.pii.cache import scan_inventory
from mimoto_gov.retention import rules as retention
from mimoto_gov.retention.approval import load_approved_schedule
from mimoto_gov.retention.approval import schedule_path as schedule_path_for
from mimoto_gov.retention.customers import placeholder_user_id
from mimoto_gov.settings import PROJECT_DIR, load_settings
from mimoto_gov.views.review.core import RetentionReview
from mimoto_gov.views.review.personal_data import (
    KIND_LABELS,
    KIND_NOUNS,
    PLACE_LABELS,
    SENSITIVE_KINDS,
)
from mimoto_gov.views.review.report import (
    NOTEBOOK,
    OUTPUT_ENV,
    REPORT_FILENAME,
    REPORT_KIND,
    SUMMARY_FILE,
    run_review,
)

__all__ = [
    "KIND_LABELS",
    "KIND_NOUNS",
    "NOTEBOOK",
    "OUTPUT_ENV",
    "REPORT_FILENAME",
    "REPORT_KIND",
    "SUMMARY_FILE",
    "PLACE_LABELS",
    "SENSITIVE_KINDS",
    "RetentionReview",
    "build_review",
    "month_before",
    "month_bounds",
    "month_label",
    "parse_month",
    "previous_month",
    "run_review",
    "scan_inventory",
    "size_text",
    "thousands",
    "uk_date",
    "uk_datetime",
]


def _previous_summary(month: str, output_dir: Path | None, reports_dir: Path | None) -> dict | None:
    previous = month_before(month)
    candidates = []
    if output_dir is not None:
        candidates.append(Path(output_dir).parent / previous / SUMMARY_FILE)
    if reports_dir is not None:
        candidates.append(Path(reports_dir) / REPORT_KIND / previous / SUMMARY_FILE)
    for path in candidates:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("month") == previous:
            return data
    return None


def _project_default(path: Path) -> Path:
    # JupyterLab and nbval run a notebook's kernel in notebooks/, the commands run in the
    # project folder: a relative default such as ./data that does not exist here is taken
    # from the project folder, so the notebook opened by hand finds the same snapshot.
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    in_project = PROJECT_DIR / path
    return in_project if in_project.exists() else path


def build_review(
    month: str | None = None,
    *,
    data_dir: Path | str | None = None,
    schedule_path: Path | str | None = None,
    output_dir: Path | str | None = None,
    reports_dir: Path | str | None = None,
    inventory: Any = None,
) -> RetentionReview:
    """Compute one month's retention review from the local snapshot.

    Args:
        month: ``YYYY-MM``; empty or None for the previous calendar month.
        data_dir: the workbook's data folder (default: settings, ``MIMOTO_GOV_DATA``).
        schedule_path: the retention schedule (default: ``<data>/policy/retention.yml``, else
            the repository's copy).
        output_dir: the report's folder, where CSVs and ``summary.json`` go (default: the
            ``MIMOTO_GOV_REVIEW_OUTPUT`` variable set by :func:`run_review`; else nowhere).
        reports_dir: where earlier reviews are (default: settings, ``MIMOTO_GOV_REPORTS``).
        inventory: an already loaded inventory (else :func:`mimoto_gov.inventory.load_inventory`).

    Returns:
        The :class:`RetentionReview`.

    Raises:
        InputError: a malformed month.
        ConfigError: a malformed schedule.
        SnapshotError: no snapshot to review.

    """
    month = parse_month(month)
    settings = load_settings()
    data_dir = Path(data_dir) if data_dir else _project_default(settings.data_dir)
    reports_dir = Path(reports_dir) if reports_dir else _project_default(settings.reports_dir)
    schedule_path = schedule_path_for(data_dir, schedule_path)
    schedule = load_approved_schedule(data_dir, schedule_path)
    if inventory is None:
        inventory = load_inventory(data_dir)
    snapshot_time = getattr(inventory, "snapshot_time", None)
    snapshot_time = pd.Timestamp(snapshot_time) if snapshot_time is not None else None
    if snapshot_time is not None and snapshot_time.tzinfo is None:
        snapshot_time = snapshot_time.tz_localize("UTC")
    start, end = month_bounds(month)
    as_of = end if snapshot_time is None else min(end, snapshot_time)
    if snapshot_time is not None and snapshot_time < start:
        raise SnapshotError(
            f"the snapshot was taken on {uk_datetime(snapshot_time)}, before {month_label(month)}"
            " began: run `mimoto-gov pull` first"
        )
    output_dir = output_dir or os.environ.get(OUTPUT_ENV) or None
    output_dir = Path(output_dir) if output_dir else None

    tickets = retention.as_of_frame(inventory.tickets, as_of)
    articles = retention.as_of_frame(inventory.articles, as_of)
    placeholder_id = placeholder_user_id(inventory.users)
    applied = retention.apply_schedule(tickets, schedule, as_of, articles, placeholder_id)
    findings, stats = scan_inventory(
        tickets,
        articles,
        Path(data_dir) / "cache",
        keep=(inventory.tickets, inventory.articles),
    )
    staff = retention.staff_user_ids(inventory.users, inventory.articles)

    previous = _previous_summary(month, output_dir, reports_dir)
    source = f"Last month's figures are from the {month_label(month_before(month))} review."
    review = RetentionReview(
        month=month,
        as_of=as_of,
        snapshot_time=snapshot_time,
        schedule=schedule,
        schedule_path=schedule_path,
        inventory=inventory,
        applied=applied,
        findings=findings,
        scan_stats=stats,
        staff=staff,
        previous=previous,
        previous_source=source,
        output_dir=output_dir,
        data_dir=Path(data_dir),
        reports_dir=Path(reports_dir),
    )
    # Filtering half a million articles is not free: hand over what was filtered already.
    review.cache.update(tickets=tickets, articles=articles)
    if previous is None:
        review.previous = _rebuilt_previous(review)
        review.previous_source = (
            f"No saved review for {month_label(month_before(month))} was found, so last month's "
            "figures were rebuilt from the current snapshot as it stood at the end of that "
            "month (tickets deleted since then cannot be counted)."
        )
    return review


def _rebuilt_previous(review: RetentionReview) -> dict:
    previous_month_ = month_before(review.month)
    as_of = min(month_bounds(previous_month_)[1], review.as_of)
    tickets = retention.as_of_frame(review.tickets, as_of)
    # Only the columns the figures need: the bodies are big and were scanned already.
    slim = review.articles[
        [c for c in ("id", "ticket_id", "created_at", "type") if c in review.articles]
    ]
    articles = retention.as_of_frame(slim, as_of)
    keep = ((review.findings["source"] == "ticket") & review.findings["id"].isin(tickets["id"])) | (
        (review.findings["source"] == "article") & review.findings["id"].isin(articles["id"])
    )
    earlier = RetentionReview(
        month=previous_month_,
        as_of=as_of,
        snapshot_time=review.snapshot_time,
        schedule=review.schedule,
        schedule_path=review.schedule_path,
        inventory=review.inventory,
        applied=retention.apply_schedule(
            tickets, review.schedule, as_of, articles, placeholder_user_id(review.inventory.users)
        ),
        findings=review.findings[keep],
        scan_stats={"scanned": 0, "reused": 0},
        staff=review.staff,
        previous=None,
        previous_source="",
        data_dir=review.data_dir,
    )
    earlier.cache.update(tickets=tickets, articles=articles)
    return earlier.summary()
