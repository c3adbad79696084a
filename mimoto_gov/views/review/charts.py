"""Charts for the monthly retention review, built with matplotlib.

Every chart has a title, labelled axes, counts with thousands separators and a legend when
there is more than one series; dates are in UK form. Figures are returned, not shown: the
notebook hands each one to :func:`mimoto_gov.reports.display.show_chart`.

The figures are plain :class:`~matplotlib.figure.Figure` objects, not pyplot ones: pyplot
would keep every figure alive (memory in a long run) and a notebook's inline backend would
draw each a second time at the end of its cell.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

# A colour-blind-safe palette (Okabe and Ito), then greys for "other" and "(none)".
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
    "#BBBBBB",
)
_THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")
# Figures are about 10 inches wide and printed at about 7: larger type stays readable on A4.
_STYLE = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 10}


def _body(table: pd.DataFrame) -> pd.DataFrame:
    # The tables carry a Total row and column for reading; charts stack the parts only.
    body = table.drop(index="Total", errors="ignore").drop(columns="Total", errors="ignore")
    return body.astype(int)


def _stacked(ax, body: pd.DataFrame, *, horizontal: bool = False) -> None:
    bottom = pd.Series(0, index=body.index, dtype=int)
    positions = range(len(body.index))
    for colour, column in zip(PALETTE * 3, body.columns, strict=False):
        values = body[column]
        if horizontal:
            ax.barh(positions, values, left=bottom, color=colour, label=str(column))
        else:
            ax.bar(positions, values, bottom=bottom, color=colour, label=str(column), width=0.8)
        bottom = bottom + values
    labels = [str(i) for i in body.index]
    axis = ax.yaxis if horizontal else ax.xaxis
    axis.set_ticks(list(positions))
    axis.set_ticklabels(labels)
    counts = ax.xaxis if horizontal else ax.yaxis
    counts.set_major_locator(MaxNLocator(integer=True))
    counts.set_major_formatter(_THOUSANDS)
    ax.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _age_chart(
    by_year: pd.DataFrame, by_inactivity: pd.DataFrame, *, by: str = "state", as_of_text: str = ""
) -> Figure:
    # Drawn inside the house style; see age_chart.
    figure = Figure(figsize=(11, 4.4), layout="constrained")
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    year_body = _body(by_year)
    activity_body = _body(by_inactivity)
    _stacked(left, year_body)
    left.set_title("Tickets by year created")
    left.set_xlabel("Year the ticket was created")
    left.set_ylabel("Number of tickets")
    if len(year_body.index) > 8:
        left.tick_params(axis="x", labelrotation=45)
    _stacked(right, activity_body, horizontal=True)
    right.invert_yaxis()
    right.set_title("Tickets by time since last activity")
    right.set_xlabel("Number of tickets")
    right.set_ylabel("Time since last activity")
    handles, labels = left.get_legend_handles_labels()
    if labels:
        figure.legend(
            handles,
            labels,
            title=f"Ticket {by}",
            loc="outside right upper",
            frameon=False,
        )
    subtitle = f" (as at {as_of_text})" if as_of_text else ""
    figure.suptitle(f"Age of the tickets held, split by {by}{subtitle}", fontsize=12)
    return figure


def _rules_chart(rules: pd.DataFrame) -> Figure:
    frame = rules.set_index("rule")
    body = pd.DataFrame(
        {
            "within the period": frame["tickets"] - frame["past_period"],
            "past the period": frame["past_period"],
        }
    )
    figure = Figure(figsize=(10, 0.55 * len(body) + 1.6), layout="constrained")
    ax = figure.subplots()
    bottom = pd.Series(0, index=body.index)
    positions = range(len(body))
    for colour, column in zip(("#56B4E9", "#D55E00"), body.columns, strict=True):
        ax.barh(positions, body[column], left=bottom, color=colour, label=column)
        bottom = bottom + body[column]
    for position, (due, total) in enumerate(
        zip(frame["past_period"], frame["tickets"], strict=True)
    ):
        ax.annotate(
            f"{due:,} of {total:,} past",
            (total, position),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(list(positions))
    ax.set_yticklabels(
        [f"{name} ({action})" for name, action in zip(frame.index, frame["action"], strict=True)]
    )
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.set_xlabel("Number of tickets")
    ax.set_ylabel("Retention rule (action)")
    ax.set_title("Tickets per retention rule: within and past the period")
    ax.margins(x=0.18)
    figure.legend(
        *ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False
    )
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return figure


def _pii_chart(counts: pd.DataFrame) -> Figure:
    body = counts.set_index("Kind")[["In titles", "In subjects", "In bodies"]]
    body.columns = ["ticket titles", "article subjects", "article bodies"]
    figure = Figure(figsize=(10, 3.6), layout="constrained")
    ax = figure.subplots()
    _stacked(ax, body, horizontal=True)
    ax.invert_yaxis()
    ax.set_title("Personal data found in ticket text, by kind")
    ax.set_xlabel("Number of findings")
    ax.set_ylabel("Kind of personal data")
    figure.legend(
        *ax.get_legend_handles_labels(), title="Found in", loc="outside right upper", frameon=False
    )
    return figure


def age_chart(
    by_year: pd.DataFrame, by_inactivity: pd.DataFrame, *, by: str = "state", as_of_text: str = ""
) -> Figure:
    """Chart tickets by year created and by time since last activity, split by ``by``.

    Args:
        by_year: :func:`mimoto_gov.retention.rules.tickets_by_year_created` (with its totals).
        by_inactivity: :func:`mimoto_gov.retention.rules.tickets_by_inactivity` (with its totals).
        by: what the bars are split by (``state`` or ``group``), for the legend's title.
        as_of_text: the review's date in words, for the title.

    Returns:
        The figure: two bar charts side by side.

    """
    with matplotlib.rc_context(_STYLE):
        return _age_chart(by_year, by_inactivity, by=by, as_of_text=as_of_text)


def rules_chart(rules: pd.DataFrame) -> Figure:
    """Chart each retention rule's tickets within and past their period.

    Args:
        rules: :func:`mimoto_gov.retention.rules.rule_summary`.

    Returns:
        The figure: one horizontal bar per rule.

    """
    with matplotlib.rc_context(_STYLE):
        return _rules_chart(rules)


def pii_chart(counts: pd.DataFrame) -> Figure:
    """Chart personal-data findings by kind, split by where they were found.

    Args:
        counts: the review's ``pii_counts()`` table (``Kind, In titles, In subjects, In bodies``).

    Returns:
        The figure: one horizontal bar per kind.

    """
    with matplotlib.rc_context(_STYLE):
        return _pii_chart(counts)


def noted_if_empty(figure: Figure, empty: bool, note: str) -> Figure:
    """Write ``note`` across each of the figure's axes when there was nothing to draw."""
    # An empty chart would look broken: say in it why there are no bars.
    if empty:
        for axes in figure.axes:
            axes.text(
                0.5, 0.5, note, transform=axes.transAxes, ha="center", va="center", fontsize=12
            )
    return figure
