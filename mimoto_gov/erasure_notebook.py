"""What ``notebooks/deletion_checklist.ipynb`` shows: one call per table or paragraph.

The notebook drives :func:`mimoto_gov.erasure.erase` exactly as the command does (a dry run
unless ``execute`` is True) and shows the checklist it produced. With its default parameters
(no request) it changes nothing and says what to set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from mimoto_gov.erasure import ErasureRun, erase
from mimoto_gov.erasure_render import checklist_table, kept_table

NO_REQUEST = (
    "No request given: set request_id and subject_email in the parameters cell to plan an "
    "erasure (execute = True carries it out)."
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
        from mimoto_gov.display import record_run_info

        plan = self.run.plan if self.run else None
        record_run_info(snapshot_time=plan.snapshot_time if plan else None)


def build_deletion_checklist(
    request_id: str,
    subject_email: str,
    *,
    execute: bool = False,
    data_dir: str | Path | None = None,
    delete_organization: bool = False,
) -> DeletionChecklist:
    """Run the erasure's dry run (or, with ``execute``, the erasure) for the notebook.

    Args:
        request_id: the erasure request; empty means nothing to do.
        subject_email: the person's address.
        execute: carry out the erasure (the parameter is the confirmation).
        data_dir: the workbook's data folder (default: the settings').
        delete_organization: also delete their organisation when they are its only member.

    Returns:
        A :class:`DeletionChecklist`.

    """
    if not (request_id or "").strip() or not (subject_email or "").strip():
        return DeletionChecklist(None)
    from mimoto_gov.settings import load_settings

    settings = load_settings()
    if data_dir is not None:
        settings = replace(settings, data_dir=Path(data_dir))
    run = erase(
        subject_email,
        request_id,
        execute=execute,
        yes=execute,
        delete_organization=delete_organization,
        settings=settings,
    )
    return DeletionChecklist(run)
