"""The analytics review: ``notebooks/analytics_review.ipynb`` rendered for a period.

Popular pages, browsers, countries and traffic for the months asked, then the anonymity
audit (:mod:`mimoto_gov.gauges.audit`). Used by ``mimoto-gov analytics review`` and the demo.
"""

from __future__ import annotations

from pathlib import Path

from mimoto_gov.errors import InputError
from mimoto_gov.gauges.periods import month_span
from mimoto_gov.gauges.store import load_store
from mimoto_gov.reports.run import ReportRun, run_report
from mimoto_gov.settings import NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "analytics_review.ipynb"
# The notebook's data_dir parameter that selects the bundled synthetic sample.
SAMPLE = "sample"


def render_analytics_review(
    date_from: str, date_to: str, data_dir: Path | str, reports_dir: Path
) -> ReportRun:
    """Render the analytics review for ``date_from``..``date_to`` (``YYYY-MM``, inclusive).

    Args:
        date_from: the first month.
        date_to: the last month.
        data_dir: the data folder holding the imported Gaug.es tables, or :data:`SAMPLE`.
        reports_dir: where the report goes (``<reports>/analytics/FROM_TO/``).

    Returns:
        The rendered :class:`~mimoto_gov.reports.run.ReportRun`.

    Raises:
        InputError: a malformed month, or no imported data covering the period.

    """
    start, end = month_span(date_from, date_to)
    if data_dir != SAMPLE:
        if load_store(Path(data_dir)).between(start, end).is_empty:
            raise InputError(
                f"no imported Gaug.es data covers {date_from} to {date_to}: run "
                "`mimoto-gov analytics import PATH...` first (or --sample for the sample)"
            )
        # Absolute: the notebook's kernel runs in notebooks/, where a relative path is wrong.
        data_dir = str(Path(data_dir).resolve())
    return run_report(
        "analytics",
        NOTEBOOK,
        f"{date_from}_{date_to}",
        {"date_from": date_from, "date_to": date_to, "data_dir": data_dir},
        title=f"Analytics review, {date_from} to {date_to}",
        reports_dir=reports_dir,
    )
