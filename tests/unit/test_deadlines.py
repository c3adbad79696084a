"""The ICO's calendar-month rule, England and Wales bank holidays, breach and complaint clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

import mimoto_gov
from mimoto_gov.deadlines import (
    UK_TIME,
    add_calendar_months,
    add_paused_days,
    breach_report_deadline,
    complaint_ack_deadline,
    is_working_day,
    next_working_day,
    parse_date,
    parse_datetime,
    sar_due_date,
)
from mimoto_gov.errors import InputError


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # The ICO's own example: received 3 September, due 3 October (a Friday in 2025).
        (date(2025, 9, 3), date(2025, 10, 3)),
        # No 31 February: the last day of next month, in common and leap years.
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2023, 1, 30), date(2023, 2, 28)),
        (date(2024, 1, 29), date(2024, 2, 29)),
        # No 31 April or 31 June.
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 5, 31), date(2025, 6, 30)),
        # Across the year end.
        (date(2025, 12, 15), date(2026, 1, 15)),
        # Received on a Saturday: the count still starts that day.
        (date(2026, 9, 5), date(2026, 10, 5)),
    ],
)
def test_one_calendar_month_from_the_day_of_receipt(received, due):
    assert sar_due_date(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # 28 Feb 2026 is a Saturday: Monday 2 March.
        (date(2026, 1, 31), date(2026, 3, 2)),
        # 4 Oct 2026 is a Sunday.
        (date(2026, 9, 4), date(2026, 10, 5)),
        # 3 Oct 2026 is a Saturday.
        (date(2026, 9, 3), date(2026, 10, 5)),
    ],
)
def test_a_weekend_moves_to_the_next_working_day(received, due):
    assert sar_due_date(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Good Friday 3 Apr 2026, then the weekend, then Easter Monday 6 Apr.
        (date(2026, 3, 3), date(2026, 4, 7)),
        # Easter Monday 6 Apr 2026 itself.
        (date(2026, 3, 6), date(2026, 4, 7)),
        # 29 Mar 2024 was Good Friday; Easter Monday 1 Apr.
        (date(2024, 2, 29), date(2024, 4, 2)),
        # Early May bank holiday, Monday 4 May 2026.
        (date(2026, 4, 4), date(2026, 5, 5)),
        # One-off bank holidays: the 2022 state funeral and the 2023 coronation.
        (date(2022, 8, 19), date(2022, 9, 20)),
        (date(2023, 4, 8), date(2023, 5, 9)),
    ],
)
def test_bank_holidays_move_the_due_date(received, due):
    assert sar_due_date(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # 2026: Christmas Friday, Boxing Day Saturday, substitute Monday 28 Dec.
        (date(2026, 11, 25), date(2026, 12, 29)),
        (date(2026, 11, 26), date(2026, 12, 29)),
        # 2027: both fall on the weekend; substitutes Monday 27 and Tuesday 28 Dec.
        (date(2027, 11, 25), date(2027, 12, 29)),
        (date(2027, 11, 27), date(2027, 12, 29)),
        # 2032: Christmas Saturday, Boxing Day Sunday; substitutes 27 and 28 Dec.
        (date(2032, 11, 25), date(2032, 12, 29)),
        (date(2032, 11, 26), date(2032, 12, 29)),
        # New Year's Day 2028 is a Saturday: substitute Monday 3 Jan.
        (date(2027, 12, 1), date(2028, 1, 4)),
    ],
)
def test_christmas_and_new_year_substitute_days(received, due):
    assert sar_due_date(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Three months from the same start, under the same rules.
        (date(2025, 9, 3), date(2025, 12, 3)),
        (date(2025, 1, 31), date(2025, 4, 30)),
        # 28 Feb 2027 is a Sunday.
        (date(2026, 11, 30), date(2027, 3, 1)),
        # Leap year: 29 Feb 2028 exists (a Tuesday).
        (date(2027, 11, 30), date(2028, 2, 29)),
        # 25 Dec 2027 + weekend + two substitute days.
        (date(2027, 9, 25), date(2027, 12, 29)),
    ],
)
def test_extension_is_three_months_from_the_start(received, due):
    assert sar_due_date(received, extended=True) == due


def test_sar_due_date_is_public_and_quotes_the_rule():
    assert mimoto_gov.sar_due_date is sar_due_date
    doc = sar_due_date.__doc__
    assert "corresponding calendar date in the next month" in doc
    assert "last day of the next month" in doc
    assert "next working day" in doc


def test_add_calendar_months_clamps_to_the_month_end():
    assert add_calendar_months(date(2026, 8, 31), 1) == date(2026, 9, 30)
    assert add_calendar_months(date(2026, 10, 31), 4) == date(2027, 2, 28)
    assert add_calendar_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


def test_paused_days_are_added_then_the_working_day_rule_applies_again():
    # Received 3 Sep 2025: calendar due Friday 3 Oct. One paused day lands on Saturday.
    calendar_due = add_calendar_months(date(2025, 9, 3), 1)
    assert add_paused_days(calendar_due, 0) == date(2025, 10, 3)
    assert add_paused_days(calendar_due, 1) == date(2025, 10, 6)
    assert add_paused_days(calendar_due, 5) == date(2025, 10, 8)
    with pytest.raises(ValueError, match="negative"):
        add_paused_days(calendar_due, -1)


def test_working_days():
    assert is_working_day(date(2026, 11, 26))  # a Thursday
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 24)
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)


def test_england_and_wales_share_their_bank_holidays():
    years = range(2020, 2036)
    england = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    scotland = holidays.country_holidays("GB", subdiv="SCT", years=years)
    assert set(england) == set(wales)
    # Scotland differs (2 January, St Andrew's Day), so the subdivision matters.
    assert set(england) != set(scotland)


def test_breach_deadline_is_72_elapsed_hours_across_a_clock_change():
    # Clocks went forward on Sunday 29 March 2026.
    found = datetime(2026, 3, 27, 10, 0, tzinfo=UK_TIME)
    deadline = breach_report_deadline(found)
    assert deadline == datetime(2026, 3, 30, 11, 0, tzinfo=UK_TIME)
    assert deadline.astimezone(UTC) - found.astimezone(UTC) == timedelta(hours=72)
    # A naive time is UK time.
    assert breach_report_deadline(datetime(2026, 3, 27, 10, 0)) == deadline


def test_complaint_acknowledgement_is_due_within_30_days():
    assert complaint_ack_deadline(date(2026, 9, 1)) == date(2026, 10, 1)
    assert complaint_ack_deadline(date(2027, 2, 10)) == date(2027, 3, 12)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "26-01-01", "1/2/2026", "", "today"])
def test_dates_are_parsed_strictly(text):
    with pytest.raises(InputError) as caught:
        parse_date(text, "--received")
    assert str(caught.value) == f"--received: {text!r} is not a date (YYYY-MM-DD)"


def test_times_are_parsed_as_uk_time():
    assert parse_date(" 2026-02-28 ", "--on") == date(2026, 2, 28)
    moment = parse_datetime("2026-07-01 09:30", "--found-at")
    assert moment.utcoffset() == timedelta(hours=1)  # BST
    assert parse_datetime("2026-01-01T09:30:15", "--at").second == 15
    with pytest.raises(InputError, match="--at: '2026-01-01 24:00' is not a time"):
        parse_datetime("2026-01-01 24:00", "--at")
