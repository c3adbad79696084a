"""The analytics review's tables, with small counts suppressed.

The privacy policy says the statistics are used "to see which of our web pages are popular,
which browsers are used, and which countries people are based in". Each function here
answers one of those questions for a period, as a frame ready for
:mod:`mimoto_gov.reports.display`. Every count below :data:`SUPPRESS_BELOW` (5) is folded into an
"other" row, and an "other" row that is itself below 5 shows as "fewer than 5", so no
published cell could single out a visitor (gauges-api.md §10.7). Paths lose their query
string and every label is masked (:func:`.redact.mask_text`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.gauges.analytics_period import AnalyticsPeriod
from mimoto_gov.gauges.audit import SUPPRESS_BELOW
from mimoto_gov.gauges.periods import month_label
from mimoto_gov.gauges.redact import mask_text, strip_query

FEWER = f"fewer than {SUPPRESS_BELOW}"


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
