"""What ``notebooks/deletion_checklist.ipynb`` shows, and how its executed copy is kept.

The notebook drives :func:`mimoto_gov.erasure.run.erase` exactly as the command does (a dry run
unless ``execute`` is True) and shows the checklist it produced. It takes the request id only:
the person's address comes from the request register, so neither the notebook staff edit (and
JupyterLab autosaves into the tracked ``notebooks/`` folder) nor its executed copy holds it.
Executing the erasure needs the request id typed a second time, in ``confirm_request_id``: an
irreversible act takes more than flipping one flag. With its default parameters (no request)
it changes nothing and says what to set.

:func:`run_deletion_checklist` runs the notebook with papermill and keeps the executed copy
as ``reports/erasure/<request id>/deletion_checklist.ipynb``. It runs in a private scratch
folder outside the workbook, and every form of the person's addresses (read from the register
before the run, since an erasure forgets them) is redacted from the executed notebook before
it is written under ``reports/``: an output could quote one.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat
import pandas as pd

from mimoto_gov.erasure.documents import checklist_table, erasure_folder, kept_table
from mimoto_gov.erasure.purge import Needles, purge_local_copies, redact_bytes
from mimoto_gov.erasure.run import ErasureFailed, ErasureRefused, ErasureRun, erase
from mimoto_gov.errors import InputError, ReportError
from mimoto_gov.registers import open_registers
from mimoto_gov.reports.display import record_run_info
from mimoto_gov.settings import NOTEBOOKS_DIR, folders_in_environment, load_settings
from mimoto_gov.support.files import private_dir, write_text

NOTEBOOK = NOTEBOOKS_DIR / "deletion_checklist.ipynb"
EXECUTED_NAME = "deletion_checklist.ipynb"
KERNEL_NAME = "python3"

NO_REQUEST = (
    "No request given: set request_id in the parameters cell to plan an erasure (to carry it "
    "out, set execute = True and type the request id again in confirm_request_id)."
)


@dataclass
class DeletionChecklist:
    """The result of one run of the notebook (``run`` is None when no request was given)."""

    run: ErasureRun | None

    def summary(self) -> str:
        """Say what happened and where the documents are."""
        if self.run is None:
            return NO_REQUEST
        paths = ", ".join(str(p) for p in self.run.paths)
        return f"{self.run.message} Documents: {paths}." if paths else self.run.message

    def checklist(self) -> pd.DataFrame:
        """Return every place the person's data lives, what happens to it, owner and state."""
        if self.run is None or self.run.plan is None:
            return checklist_table([])
        return checklist_table(self.run.plan.lines)

    def kept(self) -> pd.DataFrame:
        """List what stays (kept, or left to staff), why, and who owns it."""
        if self.run is None or self.run.plan is None:
            return kept_table([])
        return kept_table(self.run.plan.lines)

    def articles_to_redact(self) -> pd.DataFrame:
        """List articles and titles on other tickets that name the person, for redaction."""
        columns = ["ticket_number", "article_id", "created_at", "internal", "found"]
        if self.run is None or self.run.plan is None:
            return pd.DataFrame(columns=columns)
        return self.run.plan.kept_articles[columns]

    def record_run_info(self) -> None:
        """Record the snapshot time in the report's run box."""
        plan = self.run.plan if self.run else None
        record_run_info(snapshot_time=plan.snapshot_time if plan else None)


def confirmed(request_id: str, confirm_request_id: str | None) -> bool:
    """Tell whether the request id was typed again, the same, to confirm an execution."""
    typed = (confirm_request_id or "").strip().upper()
    return bool(typed) and typed == (request_id or "").strip().upper()


def build_deletion_checklist(
    request_id: str,
    *,
    execute: bool = False,
    confirm_request_id: str = "",
    data_dir: str | Path | None = None,
    delete_organization: bool = False,
) -> DeletionChecklist:
    """Run the erasure's dry run (or, with ``execute``, the erasure) for the notebook.

    Args:
        request_id: the erasure request; empty means nothing to do. The person's address
            comes from the request register.
        execute: carry out the erasure.
        confirm_request_id: the request id typed again: an execution is refused without it.
        data_dir: the workbook's data folder (default: the settings').
        delete_organization: also delete their organisation when they are its only member.

    Returns:
        A :class:`DeletionChecklist`.

    Raises:
        ErasureRefused: ``execute`` without the request id typed again.

    """
    if not (request_id or "").strip():
        return DeletionChecklist(None)
    if execute and not confirmed(request_id, confirm_request_id):
        raise ErasureRefused(
            f"to execute, type the request id ({request_id.strip()}) again in "
            "confirm_request_id: nothing was deleted"
        )

    settings = load_settings()
    if data_dir is not None:
        settings = replace(settings, data_dir=Path(data_dir))
    run = erase(
        None,
        request_id,
        execute=execute,
        yes=execute,
        delete_organization=delete_organization,
        settings=settings,
    )
    return DeletionChecklist(run)


def run_deletion_checklist(
    request_id: str,
    *,
    execute: bool = False,
    confirm_request_id: str = "",
    delete_organization: bool = False,
    settings=None,
) -> Path:
    """Run ``notebooks/deletion_checklist.ipynb`` and keep its executed copy under reports.

    The kernel reads the settings as the command does (environment, then ``.env`` in the
    working directory), with the data and reports folders of ``settings``. The executed
    notebook is redacted of every form of the person's addresses before it is saved; once the
    request's erasure is done (this run or an earlier one) the workbook is searched again: no
    file under the data or reports folder may still hold an address.

    Args:
        request_id: the erasure request in the request register (the address comes from it).
        execute: carry out the erasure.
        confirm_request_id: the request id typed again, to confirm an execution.
        delete_organization: also delete their organisation when they are its only member.
        settings: the workbook's settings (loaded from the environment when None).

    Returns:
        The path of the executed notebook, ``reports/erasure/<id>/deletion_checklist.ipynb``.

    Raises:
        InputError: no request id.
        RegisterError: no such request.
        ReportError: a cell failed (the notebook's own error, e.g. a failed erasure, in one
            line); nothing is saved.
        ErasureFailed: the erasure is complete but a file still holds the address.

    """
    settings = settings or load_settings()
    if not (request_id or "").strip():
        raise InputError("no request id given: name the erasure request to run the checklist for")
    if execute and not confirmed(request_id, confirm_request_id):
        raise ErasureRefused(
            f"to execute, give the request id ({request_id.strip()}) again as "
            "confirm_request_id: nothing was deleted"
        )
    with open_registers(settings.registers_path) as registers:
        request = registers.get_request(request_id)
    # Read before the run: an erasure forgets them, and the executed copy is redacted of them.
    emails, request_id = request.emails, request.id
    data_dir = Path(settings.data_dir).absolute()
    reports_dir = Path(settings.reports_dir).absolute()
    parameters = {
        "request_id": request_id,
        "execute": bool(execute),
        "confirm_request_id": confirm_request_id or "",
        "delete_organization": bool(delete_organization),
        "data_dir": str(data_dir),
    }
    with tempfile.TemporaryDirectory(prefix="mimoto-gov-erasure-") as scratch:
        executed_path = Path(scratch) / EXECUTED_NAME
        with folders_in_environment(data_dir, reports_dir):
            _execute(executed_path, parameters)
        executed = nbformat.read(executed_path, as_version=4)
    needles = Needles(emails=tuple(emails))
    erased = _erased(settings, request_id)
    if emails:
        executed = redact_notebook(executed, needles)
    folder = erasure_folder(reports_dir, request_id)
    for level in (folder.parent.parent, folder.parent, folder):
        private_dir(level)
    path = write_text(folder / EXECUTED_NAME, nbformat.writes(executed))
    if erased and emails:
        left = purge_local_copies(needles, data_dir, reports_dir).left
        if left:
            raise ErasureFailed(
                f"request {request_id} was erased but these files still hold the person: "
                f"{', '.join(left)}"
            )
    return path


def redact_notebook(notebook, needles: Needles):
    """Return a copy of an executed notebook with every form of the addresses redacted.

    The whole document is redacted (the injected parameters cell, ``metadata.papermill``,
    every output), not only the parameters, since an output may quote the address too.
    """
    text = redact_bytes(nbformat.writes(notebook).encode("utf-8"), needles).decode("utf-8")
    return nbformat.reads(text, as_version=4)


def _erased(settings, request_id: str) -> bool:
    with open_registers(settings.registers_path) as registers:
        history = registers.erasures()
    done = history[(history["request_id"] == request_id) & (history["outcome"] == "completed")]
    return len(done) > 0


def _execute(output: Path, parameters: dict) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            language="python",
            progress_bar=False,
            log_output=False,
            # The kernel reads .env from the caller's working directory, as the command does.
            cwd=str(Path.cwd()),
            extra_arguments=["--log-level=ERROR"],
        )
    except PapermillExecutionError as exc:
        message = (exc.evalue or "").strip().splitlines()
        reason = f"{exc.ename}: {message[0]}" if message else exc.ename
        raise ReportError(
            f"{NOTEBOOK.name} failed in cell {exc.cell_index}: {reason}; the executed notebook "
            "was not kept"
        ) from None
    except Exception as exc:  # kernel died or could not start, bad notebook...
        detail = str(exc).strip().splitlines()
        raise ReportError(
            f"{NOTEBOOK.name} could not run: {type(exc).__name__}"
            f"{': ' + detail[0] if detail else ''}"
        ) from exc
