"""Months and UK formats for the retention review: ``YYYY-MM`` months, dates, figures, tables.

Everything the review shows passes through here, so the report speaks in UK dates (UK time),
thousands separators and masked addresses.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from mimoto_gov.errors import InputError

# Every date and time a person reads is in UK time (GMT or BST).
UK_TIME = ZoneInfo("Europe/London")

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# --------------------------------------------------------------------------------------------
# Months


def previous_month(today: date | None = None) -> str:
    """Return the calendar month before ``today`` (UK time) as ``YYYY-MM``.

    Counted from the first of this month minus one day: "one month ago" on 31 March would be
    3 March, still in March.
    """
    today = today or datetime.now(UK_TIME).date()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def parse_month(month: str | None, today: date | None = None) -> str:
    """Check a ``YYYY-MM`` month; empty or None means the previous calendar month.

    Raises:
        InputError: one line naming the bad value, or a month that has not begun.

    """
    if month is None or not str(month).strip():
        return previous_month(today)
    text = str(month).strip()
    match = _MONTH_RE.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        raise InputError(f"month {text!r} is not a month like 2026-10 (YYYY-MM)")
    today = today or datetime.now(UK_TIME).date()
    if date(int(match.group(1)), int(match.group(2)), 1) > today:
        raise InputError(f"month {text} has not begun yet: nothing to review")
    return text


def month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the start of a month and of the next one (UK midnight), in UTC."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UK_TIME)
    end_day = date(year, number, calendar.monthrange(year, number)[1]) + timedelta(days=1)
    end = datetime(end_day.year, end_day.month, 1, tzinfo=UK_TIME)
    return pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")


def month_label(month: str) -> str:
    """Write ``2026-10`` as ``October 2026``."""
    year, number = (int(part) for part in month.split("-"))
    return f"{calendar.month_name[number]} {year}"


def month_before(month: str) -> str:
    """Return the month before a ``YYYY-MM`` month."""
    year, number = (int(part) for part in month.split("-"))
    return previous_month(date(year, number, 1) + timedelta(days=1))


# --------------------------------------------------------------------------------------------
# UK formats

# Missing values in reports are shown as an en dash.
MISSING = "–"


def is_missing(value: Any) -> bool:
    """Return True for None, NaN, NaT and pandas' missing values."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_timestamp(value: Any) -> pd.Timestamp | None:
    """Return a date-like value as a Timestamp in UK time, or None when it is not one."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        stamp = value
    elif isinstance(value, dt.datetime | dt.date | str | int | float) and not isinstance(
        value, bool
    ):
        if isinstance(value, int | float):
            return None
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            return None
    else:
        return None
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(UK_TIME)
    return stamp


def format_uk_date(value: Any, *, with_time: bool = False) -> str:
    """Format a date or timestamp the UK way: ``26 Nov 2026`` (or ``26 Nov 2026 14:05``).

    Time-zone-aware values are shown in UK local time. Missing values give an en dash.

    Args:
        value: a ``date``, ``datetime``, pandas ``Timestamp`` or ISO string.
        with_time: add the time of day (hours and minutes).

    Returns:
        The formatted date, or the value as text when it is not a date.

    """
    stamp = to_timestamp(value)
    if stamp is None:
        return MISSING if is_missing(value) else str(value)
    text = f"{stamp.day} {stamp:%b %Y}"
    return f"{text} {stamp:%H:%M}" if with_time else text


def format_number(value: Any, decimals: int = 0) -> str:
    """Format a number with thousands separators: ``12,345`` or ``1,234.5``."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or decimals == 0:
        return f"{round(value):,}"
    return f"{value:,.{decimals}f}"


def uk_date(value: Any) -> str:
    """Format a timestamp as ``1 Nov 2026`` (UK time), empty when missing."""
    if value is None or pd.isna(value):
        return ""
    return format_uk_date(value)


def uk_datetime(value: Any) -> str:
    """Format a timestamp as ``1 Nov 2026 06:15 GMT`` (UK time), empty when missing."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    stamp = stamp.tz_convert(UK_TIME)
    return f"{stamp.day} {stamp:%b %Y %H:%M %Z}"


def uk_dates(series: pd.Series) -> pd.Series:
    """Format a column of timestamps as ``1 Nov 2026`` (UK time), empty when missing."""
    # Vectorised, for lists of tens of thousands of rows.
    if series.empty:
        return series.astype(str)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.map(uk_date).astype(str)
    stamps = series.dt.tz_convert(UK_TIME) if series.dt.tz is not None else series
    text = stamps.dt.strftime("%d %b %Y").str.removeprefix("0")
    return text.fillna("").astype(str)


def thousands(value: Any) -> str:
    """Format an integer with thousands separators (``12,345``)."""
    return f"{int(value):,}"


def size_text(size: int) -> str:
    """Format bytes in words: ``1.2 GB (1,234,567,890 bytes)``."""
    size = int(size)
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{size / factor:,.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"


# --------------------------------------------------------------------------------------------
# Report tables


def labelled(table: pd.DataFrame, index_name: str) -> pd.DataFrame:
    """Return ``table`` with its index as a first column named ``index_name``."""
    table = table.copy()
    table.index.name = index_name
    return table.reset_index()


def comparison(rows, now: dict, before: dict, sizes: set | frozenset = frozenset()):
    """Tabulate figures now, last month and the change, for ``(label, key)`` rows.

    Keys in ``sizes`` are byte counts, shown in words (:func:`size_text`).
    """
    out = []
    for label, key in rows:
        current = now.get(key)
        previous = before.get(key)
        show = size_text if key in sizes else thousands
        if previous is None:
            change = ""
        else:
            delta = int(current) - int(previous)
            change = "no change" if delta == 0 else f"{delta:+,}"
            if key in sizes and delta:
                change = ("+" if delta > 0 else "-") + size_text(abs(delta))
        out.append(
            {
                "": label,
                "Now": show(current),
                "Last month": "" if previous is None else show(previous),
                "Change": change,
            }
        )
    return pd.DataFrame(out)
