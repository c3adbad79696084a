"""The Zammad schedulers the monthly review proposes as an alternative."""

from __future__ import annotations

import pandas as pd
import pytest

from mimoto_gov.policy.schedule import load_schedule
from mimoto_gov.retention import rules as retention
from mimoto_gov.retention.jobs import describe_perform
from mimoto_gov.zammad.writes import ANONYMISED_TITLE
from tests.helpers.retention import tickets_frame, write_schedule


@pytest.fixture
def schedule(tmp_path):
    return load_schedule(write_schedule(tmp_path))


# -- Zammad schedulers --------------------------------------------------------------------------


def test_zammad_jobs_use_snapshot_ids_and_name_what_they_cannot(schedule):
    tickets = tickets_frame(
        [{"id": 1, "state": "closed", "group": "Sales", "created_at": "2024-01-01"}]
    )
    tickets["state_id"] = 44
    tickets["group_id"] = 2
    jobs = retention.zammad_jobs(schedule, tickets, placeholder_id=77)
    # Review rules (Phone, the default) get none: a person decides.
    assert [job["name"].split(" (")[0] for job in jobs] == [
        "Retention: Spam",
        "Retention: Sales closed",
        "Retention: Closed",
    ]
    assert all(job["active"] is False and job["object"] == "Ticket" for job in jobs)
    spam, sales, closed = jobs
    assert spam["condition"]["ticket.state_id"] == {"operator": "is", "value": ["6", "5"]}
    assert spam["perform"] == {"ticket.action": {"value": "data_privacy_deletion_task"}}
    assert "later of two dates" in spam["note"]
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
    # Anonymising: the placeholder customer and a neutral title, on tickets not yet moved.
    assert closed["perform"] == {
        "ticket.customer_id": {"pre_condition": "specific", "value": "77"},
        "ticket.title": {"value": ANONYMISED_TITLE},
    }
    assert closed["condition"]["ticket.customer_id"]["operator"] == "is not"
    assert "article text and the ticket history stay" in closed["note"]
    assert all("legal holds" in job["note"] for job in jobs)
    assert not any("ticket.tags" in job["perform"] for job in jobs)
    assert describe_perform(closed).startswith("moves the ticket to the anonymous placeholder")
    assert describe_perform(spam).startswith("creates a data-privacy task")


def test_an_anonymise_rule_that_may_not_keep_the_text_deletes(tmp_path):
    schedule = load_schedule(
        write_schedule(
            tmp_path,
            """
            version: 1
            tickets:
              rules:
                - {name: Bills, match: {group: Billing}, period: 1 year, action: anonymise,
                   text_left: delete, text_reason: invoices}
                - {name: Kept, match: {group: Legal}, action: keep, reason: claims}
              default: {period: 6 years, action: review}
            """,
        )
    )
    (job,) = retention.zammad_jobs(schedule)
    assert job["perform"] == {"ticket.action": {"value": "data_privacy_deletion_task"}}
    assert "schedule deletes" in job["note"]
    unknown = retention.zammad_job(
        load_schedule(write_schedule(tmp_path)).rules[2]  # anonymise, no placeholder yet
    )
    assert unknown["perform"]["ticket.customer_id"]["value"] == ""
    assert "does not exist yet" in unknown["note"]
    due = pd.DataFrame({"id": [5, 6], "action": ["anonymise", "review"], "rule": ["Bills", "x"]})
    assert retention.privacy_task_bodies(due, schedule) == [
        {"deletable_type": "Ticket", "deletable_id": 5}
    ]


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
