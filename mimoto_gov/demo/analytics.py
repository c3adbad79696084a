"""The analytics job in the demo: a live pull from the local Gaug.es sandbox, then the review.

:func:`demo_step` starts the Gaug.es-compatible sandbox (:mod:`.sandbox`, clean synthetic
data) on a free port, pulls the month the retention review covers and the month before
through the real client, exactly as ``mimoto-gov analytics pull`` does, imports the saved
responses and renders the analytics review. The sandbox's token is made up for the run and
handed to the client in memory: it is never printed or written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mimoto_gov.gauges.client import GaugesClient, pull
from mimoto_gov.gauges.store import import_exports, raw_dir
from mimoto_gov.gauges.summary import analytics_for_month
from mimoto_gov.reports.run import ReportRun
from mimoto_gov.sandbox.gauges.server import running_sandbox
from mimoto_gov.views.analytics_review import render_analytics_review
from mimoto_gov.views.review.build import month_before, month_label, previous_month


@dataclass(frozen=True)
class AnalyticsDemo:
    """What the demo's analytics step did.

    Attributes:
        date_from: the first month pulled (``YYYY-MM``).
        date_to: the last month pulled: the retention review's month.
        files: the response files saved under ``<data>/gauges/raw``.
        report: the analytics review (HTML and PDF).
        sandbox: the stopped Gaug.es sandbox (its state lists the requests it answered).

    """

    date_from: str
    date_to: str
    files: list[Path]
    report: ReportRun
    sandbox: Any


def _month_line(month: str, data_dir: Path) -> str:
    """Say the review month's traffic and the anonymity audit's verdict in a few words."""
    summary = analytics_for_month(month, data_dir)
    if summary is None:
        return f"nothing imported for {month_label(month)}"
    views = f"{summary.views:,} views" if summary.views is not None else "no traffic totals"
    high = sum(finding.severity == "high" for finding in summary.audit.findings)
    rows = sum(summary.audit.checked.values())
    verdict = (
        f"{high:,} high-severity finding(s) in the anonymity audit"
        if high
        else f"no personal data in {rows:,} rows audited"
    )
    return f"{month_label(month)}: {views}, {verdict}"


def demo_step(run) -> None:
    """Pull two months from the local Gaug.es sandbox, import them and render the review.

    Args:
        run: the :class:`mimoto_gov.demo.run.DemoRun` (its settings name the data and reports).

    """
    data_dir, reports_dir = run.settings.data_dir, run.settings.reports_dir
    date_to = previous_month()
    date_from = month_before(date_to)
    token = secrets.token_urlsafe(24)
    run.say("")
    with running_sandbox(token=token) as server:
        run.say(
            f"Pulling Gaug.es analytics for {month_label(date_from)} and {month_label(date_to)} "
            f"from the local sandbox at {server.url} ..."
        )
        with GaugesClient(token, server.url, backoff=0) as client:
            pulled = pull(client, date_from, date_to, raw_dir(data_dir))
    import_exports(pulled.files, data_dir)
    report = render_analytics_review(date_from, date_to, data_dir, reports_dir)
    run.say(
        f"  {len(pulled.files):,} responses saved and imported; {_month_line(date_to, data_dir)}"
    )
    run.results["analytics"] = AnalyticsDemo(date_from, date_to, pulled.files, report, server)
    run.output("Analytics review (HTML)", report.html)
    run.output("Analytics review (PDF)", report.pdf)
