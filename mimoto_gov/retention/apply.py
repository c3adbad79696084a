"""Carrying out a retention plan in Zammad, reading each action back, and logging it.

:func:`execute_plan` acts on the plan's ``to do`` items, in this order:

1. tickets to delete: one data-privacy task each (Zammad logs it and runs it within ten
   minutes), all queued first and then polled to the end together;
2. tickets to anonymise: moved to the anonymous placeholder customer with a neutral title
   (``PUT /tickets/:id``), then read back: the customer, the title and the organisation must
   have changed;
3. accounts to delete, once their tickets are dealt with: Zammad deletes every ticket a user
   is still the customer of, so each account is first searched for tickets and left alone if
   any remain;
4. review items: listed for a person (nothing changes in Zammad).

Before acting it asks Zammad which tickets and users changed since the snapshot the plan was
made from, and leaves those alone ("changed since the plan was made"). Every deleted ticket
and account is read back and must be gone (404). Each action is one row of the retention log,
whatever its outcome; a failure is recorded with its reason and the run carries on, except
when Zammad cannot be reached or refuses the token (then nothing else could succeed).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from mimoto_gov.errors import AuthError, MimotoGovError, NotFound, Unreachable, ZammadError
from mimoto_gov.retention.plan import RetentionPlan
from mimoto_gov.support.progress import progress
from mimoto_gov.zammad import writes

FIRST_POLL = 0.1
WORKERS = 4
# Zammad cannot be used at all: stop instead of recording the same failure for every item.
FATAL = (AuthError, Unreachable)


class RetentionRefused(MimotoGovError):
    """The run may not go ahead (an unapproved schedule, another desk, no confirmation)."""

    exit_code = 3


@dataclass
class ActionOutcome:
    """What happened to one item of the plan (one row of the retention log)."""

    target: str
    zammad_id: int
    number: str
    rule: str
    action: str
    outcome: str
    reason: str = ""
    task_id: int | None = None
    verified: bool = False
    kept: str = ""


@dataclass
class ApplyResult:
    """What :func:`execute_plan` did.

    Attributes:
        run_id: the run in the retention log.
        outcomes: one per item acted on (or skipped, failed, listed), in order.
        left: items still to do that ``limit`` left for a later run.
        requests: HTTP requests made to Zammad (the pull afterwards not included).
        seconds: how long it took.

    """

    run_id: str
    outcomes: list[ActionOutcome] = field(default_factory=list)
    left: int = 0
    requests: int = 0
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        """Count the outcomes of one kind (``done``, ``failed``...)."""
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def poll_interval(timeout: float) -> float:
    """How often to ask Zammad about tasks: every minute, more often for short time limits."""
    return min(60.0, max(0.05, timeout / 20))


class _Run:
    """One execution: the client, the log, the budget of items, and the tasks in flight."""

    def __init__(self, plan, client, registers, run_id, limit, pool):
        self.plan = plan
        self.pool = pool
        self.client = client
        self.registers = registers
        self.result = ApplyResult(run_id)
        self.budget = limit
        self.tasks: list[tuple[ActionOutcome, dict]] = []

    def take(self, items: pd.DataFrame) -> list:
        rows = list(items.itertuples(index=False))
        if self.budget is None:
            return rows
        taken, self.budget = rows[: self.budget], max(0, self.budget - len(rows))
        self.result.left += len(rows) - len(taken)
        return taken

    def outcome(self, item, outcome: str, **fields) -> ActionOutcome:
        return ActionOutcome(
            target=item.target, zammad_id=int(item.zammad_id), number=str(item.number or ""),
            rule=item.rule, action=item.action, outcome=outcome, **fields,
        )  # fmt: skip

    def log(self, done: ActionOutcome) -> None:
        self.registers.record_retention_action(
            self.result.run_id, target=done.target, zammad_id=done.zammad_id,
            ticket_number=done.number or None, rule=done.rule, action=done.action,
            outcome=done.outcome, reason=done.reason or None, task_id=done.task_id,
            verified=done.verified, kept=done.kept or None,
        )  # fmt: skip
        self.result.outcomes.append(done)

    def fail(self, item, error: Exception) -> None:
        self.log(self.outcome(item, "failed", reason=str(error)))
        if isinstance(error, FATAL):
            raise error


def execute_plan(
    plan: RetentionPlan,
    client,
    registers,
    *,
    limit: int | None = None,
    timeout: float = 1200.0,
    interval: float | None = None,
    workers: int = WORKERS,
) -> ApplyResult:
    """Carry out the plan's ``to do`` items in Zammad and log each one.

    Args:
        plan: the plan (see :func:`mimoto_gov.retention.plan.make_plan`).
        client: a :class:`~mimoto_gov.zammad.client.ZammadClient` with an admin token
            (``admin.data_privacy``, ``admin.user``, ``ticket.agent`` on every group).
        registers: the open :class:`~mimoto_gov.registers.Registers`: the log is written there,
            each row with its event in the registers' trail.
        limit: act on at most this many tickets and accounts (the rest wait for a later run).
        timeout: seconds to wait for Zammad's data-privacy tasks, in all.
        interval: seconds between polls (default :func:`poll_interval`).
        workers: requests in flight at once (Zammad's advice: a few, the agents share it).

    Returns:
        An :class:`ApplyResult`.

    Raises:
        ZammadError: Zammad could not be reached or refused the token (the items done so far
            are logged, and the run is closed).

    """
    started, requests_before = time.monotonic(), client.request_count
    run_id = registers.start_retention_run(
        plan.month,
        schedule_version=plan.schedule.version,
        schedule_digest=plan.schedule.digest,
        planned=len(plan.to_do()),
        zammad_url=client.url,
    )
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="retention")
    run = _Run(plan, client, registers, run_id, limit, pool)
    interval = interval or poll_interval(timeout)
    try:
        moment = pd.Timestamp(plan.snapshot_time).tz_convert("UTC").isoformat()
        changed = {
            "ticket": writes.changed_since(client, "ticket", moment),
            "account": writes.changed_since(client, "user", moment),
        }
        _delete_tickets(run, changed["ticket"])
        _anonymise_tickets(run, changed["ticket"])
        _wait(run, timeout, interval, _ticket_gone)
        _delete_accounts(run, changed["account"])
        _wait(run, timeout, interval, _account_gone)
        for item in plan.to_do(action="review").itertuples(index=False):
            run.log(run.outcome(item, "listed", reason="listed for a person to decide"))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        registers.finish_retention_run(run_id)
        run.result.requests = client.request_count - requests_before
        run.result.seconds = time.monotonic() - started
    return run.result


def _changed(run: _Run, item, changed: dict[int, str]) -> bool:
    stamp = changed.get(int(item.zammad_id))
    if stamp is None:
        return False
    reason = f"changed in Zammad since the plan was made (updated {stamp})"
    run.log(run.outcome(item, "skipped", reason=reason))
    return True


def _each(run: _Run, items: list, work, desc: str, unit: str):
    """Run ``work(item)`` for each item on the worker threads; yield ``(item, result)``.

    ``result`` is what ``work`` returned, or the Zammad error it raised. The results come back
    in the main thread, which alone writes the log.
    """

    def guarded(item):
        try:
            return item, work(item)
        except ZammadError as error:
            return item, error

    with progress(total=len(items), desc=desc, unit=unit) as bar:
        for item, result in run.pool.map(guarded, items):
            bar.update()
            yield item, result


def _queue_task(run: _Run, kind: str, zammad_id: int):
    """Queue one deletion; return the task, or None when the record is already gone."""
    try:
        return writes.create_deletion_task(run.client, kind, zammad_id)
    except ZammadError as error:
        if error.status == 422 and _gone(run, kind, zammad_id):
            return None
        raise


def _queued(run: _Run, item, result) -> None:
    """Log what queuing a deletion came to, or keep the task to wait for."""
    if isinstance(result, ZammadError):
        run.fail(item, result)
    elif result is None:
        run.log(run.outcome(item, "already gone", reason="not in Zammad", verified=True))
    else:
        run.tasks.append((run.outcome(item, "in process", task_id=int(result["id"])), result))


def _gone(run: _Run, kind: str, zammad_id: int) -> bool:
    read = run.client.ticket if kind == "Ticket" else run.client.user
    try:
        read(zammad_id, expand=False)
    except NotFound:
        return True
    return False


def _delete_tickets(run: _Run, changed: dict[int, str]) -> None:
    items = [
        i for i in run.take(run.plan.to_do("ticket", "delete")) if not _changed(run, i, changed)
    ]
    for item, result in _each(
        run, items, lambda i: _queue_task(run, "Ticket", int(i.zammad_id)),
        "Queuing ticket deletions", "ticket",
    ):  # fmt: skip
        _queued(run, item, result)


def _anonymise_tickets(run: _Run, changed: dict[int, str]) -> None:
    items = run.take(run.plan.to_do("ticket", "anonymise"))
    items = [i for i in items if not _changed(run, i, changed)]
    if not items:
        return
    try:
        placeholder = writes.placeholder_customer(run.client, run.plan.placeholder_id)
    except ZammadError as error:
        for item in items:
            run.fail(item, error)
        return

    def anonymise(item) -> dict | None:
        try:
            writes.anonymise_ticket(run.client, int(item.zammad_id), int(placeholder["id"]))
            return run.client.ticket(int(item.zammad_id), expand=False)
        except NotFound:
            return None

    for item, back in _each(run, items, anonymise, "Anonymising tickets", "ticket"):
        if isinstance(back, ZammadError):
            run.fail(item, back)
        elif back is None:
            run.log(run.outcome(item, "already gone", reason="not in Zammad", verified=True))
        elif problems := _not_anonymised(back, int(placeholder["id"]), placeholder):
            run.log(run.outcome(item, "failed", reason=f"read back: {problems}", kept=item.kept))
        else:
            run.log(run.outcome(item, "done", verified=True, kept=item.kept))


def _not_anonymised(ticket: dict, placeholder_id: int, placeholder: dict) -> str:
    problems = []
    if ticket.get("customer_id") != placeholder_id:
        problems.append(f"customer is #{ticket.get('customer_id')}, not the placeholder")
    if ticket.get("title") != writes.ANONYMISED_TITLE:
        problems.append("the title was not replaced")
    if ticket.get("organization_id") != placeholder.get("organization_id"):
        problems.append("the ticket still names an organisation")
    return "; ".join(problems)


def _delete_accounts(run: _Run, changed: dict[int, str]) -> None:
    items = run.take(run.plan.to_do("account", "delete"))
    items = [i for i in items if not _changed(run, i, changed)]

    def check_and_queue(item):
        numbers = writes.customer_ticket_numbers(run.client, int(item.zammad_id))
        if numbers:
            return numbers
        return _queue_task(run, "User", int(item.zammad_id))

    for item, result in _each(run, items, check_and_queue, "Deleting accounts", "account"):
        if isinstance(result, list):
            shown = ", ".join(f"#{n}" for n in result[:5])
            reason = f"still the customer of {len(result)} ticket(s) ({shown}) in Zammad"
            run.log(run.outcome(item, "skipped", reason=reason))
        else:
            _queued(run, item, result)


def _ticket_gone(run: _Run, done: ActionOutcome, task: dict) -> ActionOutcome:
    if not _gone(run, "Ticket", done.zammad_id):
        done.outcome, done.reason = "failed", "the task completed but the ticket is still there"
    return done


def _account_gone(run: _Run, done: ActionOutcome, task: dict) -> ActionOutcome:
    if not _gone(run, "User", done.zammad_id):
        done.outcome, done.reason = "failed", "the task completed but the account is still there"
        return done
    extra = [str(n) for n in (task.get("preferences") or {}).get("customer_tickets") or ()]
    if extra:
        done.reason = (
            f"Zammad also deleted {len(extra)} ticket(s) the account gained after the check "
            f"({', '.join('#' + n for n in extra[:5])})"
        )
    return done


def _wait(run: _Run, timeout: float, interval: float, verify) -> None:
    """Poll the queued tasks to the end, then read each deletion back and log it."""
    pending = {int(t["id"]): (done, t) for done, t in run.tasks}
    run.tasks = []
    deadline = time.monotonic() + timeout
    delay = min(FIRST_POLL, interval)
    while pending:
        try:
            states = writes.task_states(run.client, pending)
        except ZammadError as error:
            if isinstance(error, FATAL):
                for done, _task in pending.values():
                    run.log(_finished(done, "failed", str(error)))
                raise
            states = {}
        ended = [
            pending.pop(task_id)
            for task_id, task in states.items()
            if task.get("state") in ("completed", "failed")
        ]
        _settle(run, [(done, states[done.task_id]) for done, _ in ended], verify)
        if pending and time.monotonic() >= deadline:
            for done, _task in pending.values():
                reason = (
                    f"data-privacy task still in process after {timeout:g} s (Zammad runs "
                    "these every 10 minutes; the next run picks it up)"
                )
                run.log(_finished(done, "timed out", reason))
            return
        if pending:
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, interval)


def _finished(done: ActionOutcome, outcome: str, reason: str) -> ActionOutcome:
    done.outcome, done.reason = outcome, reason
    return done


def _settle(run: _Run, ended: list[tuple[ActionOutcome, dict]], verify) -> None:
    """Log the tasks that ended: a failure with Zammad's reason, a success once read back."""
    completed = []
    for done, task in ended:
        if task.get("state") == "failed":
            run.log(_finished(done, "failed", f"Zammad's task failed: {writes.task_error(task)}"))
        else:
            completed.append((done, task))

    def check(pair):
        done, task = pair
        done.outcome = "done"
        try:
            return verify(run, done, task)
        except ZammadError as error:
            return _finished(done, "failed", f"could not read it back: {error}")

    for done in run.pool.map(check, completed):
        done.verified = done.outcome == "done"
        run.log(done)
