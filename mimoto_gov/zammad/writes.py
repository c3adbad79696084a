"""The changes the retention schedule makes in Zammad, over the client's public calls.

Every call here changes Zammad, so none of them runs in a dry run. They follow Zammad's REST
contract (zammad-api.md):

- deleting a ticket goes through a data-privacy task (``POST /data_privacy_tasks`` with
  ``deletable_type: "Ticket"``), which Zammad logs and runs within ten minutes; a second task
  for the same ticket is refused with 422 "already queued", so the open one is found instead;
- a user is deleted the same way (``deletable_type: "User"``); Zammad then deletes every ticket
  the user is still the customer of, so callers check that none is left first;
- anonymising a ticket is ``PUT /tickets/:id`` with a placeholder ``customer_id`` and a neutral
  ``title``: Zammad resets the ticket's organisation to the new customer's (none). Zammad's
  API cannot change an article's text or the ticket history (article updates only take
  ``internal`` and a highlight), which is why the schedule says what happens to that text;
- the placeholder customer is an inactive account with no email (so Zammad sends it nothing),
  created once with ``POST /users`` and found again by its login.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mimoto_gov.errors import NotFound, ZammadError

PLACEHOLDER_LOGIN = "retention-anonymous"
PLACEHOLDER = {
    "login": PLACEHOLDER_LOGIN,
    "firstname": "Anonymised",
    "lastname": "customer",
    "active": False,
    "roles": ["Customer"],
    "note": "Placeholder customer of tickets anonymised under Mimoto's retention schedule.",
}
ANONYMISED_TITLE = "Anonymised under the retention schedule"
# Fewer outstanding tasks than this are polled one by one; more are read from the task list.
LIST_POLL_FROM = 5


def create_deletion_task(client, kind: str, deletable_id: int) -> dict:
    """Queue the deletion of a ``Ticket`` or ``User``; pick up the open task if one exists.

    Returns:
        The task (``state`` ``in process``, or as an earlier run left it).

    Raises:
        ZammadError: Zammad refused (a 422 other than "already queued", 403, ...).

    """
    body = {"deletable_type": kind, "deletable_id": int(deletable_id)}
    try:
        return client.request("POST", "data_privacy_tasks", json=body, idempotent=False)
    except ZammadError as error:
        if error.status != 422 or "already queued" not in str(error):
            raise
        task = open_deletion_task(client, kind, deletable_id)
        if task is None:
            raise
        return task


def open_deletion_task(client, kind: str, deletable_id: int) -> dict | None:
    """Find the task not failed that is queued (or done) for one ticket or user, newest first."""
    params = {"sort_by": "id", "order_by": "desc"}
    for task in client.iter_pages("data_privacy_tasks", per_page=1000, params=params):
        same = task.get("deletable_type") == kind and task.get("deletable_id") == deletable_id
        if same and task.get("state") != "failed":
            return task
    return None


def task_states(client, task_ids: Iterable[int]) -> dict[int, dict]:
    """Read the current state of several data-privacy tasks.

    A few tasks are read one by one; more are read from the task list, newest first, which
    costs one request per thousand tasks instead of one per task.

    Returns:
        Task id -> task, for every id Zammad still has (a task it has forgotten is left out).

    """
    wanted = {int(i) for i in task_ids}
    found: dict[int, dict] = {}
    if len(wanted) < LIST_POLL_FROM:
        for task_id in sorted(wanted):
            try:
                found[task_id] = client.data_privacy_task(task_id)
            except NotFound:
                continue
        return found
    lowest = min(wanted, default=0)
    params = {"sort_by": "id", "order_by": "desc"}
    for task in client.iter_pages("data_privacy_tasks", per_page=1000, params=params):
        task_id = int(task.get("id") or 0)
        if task_id in wanted:
            found[task_id] = task
        if len(found) == len(wanted) or task_id < lowest:
            break
    return found


def task_error(task: dict) -> str:
    """Return the reason a task failed, as one line."""
    error = (task.get("preferences") or {}).get("error") or "no reason given"
    return " ".join(str(error).split())


def find_user_by_login(client, login: str) -> dict | None:
    """Return the user with exactly this login, or None (searches Zammad)."""
    for user in client.search_users(login):
        if str(user.get("login") or "").lower() == login.lower():
            return user
    return None


def placeholder_customer(client, known_id: int | None = None) -> dict:
    """Return the anonymous placeholder customer, creating it the first time.

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient` (admin).
        known_id: the placeholder's id from the snapshot, read back to confirm it.

    """
    if known_id is not None:
        try:
            user = client.user(int(known_id), expand=False)
        except NotFound:
            user = None
        if user and str(user.get("login") or "").lower() == PLACEHOLDER_LOGIN:
            return user
    user = find_user_by_login(client, PLACEHOLDER_LOGIN)
    if user is not None:
        return user
    return client.request("POST", "users", json=dict(PLACEHOLDER), idempotent=False)


def update_ticket(client, ticket_id: int, fields: dict[str, Any]) -> dict:
    """Change a ticket's attributes (``PUT /tickets/:id``); return Zammad's answer.

    The same PUT twice leaves the same ticket, so a dropped answer may be retried.
    """
    return client.request("PUT", f"tickets/{int(ticket_id)}", json=dict(fields), idempotent=True)


def anonymise_ticket(client, ticket_id: int, placeholder_id: int) -> dict:
    """Move a ticket to the placeholder customer and give it a neutral title."""
    return update_ticket(
        client, ticket_id, {"customer_id": int(placeholder_id), "title": ANONYMISED_TITLE}
    )


def changed_since(client, kind: str, moment: str) -> dict[int, str]:
    """Return id -> ``updated_at`` of every ticket or user changed at or after ``moment``.

    Uses Zammad's condition search (its database path: no index lag, no 10,000-hit window).

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient`.
        kind: ``ticket`` or ``user``.
        moment: an ISO-8601 time (the snapshot the plan was made from).

    """
    condition = {f"{kind}.updated_at": {"operator": "after (absolute)", "value": moment}}
    search = client.search_tickets if kind == "ticket" else client.search_users
    records = search(condition=condition, sort_by="updated_at,id", order_by="asc,asc")
    return {int(r["id"]): str(r.get("updated_at") or "") for r in records}


def customer_ticket_numbers(client, user_id: int) -> list[str]:
    """Return the numbers of every ticket the user is the customer of (condition search)."""
    condition = {
        "ticket.customer_id": {
            "operator": "is",
            "pre_condition": "specific",
            "value": [str(int(user_id))],
        }
    }
    return [str(t.get("number")) for t in client.search_tickets(condition=condition)]
