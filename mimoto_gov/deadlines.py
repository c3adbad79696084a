"""UK deadline arithmetic: the ICO's calendar month, bank holidays, breach and complaint clocks.

England and Wales share one set of bank holidays. The ``holidays`` package lists them under
the United Kingdom's ``ENG`` subdivision (its ``WLS`` subdivision is identical; a test keeps
that true), including substitute days when Christmas or Boxing Day falls on a weekend and the
one-off days such as the 2022 state funeral and the 2023 coronation.

Dates typed by a person are parsed strictly here too, so that every command reports a bad date
the same way.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import UTC, date, datetime, timedelta

import holidays

from mimoto_gov.errors import InputError
from mimoto_gov.formats import UK_TIME, uk_date  # noqa: F401 (uk_date re-exported)

BREACH_REPORT_HOURS = 72
COMPLAINT_ACK_DAYS = 30
EXTENDED_MONTHS = 3

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$")


@functools.cache
def _bank_holidays() -> holidays.HolidayBase:
    # One object for the process: it fills in years lazily as dates are looked up.
    return holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    """Tell whether ``day`` is a working day: Monday to Friday, not an E&W bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays()


def next_working_day(day: date) -> date:
    """Return ``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_calendar_months(start: date, months: int) -> date:
    """Return the corresponding date ``months`` calendar months on, without holiday rules.

    Where that date does not exist (31 January plus one month), the last day of that month.
    """
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def sar_due_date(received_on: date, *, extended: bool = False) -> date:
    """Return the date a subject rights request must be answered by, per the ICO's guidance.

    The rule, as the ICO's current right-of-access guidance ("What should we consider when
    responding to a request?") states it, in the words of the project's reference
    (uk-privacy-duties.md §1.1):

        "Count from the day you receive the request (or fee / ID), working day or not, to
        the corresponding calendar date in the next month. If there is no such date, the
        deadline is the last day of the next month. If it falls on a weekend or public
        holiday, you have until the next working day."

    An extension "by a further two months" makes the deadline "three months from the
    original start date", counted the same way.

    So: received 3 September, due 3 October; received 31 January, due 28 (or 29) February;
    a due date on a weekend or an England and Wales bank holiday moves to the next working day.

    Args:
        received_on: the day the request (or the identification asked for) was received.
        extended: whether the deadline was extended because the request is complex or one of
            several from the person.

    Returns:
        The due date.

    """
    months = EXTENDED_MONTHS if extended else 1
    return next_working_day(add_calendar_months(received_on, months))


def add_paused_days(due: date, days: int) -> date:
    """Move a calendar due date by ``days`` paused days, then re-apply the working-day rule.

    ``due`` should be the calendar date before any working-day move (see
    :func:`add_calendar_months`): the clock stop adds the days the clock did not run, and the
    result moves to the next working day if it falls on a weekend or bank holiday.
    """
    if days < 0:
        raise ValueError("paused days cannot be negative")
    return next_working_day(due + timedelta(days=days))


def breach_report_deadline(found_at: datetime) -> datetime:
    """When a personal data breach must be reported to the ICO: 72 hours after becoming aware.

    The hours are elapsed hours, so a clock change in between is accounted for. A naive
    ``found_at`` is taken as UK time. The result is in the same time zone as ``found_at``.
    """
    if found_at.tzinfo is None:
        found_at = found_at.replace(tzinfo=UK_TIME)
    deadline = found_at.astimezone(UTC) + timedelta(hours=BREACH_REPORT_HOURS)
    return deadline.astimezone(found_at.tzinfo)


def complaint_ack_deadline(received_on: date) -> date:
    """Return the last day to acknowledge a data protection complaint: 30 days after receipt."""
    return received_on + timedelta(days=COMPLAINT_ACK_DAYS)


def parse_date(text: str, name: str = "date") -> date:
    """Parse a strict ``YYYY-MM-DD`` date typed by a person.

    Args:
        text: what was typed.
        name: how to name the value in the error (e.g. ``--received``).

    Raises:
        InputError: ``--received: '2026-13-01' is not a date (YYYY-MM-DD)``.

    """
    value = (text or "").strip()
    if _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{name}: {text!r} is not a date (YYYY-MM-DD)")


def parse_datetime(text: str, name: str = "time") -> datetime:
    """Parse ``YYYY-MM-DD HH:MM`` (or with a ``T``) typed by a person, as UK local time.

    Raises:
        InputError: naming the value when it is not such a time.

    """
    value = (text or "").strip()
    match = _DATETIME_RE.match(value)
    if match:
        try:
            day = date.fromisoformat(match.group(1))
            hour, minute, second = (int(match.group(i) or 0) for i in (2, 3, 4))
            return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UK_TIME)
        except ValueError:
            pass
    raise InputError(f"{name}: {text!r} is not a time (YYYY-MM-DD HH:MM)")
