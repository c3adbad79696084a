"""The analytics review's tables and charts, with small counts suppressed.

The privacy policy says the statistics are used "to see which of our web pages are popular,
which browsers are used, and which countries people are based in". Each function here
answers one of those questions for a period, as a frame or a figure ready for
:mod:`mimoto_gov.reports.display`. Every count below :data:`SUPPRESS_BELOW` (5) is folded into an
"other" row, and an "other" row that is itself below 5 shows as "fewer than 5", so no
published cell could single out a visitor (gauges-api.md §10.7). Paths lose their query
string and every label is masked (:func:`.redact.mask_text`).

:func:`analytics_for_month` gives the monthly retention review its analytics section, or
``None`` when no export covers the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from mimoto_gov.gauges.audit import SUPPRESS_BELOW, AuditResult, audit
from mimoto_gov.gauges.frames import GaugesData
from mimoto_gov.gauges.loaders import load_exports
from mimoto_gov.gauges.periods import month_label, month_span, parse_month
from mimoto_gov.gauges.redact import mask_text, strip_query
from mimoto_gov.gauges.store import load_store, readable_tables_dir
from mimoto_gov.settings import PROJECT_DIR, load_settings

SAMPLE_DIR = PROJECT_DIR / "data" / "samples" / "gauges"
FEWER = f"fewer than {SUPPRESS_BELOW}"
BLUE = "#0072B2"
_THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


@dataclass(frozen=True)
class AnalyticsPeriod:
    """The Gaug.es tables for a period, and where they came from.

    Attributes:
        data: the tables, already limited to the period.
        date_from: first month, ``YYYY-MM``.
        date_to: last month, ``YYYY-MM``.
        source: a sentence saying where the data came from.
        is_sample: True when the bundled synthetic sample stands in for imported exports.
        helpdesk_hosts: the service desk's host (from ``ZAMMAD_URL``) for the audit.

    """

    data: GaugesData
    date_from: str
    date_to: str
    source: str
    is_sample: bool = False
    helpdesk_hosts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The period as readers see it: ``Jul 2026 to Oct 2026``."""
        start, end = parse_month(self.date_from), parse_month(self.date_to)
        if start == end:
            return month_label(start)
        return f"{month_label(start)} to {month_label(end)}"


def _helpdesk_hosts() -> tuple[str, ...]:
    url = load_settings().zammad_url
    if not url:
        return ()
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    return (host,) if host else ()


def load_period(
    date_from: str, date_to: str, data_dir: Path | str | None = None
) -> AnalyticsPeriod:
    """Load the imported Gaug.es tables for ``date_from``..``date_to`` (``YYYY-MM``).

    Args:
        date_from: first month.
        date_to: last month (inclusive).
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` when None), or the string
            ``"sample"`` for the bundled synthetic sample. When nothing has been imported the
            sample is used and :attr:`AnalyticsPeriod.is_sample` says so.

    Raises:
        InputError: a month is malformed or the range runs backwards.

    """
    start, end = month_span(date_from, date_to)
    use_sample = str(data_dir) == "sample"
    data = GaugesData() if use_sample else load_store(data_dir)
    folder = None if use_sample else readable_tables_dir(data_dir)
    if use_sample or data.is_empty:
        data = load_exports([SAMPLE_DIR])
        source = (
            "the bundled synthetic sample (data/samples/gauges): no Gaug.es exports have been "
            "imported into this workbook yet, so these figures are illustrative, not Mimoto's"
        )
        is_sample = True
    else:
        source = f"Gaug.es exports imported into {folder}"
        is_sample = False
    return AnalyticsPeriod(
        data=data.between(start, end),
        date_from=date_from,
        date_to=date_to,
        source=source,
        is_sample=is_sample,
        helpdesk_hosts=_helpdesk_hosts(),
    )


def source_note(period: AnalyticsPeriod) -> str:
    """Return a sentence on what the figures cover and where they come from."""
    months = period.data.months()
    covered = ", ".join(month_label(pd.Timestamp(m)) for m in months) or "no month"
    return (
        f"Period: {period.label}. Data: {period.source}. Months with data: {covered}. "
        f"Counts below {SUPPRESS_BELOW} are folded into 'other' rows or shown as '{FEWER}'."
    )


def coverage(period: AnalyticsPeriod) -> pd.DataFrame:
    """Return what each question of the policy can be answered from: months and rows per table."""
    questions = [
        ("Traffic over time", "traffic_daily"),
        ("Popular pages", "content"),
        ("Browsers", "browsers"),
        ("Countries", "countries"),
        ("Where visitors came from", "referrers"),
        ("Search terms", "terms"),
    ]
    rows = []
    for question, table in questions:
        months = period.data.months(table)
        rows.append(
            {
                "Question": question,
                "Table": table,
                "Months": ", ".join(month_label(pd.Timestamp(m)) for m in months) or "none",
                "Rows": len(period.data.table(table)),
            }
        )
    return pd.DataFrame(rows)


def suppress_small(
    frame: pd.DataFrame,
    label: str,
    *,
    other: str,
    top: int | None = None,
    threshold: int = SUPPRESS_BELOW,
) -> pd.DataFrame:
    """Fold rows with fewer than ``threshold`` views (and rows past ``top``) into one row.

    Args:
        frame: rows with a ``label`` column and an integer ``Views`` column, any order.
        label: the label column.
        other: the label of the folded row, e.g. ``"Other pages"``.
        top: keep at most this many rows before the folded one.
        threshold: the smallest count shown as a number.

    Returns:
        ``label``, ``Views`` and ``Share``: views as whole numbers, or ``"fewer than 5"``
        where a folded row is itself below the threshold; share as text like ``"12.5%"``.

    """
    total = int(frame["Views"].sum()) if not frame.empty else 0
    ordered = frame.sort_values(["Views", label], ascending=[False, True])
    keep = ordered[ordered["Views"] >= threshold]
    if top is not None:
        keep = keep.head(top)
    folded = ordered.drop(index=keep.index)
    rows = [{label: row[label], "Views": int(row["Views"])} for _, row in keep.iterrows()]
    if not folded.empty:
        rows.append({label: f"{other} ({len(folded):,})", "Views": int(folded["Views"].sum())})
    result = pd.DataFrame(rows, columns=[label, "Views"])
    shares = [f"{v / total:.1%}" if total and v >= threshold else FEWER for v in result["Views"]]
    result["Views"] = [v if v >= threshold else FEWER for v in result["Views"]]
    result["Share"] = shares
    return result


def traffic_by_month(period: AnalyticsPeriod) -> pd.DataFrame:
    """Return views and unique people per month.

    People is the month's own unique count; it is never a sum of daily people (a returning
    visitor counts once a day), so months exported only as daily rows show "not exported".
    """
    monthly = period.data.traffic_monthly.sort_values("month")
    daily = period.data.traffic_daily
    several = monthly["gauge_id"].nunique() > 1
    gauges = period.data.gauges
    titles = dict(zip(gauges["gauge_id"], gauges["title"], strict=False))
    rows = []
    for row in monthly.itertuples(index=False):
        in_month = daily["date"].dt.to_period("M") == pd.Timestamp(row.month).to_period("M")
        days = daily[in_month & (daily["gauge_id"] == row.gauge_id)]
        views = int(row.views) if pd.notna(row.views) else 0
        people = row.people
        rows.append(
            {
                "Month": month_label(row.month),
                "Views": views if views >= SUPPRESS_BELOW else FEWER,
                "Unique people": (
                    "not exported"
                    if pd.isna(people)
                    else (int(people) if people >= SUPPRESS_BELOW else FEWER)
                ),
                "Days with data": len(days),
                "Exported as": Path(str(row.source_file)).suffix.lstrip(".").upper() or "-",
            }
        )
        if several:
            rows[-1] = {"Site": titles.get(row.gauge_id, row.gauge_id), **rows[-1]}
    columns = ["Month", "Views", "Unique people", "Days with data", "Exported as"]
    return pd.DataFrame(rows, columns=["Site", *columns] if several else columns)


def _style(ax, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def traffic_chart(period: AnalyticsPeriod) -> Figure:
    """Daily views over the period, as a line (a figure for ``show_chart``)."""
    daily = period.data.traffic_daily.sort_values("date")
    figure = Figure(figsize=(8, 3.2), layout="constrained")
    ax = figure.subplots()
    if daily.empty:
        ax.text(0.5, 0.5, "No traffic exported for this period", ha="center", va="center")
        ax.set_axis_off()
        return figure
    ax.plot(daily["date"], daily["views"].astype(float), color=BLUE, linewidth=1.4)
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    from matplotlib.dates import DateFormatter

    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    _style(ax, f"Views per day, {period.label}", "Day", "Views")
    for tick in ax.get_xticklabels():
        tick.set_rotation(30)
        tick.set_horizontalalignment("right")
    return figure


def popular_pages(period: AnalyticsPeriod, top: int = 10) -> pd.DataFrame:
    """Return the most viewed pages of the period (query strings dropped, labels masked)."""
    content = period.data.content
    if content.empty:
        return pd.DataFrame(columns=["Page", "Title", "Views", "Share"])
    frame = pd.DataFrame(
        {
            "Page": content["path"].fillna("").map(strip_query).map(mask_text),
            "Title": content["title"].fillna("").map(mask_text),
            "Views": content["views"].fillna(0).astype(int),
        }
    )
    titles = frame.groupby("Page")["Title"].agg(lambda t: t.mode().iat[0] if len(t) else "")
    views = frame.groupby("Page", as_index=False)["Views"].sum()
    result = suppress_small(views, "Page", other="Other pages", top=top)
    result.insert(1, "Title", result["Page"].map(titles).fillna(""))
    return result


def _views_by_title(
    frame: pd.DataFrame, label: str, other: str, top: int | None = None
) -> pd.DataFrame:
    # Keyed rows (browsers, platforms, countries) summed by title, the key when untitled.
    views = (
        frame.assign(**{label: frame["title"].fillna(frame["key"]).fillna("Unknown")})
        .groupby(label, as_index=False)["views"]
        .sum()
        .rename(columns={"views": "Views"})
    )
    return suppress_small(views, label, other=other, top=top)


def browsers(period: AnalyticsPeriod) -> pd.DataFrame:
    """Return views per browser over the period."""
    return _views_by_title(period.data.browsers, "Browser", "Other browsers")


def platforms(period: AnalyticsPeriod) -> pd.DataFrame:
    """Return views per operating system over the period."""
    return _views_by_title(period.data.platforms, "Platform", "Other platforms")


def countries(period: AnalyticsPeriod, top: int = 15) -> pd.DataFrame:
    """Return views per country over the period (regions are never published: too small)."""
    return _views_by_title(period.data.countries, "Country", "Other countries", top=top)


def _bar_chart(table: pd.DataFrame, label: str, title: str) -> Figure:
    shown = table[table["Views"].map(lambda v: isinstance(v, int))]
    figure = Figure(figsize=(7, 0.45 * max(len(shown), 2) + 1), layout="constrained")
    ax = figure.subplots()
    if shown.empty:
        ax.text(0.5, 0.5, "Nothing to show for this period", ha="center", va="center")
        ax.set_axis_off()
        return figure
    labels = list(shown[label])[::-1]
    values = list(shown["Views"])[::-1]
    ax.barh(range(len(values)), values, color=BLUE)
    ax.set_yticks(range(len(values)), labels)
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _style(ax, title, "Views", "")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    return figure


def browsers_chart(period: AnalyticsPeriod) -> Figure:
    """Return views per browser as horizontal bars (folded rows below 5 are left out)."""
    return _bar_chart(browsers(period), "Browser", f"Browsers, {period.label}")


def countries_chart(period: AnalyticsPeriod) -> Figure:
    """Return views per country as horizontal bars (folded rows below 5 are left out)."""
    return _bar_chart(countries(period), "Country", f"Countries, {period.label}")


def audit_period(period: AnalyticsPeriod) -> AuditResult:
    """Return the anonymity audit of the period's tables."""
    return audit(period.data, helpdesk_hosts=period.helpdesk_hosts, period=period.label)


def audit_for_period(
    date_from: str, date_to: str, data_dir: Path | str | None = None
) -> AuditResult | None:
    """Return the anonymity audit of the imported exports for ``date_from``..``date_to``.

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
        helpdesk_hosts=_helpdesk_hosts(),
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


def analytics_for_month(month: str, data_dir: Path | str | None = None) -> MonthSummary | None:
    """Return the analytics section for the monthly review, or None when no export covers ``month``.

    Args:
        month: ``YYYY-MM``.
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` when None). The bundled
            sample is never used here.

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
        helpdesk_hosts=_helpdesk_hosts(),
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
