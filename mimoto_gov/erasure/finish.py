"""The end of an execution: recording it, purging the workbook's copies, the documents.

A failed attempt is recorded with its reason and its checklist (:func:`failed`). A verified
one (:func:`complete`) is recorded before anything else is trusted: the person goes on the
suppression list, the erasure register gets the entry with every task, user and ticket of the
request and the checklist's lines, the registers forget the address, Zammad is pulled in full
and the workbook's own copies are purged, each purge step recorded as done. Then the
certificate and the letter are written from the register, and the request is closed only if
no step is open. :func:`already_done` finishes what an interrupted run left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.erasure.certificate import document_paths, settle, write_certificate
from mimoto_gov.erasure.documents import (
    CHECKLIST,
    checklist_body,
    erasure_folder,
    write_document,
)
from mimoto_gov.erasure.execute import ErasureFailed, ErasureInterrupted
from mimoto_gov.erasure.lines import executed_lines
from mimoto_gov.erasure.model import BY_HAND, KEPT, ErasurePlan
from mimoto_gov.erasure.policy import load_backup_policy
from mimoto_gov.erasure.purge import Needles, find_local_copies, purge_local_copies
from mimoto_gov.erasure.steps import (
    ErasureSteps,
    lines_for_register,
    load_steps,
    plan_lines,
    record_step,
    record_tool_steps,
)
from mimoto_gov.errors import MimotoGovError
from mimoto_gov.registers import open_registers
from mimoto_gov.zammad.sync import pull

# The tool's own steps after Zammad: the purge of the workbook's copies, recorded when done.
LOCAL_STEPS = ("local-",)


@dataclass
class ErasureRun:
    """What :func:`mimoto_gov.erasure.run.erase` did.

    Attributes:
        request_id: the request.
        outcome: ``planned`` (dry run), ``completed`` or ``already done``.
        message: one paragraph for the person who ran it.
        paths: the documents written (checklist, certificate, letter; HTML and PDF).
        plan: the checklist as planned (None for an erasure already done).
        erasure_id: the erasure register entry (executions).
        complete: whether every step is finished (the request is then closed).
        open_steps: the names of the steps still open.

    """

    request_id: str
    outcome: str
    message: str
    paths: list[Path] = field(default_factory=list)
    plan: ErasurePlan | None = None
    erasure_id: str | None = None
    complete: bool = False
    open_steps: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def needles_of(plan: ErasurePlan) -> Needles:
    """Return what the purge looks for: the person's addresses and their Zammad rows."""
    return Needles(
        emails=plan.emails,
        user_ids=frozenset(plan.user_ids),
        ticket_ids=frozenset(int(i) for i in plan.tickets_to_delete["id"]),
        organization_ids=frozenset(
            int(i) for i in plan.organizations.loc[plan.organizations["deleted"], "id"]
        ),
    )


def write_checklist(
    plan: ErasurePlan, reports_dir: Path, *, note: str, identify: bool = True, level="info"
) -> list[Path]:
    """Render the plan's checklist (its ``lines`` as they are) into the erasure folder."""
    title = f"Deletion checklist: request {plan.request_id}"
    body = checklist_body(plan, identify=identify, note=note, level=level)
    run_info = {"run_id": plan.request_id, "kind": "erasure", "snapshot_time": plan.snapshot_time}
    folder = erasure_folder(reports_dir, plan.request_id)
    return write_document(folder, CHECKLIST, title, body, run_info)


def _kept(lines) -> list[dict]:
    return [
        {"what": x.place, "held": x.held, "why": x.why or x.action, "owner": x.owner,
         "state": x.state}
        for x in lines
        if x.state in (KEPT, BY_HAND)
    ]  # fmt: skip


def failed(
    settings, registers, request, plan, *, started, task_ids, user_ids, numbers, reason,
    document: bool = True,
) -> tuple[str, list[Path]]:  # fmt: skip
    """Record a failed (or interrupted) attempt with its checklist; return its id and documents."""
    stored = executed_lines(plan_lines(plan, identify=False), succeeded=False, reason=reason)
    erasure_id = registers.record_erasure(
        request.id, outcome="failed", started_at=started, finished_at=_now(),
        task_ids=task_ids, ticket_numbers=numbers, reason=reason, verified=False,
        kept=_kept(stored), email=plan.emails[0], user_ids=user_ids,
        steps=lines_for_register(stored),
    )  # fmt: skip
    if not document:
        return erasure_id, []
    plan.lines = executed_lines(plan.lines, succeeded=False, reason=reason)
    paths = write_checklist(
        plan, settings.reports_dir, level="warning",
        note=f"The erasure failed and was recorded as {erasure_id}: {reason}",
    )  # fmt: skip
    return erasure_id, paths


def _purge_notes(done: pd.DataFrame) -> dict[str, str]:
    notes = {}
    for kind in ("snapshot", "sar", "report", "other"):
        files = done[done["kind"] == kind] if len(done) else done
        notes[f"local-{kind}"] = (
            f"{len(files):,} file(s) purged: " + "; ".join(f"{p}: {d}" for p, d in
                                                           zip(files["path"], files["done"],
                                                               strict=True))
            if len(files)
            else "nothing of the person left after the final pull"
        )  # fmt: skip
    notes["local-register"] = "the address removed from every register; only its keyed hash is kept"
    return notes


def complete(
    settings, registers, client, request, plan, *, started, task_ids, user_ids, numbers, checks
) -> ErasureRun:
    """Record a verified erasure, purge the workbook's copies, write the documents."""
    for email in plan.emails:
        registers.add_suppression(email, reason=f"erased under request {request.id}")
    stored = executed_lines(plan_lines(plan, identify=False), succeeded=True, pending=LOCAL_STEPS)
    erasure_id = registers.record_erasure(
        request.id, outcome="completed", started_at=started, finished_at=_now(),
        task_ids=task_ids, ticket_numbers=numbers, verified=True, kept=_kept(stored),
        email=plan.emails[0], user_ids=user_ids, checks=checks,
        steps=lines_for_register(stored),
    )  # fmt: skip
    folder = erasure_folder(settings.reports_dir, request.id)
    needles = needles_of(plan)
    try:
        registers.forget_subject_email(request.id)
        pull(client, settings.data_dir, full=True)
        for suffix in (".html", ".pdf"):
            (folder / f"{CHECKLIST}{suffix}").unlink(missing_ok=True)
        purge = purge_local_copies(needles, settings.data_dir, settings.reports_dir)
        record_tool_steps(registers, request.id, _purge_notes(purge.done))
        plan.lines = load_steps(registers, request.id).lines
        paths = write_checklist(
            plan, settings.reports_dir, identify=False,
            note=f"Executed: erased and verified ({erasure_id}). This is the checklist as it "
            "stood then; the certificate of erasure shows each step's current state.",
        )  # fmt: skip
        paths += write_certificate(registers, request.id, folder, plan.backup_policy)[0]
        left = list(find_local_copies(needles, settings.data_dir, settings.reports_dir)["path"])
    except MimotoGovError as error:
        raise ErasureFailed(
            f"request {request.id} was erased in Zammad and recorded as {erasure_id}, but "
            f"cleaning the workbook's own copies failed: {error}; run the same command again "
            "to finish"
        ) from None
    except KeyboardInterrupt:
        raise ErasureInterrupted(
            f"request {request.id} was erased in Zammad and recorded as {erasure_id}; "
            "interrupted while cleaning the workbook's own copies: run the same command again "
            "to finish"
        ) from None
    if left:
        raise ErasureFailed(
            f"request {request.id} was erased in Zammad ({erasure_id}) but these files still "
            f"hold the person: {', '.join(left)}"
        )
    finished = settle(registers, request.id)
    steps = load_steps(registers, request.id)
    message = (
        f"Erased request {request.id}: {len(user_ids):,} user record(s) and "
        f"{len(numbers):,} ticket(s) deleted in Zammad and verified"
        + (f", {len(plan.kept):,} ticket(s) kept by decision" if plan.kept else "")
        + f"; the workbook's own copies purged ({len(purge.done):,} file(s)); recorded as "
        f"{erasure_id}. " + _steps_message(request.id, steps)
    )
    return ErasureRun(
        request.id, "completed", message, paths, plan, erasure_id,
        complete=finished, open_steps=[s.key for s in steps.open_steps],
    )  # fmt: skip


def _steps_message(request_id: str, steps) -> str:
    if steps.complete:
        return "Every step is finished: the certificate is complete and the request closed."
    names = ", ".join(s.key for s in steps.open_steps)
    return (
        f"{len(steps.open_steps):,} step(s) still open ({names}): record each with "
        f"`mimoto-gov erasure done {request_id} STEP --by NAME`; until then the certificate "
        "is partial and the request stays open."
    )


def already_done(settings, registers, request, emails, *, repair: bool) -> ErasureRun:
    """Report a completed erasure, and finish what an interrupted run may have left.

    With ``repair`` (an execution) a local copy still holding the person is purged, the
    tool's own steps left open are recorded, and a missing certificate or letter is written
    from the erasure register; otherwise nothing changes. Zammad is not contacted.
    """
    steps = load_steps(registers, request.id)
    history = registers.erasures()
    entry = history[(history["request_id"] == request.id) & (history["outcome"] == "completed")]
    entry = entry.iloc[-1]
    folder = erasure_folder(settings.reports_dir, request.id)
    documents = document_paths(folder)
    needles = Needles(emails=tuple(emails)) if emails else None
    left = (
        find_local_copies(needles, settings.data_dir, settings.reports_dir)
        if needles is not None
        else pd.DataFrame(columns=["path"])
    )
    missing = not all(p.exists() for p in documents)
    unfinished = [s for s in steps.open_steps if not s.line.manual] if steps.erased else []
    when = f"{pd.Timestamp(entry['finished_at']):%-d %b %Y %H:%M} UTC"
    message = f"Request {request.id} was already erased ({entry['id']}, {when})"
    if not repair:
        todo = [f"{len(left):,} local file(s) still hold the person"] if len(left) else []
        todo += ["the certificate is missing"] if missing else []
        todo += [f"{len(unfinished):,} step(s) of the tool are unfinished"] if unfinished else []
        todo += ["the registers still hold the address"] if request.emails else []
        message += f"; {' and '.join(todo)}: run with --execute to finish." if todo else "."
        message += " " + _steps_message(request.id, steps)
        return ErasureRun(
            request.id, "already done", message, [] if missing else documents, None,
            entry["id"], complete=steps.complete, open_steps=[s.key for s in steps.open_steps],
        )  # fmt: skip
    done = []
    if request.emails:
        # An earlier run stopped between recording the erasure and forgetting the address.
        registers.forget_subject_email(request.id)
        done.append("removed the address from the registers")
    if len(left):
        purge_local_copies(needles, settings.data_dir, settings.reports_dir)
        done.append(f"purged {len(left):,} local file(s) left over")
    if unfinished:
        record_tool_steps(
            registers, request.id, {s.key: "finished by a later run" for s in unfinished}
        )
        done.append(f"recorded {len(unfinished):,} unfinished step(s) of the tool")
    if missing or unfinished or request.emails:
        backup_policy = load_backup_policy(settings.policy_dir)
        documents = write_certificate(registers, request.id, folder, backup_policy)[0]
        done.append("wrote the missing certificate" if missing else "wrote the certificate again")
    finished = settle(registers, request.id)
    steps = load_steps(registers, request.id)
    message += f"; {' and '.join(done)}." if done else ": nothing to do."
    message += " " + _steps_message(request.id, steps)
    return ErasureRun(
        request.id, "already done", message, documents, None, entry["id"],
        complete=finished, open_steps=[s.key for s in steps.open_steps],
    )  # fmt: skip


def step_done(
    settings,
    request_id: str,
    key: str,
    *,
    by: str,
    on=None,
    note: str | None = None,
    not_needed: str | None = None,
) -> tuple[ErasureSteps, list[Path]]:
    """Record a step finished by hand, then write the certificate again and settle the request.

    Args:
        settings: the workbook's settings (registers, reports and policy folders).
        request_id: the erasure request.
        key: the step's name.
        by: who did it.
        on: the day it was done (today by default).
        note: what was done.
        not_needed: instead of done, why the step does not apply.

    Returns:
        The steps after recording, and the documents written again (none before Zammad's
        deletion is verified: there is nothing to certify yet).

    """
    with open_registers(settings.registers_path) as registers:
        steps = record_step(
            registers, request_id, key, by=by, on=on, note=note, not_needed=not_needed
        )
        paths: list[Path] = []
        if steps.erased:
            folder = erasure_folder(settings.reports_dir, steps.request_id)
            backup_policy = load_backup_policy(settings.policy_dir)
            paths = write_certificate(registers, steps.request_id, folder, backup_policy)[0]
            settle(registers, steps.request_id)
        return load_steps(registers, steps.request_id), paths
