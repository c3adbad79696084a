"""Carrying out an erasure in Zammad, and checking afterwards that the data is gone.

Zammad deletes a user through a data-privacy task (zammad-api.md §5.1, §5.2): the POST
answers at once with ``state: "in process"`` and a preview of the ticket numbers; a background
job runs every ten minutes and ends the task ``completed`` or ``failed`` (with
``preferences.error``). A completed task is not proof on its own: a deletion has failed
half-way before (foreign-key errors, zammad/zammad#5606), so every user, every ticket listed
and a search by address are read back, and anything still there is a mismatch.

Running again is safe: a task still in process from an earlier attempt is waited for, not
duplicated (Zammad would refuse a second one with 422), and a user already gone is not asked
for again. Each task is handed to ``on_task`` the moment Zammad created it, so the caller can
record it before anything waits on it.

A ticket staff decided to keep must survive the user's deletion, and Zammad destroys every
ticket whose *current* customer is the user (zammad-api.md §5.3). So before any task is
created, :func:`keep_tickets` gives each kept ticket to a placeholder customer
(``PUT /api/v1/tickets/:id`` with ``customer_id``; Zammad then takes the ticket's organisation
from that customer, so the ticket also leaves an organisation about to be deleted) and reads
it back. The placeholder is found by its address or created once (``POST /api/v1/users``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mimoto_gov.erasure.model import KeepFlag, KeepPolicy
from mimoto_gov.errors import MimotoGovError, NotFound, ZammadError

# Seconds before the first poll of a new task; the pause then doubles up to the interval.
FIRST_POLL = 0.1


class ErasureRefused(MimotoGovError):
    """The erasure may not go ahead (no verified identity, a legal hold, no confirmation)."""

    exit_code = 3


class ErasureFailed(MimotoGovError):
    """The erasure was attempted and failed, timed out or could not be verified."""

    exit_code = 4


class ErasureInterrupted(MimotoGovError):
    """The run was interrupted (Ctrl-C) after Zammad's tasks were created and recorded."""

    exit_code = 130


@dataclass
class TaskOutcome:
    """One data-privacy task: the user it deletes and how it ended."""

    user_id: int
    task_id: int | None
    state: str
    error: str = ""
    preview_numbers: tuple[str, ...] = ()
    reused: bool = False


@dataclass
class Verification:
    """What was read back from Zammad after the tasks, and what was still there."""

    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing of the person was found."""
        return not self.problems


def _task_error(task: dict) -> str:
    error = (task.get("preferences") or {}).get("error") or "no reason given"
    return " ".join(str(error).split())


def _open_task_for(client, user_id: int) -> dict | None:
    """Find the task already queued for a user (after Zammad refused a second one with 422)."""
    for task in client.iter_pages("data_privacy_tasks", per_page=1000):
        same_user = task.get("deletable_type") == "User" and task.get("deletable_id") == user_id
        if same_user and task.get("state") != "failed":
            return task
    return None


def start_tasks(
    client,
    tasks: list[tuple[int, bool]],
    previous_task_ids: list[int] = (),
    on_task: Callable[[TaskOutcome, bool], None] | None = None,
) -> list[TaskOutcome]:
    """Create (or pick up) one data-privacy task per user.

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient`.
        tasks: ``(user_id, delete_organization)`` per user, from the plan.
        previous_task_ids: task ids of earlier attempts of the same request, reused while
            in process or completed.
        on_task: called with each task (and its ``delete_organization``) as soon as it is
            created or picked up, before the next one is asked for.

    Returns:
        One :class:`TaskOutcome` per user: ``in process``, ``completed``, ``failed`` or
        ``already gone`` (the user was deleted before this run).

    """
    earlier: dict[int, dict] = {}
    for task_id in previous_task_ids:
        try:
            task = client.data_privacy_task(int(task_id))
        except NotFound:
            continue  # Zammad forgets task records after 12 months
        if task.get("deletable_type") == "User" and task.get("state") != "failed":
            earlier[int(task["deletable_id"])] = task
    outcomes: list[TaskOutcome] = []

    def add(outcome: TaskOutcome, delete_organization: bool) -> None:
        outcomes.append(outcome)
        if on_task is not None and outcome.task_id is not None:
            on_task(outcome, delete_organization)

    for user_id, delete_organization in tasks:
        task = earlier.get(user_id)
        if task is not None:
            add(_outcome(user_id, task, reused=True), delete_organization)
            continue
        try:
            client.user(user_id, expand=False)
        except NotFound:
            outcomes.append(TaskOutcome(user_id, None, "already gone"))
            continue
        try:
            task = client.create_deletion_task(user_id, delete_organization=delete_organization)
        except ZammadError as error:
            if error.status != 422 or "already queued" not in str(error):
                raise
            task = _open_task_for(client, user_id)
            if task is None:
                raise
            add(_outcome(user_id, task, reused=True), delete_organization)
            continue
        add(_outcome(user_id, task), delete_organization)
    return outcomes


def _outcome(user_id: int, task: dict, *, reused: bool = False) -> TaskOutcome:
    preferences = task.get("preferences") or {}
    numbers = tuple(str(n) for n in preferences.get("customer_tickets") or ())
    state = str(task.get("state") or "in process")
    return TaskOutcome(
        user_id=user_id,
        task_id=int(task["id"]),
        state=state,
        error=_task_error(task) if state == "failed" else "",
        preview_numbers=numbers,
        reused=reused,
    )


def wait_for_tasks(
    client, outcomes: list[TaskOutcome], *, timeout: float, interval: float
) -> list[TaskOutcome]:
    """Poll every task still in process until it ends, within ``timeout`` seconds in all.

    The first polls come quickly (a small Zammad may run the task at once) and the pause
    doubles up to ``interval``, so a long wait costs few requests.

    Returns:
        The outcomes with their final states; a task still running at the deadline is
        ``timed out``.

    """
    deadline = time.monotonic() + timeout
    for outcome in outcomes:
        delay = min(FIRST_POLL, interval)
        while outcome.state == "in process":
            task = client.data_privacy_task(outcome.task_id)
            final = _outcome(outcome.user_id, task, reused=outcome.reused)
            outcome.state, outcome.error = final.state, final.error
            outcome.preview_numbers = final.preview_numbers or outcome.preview_numbers
            if outcome.state != "in process":
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                outcome.state = "timed out"
                outcome.error = (
                    f"still in process after {timeout:g} s (Zammad runs these tasks every 10 "
                    "minutes; run the same command again later to wait for it)"
                )
                break
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, interval)
    return outcomes


def task_problems(outcomes: list[TaskOutcome]) -> list[str]:
    """One sentence per task that did not complete."""
    return [
        f"data-privacy task {o.task_id} for user #{o.user_id} {o.state}: {o.error}"
        for o in outcomes
        if o.state not in ("completed", "already gone")
    ]


def verify_erasure(
    client,
    *,
    user_ids: list[int],
    ticket_ids: dict[int, str],
    extra_numbers: set[str],
    emails: tuple[str, ...],
    kept: dict[int, str] | None = None,
) -> Verification:
    """Read Zammad back: every user and ticket must be gone, and a search by address empty.

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient`.
        user_ids: the users deleted.
        ticket_ids: ``{id: number}`` of every ticket meant to be deleted.
        extra_numbers: ticket numbers from the task previews that the snapshot did not know
            (created after the last pull); searched for by number.
        emails: the person's addresses.
        kept: ``{id: number}`` of the tickets kept by decision: each must still be there.

    Returns:
        A :class:`Verification` listing what was checked and what was still found (or, for
        a kept ticket, what was lost).

    """
    result = Verification()
    for user_id in user_ids:
        try:
            client.user(user_id, expand=False)
        except NotFound:
            continue
        result.problems.append(f"user #{user_id} still exists")
    result.checks.append(
        f"{len(user_ids):,} user record(s) read back, each expected to be gone (404)"
    )
    for ticket_id, number in sorted(ticket_ids.items()):
        try:
            client.ticket(ticket_id, expand=False)
        except NotFound:
            continue
        result.problems.append(f"ticket #{number} still exists")
    for number in sorted(extra_numbers):
        found = [
            t
            for t in client.search_tickets(query=f"number:{number}")
            if str(t.get("number")) == number
        ]
        if found:
            result.problems.append(f"ticket #{number} still exists")
    result.checks.append(
        f"{len(ticket_ids) + len(extra_numbers):,} ticket(s) read back, each expected to be gone"
    )
    wanted = set(emails)
    for email in emails:
        users = [
            u
            for u in client.search_users(f"email:{email}")
            if str(u.get("email") or "").lower() in wanted
            or str(u.get("login") or "").lower() in wanted
        ]
        if users:
            ids = ", ".join(f"#{u.get('id')}" for u in users)
            result.problems.append(f"a search by address still finds user(s) {ids}")
        tickets = list(client.search_tickets(query=f"customer.email:{email}"))
        if tickets:
            numbers = ", ".join(f"#{t.get('number')}" for t in tickets[:10])
            result.problems.append(f"a search by address still finds ticket(s) {numbers}")
    result.checks.append(
        f"users and tickets searched by {len(emails):,} address(es), expected to find nothing"
    )
    for ticket_id, number in sorted((kept or {}).items()):
        try:
            client.ticket(ticket_id, expand=False)
        except NotFound:
            result.problems.append(f"kept ticket #{number} was deleted")
    if kept:
        result.checks.append(f"{len(kept):,} kept ticket(s) read back, each expected to be there")
    return result


@dataclass
class KeptTickets:
    """What :func:`keep_tickets` did: the tickets given to the placeholder, checks, problems."""

    customer_id: int | None = None
    tickets: dict[int, str] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def placeholder_customer(client, policy: KeepPolicy) -> int:
    """Return the Zammad id of the placeholder customer for kept tickets, creating it once."""
    email = policy.customer_email
    for user in client.search_users(f"email:{email}"):
        if str(user.get("email") or "").strip().lower() == email:
            return int(user["id"])
    user = client.request(
        "POST",
        "users",
        json={
            "firstname": policy.customer_firstname,
            "lastname": policy.customer_lastname,
            "email": email,
            "roles": ["Customer"],
            "note": "Holds tickets kept under a legal obligation after their customer's "
            "erasure (mimoto-gov).",
        },
        idempotent=False,
    )
    return int(user["id"])


def _find_ticket(client, flag: KeepFlag) -> dict | None:
    if flag.ticket_id is not None:
        try:
            return client.ticket(flag.ticket_id, expand=False)
        except NotFound:
            return None
    for ticket in client.search_tickets(query=f"number:{flag.number}"):
        if str(ticket.get("number")) == str(flag.number):
            return ticket
    return None


def keep_tickets(
    client,
    kept: list[KeepFlag],
    policy: KeepPolicy,
    *,
    user_ids: list[int],
    deleted_organizations: set[int] = frozenset(),
) -> KeptTickets:
    """Give every kept ticket to the placeholder customer, then read each one back.

    Args:
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient`.
        kept: the tickets staff decided to keep.
        policy: the placeholder customer's details (``erasure.yml``).
        user_ids: the users about to be deleted: no kept ticket may stay theirs.
        deleted_organizations: organisations about to be deleted: no kept ticket may stay in
            one (Zammad would destroy it with the organisation).

    Returns:
        A :class:`KeptTickets`; ``problems`` is empty when every kept ticket is safe.

    """
    result = KeptTickets()
    if not kept:
        return result
    result.customer_id = placeholder_customer(client, policy)
    for flag in kept:
        ticket = _find_ticket(client, flag)
        if ticket is None:
            result.problems.append(f"kept ticket #{flag.number} is not in Zammad")
            continue
        ticket_id = int(ticket["id"])
        if ticket.get("customer_id") != result.customer_id:
            client.request("PUT", f"tickets/{ticket_id}", json={"customer_id": result.customer_id})
            ticket = client.ticket(ticket_id, expand=False)
        result.tickets[ticket_id] = str(flag.number)
        if ticket.get("customer_id") in user_ids or ticket.get("customer_id") != result.customer_id:
            result.problems.append(f"kept ticket #{flag.number} still belongs to the person")
        elif ticket.get("organization_id") in deleted_organizations:
            result.problems.append(
                f"kept ticket #{flag.number} is still in organisation "
                f"#{ticket['organization_id']}, which is to be deleted"
            )
    result.checks.append(
        f"{len(result.tickets):,} kept ticket(s) given to the placeholder customer "
        f"#{result.customer_id} and read back before any deletion"
    )
    return result
