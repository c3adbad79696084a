"""The privacy policy's history in git: what changed since a date, and which promises it touches.

The policy promises "All changes will be visible in a public, version controlled
repository". The policy text lives in ``data/policy/privacy-policy.md`` of this repository;
its git history is the record of every version. :func:`policy_changes` gives the monthly
review a unified diff of the committed text since a date, the commits that made it, and the
commitments whose quoted clauses sit in the changed lines (so staff know which entries of
``commitments.yml`` to look at again). :func:`policy_history` gives the facts the
"policy changes" commitment is judged on: committed, uncommitted edits, pushed to a remote.

Git is run as a subprocess (read-only commands only). A copy of the policy outside a git
checkout has no history: the functions say so rather than fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import parse_date
from mimoto_gov.formats import uk_date
from mimoto_gov.policy.files import (
    COMMITMENTS_FILE,
    POLICY_FILE,
    Commitments,
    load_commitments,
    normalise_text,
    policy_file,
    read_policy_text,
)

GIT_TIMEOUT = 30
# A changed line shorter than this is not matched inside a clause (it could be "We" or "-").
MIN_OVERLAP = 20
SHOWN_CHARS = 160
COMMIT_COLUMNS = ["Commit", "Date", "Author", "Message"]
TOUCHED_COLUMNS = ["Commitment", "Promise", "Effect"]
LINE_COLUMNS = ["Change", "Text"]


class GitUnavailable(Exception):
    """Git cannot answer for this file (not installed, not a checkout, refused)."""


def _git(args: list[str], cwd: Path) -> str:
    if shutil.which("git") is None:
        raise GitUnavailable("git is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat")
    try:
        done = subprocess.run(  # noqa: S603 - fixed git arguments, no shell
            ["git", "--no-pager", *args],  # noqa: S607 - git from PATH, as a person runs it
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitUnavailable(f"git could not run ({error.__class__.__name__})") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["git failed"])[0]
        raise GitUnavailable(first.removeprefix("fatal: "))
    return done.stdout


def repository_root(path: Path) -> Path:
    """Return the root of the git checkout holding ``path``.

    Raises:
        GitUnavailable: not in a git checkout (or git is missing).

    """
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise GitUnavailable(f"{folder} does not exist")
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], folder).strip())
    except GitUnavailable as error:
        if "not a git repository" in str(error):
            raise GitUnavailable(f"{folder} is not in a git checkout") from None
        raise


@dataclass(frozen=True)
class PolicyCommit:
    """One commit that changed the policy file."""

    commit: str
    day: date
    author: str
    message: str

    @property
    def short(self) -> str:
        """The abbreviated commit id."""
        return self.commit[:10]


def _commits(path: Path, extra: list[str]) -> list[PolicyCommit]:
    path = Path(path).resolve()
    try:
        out = _git(["log", "--format=%H%x1f%cs%x1f%an%x1f%s", *extra, "--", path.name], path.parent)
    except GitUnavailable as error:
        if "does not have any commits" in str(error):
            return []  # a new repository: nothing committed yet
        raise
    commits = []
    for line in out.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 4:
            commits.append(PolicyCommit(parts[0], date.fromisoformat(parts[1]), parts[2], parts[3]))
    return commits


@dataclass(frozen=True)
class PolicyHistory:
    """What git says about the policy file now.

    Attributes:
        path: the policy file.
        root: the checkout's root.
        last: the last commit that changed it (None: never committed).
        versions: how many commits changed it.
        uncommitted: the file differs from its last committed version (or is untracked).
        pushed_to: remote-tracking branches that hold ``last`` (empty: not pushed anywhere).
        remotes: the checkout's remotes and their URLs.

    """

    path: Path
    root: Path
    last: PolicyCommit | None
    versions: int
    uncommitted: bool
    pushed_to: tuple[str, ...] = ()
    remotes: dict[str, str] = field(default_factory=dict)


def policy_history(path: Path | str | None = None) -> PolicyHistory:
    """Return what git records about the policy file.

    Raises:
        GitUnavailable: git is missing, or the file is not in a git checkout.

    """
    path = Path(path) if path is not None else policy_file(POLICY_FILE)
    root = repository_root(path)
    cwd = path.resolve().parent
    commits = _commits(path, [])
    status = _git(["status", "--porcelain", "--", path.name], cwd).strip()
    pushed: tuple[str, ...] = ()
    if commits:
        branches = _git(["branch", "-r", "--contains", commits[0].commit], cwd)
        pushed = tuple(b.strip() for b in branches.splitlines() if b.strip() and "->" not in b)
    remotes: dict[str, str] = {}
    for line in _git(["remote", "-v"], cwd).splitlines():
        parts = line.split()
        if len(parts) >= 2:
            remotes.setdefault(parts[0], parts[1])
    return PolicyHistory(
        path=path,
        root=root,
        last=commits[0] if commits else None,
        versions=len(commits),
        uncommitted=bool(status),
        pushed_to=pushed,
        remotes=remotes,
    )


@dataclass(frozen=True)
class PolicyChange:
    """What changed in the committed policy text since a date.

    Attributes:
        since: the first day looked at.
        path: the policy file.
        available: False when git could not answer (``note`` says why).
        note: one sentence for the report.
        commits: the commits since ``since`` (Commit, Date, Author, Message), newest first.
        diff: the unified diff from the last version before ``since`` to the latest commit.
        touched: commitments whose clause sits in a changed line (Commitment, Promise, Effect).
        new_text: added lines that quote no commitment: possibly a new promise to list.
        uncommitted: the working copy has edits not committed yet (not in ``diff``).
        baseline: the policy's first commit when it falls in the period: that version is
            the baseline later changes are compared with, never a change itself.

    """

    since: date
    path: Path
    available: bool
    note: str
    commits: pd.DataFrame
    diff: str = ""
    touched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TOUCHED_COLUMNS))
    new_text: tuple[str, ...] = ()
    uncommitted: bool = False
    baseline: PolicyCommit | None = None

    @property
    def changed(self) -> bool:
        """Whether the committed text changed since ``since``."""
        return bool(self.diff.strip())

    def summary(self) -> str:
        """One sentence for the top of the section."""
        return self.note

    def lines(self) -> pd.DataFrame:
        """Return the changed lines, shortened for a table (Change: removed or added, Text)."""
        rows = [
            ("removed" if sign == "-" else "added", _shorten(text))
            for sign, text in _changed_lines(self.diff)
            if text
        ]
        return pd.DataFrame(rows, columns=LINE_COLUMNS)


def _shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _changed_lines(diff: str) -> list[tuple[str, str]]:
    lines = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")) or line[:1] not in ("-", "+"):
            continue
        lines.append((line[0], normalise_text(line[1:])))
    return lines


def _overlaps(line: str, clause: str) -> bool:
    return clause in line or (len(line) >= MIN_OVERLAP and line in clause)


def touched_commitments(
    diff: str, commitments: Commitments, current_text: str
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Match a diff's changed lines with the commitments' clauses.

    Args:
        diff: a unified diff of the policy file.
        commitments: the loaded commitments.
        current_text: the policy's current text, normalised.

    Returns:
        The touched commitments (Commitment, Promise, Effect) and the added lines that quote
        no commitment (headings left out).

    """
    changed = _changed_lines(diff)
    rows = []
    for item in commitments:
        signs = {sign for sign, text in changed if text and _overlaps(text, item.clause)}
        if not signs:
            continue
        if item.clause not in current_text:
            effect = "clause reworded or removed: update commitments.yml"
        elif "-" in signs:
            effect = "its paragraph was reworded; the clause itself is unchanged"
        else:
            effect = "clause added (new or moved text)"
        rows.append((item.id, item.title, effect))
    new_text = tuple(
        _shorten(text)
        for sign, text in changed
        if sign == "+"
        and text
        and not text.startswith("#")
        and not any(_overlaps(text, item.clause) or item.clause in text for item in commitments)
    )
    return pd.DataFrame(rows, columns=TOUCHED_COLUMNS), new_text


def _empty_tree(cwd: Path) -> str:
    return _git(["hash-object", "-t", "tree", os.devnull], cwd).strip()


def _since(value: date | str) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    return parse_date(f"{text}-01" if len(text) == 7 else text, "since")


def policy_changes(
    since: date | str,
    policy_path: Path | str | None = None,
    *,
    commitments_path: Path | str | None = None,
) -> PolicyChange:
    """Return what changed in the committed policy text since ``since``.

    Args:
        since: the first day to look at (e.g. the first day of last month), as a date,
            ``YYYY-MM-DD`` or ``YYYY-MM`` (that month's first day).
        policy_path: the policy file (``data/policy/privacy-policy.md`` by default).
        commitments_path: ``commitments.yml`` (the one beside the policy by default, else the
            usual one).

    Returns:
        A :class:`PolicyChange`. When git cannot answer (no git, not a checkout) it has
        ``available=False`` and a note saying why, rather than raising.

    Raises:
        ConfigError: the policy file or the commitments file is missing or malformed.
        InputError: ``since`` is not a date.

    """
    since = _since(since)
    path = Path(policy_path) if policy_path is not None else policy_file(POLICY_FILE)
    current = read_policy_text(path)
    if commitments_path is None:
        beside = path.parent / COMMITMENTS_FILE
        commitments_path = beside if beside.is_file() else None
    commitments = load_commitments(commitments_path)
    empty = pd.DataFrame(columns=COMMIT_COLUMNS)
    try:
        repository_root(path)
        cwd = path.resolve().parent
        commits = _commits(path, [f"--since={since.isoformat()}T00:00:00"])
        before = _commits(path, ["-1", f"--before={since.isoformat()}T00:00:00"])
        uncommitted = bool(_git(["status", "--porcelain", "--", path.name], cwd).strip())
        diff, baseline = "", None
        if commits:
            # With no version before the period, its oldest commit is the policy's first:
            # the baseline, compared against, rather than every line "added".
            baseline = None if before else commits[-1]
            base = before[0].commit if before else baseline.commit
            diff = _git(["diff", "--no-color", "--no-ext-diff", base, "HEAD", "--", path.name], cwd)
    except GitUnavailable as error:
        note = f"No history of the policy: {error}."
        return PolicyChange(since, path, False, note, empty)
    table = pd.DataFrame(
        [(c.short, uk_date(c.day), c.author, _shorten(c.message, 100)) for c in commits],
        columns=COMMIT_COLUMNS,
    )
    touched, new_text = touched_commitments(diff, commitments, current)
    note = _note(since, commits, touched, new_text, uncommitted, baseline, len(commitments))
    return PolicyChange(
        since, path, True, note, table, diff, touched, new_text, uncommitted, baseline
    )


def _note(since, commits, touched, new_text, uncommitted, baseline, promises) -> str:
    if baseline is not None:
        note = (
            f"The policy's first committed version ({baseline.short} of "
            f"{uk_date(baseline.day)}) is the baseline: its {promises:,} promises are listed "
            'under "Promises and evidence", and later reviews list changes against it.'
        )
        later = len(commits) - 1
        if later:
            note += f" {later:,} later commit(s) changed it; {len(touched):,} commitment(s) touched"
            if new_text:
                note += f", {len(new_text):,} new line(s) that quote no commitment"
            note += "."
    elif not commits:
        note = f"No change to the privacy policy has been committed since {uk_date(since)}."
    else:
        note = (
            f"{len(commits):,} commit(s) since {uk_date(since)} changed the privacy policy; "
            f"{len(touched):,} commitment(s) touched"
        )
        if new_text:
            note += f", {len(new_text):,} new line(s) that quote no commitment"
        note += "."
    if uncommitted:
        note += " The working copy has edits not committed yet: commit them to publish them."
    return note


__all__ = [
    "GitUnavailable",
    "PolicyChange",
    "PolicyCommit",
    "PolicyHistory",
    "policy_changes",
    "policy_history",
    "repository_root",
    "touched_commitments",
]
