"""The sandbox's writes an erasure relies on: a ticket's new customer, a new customer."""

from __future__ import annotations

import requests


def call(sandbox, path, who="admin", method="GET", **kwargs):
    headers = {"Authorization": f"Token token={sandbox.tokens[who]}"}
    return requests.request(
        method, f"{sandbox.url}/api/v1/{path}", headers=headers, timeout=10, **kwargs
    )


def test_a_ticket_given_to_another_customer_takes_that_customers_organisation(sandbox):
    ds = sandbox.dataset
    ticket = next(t for t in ds.tickets.values() if t["organization_id"])
    created = call(
        sandbox, "users", method="POST",
        json={"firstname": "Kept", "lastname": "records", "email": "Kept@Mimoto.example",
              "roles": ["Customer"]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    placeholder = created.json()
    assert placeholder["email"] == "kept@mimoto.example" and placeholder["role_ids"] == [3]
    again = call(sandbox, "users", method="POST", json={"email": "kept@mimoto.example"})
    assert again.status_code == 422 and "already used" in again.json()["error"]
    found = call(sandbox, "users/search", params={"query": "email:kept@mimoto.example"}).json()
    assert [u["id"] for u in found] == [placeholder["id"]]

    moved = call(
        sandbox, f"tickets/{ticket['id']}", method="PUT", json={"customer_id": placeholder["id"]}
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["customer_id"] == placeholder["id"] and body["organization_id"] is None
    history = call(sandbox, f"ticket_history/{ticket['id']}").json()["history"]
    change = history[-1]
    assert (change["attribute"], change["id_to"]) == ("customer", placeholder["id"])

    missing = call(sandbox, f"tickets/{ticket['id']}", method="PUT", json={"customer_id": 99999})
    assert missing.status_code == 422
    assert ds.tickets[ticket["id"]]["customer_id"] == placeholder["id"]


def test_customers_cannot_move_tickets_and_agents_create_only_customers(sandbox):
    ticket = next(iter(sandbox.dataset.tickets.values()))
    refused = call(
        sandbox, f"tickets/{ticket['id']}", who="customer", method="PUT", json={"customer_id": 1}
    )
    assert refused.status_code in (403, 404)
    admin = call(
        sandbox, "users", who="agent", method="POST",
        json={"email": "new-admin@example.com", "roles": ["Admin"]},
    )  # fmt: skip
    assert admin.status_code == 403
    customer = call(sandbox, "users", who="agent", method="POST", json={"email": "new@example.com"})
    assert customer.status_code == 201 and customer.json()["role_ids"] == [3]
