"""The workbook's own copies of personal data, and how long it keeps them.

Subject access packages, deletion checklists, monthly reviews and retention plans, raw
analytics responses and failed-run notebooks are copies of personal data the workbook made
itself. Their periods are the ``own_copies`` section of the retention schedule
(``data/policy/retention.yml``; a copy at ``$MIMOTO_GOV_DATA/policy/retention.yml`` wins; a
kind left out takes its built-in period). :func:`own_copies_due` lists what is past its
period; :func:`tidy_own_copies` deletes it, only when told to execute.

The request register is read read-only (opened as a read-only SQLite URI and only when the
file exists), so listing never creates or migrates ``registers.sqlite``. A package or checklist
whose request is open, or not in the register, is never due: nothing says when it ended.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.errors import RegisterError
from mimoto_gov.formats import format_uk_date
from mimoto_gov.policy.schedule import SCHEDULE_FILE, CopyRule, Schedule
from mimoto_gov.retention.approval import load_approved_schedule

COLUMNS = ["What", "Path", "Kept since", "Period", "Action", "Reason"]
FAILED_SUFFIX = ".failed.ipynb"


@dataclass(frozen=True)
class OwnCopiesSchedule:
    """The ``own_copies`` part of the retention schedule, with the schedule's approval state."""

    version: str
    status: str
    rules: dict[str, CopyRule]
    approved_on: date | None = None
    owner: str = ""
    source: str = SCHEDULE_FILE

    @property
    def approved(self) -> bool:
        """Tell whether the schedule is approved (else the periods are proposals)."""
        return self.status == "approved"


def own_copies_of(schedule: Schedule) -> OwnCopiesSchedule:
    """Return the own-copies part of a loaded schedule."""
    return OwnCopiesSchedule(
        version=schedule.version,
        status=schedule.status,
        rules=dict(schedule.own_copies),
        approved_on=schedule.approved_on,
        owner=schedule.owner,
        source=schedule.source,
    )


def load_own_copies_schedule(data_dir: Path | str | None = None) -> OwnCopiesSchedule:
    """Read the ``own_copies`` periods of the retention schedule (the data folder's copy first).

    Kinds the schedule leaves out take their built-in periods. The approval state comes from
    the registers, read-only.

    Raises:
        ConfigError: the schedule is not YAML or breaks the format (one line naming the entry).

    """
    if data_dir is None:
        from mimoto_gov.settings import load_settings

        data_dir = load_settings().data_dir
    return own_copies_of(load_approved_schedule(data_dir))


# --------------------------------------------------------------------------------------------
# Finding what is due


@dataclass(frozen=True)
class _Due:
    rule: CopyRule
    root: Path  # the data or reports folder
    path: Path
    since: date
    action: str
    relative: str  # as the table shows it: folders end in "/"


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


def _find_due(
    schedule: OwnCopiesSchedule, data_dir: Path, reports_dir: Path, today: date
) -> list[_Due]:
    rules = schedule.rules
    closed = _closed_requests(data_dir)
    found: list[_Due] = []

    def add(key: str, root: Path, path: Path, since: date, action: str) -> None:
        if _is_due(since, rules[key], today):
            relative = path.relative_to(root).as_posix()
            if path.is_dir() and not path.is_symlink():
                relative += "/"
            found.append(_Due(rules[key], root, path, since, action, relative))

    for folder in _subfolders(reports_dir / "sar"):
        if folder.name in closed:
            add(
                "subject_access_packages",
                reports_dir,
                folder,
                closed[folder.name],
                "delete the folder",
            )

    for folder in _subfolders(reports_dir / "erasure"):
        certificates = sorted(folder.glob("certificate.*"))
        checklists = sorted(folder.glob("checklist.*"))
        if certificates:
            since = _uk_day(max(p.lstat().st_mtime for p in certificates))
            if _is_due(since, rules["erasure_certificates"], today):
                add("erasure_certificates", reports_dir, folder, since, "delete the folder")
                continue
        if checklists and folder.name in closed:
            if certificates:
                for path in checklists:
                    add(
                        "erasure_checklists",
                        reports_dir,
                        path,
                        closed[folder.name],
                        "delete the file (the certificate stays)",
                    )
            else:
                add(
                    "erasure_checklists",
                    reports_dir,
                    folder,
                    closed[folder.name],
                    "delete the folder",
                )

    for key, kind in (("monthly_reviews", "retention-review"), ("retention_plans", "retention")):
        for folder in _subfolders(reports_dir / kind):
            add(key, reports_dir, folder, _uk_day(_newest_mtime(folder)), "delete the folder")

    raw = data_dir / "gauges" / "raw"
    if raw.is_dir() and not raw.is_symlink():
        for top, _dirs, files in sorted(os.walk(raw)):
            for name in sorted(files):
                path = Path(top) / name
                if not path.is_symlink():
                    add(
                        "analytics_raw",
                        data_dir,
                        path,
                        _uk_day(path.lstat().st_mtime),
                        "delete the file",
                    )

    taken = [d.path for d in found]
    if reports_dir.is_dir():
        for top, _dirs, files in sorted(os.walk(reports_dir)):
            for name in sorted(files):
                path = Path(top) / name
                if not name.endswith(FAILED_SUFFIX) or path.is_symlink():
                    continue
                if any(path.is_relative_to(t) for t in taken):
                    continue  # goes with its folder
                add(
                    "failed_notebooks",
                    reports_dir,
                    path,
                    _uk_day(path.lstat().st_mtime),
                    "delete the file",
                )
    return found


def _settings_dirs(data_dir, reports_dir) -> tuple[Path, Path]:
    if data_dir is None or reports_dir is None:
        from mimoto_gov.settings import load_settings

        settings = load_settings()
        data_dir = settings.data_dir if data_dir is None else data_dir
        reports_dir = settings.reports_dir if reports_dir is None else reports_dir
    return Path(data_dir).absolute(), Path(reports_dir).absolute()


def _frame(found: list[_Due], schedule: OwnCopiesSchedule) -> pd.DataFrame:
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
    data, reports = _settings_dirs(data_dir, reports_dir)
    schedule = load_own_copies_schedule(data)
    today = today or datetime.now(UK_TIME).date()
    return _frame(_find_due(schedule, data, reports, today), schedule)


# --------------------------------------------------------------------------------------------
# Deleting


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
    from mimoto_gov.support.files import write_text

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
    """Delete the copies :func:`own_copies_due` lists, only when ``execute`` is true.

    A dry run (the default) deletes nothing. Executing deletes each listed file or folder,
    removes folders left empty, then rebuilds ``reports/index.html`` so no link points at a
    deleted run. A copy that cannot be deleted is reported in ``failed``; the others still go.

    Returns:
        A :class:`TidyResult`: ``due`` (the table), ``deleted`` and ``failed`` (paths as in
        the table), and ``index`` (the rebuilt index, when executed).

    """
    data, reports = _settings_dirs(data_dir, reports_dir)
    schedule = load_own_copies_schedule(data)
    today = today or datetime.now(UK_TIME).date()
    found = _find_due(schedule, data, reports, today)
    result = TidyResult(_frame(found, schedule), execute)
    if not execute:
        return result
    for due in sorted(found, key=lambda d: d.relative):
        relative = due.relative
        try:
            _remove(due.path)
        except OSError as error:
            result.failed.append((relative, error.strerror or type(error).__name__))
            continue
        result.deleted.append(relative)
        stop = reports if due.root == reports else data / "gauges" / "raw"
        if due.rule.key == "erasure_checklists":
            _repoint_run(due.path.parent)  # no run.json there when the folder itself went
        _prune_empty(due.path, stop)
    if reports.is_dir():
        from mimoto_gov.reports.index import write_index

        result.index = write_index(reports)
    return result
