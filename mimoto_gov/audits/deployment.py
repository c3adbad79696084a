"""``mimoto-gov doctor``: what a real deployment still needs, one line each.

:func:`check_deployment` looks at the ``.env`` file (present, private), Zammad (it answers,
and the token holds what each job needs: :mod:`mimoto_gov.audits.zammad_access`), the policy
files staff fill in (``ropa.yml``, the backups in ``retention.yml``, ``article15.yml``
against ``ropa.yml``, ``commitments.yml``), the retention schedule's approval, the erasure
key, demo data in the real folders and, when asked, the scheduled jobs' recipes. Every
finding is ``ok``, ``todo`` (blocks a real review) or ``note``. Nothing is written or
changed anywhere.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mimoto_gov.audits.findings import Finding, listed, note, ok, todo
from mimoto_gov.audits.policy_readiness import (
    backups_findings,
    commitments_findings,
    hosting_findings,
    ropa_findings,
    schedule_findings,
)
from mimoto_gov.audits.zammad_access import zammad_access
from mimoto_gov.errors import MimotoGovError
from mimoto_gov.registers.examples import example_entries
from mimoto_gov.registers.subjects import (
    KEY_ENV,
    LEGACY_KEY_FILE,
    REGISTERS_NAME,
    erasure_key_path,
    registers_hold_hashes,
)
from mimoto_gov.settings import Settings
from mimoto_gov.support.examples import is_demo_folder

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SYSTEMD_DIRS = (Path("/etc/systemd/system"), Path.home() / ".config" / "systemd" / "user")


@dataclass
class DeploymentCheck:
    """Every finding of one doctor run, in the order they were made."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def blockers(self) -> list[Finding]:
        """The findings that stop a real review."""
        return [f for f in self.findings if f.blocks]

    @property
    def ready(self) -> bool:
        """Whether nothing blocks a real review."""
        return not self.blockers

    def lines(self) -> list[str]:
        """Return one printed line per finding, then the verdict."""
        lines = [finding.line() for finding in self.findings]
        count = len(self.blockers)
        lines.append("")
        lines.append(
            "Ready for a real review."
            if not count
            else f"{count:,} thing(s) marked todo block a real review."
        )
        return lines


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- .env and Zammad ------------------------------------------------------------------------


def env_file_findings(path: Path) -> list[Finding]:
    """Say whether ``.env`` is at the project root and private to its owner."""
    if not path.is_file():
        return [
            todo(
                ".env",
                f"none at {path}: write ZAMMAD_URL and ZAMMAD_TOKEN there "
                "(docs/getting-started.md), then chmod 600 .env",
            )
        ]
    mode = _mode(path)
    if mode & 0o077:
        return [
            todo(".env", f"{path} can be read by others (mode {mode:04o}): run chmod 600 {path}")
        ]
    return [ok(".env", f"{path}, private (mode {mode:04o})")]


def zammad_findings(settings: Settings, connect: Callable[[Settings], Any]) -> list[Finding]:
    """Check the Zammad settings, then what the token may do (see ``zammad_access``)."""
    unset = [name for name in ("ZAMMAD_URL", "ZAMMAD_TOKEN") if not getattr(settings, name.lower())]
    if unset:
        return [todo("Zammad", f"{' and '.join(unset)} not set: put them in .env")]
    with connect(settings) as client:
        findings = zammad_access(client)
    if not settings.gauges_token:
        findings.append(
            note("Gaug.es", "GAUGES_TOKEN not set: the analytics review reads only files imported")
        )
    return findings


# -- secrets, demo data, scheduling -----------------------------------------------------------


def _holds_hashes(registers: Path) -> bool:
    """Whether a registers file holds keyed hashes (read-only: nothing created or migrated)."""
    if not registers.is_file():
        return False
    try:
        conn = sqlite3.connect(f"{registers.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    with contextlib.closing(conn):
        try:
            return registers_hold_hashes(conn)
        except sqlite3.DatabaseError:
            return False


def key_findings(data_dir: Path) -> list[Finding]:
    """Say whether the erasure key (the secret of the registers' keyed hashes) is in place.

    The key lives outside the data folder (``MIMOTO_GOV_KEY_FILE``, by default
    ``~/.config/mimoto-gov/erasure.key``): present, private, and not inside the data folder.
    """
    path = erasure_key_path()
    data_dir = Path(data_dir)
    legacy = data_dir / LEGACY_KEY_FILE
    if path.absolute().resolve().is_relative_to(data_dir.absolute().resolve()):
        return [
            todo(
                "erasure key",
                f"{path} is inside the data folder: set {KEY_ENV} to a file outside it",
            )
        ]
    if not path.is_file():
        if legacy.is_file():
            return [
                note(
                    "erasure key",
                    f"an older version's key is at {legacy}: the next register entry moves it to "
                    f"{path}; back that file up",
                )
            ]
        registers = data_dir / REGISTERS_NAME
        if _holds_hashes(registers):
            return [
                todo(
                    "erasure key",
                    f"missing at {path}, but {registers} holds hashes made with it: restore the "
                    f"key from its backup (or set {KEY_ENV} to where it is)",
                )
            ]
        return [
            todo(
                "erasure key",
                f"none at {path} yet: the first register entry (mimoto-gov requests add ...) "
                "makes it; then back it up apart from the data folder",
            )
        ]
    mode = _mode(path)
    if mode & 0o077:
        return [todo("erasure key", f"{path} can be read by others: run chmod 600 {path}")]
    return [ok("erasure key", f"{path}, private (mode {mode:04o}), outside the data folder")]


def _snapshot_url(data_dir: Path) -> str | None:
    state = Path(data_dir) / "zammad" / "sync_state.json"
    try:
        return json.loads(state.read_text(encoding="utf-8")).get("zammad_url")
    except (OSError, ValueError, AttributeError):
        return None


def demo_findings(settings: Settings) -> list[Finding]:
    """Look for the demo's made-up data in the real data and reports folders."""
    problems = [
        f"{what} folder {folder} is the demo's (set MIMOTO_GOV_{name} to the real one)"
        for what, name, folder in (
            ("the data", "DATA", settings.data_dir),
            ("the reports", "REPORTS", settings.reports_dir),
        )
        if is_demo_folder(folder)
    ]
    try:
        examples = example_entries(settings.registers_path)
    except MimotoGovError as error:
        examples, problems = {}, [*problems, str(error)]
    if examples:
        counts = ", ".join(f"{register} {n:,}" for register, n in examples.items())
        problems.append(
            f"{settings.registers_path} holds example entries from the demo ({counts}): "
            "move the file away if nothing real is in it"
        )
    url = _snapshot_url(settings.data_dir)
    local = (urlsplit(url or "").hostname or "") in LOCAL_HOSTS
    if url and local and url.rstrip("/") != (settings.zammad_url or "").rstrip("/"):
        problems.append(
            f"the Zammad snapshot in {settings.data_dir / 'zammad'} is of a local sandbox "
            f"({url}): run mimoto-gov pull --full against the real desk"
        )
    if problems:
        return [todo("demo data", listed(problems))]
    return [ok("demo data", "none in the real data and reports folders")]


def _crontab() -> str:
    if shutil.which("crontab") is None:
        return ""
    done = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""


def scheduling_findings(
    recipes_dir: Path,
    project: Path,
    systemd_dirs: tuple[Path, ...] = SYSTEMD_DIRS,
    crontab: Callable[[], str] = _crontab,
) -> list[Finding]:
    """Say, for each scheduled job's recipe in ``recipes_dir``, whether it is installed.

    A systemd timer counts as installed when its unit files are in a systemd folder, or when
    the crontab or a workflow in the project's ``.github/workflows/`` runs ``mimoto-gov``.
    """
    workflows = sorted((project / ".github" / "workflows").glob("*.y*ml"))
    others = [w for w in workflows if "mimoto-gov" in w.read_text(errors="ignore")]
    findings = []
    for timer in sorted(Path(recipes_dir).glob("*.timer")):
        units = (timer.name, timer.with_suffix(".service").name)
        found = [d for d in systemd_dirs if all((d / unit).is_file() for unit in units)]
        label = f"scheduled job {timer.stem}"
        if found:
            findings.append(ok(label, f"installed in {found[0]}"))
        elif others:
            findings.append(ok(label, f"run by the workflow {others[0]}"))
        elif "mimoto-gov" in crontab():
            findings.append(ok(label, "run by the crontab"))
        else:
            findings.append(
                todo(
                    label,
                    f"not installed: copy {' and '.join(units)} from {recipes_dir} to "
                    f"{systemd_dirs[0]} (docs/scheduling)",
                )
            )
    return findings


def check_deployment(
    settings: Settings,
    *,
    env_file: Path,
    connect: Callable[[Settings], Any],
    recipes_dir: Path | None = None,
    project: Path | None = None,
    systemd_dirs: tuple[Path, ...] = SYSTEMD_DIRS,
) -> DeploymentCheck:
    """Run every check of a real deployment.

    Args:
        settings: the workbook settings (as the jobs would load them).
        env_file: where ``.env`` is read from (the project root's).
        connect: builds a Zammad client from the settings (a context manager).
        recipes_dir: the scheduled jobs' recipes; None skips the scheduling checks.
        project: the project root (for installed workflows).
        systemd_dirs: where installed systemd units are looked for.

    Returns:
        A :class:`DeploymentCheck` with one finding per line.

    """
    result = DeploymentCheck()
    add = result.findings.extend
    add(env_file_findings(env_file))
    add(zammad_findings(settings, connect))
    ropa, record = ropa_findings(settings.data_dir)
    add(ropa)
    add(backups_findings(settings.data_dir))
    add(hosting_findings(settings.data_dir, record))
    add(commitments_findings(settings.data_dir))
    add(schedule_findings(settings.data_dir))
    add(key_findings(settings.data_dir))
    add(demo_findings(settings))
    if recipes_dir is not None:
        add(scheduling_findings(recipes_dir, project or Path(), systemd_dirs))
    return result
