"""The Zammad schedulers the monthly review proposes as an alternative."""

from __future__ import annotations

import pandas as pd
import pytest

from mimoto_gov.policy.schedule import load_schedule
from mimoto_gov.retention import rules as retention
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
