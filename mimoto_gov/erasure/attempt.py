"""One attempt at an erasure in Zammad: kept tickets aside, tasks, waiting, verification.

Called by :func:`mimoto_gov.erasure.run.erase` once the plan is confirmed and the data
folder's lock is held. Whatever happens is recorded in the erasure register before it is
reported (:mod:`mimoto_gov.erasure.finish`): a verified erasure, a failure with its reason, or
an interruption naming the task under way, so that the same command run again finishes it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mimoto_gov.erasure.execute import (
    ErasureFailed,
    ErasureInterrupted,
    KeptTickets,
    keep_tickets,
    start_tasks,
    task_problems,
    verify_erasure,
    wait_for_tasks,
)
from mimoto_gov.erasure.finish import complete, failed
from mimoto_gov.erasure.policy import load_keep_policy
from mimoto_gov.errors import ZammadError
from mimoto_gov.inventory import load_inventory


def _previous(registers, request, history) -> tuple[list[int], dict[int, bool], set[str]]:
    """Tasks, users (with their organisation flag) and ticket numbers of earlier attempts."""
    tasks = registers.erasure_tasks(request.id)
    task_ids = list(dict.fromkeys([*map(int, tasks["task_id"])] + [
        int(t) for ids in history["task_ids"] for t in ids
    ]))  # fmt: skip
    users = {int(u): False for ids in history["user_ids"] for u in ids}
    users.update({int(r.user_id): bool(r.delete_organization) for r in tasks.itertuples()})
    numbers = {str(n) for ids in history["ticket_numbers"] for n in ids}
    return task_ids, users, numbers


def attempt(settings, registers, client, request, plan, history, timeout, interval):
    """Carry out a confirmed plan in Zammad, verify it, and record the attempt.

    Kept tickets are given to the placeholder customer first; each task is recorded the
    moment Zammad created it; earlier attempts' tasks, users and tickets are carried in.

    Returns:
        The :class:`~mimoto_gov.erasure.finish.ErasureRun` of a verified erasure.

    Raises:
        ErasureFailed: something failed, timed out or was still found (recorded).
        ErasureInterrupted: Ctrl-C after a task was created (recorded).

    """
    started = datetime.now(UTC)
    previous_tasks, previous_users, previous_numbers = _previous(registers, request, history)
    tasks = plan.deletion_tasks
    tasks += [(u, org) for u, org in previous_users.items() if u not in plan.user_ids]
    user_ids = [u for u, _ in tasks]
    kept_numbers = {str(f.number) for f in plan.kept}
    outcomes, kept, verification, problems, created = [], KeptTickets(), None, [], []

    def record_task(outcome, delete_organization):
        # Recorded before anything waits on it: an interrupted run must not forget it.
        registers.record_erasure_task(
            request.id, outcome.task_id, outcome.user_id, delete_organization=delete_organization
        )
        created.append(outcome.task_id)

    try:
        deleted_orgs = {int(i) for i in plan.organizations.loc[plan.organizations["deleted"], "id"]}
        kept = keep_tickets(
            client, list(plan.kept), load_keep_policy(settings.policy_dir),
            user_ids=user_ids, deleted_organizations=deleted_orgs,
        )  # fmt: skip
        problems = kept.problems
        if not problems:
            outcomes = start_tasks(client, tasks, previous_tasks, on_task=record_task)
            outcomes = wait_for_tasks(client, outcomes, timeout=timeout, interval=interval)
            problems = task_problems(outcomes)
        if not problems:
            ticket_ids, extra = _tickets_to_verify(plan, outcomes, previous_numbers, settings)
            for ticket_id in kept.tickets:
                ticket_ids.pop(ticket_id, None)
            verification = verify_erasure(
                client, user_ids=user_ids, ticket_ids=ticket_ids,
                extra_numbers=extra - kept_numbers, emails=plan.emails, kept=kept.tickets,
            )  # fmt: skip
            problems = verification.problems
    except ZammadError as error:
        problems = [str(error)]
    except KeyboardInterrupt:
        if not created:
            raise ErasureInterrupted(
                "interrupted before any deletion task was created: nothing was deleted in Zammad"
            ) from None
        label = ", ".join(str(t) for t in created)
        failed(
            settings, registers, request, plan, started=started, task_ids=created,
            user_ids=user_ids, numbers=_numbers(plan, outcomes, previous_numbers, kept_numbers),
            reason=f"interrupted while waiting for Zammad (task {label} created)", document=False,
        )  # fmt: skip
        raise ErasureInterrupted(
            f"erasure under way: task {label} created; run the same command again to finish"
        ) from None
    task_ids = [o.task_id for o in outcomes if o.task_id is not None]
    numbers = _numbers(plan, outcomes, previous_numbers, kept_numbers)
    if problems:
        reason = "; ".join(problems)
        erasure_id, paths = failed(
            settings, registers, request, plan, started=started, reason=reason,
            task_ids=list(dict.fromkeys(previous_tasks + task_ids)), user_ids=user_ids,
            numbers=numbers,
        )  # fmt: skip
        raise ErasureFailed(
            f"erasure of request {request.id} failed and was recorded as {erasure_id}: {reason} "
            f"(checklist: {paths[0]})"
        )
    checks = kept.checks + (verification.checks if verification else [])
    return complete(
        settings, registers, client, request, plan,
        started=started, task_ids=task_ids, user_ids=user_ids, numbers=numbers, checks=checks,
    )  # fmt: skip


def _numbers(plan, outcomes, previous_numbers, kept_numbers) -> list[str]:
    numbers = set(plan.tickets_to_delete["number"].astype(str)) | set(previous_numbers)
    numbers |= {n for o in outcomes for n in o.preview_numbers}
    return sorted(numbers - kept_numbers)


def _tickets_to_verify(plan, outcomes, previous_numbers, settings):
    """Ticket ids to read back, and preview numbers the snapshot does not know."""
    ticket_ids = {
        int(i): str(n) for i, n in plan.tickets_to_delete[["id", "number"]].itertuples(index=False)
    }
    wanted = previous_numbers | {n for o in outcomes for n in o.preview_numbers}
    wanted -= set(ticket_ids.values())
    if wanted:
        tickets = load_inventory(settings.data_dir).tickets
        known = tickets[tickets["number"].astype(str).isin(wanted)]
        ticket_ids.update(
            {int(i): str(n) for i, n in known[["id", "number"]].itertuples(index=False)}
        )
        wanted -= set(known["number"].astype(str))
    return ticket_ids, wanted
