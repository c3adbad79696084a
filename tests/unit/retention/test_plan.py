"""The month's retention plan, made from hand-made Zammad records: what is done and left alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from mimoto_gov.inventory import Inventory, frame
from mimoto_gov.policy.schedule import load_schedule
from mimoto_gov.retention.plan import DONE_BEFORE, EXCLUDED, KEPT, TO_DO, make_plan
from mimoto_gov.zammad.writes import PLACEHOLDER_LOGIN
from tests.helpers.retention import write_schedule

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SNAPSHOT = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
OLD = "2018-01-10T10:00:00.000Z"
SCHEDULE = """
version: t
tickets:
  rules:
    - {name: Spam, match: {state: [merged, removed]}, period: 3 months, action: delete}
    - name: Billing
      match: {group: Billing}
      period: 1 year
      action: anonymise
      text_left: delete
      text_reason: invoices name people
    - name: Closed
      match: {state: closed}
      period: 6 years
      action: anonymise
      text_left: keep
      text_reason: figures by topic
    - {name: Any open, match: {state: open}, period: 1 year, action: delete}
  default: {period: 6 years, action: review}
accounts: {period: 3 years, action: delete, reason: unused}
"""


def ticket(ticket_id, customer_id, *, state="closed", group="Support", updated=OLD, at=OLD):
    return {
        "id": ticket_id, "number": str(30000 + ticket_id), "title": f"t{ticket_id}",
        "state": state, "group": group, "customer_id": customer_id, "organization_id": None,
        "created_at": at, "updated_at": updated, "close_at": at, "last_contact_at": at,
    }  # fmt: skip


def user(user_id, email, *, roles=(3,), login=None, updated=OLD, last_login=None):
    return {
        "id": user_id, "login": login or email, "email": email, "firstname": "F",
        "lastname": f"L{user_id}", "role_ids": list(roles), "active": True,
        "created_at": OLD, "updated_at": updated, "last_login": last_login,
    }  # fmt: skip


def inventory(tickets, users, articles=()) -> Inventory:
    return Inventory(
        tickets=frame("tickets", tickets),
        articles=frame("articles", list(articles)),
        attachments=frame("attachments", []),
        users=frame("users", users),
        organizations=frame("organizations", []),
        snapshot_time=SNAPSHOT,
        sync_state={"zammad_url": "https://desk.example"},
    )


@pytest.fixture
def schedule(tmp_path):
    return load_schedule(write_schedule(tmp_path, SCHEDULE))


def items_by_id(plan) -> dict:
    return {(r.target, r.zammad_id): r for r in plan.items.itertuples(index=False)}


def plan_of(schedule, tickets, users, articles=(), **kwargs):
    return make_plan(schedule, inventory(tickets, users, articles), "2026-11", now=NOW, **kwargs)


STAFF = [user(1, "", roles=(1,), login="-"), user(2, "agent@mimoto.example", roles=(2,))]


def test_each_due_ticket_gets_its_rule_action_and_status(schedule):
    plan = plan_of(
        schedule,
        [
            ticket(1, 10, state="merged"),
            ticket(2, 10),
            ticket(3, 11, group="Billing"),  # anonymise, but the text cannot go: delete
            ticket(4, 11, state="open"),  # a delete rule, but still open
            ticket(5, 12, updated="2026-11-20T10:00:00.000Z"),  # touched this month
            ticket(6, 12, state="new"),  # no rule: the default reviews it
            ticket(7, 13, at="2026-10-01T10:00:00.000Z"),  # closed recently: not due
        ],
        [
            *STAFF,
            user(10, "a@example.com"),
            user(11, "b@example.com"),
            user(12, "c@example.com"),
            user(13, "d@example.com"),
        ],  # fmt: skip
    )
    items = items_by_id(plan)
    assert ("ticket", 7) not in items
    assert (items[("ticket", 1)].action, items[("ticket", 1)].status) == ("delete", TO_DO)
    second = items[("ticket", 2)]
    assert (second.action, second.status) == ("anonymise", TO_DO)
    assert "figures by topic" in second.kept
    third = items[("ticket", 3)]
    assert third.action == "delete" and "invoices name people" in third.why
    assert items[("ticket", 4)].status == EXCLUDED and "open" in items[("ticket", 4)].why
    assert items[("ticket", 5)].status == EXCLUDED
    assert "within the last 90 days" in items[("ticket", 5)].why
    assert (items[("ticket", 6)].action, items[("ticket", 6)].status) == ("review", TO_DO)
    assert list(plan.to_do("ticket")["zammad_id"]) == [1, 3, 2, 6]  # delete, anonymise, review
    assert plan.zammad_url == "https://desk.example" and plan.snapshot_time == SNAPSHOT


def test_a_hold_on_the_customer_or_a_correspondent_leaves_the_ticket_alone(schedule):
    articles = [
        {"id": 1, "ticket_id": 2, "from": "Someone <held@Example.com>", "to": "support@x",
         "cc": None, "created_at": OLD, "updated_at": OLD},
    ]  # fmt: skip
    hashes = {"h:held@example.com", "h:b@example.com"}
    plan = plan_of(
        schedule,
        [ticket(1, 10, state="merged"), ticket(2, 10, state="merged"), ticket(3, 11)],
        [*STAFF, user(10, "a@example.com"), user(11, "B@Example.com")],
        articles,
        held=hashes,
        hasher=lambda email: f"h:{email}",
    )
    items = items_by_id(plan)
    assert items[("ticket", 1)].status == TO_DO
    for ticket_id in (2, 3):
        assert items[("ticket", ticket_id)].status == EXCLUDED
        assert "legal hold" in items[("ticket", ticket_id)].why
    assert items[("account", 11)].status == EXCLUDED
    assert "legal hold" in items[("account", 11)].why


def test_accounts_go_only_when_nothing_they_hold_stays(schedule):
    plan = plan_of(
        schedule,
        [
            ticket(1, 10, state="merged"),  # deleted: account 10 holds nothing else
            ticket(2, 11, state="merged"),
            ticket(3, 11, state="new"),  # reviewed, so kept: account 11 stays
            ticket(4, 12, state="closed", at="2024-06-01T10:00:00.000Z"),  # not due yet
        ],
        [
            *STAFF,
            user(10, "a@example.com"),
            user(11, "b@example.com"),
            user(12, "c@example.com"),
            user(13, "none@example.com"),  # no ticket, no login since 2018
            user(14, "login@example.com", last_login="2026-06-01T10:00:00.000Z"),
            user(15, "", login=PLACEHOLDER_LOGIN),
        ],
    )
    items = items_by_id(plan)
    assert items[("account", 10)].status == TO_DO
    assert items[("account", 13)].status == TO_DO
    kept = items[("account", 11)]
    assert kept.status == KEPT and "#30003" in kept.why
    # 12's ticket is not due, so its activity (June 2024) still counts; 14 logged in; staff
    # and the placeholder are never accounts to delete.
    for user_id in (1, 2, 12, 14, 15):
        assert ("account", user_id) not in items
    assert plan.placeholder_id == 15


def test_what_an_earlier_run_did_is_not_planned_again(schedule):
    tickets = [
        ticket(1, 10, state="merged"),
        ticket(2, 15),
        ticket(3, 11),
        ticket(4, 11, state="new"),
    ]
    users = [*STAFF, user(10, "a@example.com"), user(11, "b@example.com"),
             user(15, "", login=PLACEHOLDER_LOGIN)]  # fmt: skip
    log = pd.DataFrame(
        [
            {"run_id": "RR-2026-0001", "month": "2026-11", "target": "ticket", "zammad_id": 1,
             "action": "delete", "outcome": "done"},
            {"run_id": "RR-2026-0001", "month": "2026-11", "target": "ticket", "zammad_id": 3,
             "action": "anonymise", "outcome": "failed"},
            {"run_id": "RR-2026-0001", "month": "2026-11", "target": "ticket", "zammad_id": 4,
             "action": "review", "outcome": "listed"},
        ]
    )  # fmt: skip
    plan = plan_of(schedule, tickets, users, log=log)
    items = items_by_id(plan)
    assert items[("ticket", 1)].status == DONE_BEFORE and "RR-2026-0001" in items[("ticket", 1)].why
    assert items[("ticket", 2)].status == DONE_BEFORE  # its customer is the placeholder
    assert items[("ticket", 3)].status == TO_DO  # a failure is tried again
    assert items[("ticket", 4)].status == DONE_BEFORE  # listed for review this month
    # Next month's review lists it again.
    december = make_plan(schedule, inventory(tickets, users), "2026-12", now=NOW, log=log)
    assert items_by_id(december)[("ticket", 4)].status == TO_DO


def test_keep_accounts_and_an_empty_desk_plan_nothing(tmp_path):
    schedule = load_schedule(
        write_schedule(
            tmp_path,
            "version: t\ndefault: {period: 1 year, action: review}\n"
            "accounts: {action: keep, reason: needed}\n",
        )
    )
    plan = plan_of(schedule, [], STAFF)
    assert plan.items.empty and plan.to_do().empty and plan.counts() == {}
