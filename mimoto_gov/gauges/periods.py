"""Months as the analytics work with them: ``YYYY-MM`` strings in, date ranges out."""

from __future__ import annotations

import calendar
import re
from datetime import date

import pandas as pd

from mimoto_gov.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str, *, name: str = "month") -> date:
    """Parse ``YYYY-MM`` into the first day of that month.

    Raises:
        InputError: the text is not a valid ``YYYY-MM`` month (the message names ``name``).

    """
    match = _MONTH.match(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InputError(f"{name} must be a month written YYYY-MM, e.g. 2026-10 (got {text!r})")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_span(date_from: str, date_to: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of ``date_from`` and first day after ``date_to`` (an exclusive end).

    Raises:
        InputError: a month is malformed, or the range runs backwards.

    """
    start = parse_month(date_from, name="--from")
    end = parse_month(date_to, name="--to")
    if end < start:
        raise InputError(f"--to ({date_to}) is before --from ({date_from})")
    return pd.Timestamp(start), pd.Timestamp(end) + pd.offsets.MonthBegin(1)


def months_between(date_from: str, date_to: str) -> list[date]:
    """Every month from ``date_from`` to ``date_to`` inclusive, as first days."""
    start, end = month_span(date_from, date_to)
    return [ts.date() for ts in pd.date_range(start, end, freq="MS", inclusive="left")]


def month_label(month: date | pd.Timestamp) -> str:
    """Return a month as a reader sees it: ``Oct 2026``."""
    return pd.Timestamp(month).strftime("%b %Y")


def month_days(month_start: date) -> list[date]:
    """Every day of the month starting on ``month_start``."""
    last = calendar.monthrange(month_start.year, month_start.month)[1]
    return [month_start.replace(day=d) for d in range(1, last + 1)]
