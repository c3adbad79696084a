"""A fresh copy of the project, as a newcomer's clone looks: tracked files only, in git.

:func:`fresh_project` copies what a clone holds that the workbook reads (``pyproject.toml``,
``.gitignore``, the policy files and samples under ``data/``, the notebooks), commits it in a
new git repository, and adds a ``.env`` when asked. Tests then run commands or notebooks from
it and ask git what appeared: :func:`untracked` lists files git does not ignore.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.helpers.paths import ROOT

TRACKED = ("pyproject.toml", ".gitignore", "data/policy", "data/samples", "notebooks")


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` (no user configuration needed) and return its output."""
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def fresh_project(folder: Path, env: dict[str, str] | None = None) -> Path:
    """Lay out a fresh clone of the project in ``folder``; return it.

    Args:
        folder: where the project goes (created).
        env: lines for ``.env`` at its root (none written when omitted), mode 0600.

    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in TRACKED:
        source, target = ROOT / name, folder / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "clone")
    if env is not None:
        dotenv = folder / ".env"
        dotenv.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        dotenv.chmod(0o600)
    return folder


def untracked(folder: Path) -> list[str]:
    """Return the files git neither tracks nor ignores in ``folder`` (what a commit would add)."""
    out = git(folder, "status", "--porcelain", "--untracked-files=all")
    return [line[3:] for line in out.splitlines() if line.startswith("??")]


def files_under(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` with its content, by path relative to it."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
