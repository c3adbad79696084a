"""The analytics section of the monthly review, and the anonymity audit of a period.

:func:`analytics_for_month` gives the monthly retention review its analytics section (traffic,
pages, browsers, countries and the audit of the month), or ``None`` when no export covers the
month; :func:`audit_for_period` audits the imported exports of some months for the policy's
commitments. The tables are in :mod:`.tables`, the charts in :mod:`.charts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from mimoto_gov.gauges.analytics_period import AnalyticsPeriod, hosts_or_settings
from mimoto_gov.gauges.audit import SUPPRESS_BELOW, AuditResult, audit
from mimoto_gov.gauges.charts import traffic_chart
from mimoto_gov.gauges.periods import month_span
from mimoto_gov.gauges.store import load_store
from mimoto_gov.gauges.tables import FEWER, browsers, countries, popular_pages, traffic_by_month


def audit_period(period: AnalyticsPeriod) -> AuditResult:
    """Return the anonymity audit of the period's tables."""
    return audit(period.data, helpdesk_hosts=period.helpdesk_hosts, period=period.label)


def audit_for_period(
    date_from: str,
    date_to: str,
    data_dir: Path | str | None = None,
    helpdesk_hosts: Iterable[str] | None = None,
) -> AuditResult | None:
    """Return the anonymity audit of the imported exports for ``date_from``..``date_to``.

    Args:
        date_from: first month, ``YYYY-MM``.
        date_to: last month (inclusive).
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` when None).
        helpdesk_hosts: the service desk's host names (the host of ``ZAMMAD_URL`` in the
            settings when None).

    Returns:
        The audit, or ``None`` when no imported export covers the period (the bundled
        sample is never audited in place of real data).

    """
    start, end = month_span(date_from, date_to)
    data = load_store(data_dir).between(start, end)
    if data.is_empty:
        return None
    period = AnalyticsPeriod(
        data=data,
        date_from=date_from,
        date_to=date_to,
        source="imported Gaug.es exports",
        helpdesk_hosts=hosts_or_settings(helpdesk_hosts),
    )
    return audit_period(period)


@dataclass(frozen=True)
class MonthSummary:
    """The analytics section of a monthly review.

    Attributes:
        month: ``YYYY-MM``.
        views: views in the month (None when no traffic was exported).
        people: the month's unique people (None when not exported).
        traffic: :func:`traffic_by_month` for the month.
        pages: :func:`popular_pages`.
        browsers: :func:`browsers`.
        countries: :func:`countries`.
        audit: the anonymity audit of the month.
        period: the loaded period (for the charts).

    """

    month: str
    views: int | None
    people: int | None
    traffic: pd.DataFrame
    pages: pd.DataFrame
    browsers: pd.DataFrame
    countries: pd.DataFrame
    audit: AuditResult
    period: AnalyticsPeriod

    def headline(self) -> str:
        """One sentence: traffic and the audit's verdict."""
        if self.views is None:
            traffic = "No traffic totals were exported for the month."
        elif self.views < SUPPRESS_BELOW:
            traffic = f"The site had {FEWER} views."
        else:
            traffic = f"The site had {self.views:,} views"
            if self.people is not None and self.people >= SUPPRESS_BELOW:
                traffic += f" from {self.people:,} unique people"
            traffic += "."
        return f"{traffic} {self.audit.headline()}"

    def chart(self) -> Figure:
        """Daily views in the month."""
        return traffic_chart(self.period)


def analytics_for_month(
    month: str,
    data_dir: Path | str | None = None,
    helpdesk_hosts: Iterable[str] | None = None,
) -> MonthSummary | None:
    """Return the analytics section for the monthly review, or None when no export covers ``month``.

    Args:
        month: ``YYYY-MM``.
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` when None). The bundled
            sample is never used here.
        helpdesk_hosts: the service desk's host names (the host of ``ZAMMAD_URL`` in the
            settings when None).

    """
    start, end = month_span(month, month)
    data = load_store(data_dir).between(start, end)
    if data.is_empty:
        return None
    period = AnalyticsPeriod(
        data=data,
        date_from=month,
        date_to=month,
        source="imported Gaug.es exports",
        helpdesk_hosts=hosts_or_settings(helpdesk_hosts),
    )
    monthly = data.traffic_monthly
    views = int(monthly["views"].sum()) if not monthly.empty else None
    people = (
        int(monthly["people"].iloc[0])
        if len(monthly) == 1 and monthly["people"].notna().all()
        else None
    )
    return MonthSummary(
        month=month,
        views=views,
        people=people,
        traffic=traffic_by_month(period),
        pages=popular_pages(period),
        browsers=browsers(period),
        countries=countries(period),
        audit=audit_period(period),
        period=period,
    )
