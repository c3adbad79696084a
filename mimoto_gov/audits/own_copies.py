"""The workbook's own copies of personal data that are past their period.

Subject access packages, deletion checklists, monthly reviews and retention plans, raw
analytics responses and failed-run notebooks are copies of personal data the workbook made
itself. Their periods are the ``own_copies`` section of the retention schedule, read by
:mod:`.own_copies_schedule`; :func:`own_copies_due` lists what is past its period and
:func:`mimoto_gov.audits.own_copies_tidy.tidy_own_copies` deletes it, only when told to execute.

The request register is read read-only (opened as a read-only SQLite URI and only when the
file exists), so listing never creates or migrates ``registers.sqlite``. A package or checklist
whose request is open, or not in the register, is never due: nothing says when it ended.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.audits.own_copies_schedule import (
    CopyRule,
    OwnCopiesSchedule,
    load_own_copies_schedule,
)
from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.errors import RegisterError
from mimoto_gov.formats import format_uk_date
from mimoto_gov.settings import load_settings

COLUMNS = ["What", "Path", "Kept since", "Period", "Action", "Reason"]
FAILED_SUFFIX = ".failed.ipynb"


@dataclass(frozen=True)
class DueCopy:
    """One file or folder past its period, and what to do with it."""

    rule: CopyRule
    root: Path  # the data or reports folder
    path: Path
    since: date
    action: str
    relative: str  # as the table shows it: folders end in "/"


@dataclass
class _DueList:
    """The copies found so far: :meth:`add` keeps one only when it is past its period."""

    rules: dict[str, CopyRule]
    today: date
    found: list[DueCopy] = field(default_factory=list)

    def add(self, key: str, root: Path, path: Path, since: date, action: str) -> None:
        rule = self.rules[key]
        if _is_due(since, rule, self.today):
            relative = path.relative_to(root).as_posix()
            if path.is_dir() and not path.is_symlink():
                relative += "/"
            self.found.append(DueCopy(rule, root, path, since, action, relative))


def _uk_day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, UK_TIME).date()


def _newest_mtime(folder: Path) -> float:
    # Files only: a folder's own time changes whenever a file in it is added or removed.
    times = [
        (Path(top) / name).lstat().st_mtime
        for top, _dirs, files in os.walk(folder)
        for name in files
    ]
    return max(times, default=folder.lstat().st_mtime)


def _subfolders(folder: Path) -> list[Path]:
    # Hidden folders are a run being staged; symlinks are not the workbook's own copies.
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    )


def _closed_requests(data_dir: Path) -> dict[str, date]:
    """Return request id -> closing day from the register, opened read-only if it exists."""
    path = data_dir / "registers.sqlite"
    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise RegisterError(f"cannot read the registers file {path}: {error}") from None
    try:
        rows = conn.execute(
            "SELECT id, closed_on FROM requests WHERE closed_on IS NOT NULL"
        ).fetchall()
    except sqlite3.Error as error:
        raise RegisterError(f"{path} is not a usable registers file: {error}") from None
    finally:
        conn.close()
    closed = {}
    for request_id, closed_on in rows:
        try:
            closed[str(request_id)] = date.fromisoformat(str(closed_on)[:10])
        except ValueError:
            continue
    return closed


def _is_due(since: date, rule: CopyRule, today: date) -> bool:
    return (pd.Timestamp(since) + rule.period.offset).date() <= today


def find_due(
    schedule: OwnCopiesSchedule, data_dir: Path, reports_dir: Path, today: date
) -> list[DueCopy]:
    """Return every copy past its period under ``data_dir`` and ``reports_dir`` on ``today``.

    Raises:
        RegisterError: ``registers.sqlite`` exists but cannot be read.

    """
    due = _DueList(schedule.rules, today)
    closed = _closed_requests(data_dir)
    _sar_packages(due, reports_dir, closed)
    _erasure_folders(due, reports_dir, closed)
    _monthly_reports(due, reports_dir)
    _analytics_raw(due, data_dir)
    _failed_notebooks(due, reports_dir)
    return due.found


def _sar_packages(due: _DueList, reports_dir: Path, closed: dict[str, date]) -> None:
    for folder in _subfolders(reports_dir / "sar"):
        if folder.name in closed:
            due.add(
                "subject_access_packages",
                reports_dir,
                folder,
                closed[folder.name],
                "delete the folder",
            )


def _erasure_folders(due: _DueList, reports_dir: Path, closed: dict[str, date]) -> None:
    for folder in _subfolders(reports_dir / "erasure"):
        certificates = sorted(folder.glob("certificate.*"))
        checklists = sorted(folder.glob("checklist.*"))
        if certificates:
            since = _uk_day(max(p.lstat().st_mtime for p in certificates))
            if _is_due(since, due.rules["erasure_certificates"], due.today):
                due.add("erasure_certificates", reports_dir, folder, since, "delete the folder")
                continue
        if checklists and folder.name in closed:
            if certificates:
                for path in checklists:
                    due.add(
                        "erasure_checklists",
                        reports_dir,
                        path,
                        closed[folder.name],
                        "delete the file (the certificate stays)",
                    )
            else:
                due.add(
                    "erasure_checklists",
                    reports_dir,
                    folder,
                    closed[folder.name],
                    "delete the folder",
                )


def _monthly_reports(due: _DueList, reports_dir: Path) -> None:
    for key, kind in (("monthly_reviews", "retention-review"), ("retention_plans", "retention")):
        for folder in _subfolders(reports_dir / kind):
            due.add(key, reports_dir, folder, _uk_day(_newest_mtime(folder)), "delete the folder")


def _analytics_raw(due: _DueList, data_dir: Path) -> None:
    raw = data_dir / "gauges" / "raw"
    if raw.is_dir() and not raw.is_symlink():
        for top, _dirs, files in sorted(os.walk(raw)):
            for name in sorted(files):
                path = Path(top) / name
                if not path.is_symlink():
                    due.add(
                        "analytics_raw",
                        data_dir,
                        path,
                        _uk_day(path.lstat().st_mtime),
                        "delete the file",
                    )


def _failed_notebooks(due: _DueList, reports_dir: Path) -> None:
    # Run last: a failed notebook inside a folder already due goes with its folder.
    taken = [d.path for d in due.found]
    if reports_dir.is_dir():
        for top, _dirs, files in sorted(os.walk(reports_dir)):
            for name in sorted(files):
                path = Path(top) / name
                if not name.endswith(FAILED_SUFFIX) or path.is_symlink():
                    continue
                if any(path.is_relative_to(t) for t in taken):
                    continue  # goes with its folder
                due.add(
                    "failed_notebooks",
                    reports_dir,
                    path,
                    _uk_day(path.lstat().st_mtime),
                    "delete the file",
                )


def copy_folders(data_dir: Path | str | None, reports_dir: Path | str | None) -> tuple[Path, Path]:
    """Return the data and reports folders as absolute paths (the settings' when None)."""
    if data_dir is None or reports_dir is None:
        settings = load_settings()
        data_dir = settings.data_dir if data_dir is None else data_dir
        reports_dir = settings.reports_dir if reports_dir is None else reports_dir
    return Path(data_dir).absolute(), Path(reports_dir).absolute()


def due_table(found: list[DueCopy], schedule: OwnCopiesSchedule) -> pd.DataFrame:
    """Return the copies due as the report's table (see :func:`own_copies_due`)."""
    rows = [
        (
            d.rule.what,
            d.relative,
            format_uk_date(d.since),
            str(d.rule.period),
            d.action,
            d.rule.reason,
        )
        for d in found
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS).sort_values(["What", "Path"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.attrs["schedule"] = (
        f"{schedule.source} {schedule.version} ({'approved' if schedule.approved else 'proposed'})"
    )
    return frame


def own_copies_due(
    *,
    data_dir: Path | str | None = None,
    reports_dir: Path | str | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """List every copy the workbook made that is past its period in the retention schedule.

    Args:
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` by default).
        reports_dir: the reports folder (``$MIMOTO_GOV_REPORTS`` by default).
        today: the day to judge on (today in the UK by default).

    Returns:
        One row per file or folder to delete: What, Path (relative to the data or reports
        folder; folders end in ``/``), Kept since (UK date), Period, Action, Reason. Its
        ``attrs["schedule"]`` names the file, version and whether the periods are approved.

    Raises:
        ConfigError: the retention schedule is malformed.
        RegisterError: ``registers.sqlite`` exists but cannot be read.

    """
    data, reports = copy_folders(data_dir, reports_dir)
    schedule = load_own_copies_schedule(data)
    today = today or datetime.now(UK_TIME).date()
    return due_table(find_due(schedule, data, reports, today), schedule)
