"""Render the monthly retention review: run its notebook into the reports folder.

``mimoto-gov review`` and the demo call :func:`run_review`, which runs
``notebooks/retention_review.ipynb`` (it builds the review with
:func:`mimoto_gov.views.review.build.build_review`) into
``reports/retention-review/YYYY-MM/retention-review.{ipynb,html,pdf}``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mimoto_gov.formats import month_label, parse_month
from mimoto_gov.inventory import load_inventory
from mimoto_gov.reports.run import run_report
from mimoto_gov.retention import rules as retention
from mimoto_gov.settings import NOTEBOOKS_DIR, load_settings
from mimoto_gov.support.files import private_dir

REPORT_KIND = "retention-review"
REPORT_FILENAME = "retention-review"
NOTEBOOK = NOTEBOOKS_DIR / "retention_review.ipynb"
SUMMARY_FILE = "summary.json"
# `mimoto-gov review` tells the notebook where the report's CSV lists go through this variable
# rather than a parameter, so that a temporary path does not clutter the report's run box.
OUTPUT_ENV = "MIMOTO_GOV_REVIEW_OUTPUT"


@contextlib.contextmanager
def _environment(name: str, value: str):
    # The kernel papermill starts inherits this process's environment.
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def run_review(
    month: str | None = None,
    *,
    data_dir: Path | str | None = None,
    reports_dir: Path | str | None = None,
    schedule_path: Path | str | None = None,
):
    """Render one month's retention review to HTML and PDF.

    Writes ``reports/retention-review/YYYY-MM/retention-review.{ipynb,html,pdf}`` (plus
    ``summary.json``, ``zammad-jobs.json`` and the CSV lists), replacing an earlier run of the
    same month.

    Args:
        month: ``YYYY-MM``; empty or None for the previous calendar month.
        data_dir: the data folder (default: settings).
        reports_dir: the reports folder (default: settings).
        schedule_path: the retention schedule (default: as in
                :func:`mimoto_gov.views.review.build.build_review`).

    Returns:
        The :class:`mimoto_gov.reports.run.ReportRun` with the paths of the outputs.

    Raises:
        InputError, ConfigError, SnapshotError, ReportError: one-line errors.

    """
    month = parse_month(month)
    settings = load_settings()
    data_dir = Path(data_dir) if data_dir else settings.data_dir
    schedule_path = (
        Path(schedule_path)
        if schedule_path
        else retention.default_schedule_path(Path(data_dir) / "policy")
    )
    # Fail here, in one line, rather than inside the notebook's kernel.
    schedule = retention.load_schedule(schedule_path)
    load_inventory(data_dir)
    parameters = {
        "month": month,
        "data_dir": str(Path(data_dir).resolve()),
        "schedule_path": str(Path(schedule_path).resolve()),
    }
    reports_root = private_dir(Path(reports_dir or settings.reports_dir).absolute())
    kind_dir = private_dir(reports_root / REPORT_KIND)
    # The notebook writes its CSV lists and summary.json into a private folder beside the run
    # folders (so "last month" resolves as ../YYYY-MM); they join the run folder once the
    # report has been rendered and swapped in. A failed run leaves nothing behind.
    with (
        tempfile.TemporaryDirectory(dir=kind_dir, prefix=f".{month}.lists.") as extras,
        _environment(OUTPUT_ENV, extras),
    ):
        Path(extras).chmod(0o700)
        result = run_report(
            REPORT_KIND,
            NOTEBOOK,
            month,
            parameters,
            title=f"Retention review: {month_label(month)}",
            reports_dir=reports_root,
            filename=REPORT_FILENAME,
            summary={"schedule_version": schedule.version, "schedule_status": schedule.status},
        )
        for path in sorted(Path(extras).iterdir()):
            path.replace(result.folder / path.name)
    return result
