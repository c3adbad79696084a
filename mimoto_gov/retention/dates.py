"""Dates of activity shared by the ticket rules and the customer lists.

Dates: a review "as at" a moment only sees records created before it, and a timestamp later
than that moment counts as activity *at* that moment (the record was alive then). So a past
month can be reviewed again from a newer snapshot without tickets looking older than they were.
"""

from __future__ import annotations

import pandas as pd


def as_of_frame(
    frame: pd.DataFrame, as_of: pd.Timestamp, column: str = "created_at"
) -> pd.DataFrame:
    """Keep the rows that existed at ``as_of`` (created before it, or undated)."""
    if column not in frame.columns or frame.empty:
        return frame
    created = frame[column]
    keep = created.isna() | (created < as_of)
    # Filtering copies every column (article bodies included): skip it when nothing goes.
    return frame if keep.all() else frame[keep]


def clip(series: pd.Series, as_of: pd.Timestamp | None) -> pd.Series:
    """Count timestamps later than ``as_of`` as ``as_of`` itself (None: leave them)."""
    # Activity after the review's moment happened, so the ticket was alive then: count it as
    # activity at that moment rather than losing it (which would make the ticket look older).
    if as_of is None:
        return series
    return series.where(series.isna() | (series <= as_of), as_of)


def last_activity(tickets: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.Series:
    """Return the latest of last contact and closing, else creation, for each ticket.

    ``updated_at`` is deliberately left out: Zammad moves it for housekeeping (tags, scheduler
    runs, our own anonymisation), which would restart every clock.
    """
    parts = [
        clip(tickets[c], as_of) for c in ("last_contact_at", "close_at") if c in tickets.columns
    ]
    if parts:
        latest = pd.concat(parts, axis=1).max(axis=1)
    else:
        latest = pd.Series(pd.NaT, index=tickets.index, dtype="datetime64[ns, UTC]")
    return latest.fillna(clip(tickets["created_at"], as_of))


def as_utc(series: pd.Series) -> pd.Series:
    """Return the series as tz-aware UTC timestamps, whatever pandas inferred."""
    # An empty or all-missing column can come out of pandas as plain objects (no rows to
    # infer a type from); the date arithmetic below needs real UTC timestamps.
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series
    return pd.to_datetime(series, utc=True)


def months_between(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Count whole calendar months from each ``start`` to ``end`` (NaN where missing)."""
    start = as_utc(start)
    months = (end.year - start.dt.year) * 12 + (end.month - start.dt.month)
    # A month is only complete once its day (and time) is reached again.
    incomplete = (start.dt.day > end.day) | (
        (start.dt.day == end.day) & (start.dt.strftime("%H%M%S") > end.strftime("%H%M%S"))
    )
    return (months - incomplete.astype(int)).astype("Float64")


def age_text(months: pd.Series) -> pd.Series:
    """Write whole months as text: ``7 years 2 months``, ``11 months``, ``under a month``."""

    def one(value) -> str:
        if pd.isna(value):
            return ""
        value = max(int(value), 0)
        years, rest = divmod(value, 12)
        parts = []
        if years:
            parts.append(f"{years} year" + ("s" if years != 1 else ""))
        if rest:
            parts.append(f"{rest} month" + ("s" if rest != 1 else ""))
        return " ".join(parts) or "under a month"

    return months.map(one).astype(str)
