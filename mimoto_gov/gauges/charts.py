"""The analytics review's charts: daily views, browsers and countries (matplotlib figures).

Each returns a :class:`~matplotlib.figure.Figure` for ``show_chart``; the bar charts leave out
the folded rows below the suppression threshold, so no small count is drawn.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from mimoto_gov.gauges.analytics_period import AnalyticsPeriod
from mimoto_gov.gauges.tables import browsers, countries

BLUE = "#0072B2"
_THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


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
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    _style(ax, f"Views per day, {period.label}", "Day", "Views")
    for tick in ax.get_xticklabels():
        tick.set_rotation(30)
        tick.set_horizontalalignment("right")
    return figure


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
