"""The ticket schedule applied to hand-made frames, and the review's age tables."""

from __future__ import annotations

import pandas as pd
import pytest

from mimoto_gov.policy.schedule import Period, load_schedule
from mimoto_gov.retention import rules as retention
from tests.helpers.retention import AS_OF, nothing, tickets_frame, ts, write_schedule


@pytest.fixture
def schedule(tmp_path):
    return load_schedule(write_schedule(tmp_path))


# -- applying it ------------------------------------------------------------------------------


def test_first_matching_rule_wins_and_periods_count_from_the_right_date(schedule):
    tickets = tickets_frame(
        [
            # merged: last activity 2026-03-01 + 3 months = 2026-06-01 -> past
            {
                "id": 1,
                "state": "merged",
                "created_at": "2026-01-01",
                "last_contact_at": "2026-03-01",
            },
            # Sales + closed: counted from closing 2024-12-01 + 2 years = 2026-12-01 -> not yet
            {
                "id": 2,
                "state": "closed",
                "group": "Sales",
                "created_at": "2020-01-01",
                "close_at": "2024-12-01",
                "last_contact_at": "2020-02-01",
            },
            # closed elsewhere: latest of contact/closing 2020-10-31 + 6 years -> past on 2026-10-31
            {
                "id": 3,
                "state": "closed",
                "created_at": "2015-01-01",
                "close_at": "2020-10-31",
                "last_contact_at": "2019-01-01",
            },
            # exactly on the boundary: due 2026-11-01 00:00 == as_of -> past
            {"id": 4, "state": "closed", "created_at": "2020-11-01", "close_at": "2020-11-01"},
            # the day after the boundary -> not past
            {"id": 5, "state": "closed", "created_at": "2020-11-02", "close_at": "2020-11-02"},
            # open with no activity at all -> default, counted from creation
            {"id": 6, "state": "open", "created_at": "2019-06-01"},
            # created after the review's moment -> not in the review at all
            {"id": 7, "state": "open", "created_at": "2026-11-15"},
        ]
    )
    applied = retention.apply_schedule(tickets, schedule, AS_OF).set_index("id")
    assert 7 not in applied.index
    assert applied.loc[1, "rule"] == "Spam"
    assert applied.loc[2, "rule"] == "Sales closed"
    assert applied.loc[3, "rule"] == "Closed"
    assert applied.loc[6, "rule"] == "Default"
    assert applied.loc[2, "reference"] == ts("2024-12-01")
    assert applied.loc[3, "reference"] == ts("2020-10-31")
    assert applied.loc[6, "reference"] == ts("2019-06-01")
    assert applied.loc[1, "due_on"] == ts("2026-06-01")
    assert applied["past_period"].to_dict() == {
        1: True,
        2: False,
        3: True,
        4: True,
        5: False,
        6: True,
    }
    assert applied.loc[3, "age"] == "6 years"
    assert applied.loc[1, "age"] == "8 months"
    assert applied.loc[6, "action"] == "review"
    due = retention.past_period(retention.apply_schedule(tickets, schedule, AS_OF))
    assert list(due["id"]) == [6, 1, 3, 4]  # longest overdue first
    assert retention.action_counts(applied.reset_index()) == {
        "delete": 1,
        "anonymise": 2,
        "review": 1,
    }


def test_activity_after_the_moment_counts_as_activity_then(schedule):
    # Closed long ago but the customer wrote again after the review's moment: the ticket was
    # alive at that moment, so it must not look six years old.
    tickets = tickets_frame(
        [
            {
                "id": 1,
                "state": "closed",
                "created_at": "2010-01-01",
                "close_at": "2011-01-01",
                "last_contact_at": "2026-11-20",
            }
        ]
    )
    applied = retention.apply_schedule(tickets, schedule, AS_OF)
    assert applied.loc[0, "reference"] == AS_OF
    assert not applied.loc[0, "past_period"]


def test_a_closed_rule_never_ends_for_a_ticket_never_closed(tmp_path):
    path = write_schedule(
        tmp_path,
        """
        version: 1
        rules: [{name: Closed, match: {state: open}, from: closed, period: 1 day, action: delete}]
        default: {period: 6 years, action: review}
        """,
    )
    tickets = tickets_frame([{"id": 1, "state": "open", "created_at": "2000-01-01"}])
    applied = retention.apply_schedule(tickets, load_schedule(path), AS_OF)
    assert pd.isna(applied.loc[0, "due_on"])
    assert not applied.loc[0, "past_period"]


def test_type_is_zammad_ticket_type_else_the_first_article_channel(schedule):
    tickets = tickets_frame(
        [
            {"id": 1, "state": "open", "created_at": "2024-01-01"},
            {"id": 2, "state": "open", "created_at": "2024-01-01"},
            {"id": 3, "state": "open", "created_at": "2024-01-01", "type": "Incident"},
        ]
    )
    tickets.loc[tickets["id"] != 3, "type"] = None
    articles = pd.DataFrame(
        {
            "id": [10, 11, 12, 13],
            "ticket_id": [1, 1, 2, 3],
            "type": ["email", "phone", "phone", "phone"],
            "created_at": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-01"], utc=True
            ),
        }
    )
    assert list(retention.ticket_types(tickets, articles)) == ["email", "phone", "Incident"]
    applied = retention.apply_schedule(tickets, schedule, AS_OF, articles).set_index("id")
    assert applied.loc[2, "rule"] == "Phone"  # counted from creation: 2024 + 1 year -> past
    assert applied.loc[2, "past_period"]
    assert applied.loc[1, "rule"] == "Default"


def test_rule_summary_counts_per_rule_in_schedule_order(schedule):
    tickets = tickets_frame(
        [
            {"id": 1, "state": "removed", "created_at": "2020-01-01"},
            {"id": 2, "state": "removed", "created_at": "2026-10-20"},
            {"id": 3, "state": "closed", "created_at": "2026-01-01"},
        ]
    )
    summary = retention.rule_summary(retention.apply_schedule(tickets, schedule, AS_OF), schedule)
    assert list(summary["rule"]) == ["Spam", "Sales closed", "Closed", "Phone", "Default"]
    assert summary.set_index("rule")["tickets"].to_dict() == {
        "Spam": 2,
        "Sales closed": 0,
        "Closed": 1,
        "Phone": 0,
        "Default": 0,
    }
    assert summary.set_index("rule").loc["Spam", "past_period"] == 1


def test_months_and_age_text():
    starts = pd.Series(pd.to_datetime(["2020-11-01", "2020-11-02", "2026-10-31", None], utc=True))
    months = retention.months_between(starts, AS_OF)
    assert list(months[:3]) == [72, 71, 0]
    assert pd.isna(months[3])
    assert list(retention.age_text(pd.Series([72, 71, 0, 13, 1], dtype="Float64"))) == [
        "6 years",
        "5 years 11 months",
        "under a month",
        "1 year 1 month",
        "1 month",
    ]


# -- age tables ---------------------------------------------------------------------------------


def test_age_tables_have_every_bucket_and_totals():
    tickets = tickets_frame(
        [
            {"id": 1, "state": "closed", "created_at": "2019-05-01", "close_at": "2019-06-01"},
            {"id": 2, "state": "closed", "created_at": "2019-05-01", "close_at": "2026-09-01"},
            {"id": 3, "state": "open", "created_at": "2026-10-01", "last_contact_at": "2026-08-02"},
            {"id": 4, "state": "open", "created_at": "2024-10-31", "group": "Sales"},
        ]
    )
    by_year = retention.tickets_by_year_created(tickets, "state")
    assert by_year.loc["2019", "closed"] == 2
    assert by_year.loc["Total", "Total"] == 4
    assert list(by_year.index) == ["2019", "2024", "2026", "Total"]
    by_activity = retention.tickets_by_inactivity(tickets, AS_OF, "group")
    assert list(by_activity.index) == [label for _, label in retention.ACTIVITY_BUCKETS] + ["Total"]
    assert (
        by_activity.loc["under 3 months", "Total"] == 2
    )  # 1 Sep and (clipped) 2 Aug 2026 + 3 months > AS_OF
    assert by_activity.loc["2 to 3 years", "Sales"] == 1  # 31 Oct 2024: just over two years
    assert by_activity.loc["6 years or more", "Support"] == 1
    assert by_activity.loc["1 to 2 years", "Total"] == 0


def test_many_groups_are_folded_into_other():
    tickets = tickets_frame(
        [
            {"id": i, "state": "open", "group": f"G{i % 12}", "created_at": "2025-01-01"}
            for i in range(1, 40)
        ]
    )
    table = retention.tickets_by_year_created(tickets, "group", limit=5)
    assert "other" in table.columns
    assert len(table.columns) == 5 + 2
    assert table.loc["Total", "Total"] == 39


# -- nothing held yet -----------------------------------------------------------------------------


def test_every_figure_copes_with_a_zammad_holding_nothing(schedule):
    tickets, articles, users = nothing("tickets"), nothing("articles"), nothing("users")
    applied = retention.apply_schedule(tickets, schedule, AS_OF, articles)
    assert applied.empty
    assert {"rule", "due_on", "past_period", "age_months", "age"} <= set(applied.columns)
    assert retention.action_counts(applied) == {"delete": 0, "anonymise": 0, "review": 0}
    assert retention.past_period(applied).empty
    rules = retention.rule_summary(applied, schedule)
    assert list(rules["rule"]) == [rule.name for rule in schedule.all_rules]
    assert rules["tickets"].sum() == 0
    assert retention.tickets_by_year_created(tickets, "group").empty
    assert retention.tickets_by_inactivity(tickets, AS_OF, "state").empty
    assert retention.staff_user_ids(users, articles) == {1}
    for listing in (
        retention.inactive_customers(users, tickets, AS_OF, Period(3, "years"), {1}),
        retention.accounts_without_tickets(users, tickets, AS_OF, {1}),
        retention.shared_emails(users, AS_OF),
    ):
        assert listing.empty
    activity = retention.customer_activity(users, tickets, AS_OF)
    assert activity.empty
    assert isinstance(activity["last_activity"].dtype, pd.DatetimeTZDtype)


def test_months_between_an_empty_column_and_a_moment():
    for empty in (pd.Series([], dtype=object), nothing("users")["created_at"]):
        months = retention.months_between(empty, AS_OF)
        assert months.empty
        assert str(months.dtype) == "Float64"
    assert retention.age_text(retention.months_between(nothing("users")["last_login"], AS_OF)).empty
