"""Erasure on request: the dry run, the verified execution, and the monthly review's flags.

``mimoto-gov erase EMAIL --request-id ID`` (and ``notebooks/deletion_checklist.ipynb``) call
:func:`erase`. By default it is a dry run: it refreshes the snapshot (reads only), works out
the checklist (:mod:`mimoto_gov.erasure.plan`) and renders it into
``reports/erasure/<ID>/checklist.html`` and ``.pdf``; nothing in Zammad changes.

With ``execute=True`` it first takes the data folder's lock (one destructive command at a
time, :mod:`mimoto_gov.support.lock`). It refuses without a verified identity in the request
register, while a legal hold applies, or while a ticket flagged as possibly to be kept has no
decision (:mod:`mimoto_gov.erasure.keep`); it asks for confirmation, gives kept tickets to the
placeholder customer, runs Zammad's data-privacy tasks (each recorded in the register as soon
as Zammad created it) and reads Zammad back (:mod:`mimoto_gov.erasure.execute`). A failure, a
timeout or anything still found is recorded in the erasure register as failed, with the
reason, and raised as one line; Ctrl-C while waiting says which task is under way. On success
:mod:`mimoto_gov.erasure.finish` records the erasure, purges the workbook's own copies and
writes the certificate and the letter: partial while steps by hand remain, complete once they
are recorded (``mimoto-gov erasure done``), when the request is closed.

A rerun never loses what an earlier attempt did: the earlier attempt's tasks, users and
tickets are carried into the new one, so the certificate always holds every task and ticket
of the request. A second run of a completed erasure changes nothing in Zammad and only
finishes what an interrupted run left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pandas as pd

from mimoto_gov.erasure.attempt import attempt
from mimoto_gov.erasure.execute import ErasureFailed, ErasureInterrupted, ErasureRefused
from mimoto_gov.erasure.finish import ErasureRun, already_done, needles_of, write_checklist
from mimoto_gov.erasure.keep import decide_command
from mimoto_gov.erasure.model import BLOCKED, ErasurePlan
from mimoto_gov.erasure.plan import plan_erasure
from mimoto_gov.erasure.policy import load_backup_policy, load_keep_policy, load_recipients
from mimoto_gov.erasure.purge import find_local_copies
from mimoto_gov.erasure.review import erasure_flags
from mimoto_gov.erasure.steps import lines_from_register, plan_lines
from mimoto_gov.errors import InputError
from mimoto_gov.inventory import load_inventory
from mimoto_gov.registers import normalise_email, open_registers
from mimoto_gov.settings import load_settings
from mimoto_gov.support.lock import DEFAULT_WAIT, data_folder_lock
from mimoto_gov.zammad.client import client_from_settings
from mimoto_gov.zammad.desk import ensure_same_desk
from mimoto_gov.zammad.sync import pull

__all__ = [
    "ErasureFailed",
    "ErasureInterrupted",
    "ErasureRefused",
    "ErasureRun",
    "erase",
    "erasure_flags",
]

DEFAULT_TIMEOUT = 1200.0
DRY_RUN_NOTE = (
    "Dry run: nothing was changed in Zammad. This checklist names the person so that staff "
    "can check it; it is replaced by a version that does not once the erasure is done. To "
    "erase, run the same command with --execute."
)


class Execution(NamedTuple):
    """How to carry out a plan: confirmation, and how long to wait for Zammad."""

    yes: bool
    confirm: Callable[[ErasurePlan], bool] | None
    timeout: float
    interval: float


def poll_interval(timeout: float) -> float:
    """How often to ask Zammad about a task: every minute, more often for short time limits."""
    return min(60.0, max(0.05, timeout / 20))


def erase(
    email: str | None,
    request_id: str,
    *,
    execute: bool = False,
    yes: bool = False,
    confirm: Callable[[ErasurePlan], bool] | None = None,
    delete_organization: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float | None = None,
    wait: float = DEFAULT_WAIT,
    settings=None,
    client=None,
    also: tuple[str, ...] = (),
    user_ids: dict[int, str] | None = None,
) -> ErasureRun:
    """Plan, and with ``execute=True`` carry out, the erasure of one person.

    Args:
        email: the person's address (one of the request's subjects); None takes the
            request's addresses from the register.
        request_id: the erasure request in the request register.
        also: other current addresses staff found the person uses (``--also``).
        user_ids: Zammad accounts staff include by hand (a near-match they decided is the
            person's), each with the recorded reason (``--user-id N --reason``).
        execute: delete in Zammad; without it nothing in Zammad changes (a dry run).
        yes: do not ask for confirmation (scripts).
        confirm: asks a person to confirm (given the plan); without it and without ``yes``
            an execution is refused.
        delete_organization: also delete their organisation when they are its only member.
        timeout: seconds to wait for Zammad's tasks in all.
        interval: seconds between polls (default: :func:`poll_interval`).
        wait: seconds to wait for another destructive command holding the data folder.
        settings: the workbook's settings (loaded from the environment when None).
        client: a Zammad client (built from the settings when None and Zammad is set up).

    Returns:
        An :class:`ErasureRun`.

    Raises:
        InputError: the address is not a subject of the request, or it is not an erasure
            request.
        ErasureRefused: no verified identity, a legal hold, an undecided flag, or no
            confirmation.
        ErasureFailed: a task failed or timed out, or Zammad still holds the person
            (recorded in the erasure register as failed).
        ErasureInterrupted: Ctrl-C after Zammad's tasks were created (they are recorded).
        FolderBusy: another destructive command held the data folder for ``wait`` seconds.

    """
    settings = settings or load_settings()
    if timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds")
    with open_registers(settings.registers_path) as registers:
        request = registers.get_request(request_id)
        emails = _addresses(registers, request, email)
        emails = tuple(dict.fromkeys([*emails, *(normalise_email(a) for a in also)]))
        if request.kind != "erasure":
            raise InputError(f"request {request.id} is an {request.kind} request, not an erasure")
        if not execute:
            return _run(
                settings, registers, request, emails, client, delete_organization,
                user_ids=user_ids,
            )  # fmt: skip
        # Another desk is refused before anything is written, the lock file included.
        ensure_same_desk(settings.data_dir, client.url if client else settings.zammad_url)
        with data_folder_lock(settings.data_dir, f"erase --execute {request.id}", wait=wait):
            # Read again under the lock: another run may have just finished this request.
            request = registers.get_request(request.id)
            return _run(
                settings, registers, request, emails, client, delete_organization,
                execution=Execution(yes, confirm, timeout, interval or poll_interval(timeout)),
                user_ids=user_ids,
            )  # fmt: skip


def _addresses(registers, request, email: str | None) -> tuple[str, ...]:
    """Return the person's addresses still held: the one given first, then the request's."""
    if email is None:
        return tuple(request.emails)
    email = normalise_email(email)
    if registers.hash(email) not in {s.subject_hash for s in request.subjects}:
        raise InputError(f"the address given is not a subject of request {request.id}")
    return tuple(dict.fromkeys([email, *request.emails]))


def _run(
    settings, registers, request, emails, client, delete_organization, execution=None,
    user_ids=None,
):  # fmt: skip
    history = registers.erasures()
    history = history[history["request_id"] == request.id]
    if (history["outcome"] == "completed").any():
        return already_done(settings, registers, request, emails, repair=execution is not None)
    if not emails:
        raise InputError(
            f"request {request.id} holds no address any more: give the person's address"
        )
    holds = _holds(registers, emails)
    if execution is not None:
        # Refused before Zammad is even contacted.
        _refuse_unless_allowed(request, holds)
    if client is None and (execution is not None or settings.zammad_url):
        client = client_from_settings(settings)
    if client is not None:
        # Before anything is sent or written: the snapshot must be this desk's.
        ensure_same_desk(settings.data_dir, client.url)
        pull(client, settings.data_dir)
    plan = _plan(
        settings, registers, request, emails, holds, delete_organization, history, user_ids
    )
    if execution is None:
        paths = write_checklist(plan, settings.reports_dir, note=DRY_RUN_NOTE)
        message = f"Dry run: nothing was changed in Zammad. {_plan_summary(plan)}"
        return ErasureRun(request.id, "planned", message, paths, plan)
    if plan.undecided:
        flags = ", ".join(f"{f.key} ({f.why})" for f in plan.undecided)
        raise ErasureRefused(
            f"{len(plan.undecided):,} ticket(s) may have to be kept: {flags}; record a "
            f"decision for each first, e.g. `{decide_command(request.id, plan.undecided[0].key)}`"
            "; nothing was deleted"
        )
    if not execution.yes:
        if execution.confirm is None:
            raise ErasureRefused("--execute needs --yes when nobody is at a terminal to confirm")
        if not execution.confirm(plan):
            raise ErasureRefused("not confirmed: nothing was deleted")
    return attempt(
        settings, registers, client, request, plan, history, execution.timeout, execution.interval
    )


def _identity(request) -> str:
    if not request.verified:
        return ""
    how = request.verify_method or "method not recorded"
    return f"verified {request.verified_at:%-d %b %Y} by {request.verified_by or 'unknown'} ({how})"


def _holds(registers, emails) -> list[dict]:
    """Active legal holds and open law-enforcement requests naming any of the addresses."""
    holds = [h for email in emails for h in registers.active_holds_for(email)]
    holds = list({(h["source"], h["id"]): h for h in holds}.values())
    for hold in holds:
        hold["label"] = (
            f"{hold['source']} {hold['id']} since {hold['since']:%-d %b %Y}: {hold['reason']}"
        )
    return holds


def _refuse_unless_allowed(request, holds: list[dict]) -> None:
    if request.status == "refused":
        raise ErasureRefused(f"request {request.id} was refused: nothing was deleted")
    if not request.verified:
        raise ErasureRefused(
            f"request {request.id} has no verified identity: record the check with "
            f"`mimoto-gov requests verify {request.id} ...` first; nothing was deleted"
        )
    if holds:
        reasons = "; ".join(h["label"] for h in holds)
        raise ErasureRefused(
            f"a legal hold applies to this person ({reasons}): nothing was deleted"
        )


def _plan(settings, registers, request, emails, holds, delete_organization, history, user_ids=None):
    keep_policy = load_keep_policy(settings.policy_dir)
    plan = plan_erasure(
        load_inventory(settings.data_dir),
        emails,
        request_id=request.id,
        delete_organization=delete_organization,
        holds=holds,
        backup_policy=load_backup_policy(settings.policy_dir),
        identity=_identity(request),
        identity_verified=request.verified,
        keep_policy=keep_policy,
        decisions=registers.keep_decisions(request.id),
        recipients=load_recipients(settings.policy_dir, keep_policy),
        user_ids=user_ids,
    )
    if len(history):
        last = history.iloc[-1]["id"]
        plan.earlier_lines = lines_from_register(registers.erasure_step_lines(last))
    copies = find_local_copies(needles_of(plan), settings.data_dir, settings.reports_dir)
    own = f"{settings.reports_dir.name}/erasure/{request.id}/"
    plan.local_copies = copies[~copies["path"].str.startswith(own)].reset_index(drop=True)
    plan.lines = plan_lines(plan, identify=True)
    return plan


def _plan_summary(plan: ErasurePlan) -> str:
    text = (
        f"Erasing request {plan.request_id} would delete {len(plan.users):,} user record(s) and "
        f"{len(plan.tickets_to_delete):,} ticket(s); {len(plan.kept_articles):,} article(s) on "
        "other tickets stay in Zammad for redaction by hand."
    )
    if plan.kept:
        text += f" {len(plan.kept):,} ticket(s) are kept by decision."
    text += "".join(f" Note: {note}." for note in plan.account_notes)
    near = plan.near_matches
    if len(near):
        listed = "; ".join(
            f"user #{row.user_id}"
            + (f" (article {int(row.article_id)})" if pd.notna(row.article_id) else "")
            + f": {row.reason}"
            for row in near.itertuples(index=False)
        )
        text += f" Not included, for staff to check: {listed}."
    blocked = [line.place for line in plan.lines if line.state == BLOCKED]
    if blocked:
        text += f" --execute would be refused: {', '.join(blocked).lower()}."
    if plan.undecided:
        text += (
            f" Decide for each flag: `{decide_command(plan.request_id, plan.undecided[0].key)}`."
        )
    return text
