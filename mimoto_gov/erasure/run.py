"""Erasure on request: the dry run, the verified execution, and the monthly review's flags.

``mimoto-gov erase EMAIL --request-id ID`` (and ``notebooks/deletion_checklist.ipynb``) call
:func:`erase`. By default it is a dry run: it refreshes the snapshot (reads only), works out
the checklist (:mod:`mimoto_gov.erasure.plan`) and renders it into
``reports/erasure/<ID>/checklist.html`` and ``.pdf``; nothing in Zammad changes.

With ``execute=True`` it refuses without a verified identity in the request register or while
a legal hold applies, asks for confirmation, runs Zammad's data-privacy tasks and reads Zammad
back (:mod:`mimoto_gov.erasure.execute`). A failure, a timeout or anything still found is
recorded in the erasure register as failed, with the reason, and raised as one line. On
success it records the erasure (keyed hash only), puts the address on the suppression list,
forgets the address in every register, pulls Zammad in full, purges the workbook's own copies
(:mod:`mimoto_gov.erasure.purge`) and writes the certificate of erasure.

A second run of a completed erasure changes nothing: it says so, and only finishes what an
interrupted run left (a local copy still holding the person, a missing certificate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.erasure.execute import (
    ErasureFailed,
    ErasureRefused,
    start_tasks,
    task_problems,
    verify_erasure,
    wait_for_tasks,
)
from mimoto_gov.erasure.lines import checklist_lines, executed_lines
from mimoto_gov.erasure.plan import (
    BLOCKED,
    BY_HAND,
    KEPT,
    VERIFIED,
    ChecklistLine,
    ErasurePlan,
    load_backup_policy,
    plan_erasure,
)
from mimoto_gov.erasure.purge import Needles, find_local_copies, purge_local_copies
from mimoto_gov.erasure.review import erasure_flags
from mimoto_gov.errors import InputError, MimotoGovError, ZammadError
from mimoto_gov.formats import format_uk_date
from mimoto_gov.views.erasure_documents import (
    CERTIFICATE,
    CHECKLIST,
    Outcome,
    certificate_body,
    checklist_body,
    erasure_folder,
    write_document,
)

__all__ = ["ErasureFailed", "ErasureRefused", "ErasureRun", "erase", "erasure_flags"]

DEFAULT_TIMEOUT = 1200.0
DRY_RUN_NOTE = (
    "Dry run: nothing was changed in Zammad. This checklist names the person so that staff "
    "can check it; it is replaced by a version that does not once the erasure is done. To "
    "erase, run the same command with --execute."
)


@dataclass
class ErasureRun:
    """What :func:`erase` did.

    Attributes:
        request_id: the request.
        outcome: ``planned`` (dry run), ``completed`` or ``already done``.
        message: one paragraph for the person who ran it.
        paths: the documents written (checklist, certificate; HTML and PDF).
        plan: the checklist as planned (None for an erasure already done).
        erasure_id: the erasure register entry (executions).

    """

    request_id: str
    outcome: str
    message: str
    paths: list[Path] = field(default_factory=list)
    plan: ErasurePlan | None = None
    erasure_id: str | None = None


def poll_interval(timeout: float) -> float:
    """How often to ask Zammad about a task: every minute, more often for short time limits."""
    return min(60.0, max(0.05, timeout / 20))


def _now() -> datetime:
    return datetime.now(UTC)


def erase(
    email: str,
    request_id: str,
    *,
    execute: bool = False,
    yes: bool = False,
    confirm: Callable[[ErasurePlan], bool] | None = None,
    delete_organization: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float | None = None,
    settings=None,
    client=None,
) -> ErasureRun:
    """Plan, and with ``execute=True`` carry out, the erasure of one person.

    Args:
        email: the person's address (one of the request's subjects).
        request_id: the erasure request in the request register.
        execute: delete in Zammad; without it nothing in Zammad changes (a dry run).
        yes: do not ask for confirmation (scripts).
        confirm: asks a person to confirm (given the plan); without it and without ``yes``
            an execution is refused.
        delete_organization: also delete their organisation when they are its only member.
        timeout: seconds to wait for Zammad's tasks in all.
        interval: seconds between polls (default: :func:`poll_interval`).
        settings: the workbook's settings (loaded from the environment when None).
        client: a Zammad client (built from the settings when None and Zammad is set up).

    Returns:
        An :class:`ErasureRun`.

    Raises:
        InputError: the address is not a subject of the request, or it is not an erasure
            request.
        ErasureRefused: no verified identity, a legal hold, or no confirmation.
        ErasureFailed: a task failed or timed out, or Zammad still holds the person
            (recorded in the erasure register as failed).

    """
    from mimoto_gov.registers import normalise_email, open_registers
    from mimoto_gov.settings import load_settings

    settings = settings or load_settings()
    email = normalise_email(email)
    if timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds")
    with open_registers(settings.registers_path) as registers:
        request = registers.get_request(request_id)
        subject_hash = registers.hash(email)
        if subject_hash not in {s.subject_hash for s in request.subjects}:
            raise InputError(f"the address given is not a subject of request {request.id}")
        if request.kind != "erasure":
            raise InputError(f"request {request.id} is an {request.kind} request, not an erasure")
        history = registers.erasures()
        history = history[history["request_id"] == request.id]
        emails = tuple(dict.fromkeys([email, *request.emails]))
        done = history[history["outcome"] == "completed"]
        if len(done):
            return _already_done(settings, request.id, emails, done.iloc[-1], repair=execute)

        holds = _holds(registers, emails)
        if execute:
            # Refused before Zammad is even contacted.
            _refuse_unless_allowed(request, holds)
        if client is None and (execute or settings.zammad_url):
            from mimoto_gov.zammad.client import client_from_settings

            client = client_from_settings(settings)
        if client is not None:
            from mimoto_gov.zammad.sync import pull

            pull(client, settings.data_dir)
        plan = _plan(settings, request, emails, holds, delete_organization)
        folder = erasure_folder(settings.reports_dir, request.id)
        if not execute:
            paths = _write_checklist(plan, folder, note=DRY_RUN_NOTE)
            return ErasureRun(
                request.id,
                "planned",
                f"Dry run: nothing was changed in Zammad. {_plan_summary(plan)}",
                paths,
                plan,
            )
        if not yes:
            if confirm is None:
                raise ErasureRefused(
                    "--execute needs --yes when nobody is at a terminal to confirm"
                )
            if not confirm(plan):
                raise ErasureRefused("not confirmed: nothing was deleted")
        return _execute(
            settings,
            registers,
            client,
            request,
            emails,
            plan,
            history,
            timeout,
            interval or poll_interval(timeout),
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


def _plan(settings, request, emails, holds, delete_organization) -> ErasurePlan:
    from mimoto_gov.inventory import load_inventory

    plan = plan_erasure(
        load_inventory(settings.data_dir),
        emails,
        request_id=request.id,
        delete_organization=delete_organization,
        holds=holds,
        backup_policy=load_backup_policy(settings.policy_dir),
        identity=_identity(request),
        identity_verified=request.verified,
    )
    needles = _needles(plan)
    copies = find_local_copies(needles, settings.data_dir, settings.reports_dir)
    own = f"{settings.reports_dir.name}/erasure/{request.id}/"
    plan.local_copies = copies[~copies["path"].str.startswith(own)].reset_index(drop=True)
    plan.lines = checklist_lines(plan)
    return plan


def _needles(plan: ErasurePlan) -> Needles:
    return Needles(
        emails=plan.emails,
        user_ids=frozenset(plan.user_ids),
        ticket_ids=frozenset(int(i) for i in plan.tickets_to_delete["id"]),
        organization_ids=frozenset(
            int(i) for i in plan.organizations.loc[plan.organizations["deleted"], "id"]
        ),
    )


def _plan_summary(plan: ErasurePlan) -> str:
    text = (
        f"Erasing request {plan.request_id} would delete {len(plan.users):,} user record(s) and "
        f"{len(plan.tickets_to_delete):,} ticket(s); {len(plan.kept_articles):,} article(s) on "
        "other tickets stay in Zammad for redaction by hand."
    )
    blocked = [line.place for line in plan.lines if line.state == BLOCKED]
    if blocked:
        text += f" --execute would be refused: {', '.join(blocked).lower()}."
    return text


def _write_checklist(
    plan: ErasurePlan, folder: Path, *, note: str, identify: bool = True, level: str = "info"
) -> list[Path]:
    title = f"Deletion checklist: request {plan.request_id}"
    body = checklist_body(plan, identify=identify, note=note, level=level)
    return write_document(
        folder, CHECKLIST, title, body, _run_info(plan.request_id, plan.snapshot_time)
    )


def _run_info(request_id: str, snapshot_time) -> dict:
    return {"run_id": request_id, "kind": "erasure", "snapshot_time": snapshot_time}


def _execute(settings, registers, client, request, emails, plan, history, timeout, interval):
    started = _now()
    previous_tasks = [int(t) for ids in history["task_ids"] for t in ids]
    previous_numbers = {str(n) for numbers in history["ticket_numbers"] for n in numbers}
    outcomes = []
    try:
        outcomes = start_tasks(client, plan.deletion_tasks, previous_tasks)
        outcomes = wait_for_tasks(client, outcomes, timeout=timeout, interval=interval)
        problems = task_problems(outcomes)
        verification = None
        if not problems:
            ticket_ids, extra = _tickets_to_verify(plan, outcomes, previous_numbers, settings)
            verification = verify_erasure(
                client,
                user_ids=plan.user_ids,
                ticket_ids=ticket_ids,
                extra_numbers=extra,
                emails=emails,
            )
            problems = verification.problems
    except ZammadError as error:
        problems = [str(error)]
    task_ids = [o.task_id for o in outcomes if o.task_id is not None]
    numbers = sorted(
        set(plan.tickets_to_delete["number"].astype(str))
        | {n for o in outcomes for n in o.preview_numbers}
    )
    if problems:
        reason = "; ".join(problems)
        erasure_id = registers.record_erasure(
            request.id, outcome="failed", started_at=started, finished_at=_now(),
            task_ids=task_ids, ticket_numbers=numbers, reason=reason, verified=False,
            kept=_kept(checklist_lines(plan, identify=False)), email=emails[0],
        )  # fmt: skip
        plan.lines = executed_lines(plan.lines, succeeded=False, reason=reason)
        folder = erasure_folder(settings.reports_dir, request.id)
        paths = _write_checklist(
            plan, folder, note=f"The erasure failed and was recorded as {erasure_id}: {reason}",
            level="warning",
        )  # fmt: skip
        raise ErasureFailed(
            f"erasure of request {request.id} failed and was recorded as {erasure_id}: {reason} "
            f"(checklist: {paths[0]})"
        )
    return _complete(
        settings,
        registers,
        client,
        request,
        emails,
        plan,
        started,
        outcomes,
        task_ids,
        numbers,
        verification,
    )


def _tickets_to_verify(plan, outcomes, previous_numbers, settings):
    """Ticket ids to read back, and preview numbers the snapshot does not know."""
    from mimoto_gov.inventory import load_inventory

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


def _kept(lines) -> list[dict]:
    return [
        {
            "what": x.place,
            "held": x.held,
            "why": x.why or x.action,
            "owner": x.owner,
            "state": x.state,
        }
        for x in lines
        if x.state in (KEPT, BY_HAND)
    ]


def _complete(
    settings,
    registers,
    client,
    request,
    emails,
    plan,
    started,
    outcomes,
    task_ids,
    numbers,
    verification,
) -> ErasureRun:
    from mimoto_gov.zammad.sync import pull

    for email in emails:
        registers.add_suppression(email, reason=f"erased under request {request.id}")
    lines = checklist_lines(plan, identify=False)
    lines = executed_lines(lines, succeeded=True)
    finished = _now()
    erasure_id = registers.record_erasure(
        request.id, outcome="completed", started_at=started, finished_at=finished,
        task_ids=task_ids, ticket_numbers=numbers, verified=True, kept=_kept(lines),
        email=emails[0],
    )  # fmt: skip
    registers.forget_subject_email(request.id)
    if not request.finished:
        registers.close_request(request.id, f"erased and verified ({erasure_id})", finished.date())
    try:
        pull(client, settings.data_dir, full=True)
        folder = erasure_folder(settings.reports_dir, request.id)
        for name in (CHECKLIST,):
            for suffix in (".html", ".pdf"):
                (folder / f"{name}{suffix}").unlink(missing_ok=True)
        purge = purge_local_copies(_needles(plan), settings.data_dir, settings.reports_dir)
        tasks = pd.DataFrame(
            [(o.task_id, f"user #{o.user_id}", o.state) for o in outcomes],
            columns=["Task", "Deletes", "State"],
        )
        outcome = Outcome(
            erasure_id=erasure_id,
            subject_hash=registers.hash(emails[0]),
            started_at=started,
            finished_at=finished,
            tasks=tasks,
            checks=verification.checks if verification else [],
            purged=purge.done.rename(columns={"path": "File", "kind": "Kind", "done": "Done"}),
            deleted=_deleted_table(lines),
            lines=lines,
        )
        plan.lines = lines
        paths = _write_checklist(
            plan, folder, note=f"Executed: erased and verified ({erasure_id}).", identify=False
        )
        paths += _write_certificate(
            request.id,
            outcome,
            folder,
            beyond_use=plan.backup_policy.beyond_use,
            snapshot_time=plan.snapshot_time,
        )
        left = [
            p
            for p in find_local_copies(_needles(plan), settings.data_dir, settings.reports_dir)[
                "path"
            ]
        ]
    except MimotoGovError as error:
        raise ErasureFailed(
            f"request {request.id} was erased in Zammad and recorded as {erasure_id}, but "
            f"cleaning the workbook's own copies failed: {error}; run the same command again "
            "to finish"
        ) from None
    if left:
        raise ErasureFailed(
            f"request {request.id} was erased in Zammad ({erasure_id}) but these files still "
            f"hold the person: {', '.join(left)}"
        )
    message = (
        f"Erased request {request.id}: {len(plan.users):,} user record(s) and "
        f"{len(numbers):,} ticket(s) deleted in Zammad and verified; the workbook's own copies "
        f"purged ({len(purge.done):,} file(s)); recorded as {erasure_id}."
    )
    return ErasureRun(request.id, "completed", message, paths, plan, erasure_id)


def _deleted_table(lines) -> pd.DataFrame:
    rows = [(x.place, x.held, "; ".join(x.items)) for x in lines if x.state == VERIFIED]
    return pd.DataFrame(rows, columns=["What", "How much", "Which"])


def _write_certificate(
    request_id: str, outcome: Outcome, folder: Path, *, beyond_use: str, snapshot_time=None
) -> list[Path]:
    title = f"Certificate of erasure: request {request_id}"
    body = certificate_body(outcome, request_id=request_id, beyond_use=beyond_use)
    return write_document(folder, CERTIFICATE, title, body, _run_info(request_id, snapshot_time))


def _outcome_from_entry(entry, purged: pd.DataFrame) -> Outcome:
    """Rebuild the certificate's facts from the erasure register (for a rerun)."""
    finished = pd.Timestamp(entry["finished_at"]).to_pydatetime()
    numbers = [str(n) for n in entry["ticket_numbers"]]
    lines = [
        ChecklistLine(
            key=f"kept-{number}",
            place=str(item.get("what", "")),
            held=str(item.get("held", "")),
            action="",
            owner=str(item.get("owner", "")),
            state=str(item.get("state", KEPT)),
            why=str(item.get("why", "")),
        )
        for number, item in enumerate(entry["kept"] or [], start=1)
        if isinstance(item, dict)
    ]
    return Outcome(
        erasure_id=entry["id"],
        subject_hash=entry["subject_hash"],
        started_at=pd.Timestamp(entry["started_at"]).to_pydatetime(),
        finished_at=finished,
        tasks=pd.DataFrame(
            [(t, "a user record", "completed") for t in entry["task_ids"]],
            columns=["Task", "Deletes", "State"],
        ),
        checks=[
            f"Zammad was read back when the erasure was recorded "
            f"({format_uk_date(finished, with_time=True)}): nothing of the person was found"
        ],
        purged=purged.rename(columns={"path": "File", "kind": "Kind", "done": "Done"}),
        deleted=pd.DataFrame(
            [("Tickets in Zammad", f"{len(numbers):,}", "; ".join(f"#{n}" for n in numbers))],
            columns=["What", "How much", "Which"],
        ),
        lines=lines,
    )


def _already_done(settings, request_id: str, emails, entry, *, repair: bool) -> ErasureRun:
    """Report a completed erasure, and finish what an interrupted run may have left.

    With ``repair`` (an execution) a local copy still holding the person is purged and a
    missing certificate is written from the erasure register; otherwise nothing changes.
    """
    needles = Needles(emails=emails)
    folder = erasure_folder(settings.reports_dir, request_id)
    certificate = [folder / f"{CERTIFICATE}.html", folder / f"{CERTIFICATE}.pdf"]
    left = find_local_copies(needles, settings.data_dir, settings.reports_dir)
    missing = not all(p.exists() for p in certificate)
    when = f"{pd.Timestamp(entry['finished_at']):%-d %b %Y %H:%M} UTC"
    message = f"Request {request_id} was already erased ({entry['id']}, {when})"
    if not repair:
        todo = [f"{len(left):,} local file(s) still hold the person"] if len(left) else []
        todo += ["the certificate is missing"] if missing else []
        if todo:
            message += f"; {' and '.join(todo)}: run with --execute to finish."
        else:
            message += ": nothing to do."
        return ErasureRun(
            request_id,
            "already done",
            message,
            certificate if not missing else [],
            None,
            entry["id"],
        )
    done = []
    purged = pd.DataFrame(columns=["path", "kind", "done"])
    if len(left):
        purged = purge_local_copies(needles, settings.data_dir, settings.reports_dir).done
        done.append(f"purged {len(left):,} local file(s) left over")
    if missing:
        beyond_use = load_backup_policy(settings.policy_dir).beyond_use
        certificate = _write_certificate(
            request_id, _outcome_from_entry(entry, purged), folder, beyond_use=beyond_use
        )
        done.append("wrote the missing certificate")
    message += f"; {' and '.join(done)}." if done else ": nothing to do."
    return ErasureRun(request_id, "already done", message, certificate, None, entry["id"])
