"""The certificate of erasure and the letter to the person, always written from the register.

Everything the documents say comes from the erasure register: the completed entry (tasks,
tickets, users, the checks made against Zammad), every data-privacy task recorded for the
request (so a rerun after a timeout still lists the first run's task), the steps and who
finished each, and the keep decisions. So they can be written again at any time, and are:
after the execution, after each step recorded by hand (``mimoto-gov erasure done``), and by a
rerun that finds one missing. The certificate is partial while a step is open, complete after.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.erasure.documents import (
    CERTIFICATE,
    Outcome,
    certificate_body,
    certificate_title,
    letter_body,
    letter_title,
    write_document,
)
from mimoto_gov.erasure.model import VERIFIED, BackupPolicy
from mimoto_gov.erasure.notify import LETTER
from mimoto_gov.erasure.steps import ErasureSteps, load_steps
from mimoto_gov.errors import RegisterError
from mimoto_gov.formats import format_uk_date

DOCUMENTS = (CERTIFICATE, LETTER)


def _tasks(registers, request_id: str, entry: dict) -> pd.DataFrame:
    completed = {str(t) for t in entry["task_ids"]}
    rows, seen = [], set()
    for task in registers.erasure_tasks(request_id).to_dict("records"):
        seen.add(str(task["task_id"]))
        state = "completed" if str(task["task_id"]) in completed else "failed; tried again"
        rows.append((int(task["task_id"]), f"user #{int(task['user_id'])}", state))
    # Entries recorded before tasks had their own table name only the task.
    rows += [(int(t), "a user record", "completed") for t in entry["task_ids"] if t not in seen]
    return pd.DataFrame(rows, columns=["Task", "Deletes", "State"])


def _deleted(lines) -> pd.DataFrame:
    rows = [(x.place, x.held, "; ".join(x.items)) for x in lines if x.state == VERIFIED]
    return pd.DataFrame(rows, columns=["What", "How much", "Which"])


def certificate_outcome(registers, request_id: str, backup_policy: BackupPolicy) -> Outcome:
    """Gather the certificate's facts from the register.

    Raises:
        RegisterError: the request has no completed erasure.

    """
    steps = load_steps(registers, request_id)
    if steps is None or not steps.erased:
        raise RegisterError(f"request {request_id} has no completed erasure: nothing to certify")
    entry = steps.entry
    request = registers.get_request(request_id)
    finished = pd.Timestamp(entry["finished_at"] or entry["recorded_at"]).to_pydatetime()
    checks = list(entry["checks"]) or [
        f"Zammad was read back when the erasure was recorded "
        f"({format_uk_date(finished, with_time=True)}): nothing of the person was found"
    ]
    decisions = registers.keep_decisions(request.id)
    kept = decisions[decisions["decision"] == "keep"]
    return Outcome(
        erasure_id=entry["id"],
        subject_hash=entry["subject_hash"],
        started_at=pd.Timestamp(entry["started_at"]).to_pydatetime(),
        finished_at=finished,
        tasks=_tasks(registers, request.id, entry),
        checks=checks,
        deleted=_deleted(steps.lines),
        lines=steps.lines,
        done=_done(steps),
        kept=pd.DataFrame(
            [
                (
                    f"ticket #{row.flag.removeprefix('ticket-')}",
                    row.reason,
                    row.review_on,
                    f"{row.decided_by}, {format_uk_date(row.decided_on)}",
                )
                for row in kept.itertuples(index=False)
            ],  # fmt: skip
            columns=["Ticket", "Why it is kept", "Review on", "Decided by"],
        ),
        recipients=pd.DataFrame(
            [
                (
                    s.line.place.removeprefix("Recipient: "),
                    s.line.state,
                    s.done_by,
                    s.done_on,
                    s.note or s.line.why,
                )
                for s in steps.steps
                if s.key.startswith("notify-")
            ],  # fmt: skip
            columns=["Recipient", "State", "By", "On", "Note"],
        ),
        retained=pd.DataFrame(
            [(c.name, c.owner, c.ages_out(finished.date())) for c in backup_policy.copies],
            columns=["Copy", "Owner", "Ages out on"],
        ),
        received_on=request.received_on,
    )


def _done(steps: ErasureSteps) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (s.key, s.line.place, s.line.state, s.done_by, s.done_on, s.note)
            for s in steps.steps
            if s.done_by
        ],
        columns=["Step", "Where", "Outcome", "By", "On", "What was done"],
    )


def document_paths(folder: Path) -> list[Path]:
    """Return the certificate's and the letter's files (HTML and PDF)."""
    return [folder / f"{name}{suffix}" for name in DOCUMENTS for suffix in (".html", ".pdf")]


def write_certificate(
    registers, request_id: str, folder: Path, backup_policy: BackupPolicy
) -> tuple[list[Path], Outcome]:
    """Write the letter and the certificate (complete or partial) from the register.

    Returns:
        The certificate's and the letter's paths (HTML and PDF), and the facts written.

    """
    outcome = certificate_outcome(registers, request_id, backup_policy)
    run_info = {"run_id": request_id, "kind": "erasure", "snapshot_time": None}
    beyond_use = backup_policy.beyond_use
    paths = write_document(
        folder,
        LETTER,
        letter_title(request_id),
        letter_body(outcome, request_id=request_id, beyond_use=beyond_use),
        run_info,
    )
    # Written last, so the folder's run.json (the reports index) points at the certificate.
    paths = (
        write_document(
            folder,
            CERTIFICATE,
            certificate_title(outcome, request_id),
            certificate_body(outcome, request_id=request_id, beyond_use=beyond_use),
            run_info,
        )
        + paths
    )
    return paths, outcome


def settle(registers, request_id: str) -> bool:
    """Close the request once its erasure is complete; return whether it is complete."""
    steps = load_steps(registers, request_id)
    if steps is None or not steps.complete:
        return False
    request = registers.get_request(request_id)
    if not request.finished:
        registers.close_request(
            request.id, f"erased and verified ({steps.entry['id']}); every step finished"
        )
    return True
