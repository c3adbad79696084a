"""Delete the workbook's own copies that are past their period, only when told to execute.

A dry run (the default) deletes nothing. Executing deletes each copy
:func:`mimoto_gov.audits.own_copies.own_copies_due` lists, removes folders left empty, points
an erasure run at its certificate once the checklist is gone, and rebuilds
``reports/index.html`` so no link points at a deleted run.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.audits.own_copies import DueCopy, copy_folders, due_table, find_due
from mimoto_gov.audits.own_copies_schedule import load_own_copies_schedule
from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.reports.index import write_index
from mimoto_gov.support.files import write_text


@dataclass
class TidyResult:
    """What :func:`tidy_own_copies` found and, when executed, deleted."""

    due: pd.DataFrame
    executed: bool
    deleted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    index: Path | None = None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _prune_empty(path: Path, stop: Path) -> None:
    # Leave no empty run or endpoint folders behind, but never climb out of ``stop``.
    parent = path.parent
    while parent != stop and parent.is_relative_to(stop):
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def _repoint_run(folder: Path) -> None:
    """Point an erasure folder's ``run.json`` at the certificate once the checklist is gone."""
    run_file = folder / "run.json"
    try:
        run = json.loads(run_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    files = run.get("files") if isinstance(run, dict) else None
    if not isinstance(files, dict) or all((folder / str(n)).is_file() for n in files.values()):
        return
    run["files"] = {
        ext: p.name for ext in ("html", "pdf") if (p := folder / f"certificate.{ext}").is_file()
    }
    write_text(run_file, json.dumps(run, indent=2) + "\n")


def tidy_own_copies(
    *,
    data_dir: Path | str | None = None,
    reports_dir: Path | str | None = None,
    today: date | None = None,
    execute: bool = False,
) -> TidyResult:
    """Delete the copies that :func:`.own_copies_due` lists, only when ``execute`` is true.

    A dry run (the default) deletes nothing. Executing deletes each listed file or folder,
    removes folders left empty, then rebuilds ``reports/index.html`` so no link points at a
    deleted run. A copy that cannot be deleted is reported in ``failed``; the others still go.

    Returns:
        A :class:`TidyResult`: ``due`` (the table), ``deleted`` and ``failed`` (paths as in
        the table), and ``index`` (the rebuilt index, when executed).

    """
    data, reports = copy_folders(data_dir, reports_dir)
    schedule = load_own_copies_schedule(data)
    today = today or datetime.now(UK_TIME).date()
    found = find_due(schedule, data, reports, today)
    result = TidyResult(due_table(found, schedule), execute)
    if not execute:
        return result
    for due in sorted(found, key=lambda d: d.relative):
        _delete(due, result, stop=reports if due.root == reports else data / "gauges" / "raw")
    if reports.is_dir():
        result.index = write_index(reports)
    return result


def _delete(due: DueCopy, result: TidyResult, *, stop: Path) -> None:
    # Delete one copy, recording it as deleted or failed; tidy what it leaves behind.
    try:
        _remove(due.path)
    except OSError as error:
        result.failed.append((due.relative, error.strerror or type(error).__name__))
        return
    result.deleted.append(due.relative)
    if due.rule.key == "erasure_checklists":
        _repoint_run(due.path.parent)  # no run.json there when the folder itself went
    _prune_empty(due.path, stop)
