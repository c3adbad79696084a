"""Zammad customer accounts: staff, inactive accounts, accounts without tickets."""

from __future__ import annotations

import pandas as pd
import pytest

from mimoto_gov.policy.schedule import Period, load_schedule
from mimoto_gov.retention import rules as retention
from tests.helpers.retention import AS_OF, nothing, tickets_frame, write_schedule


@pytest.fixture
def schedule(tmp_path):
    return load_schedule(write_schedule(tmp_path))


# -- customers ------------------------------------------------------------------------------------


@pytest.fixture
def people():
    users = pd.DataFrame(
        {
            "id": [1, 2, 10, 11, 12, 13, 14],
            "email": [
                "",
                "agent@mimoto.example",
                "old@example.com",
                "New@Example.com ",
                "new@example.com",
                None,
                "fresh@example.com",
            ],
            "active": [True, True, False, True, True, True, True],
            "role_ids": ["[3]", "[2]", "[3]", "[3]", "[3]", "[3]", "[3]"],
            "created_at": pd.to_datetime(["2010-01-01"] * 6 + ["2026-10-15"], utc=True),
            "last_login": pd.to_datetime(
                [None, "2026-10-01", None, "2026-10-01", None, None, None], utc=True
            ),
        }
    )
    tickets = tickets_frame(
        [
            {
                "id": 1,
                "state": "closed",
                "customer_id": 10,
                "created_at": "2015-01-01",
                "close_at": "2016-01-01",
            },
            {
                "id": 2,
                "state": "closed",
                "customer_id": 11,
                "created_at": "2015-01-01",
                "close_at": "2016-01-01",
            },
        ]
    )
    articles = pd.DataFrame(
        {
            "id": [1],
            "ticket_id": [1],
            "sender": ["Agent"],
            "from": ["Agent <agent@mimoto.example>"],
            "created_by_id": [2],
        }
    )
    return users, tickets, articles


def test_staff_are_found_by_role_and_by_writing_as_an_agent(people):
    users, _, articles = people
    assert retention.staff_user_ids(users, articles) == {1, 2}
    no_roles = users.drop(columns="role_ids")
    assert retention.staff_user_ids(no_roles, articles.drop(columns="created_by_id")) == {1, 2}


def test_inactive_customers_count_logins_and_ticket_activity(people):
    users, tickets, articles = people
    staff = retention.staff_user_ids(users, articles)
    inactive = retention.inactive_customers(users, tickets, AS_OF, Period(3, "years"), staff)
    # 10: ticket closed 2016, no login; 12 and 13: nothing since 2010; 11 logged in recently.
    assert list(inactive["id"]) == [12, 13, 10]
    assert inactive.set_index("id").loc[10, "tickets"] == 1
    assert inactive.set_index("id").loc[10, "inactive"] == "10 years 10 months"
    assert not inactive.set_index("id").loc[10, "active"]


def test_accounts_without_tickets_leave_out_staff_and_later_accounts(people):
    users, tickets, articles = people
    staff = retention.staff_user_ids(users, articles)
    without = retention.accounts_without_tickets(users, tickets, AS_OF, staff)
    assert list(without["id"]) == [12, 13, 14]
    earlier = retention.accounts_without_tickets(
        users, tickets, pd.Timestamp("2026-10-01T00:00:00Z"), staff
    )
    assert list(earlier["id"]) == [12, 13]  # 14 did not exist yet


def test_one_email_on_several_accounts_ignores_case_and_spaces(people):
    users, _, _ = people
    shared = retention.shared_emails(users)
    assert shared.to_dict("records") == [
        {"email": "new@example.com", "accounts": 2, "user_ids": "11, 12"}
    ]


def test_accounts_before_the_first_ticket_are_still_reviewed(people):
    users, _, articles = people
    staff = retention.staff_user_ids(users, articles)
    no_tickets = nothing("tickets")
    inactive = retention.inactive_customers(users, no_tickets, AS_OF, Period(3, "years"), staff)
    # Nobody has a ticket yet: 10, 12 and 13 have done nothing since their accounts began.
    assert list(inactive["id"]) == [10, 12, 13]
    assert set(inactive["inactive"]) == {"16 years 10 months"}
    assert set(inactive["tickets"]) == {0}
    without = retention.accounts_without_tickets(users, no_tickets, AS_OF, staff)
    assert list(without["id"]) == [10, 11, 12, 13, 14]
    # The month the first accounts were made: accounts, no tickets, nobody inactive yet.
    first_month = pd.Timestamp("2010-02-01T00:00:00Z")
    early = retention.inactive_customers(users, no_tickets, first_month, Period(3, "years"), staff)
    assert early.empty
    assert list(early.columns)[-2:] == ["inactive_months", "inactive"]
    early = retention.accounts_without_tickets(users, no_tickets, first_month, staff)
    assert list(early["id"]) == [10, 11, 12, 13]
