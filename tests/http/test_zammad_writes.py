"""The retention schedule's changes to Zammad, over real HTTP against the sandbox.

The sandbox answers ``PUT /tickets/:id`` and ``POST /users`` as Zammad does (zammad-api.md
§1.2, §3): names turned into ids, the organisation following the customer, history entries,
422 bodies, 201 on create. ``mimoto_gov.zammad.writes`` is tested through the real client.
"""

from __future__ import annotations

import requests

from mimoto_gov.zammad import writes
from mimoto_gov.zammad.client import ZammadClient


def call(sandbox, path, method="GET", who="admin", **kwargs):
    headers = {"Accept": "application/json", "Authorization": f"Token token={sandbox.tokens[who]}"}
    return requests.request(
        method, f"{sandbox.url}/api/v1/{path}", headers=headers, timeout=10, **kwargs
    )


def client(sandbox) -> ZammadClient:
    return ZammadClient(sandbox.url, sandbox.admin_token, backoff=0.01)


def an_org_ticket(sandbox) -> dict:
    return next(t for t in sandbox.dataset.tickets.values() if t["organization_id"])


def test_put_ticket_answers_with_names_and_keeps_the_old_title_in_the_history(sandbox):
    ticket = an_org_ticket(sandbox)
    before = dict(ticket)
    other = next(
        u for u in sandbox.dataset.users.values()
        if u["id"] > 8 and 3 in u["role_ids"] and not u.get("organization_id")
    )  # fmt: skip
    response = call(
        sandbox,
        f"tickets/{ticket['id']}",
        "PUT",
        json={"title": "New title", "customer_id": other["id"], "number": "1"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "New title" and body["customer"] == other["login"]  # with names
    assert body["number"] == before["number"] and body["organization_id"] is None
    assert body["updated_at"] > before["updated_at"]
    history = call(sandbox, f"ticket_history/{ticket['id']}").json()["history"]
    changed = {e["attribute"]: e for e in history if e["type"] == "updated"}
    assert changed["customer"]["id_from"] == before["customer_id"]
    assert changed["customer"]["value_to"] == f"{other['firstname']} {other['lastname']}"
    assert changed["title"]["value_from"] == before["title"]  # Zammad keeps the old title
    assert call(sandbox, "tickets/99999", "PUT", json={"title": "x"}).status_code == 404


def test_post_users_makes_logins_unique_and_keeps_the_active_flag(sandbox):
    response = call(
        sandbox,
        "users",
        "POST",
        json={"login": "Someone", "firstname": "A", "roles": ["Customer"], "active": False},
    )
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["login"] == "someone" and user["role_ids"] == [3] and user["active"] is False
    assert user["email"] is None
    again = call(sandbox, "users", "POST", json={"login": "someone", "lastname": "B"})
    assert again.status_code == 201 and again.json()["login"] == "someone1"
    nothing = call(sandbox, "users", "POST", json={"note": "x"})
    assert nothing.status_code == 422 and "Minimum one identifier" in nothing.json()["error"]


def test_the_placeholder_is_made_once_and_found_again(sandbox):
    with client(sandbox) as zammad:
        first = writes.placeholder_customer(zammad)
        assert first["login"] == writes.PLACEHOLDER_LOGIN and first["email"] is None
        assert writes.placeholder_customer(zammad)["id"] == first["id"]  # found by search
        assert writes.placeholder_customer(zammad, first["id"])["id"] == first["id"]
        assert writes.placeholder_customer(zammad, 2)["id"] == first["id"]  # not the admin
    made = [u for u in sandbox.dataset.users.values() if u["login"].startswith("retention-")]
    assert len(made) == 1


def test_anonymise_reads_back_and_deletion_tasks_are_not_queued_twice(sandbox):
    sandbox.hold_tasks = True
    ticket = an_org_ticket(sandbox)
    with client(sandbox) as zammad:
        placeholder = writes.placeholder_customer(zammad)
        writes.anonymise_ticket(zammad, ticket["id"], placeholder["id"])
        back = zammad.ticket(ticket["id"], expand=False)
        assert back["customer_id"] == placeholder["id"]
        assert back["title"] == writes.ANONYMISED_TITLE and back["organization_id"] is None
        changed = writes.changed_since(zammad, "ticket", "2000-01-01T00:00:00Z")
        assert changed[ticket["id"]] == back["updated_at"]

        task = writes.create_deletion_task(zammad, "Ticket", ticket["id"])
        again = writes.create_deletion_task(zammad, "Ticket", ticket["id"])
        assert again["id"] == task["id"] and task["state"] == "in process"
        others = [t for t in sorted(sandbox.dataset.tickets) if t != ticket["id"]][:6]
        ids = [writes.create_deletion_task(zammad, "Ticket", t)["id"] for t in others]
        sandbox.tick()
        polled = len(sandbox.request_log)
        states = writes.task_states(zammad, [task["id"], *ids])
        assert {t["state"] for t in states.values()} == {"completed"}
        assert len(sandbox.request_log) - polled == 1  # seven tasks, one list request
        polled = len(sandbox.request_log)
        assert writes.task_states(zammad, [task["id"]])[task["id"]]["state"] == "completed"
        assert len(sandbox.request_log) - polled == 1
        assert writes.task_states(zammad, [999]) == {}
        customer = sandbox.dataset.personas["customer"]
        numbers = writes.customer_ticket_numbers(zammad, customer)
        assert sorted(numbers) == sorted(
            t["number"] for t in sandbox.dataset.tickets.values() if t["customer_id"] == customer
        )
    assert ticket["id"] not in sandbox.dataset.tickets
