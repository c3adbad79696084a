"""The retention schedule: loading and checking it, and applying it to hand-made frames."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
import yaml

from mimoto_gov.errors import ConfigError
from mimoto_gov.retention import rules as retention
from mimoto_gov.retention.rules import Period

AS_OF = pd.Timestamp("2026-11-01T00:00:00Z")


def ts(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC") if text else pd.NaT


def tickets_frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "title": "t",
        "customer_id": 100,
        "organization_id": None,
        "updated_at": "2026-10-01",
        "close_at": None,
        "last_contact_at": None,
        "group": "Support",
    }
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["number"] = frame["id"].map(lambda i: f"3{i:04d}")
    for column in ("created_at", "updated_at", "close_at", "last_contact_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


SCHEDULE = textwrap.dedent(
    """
    version: "t-1"
    status: proposed
    owner: Data protection lead
    published_policy: The policy says "stored indefinitely".
    rules:
      - name: Spam
        match: {state: [removed, merged]}
        period: 3 months
        action: delete
        reason: spam
      - name: Sales closed
        match: {group: sales, state: closed}
        period: 2 years
        from: closed
        action: delete
      - name: Closed
        match: {state: Closed}
        period: 6 years
        action: anonymise
      - name: Phone
        match: {type: phone}
        period: 1 year
        from: created
        action: review
    default:
      period: 6 years
      action: review
    customers:
      inactive_after: 3 years
    """
)


@pytest.fixture
def schedule(tmp_path):
    path = tmp_path / "retention.yml"
    path.write_text(SCHEDULE)
    return retention.load_schedule(path)


def write(tmp_path, text: str):
    path = tmp_path / "retention.yml"
    path.write_text(textwrap.dedent(text))
    return path


# -- the schedule file ------------------------------------------------------------------------


def test_the_repository_schedule_loads_and_says_indefinitely():
    schedule = retention.load_schedule(retention.repository_schedule_path())
    assert schedule.version
    assert schedule.status in ("proposed", "approved")
    assert "indefinitely" in schedule.published_policy
    assert schedule.default.name == "Default"
    assert {rule.action for rule in schedule.all_rules} <= set(retention.ACTIONS)
    assert all(rule.reason for rule in schedule.all_rules), "every rule states its reason"
    raw = yaml.safe_load(retention.repository_schedule_path().read_text())
    assert len(schedule.rules) == len(raw["rules"])


def test_schedule_fields(schedule):
    assert schedule.version == "t-1"
    assert not schedule.approved
    assert [r.name for r in schedule.all_rules] == [
        "Spam",
        "Sales closed",
        "Closed",
        "Phone",
        "Default",
    ]
    assert schedule.rules[1].measure_from == "closed"
    assert schedule.rules[1].describe_match() == "group sales; state closed"
    assert schedule.default.describe_match() == "every other ticket"
    assert schedule.inactive_after == Period(3, "years")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6 years", Period(6, "years")),
        ("1 year", Period(1, "years")),
        (" 18  Months ", Period(18, "months")),
        ("90 days", Period(90, "days")),
    ],
)
def test_periods_parse(text, expected):
    assert Period.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["six years", "6", "0 years", "-1 years", "6 yrs", "", None, "2.5 years"]
)
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError, match="is not like"):
        Period.parse(text)


def test_period_text():
    assert str(Period(1, "years")) == "1 year"
    assert str(Period(18, "months")) == "18 months"
    assert Period(3, "months").zammad_range == "month"


BAD_SCHEDULES = [
    ("version: [1\nrules: [", "not valid YAML at line"),
    ("- a list", "expected a mapping"),
    ("rules: []\ndefault: {period: 6 years, action: review}", "'version' is missing"),
    ("version: 1\nrules: []", "'default' is missing"),
    (
        "version: 1\nretention: 2\ndefault: {period: 6 years, action: review}",
        "unknown key 'retention'",
    ),
    ("version: 1\nstatus: maybe\ndefault: {period: 6 years, action: review}", "status 'maybe'"),
    ("version: 1\nstatus: approved\ndefault: {period: 6 years, action: review}", "approved_on"),
    (
        "version: 1\nrules: {a: 1}\ndefault: {period: 6 years, action: review}",
        "'rules' must be a list",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: closed}, period: 6 yrs, action: delete}]\n"
        "default: {period: 6 years, action: review}",
        "rule 1 ('A'): period '6 yrs'",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: closed}, period: 6 years, action: shred}]\n"
        "default: {period: 6 years, action: review}",
        "action 'shred' must be one of delete, anonymise, review",
    ),
    (
        "version: 1\nrules: [{name: A, match: {priority: high}, period: 6 years, action: delete}]\n"
        "default: {period: 6 years, action: review}",
        "unknown match key 'priority'",
    ),
    (
        "version: 1\nrules: [{name: A, period: 6 years, action: delete}]\n"
        "default: {period: 6 years, action: review}",
        "'match' needs at least one of state, group, type",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: []}, period: 6 years, action: delete}]\n"
        "default: {period: 6 years, action: review}",
        "match state is empty",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: x}, period: 1 year, action: delete},"
        " {name: a, match: {state: y}, period: 1 year, action: delete}]\n"
        "default: {period: 6 years, action: review}",
        "used twice",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: x}, period: 1 year, action: delete, "
        "from: opened}]\ndefault: {period: 6 years, action: review}",
        "from 'opened' must be one of last_activity, closed, created",
    ),
    (
        "version: 1\ndefault: {period: 6 years, action: review, match: {state: x}}",
        "takes no 'match'",
    ),
    ("version: 1\ndefault: {period: 6 years}", "action None must be one of"),
    ("version: 1\ndefault: {action: review}", "'period' is missing"),
    (
        "version: 1\ndefault: {period: 6 years, action: review}\ncustomers: {inactive_after: soon}",
        "customers: inactive_after",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_SCHEDULES)
def test_a_malformed_schedule_is_one_line_naming_the_file_and_the_entry(tmp_path, text, message):
    path = tmp_path / "retention.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        retention.load_schedule(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith("retention.yml: ")
    assert message in text


def test_a_missing_schedule_names_the_path(tmp_path):
    with pytest.raises(ConfigError, match="retention schedule not found: .*nowhere.yml"):
        retention.load_schedule(tmp_path / "nowhere.yml")


def test_the_data_folder_copy_wins_over_the_repository_copy(tmp_path):
    assert retention.default_schedule_path(tmp_path) == retention.repository_schedule_path()
    (tmp_path / "retention.yml").write_text(SCHEDULE)
    assert retention.default_schedule_path(tmp_path) == tmp_path / "retention.yml"


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
    path = write(
        tmp_path,
        """
        version: 1
        rules: [{name: Closed, match: {state: open}, from: closed, period: 1 day, action: delete}]
        default: {period: 6 years, action: review}
        """,
    )
    tickets = tickets_frame([{"id": 1, "state": "open", "created_at": "2000-01-01"}])
    applied = retention.apply_schedule(tickets, retention.load_schedule(path), AS_OF)
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


# -- Zammad schedulers --------------------------------------------------------------------------


def test_zammad_jobs_use_snapshot_ids_and_name_what_they_cannot(schedule):
    tickets = tickets_frame(
        [{"id": 1, "state": "closed", "group": "Sales", "created_at": "2024-01-01"}]
    )
    tickets["state_id"] = 44
    tickets["group_id"] = 2
    jobs = retention.zammad_jobs(schedule, tickets)
    assert len(jobs) == len(schedule.all_rules)
    assert all(job["active"] is False and job["object"] == "Ticket" for job in jobs)
    spam, sales, closed, phone, default = jobs
    assert spam["condition"]["ticket.state_id"] == {"operator": "is", "value": ["6", "5"]}
    assert spam["perform"] == {"ticket.action": {"value": "data_privacy_deletion_task"}}
    assert sales["condition"]["ticket.group_id"] == {"operator": "is", "value": ["2"]}
    assert sales["condition"]["ticket.state_id"]["value"] == ["44"]  # the snapshot's own id wins
    assert sales["condition"]["ticket.close_at"] == {
        "operator": "before (relative)",
        "value": "2",
        "range": "year",
    }
    assert "ticket.last_contact_at" not in sales["condition"]
    # "closed" state + last activity: both dates before the limit = the later one before it.
    assert closed["condition"]["ticket.last_contact_at"]["value"] == "6"
    assert closed["condition"]["ticket.close_at"]["range"] == "year"
    assert closed["perform"] == {"ticket.tags": {"operator": "add", "value": "retention-anonymise"}}
    assert "cannot anonymise" in closed["note"]
    assert phone["condition"]["ticket.create_article_type_id"] == {"operator": "is", "value": ["5"]}
    assert phone["condition"]["ticket.created_at"]["value"] == "1"
    assert set(default["condition"]) == {"ticket.last_contact_at"}
    assert "later of two dates" in default["note"]


def test_zammad_job_without_group_ids_says_so(schedule):
    job = retention.zammad_job(schedule.rules[1])
    assert "ticket.group_id" not in job["condition"]
    assert "look up the id of group sales" in job["note"]


def test_privacy_task_bodies_only_for_deletions():
    due = pd.DataFrame({"id": [5, 6, 7], "action": ["delete", "review", "delete"]})
    assert retention.privacy_task_bodies(due) == [
        {"deletable_type": "Ticket", "deletable_id": 5},
        {"deletable_type": "Ticket", "deletable_id": 7},
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


# -- nothing held yet -----------------------------------------------------------------------------


def nothing(table: str) -> pd.DataFrame:
    """An empty frame of ``table`` with the snapshot's own column types (a new Zammad)."""
    from mimoto_gov.inventory import frame

    return frame(table, [])


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
