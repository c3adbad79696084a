"""Run ``mimoto-gov`` as a person or cron does: a subprocess with a clean environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

WORKBOOK_PREFIXES = ("ZAMMAD_", "MIMOTO_GOV_", "GAUGES_")
ONE_LINE_ERROR = re.compile(r"mimoto-gov( [a-z-]+)*: error: ")


def run_cli(
    *argv: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    before: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess:
    """Run ``python -m mimoto_gov ARGV...`` in ``cwd`` without the workbook's variables.

    Args:
        argv: the command line.
        cwd: the working directory.
        env: variables to set (on top of the environment without the workbook's own).
        timeout: seconds before the test fails (a command that hangs).
        before: run in the child before the command starts (resource limits).

    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith(WORKBOOK_PREFIXES)}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mimoto_gov", *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=before,  # noqa: PLW1509 - only resource limits, no threads involved
    )


def clean_env(**extra: str) -> dict[str, str]:
    """Return this process's environment without the workbook's variables, plus ``extra``.

    ``MIMOTO_GOV_KEY_FILE`` stays: the tests' erasure key lives outside every data folder
    and must not fall back to the real one in the home folder.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(WORKBOOK_PREFIXES) or k == "MIMOTO_GOV_KEY_FILE"
    }
    env.update(extra)
    return env


def mimoto_gov(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300):
    """Run ``mimoto-gov ARGS`` in ``cwd`` with exactly ``env`` (default :func:`clean_env`)."""
    return subprocess.run(
        [sys.executable, "-m", "mimoto_gov", *args],
        cwd=cwd,
        env=clean_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(done: subprocess.CompletedProcess, *needles: str) -> str:
    """Assert a non-zero exit with one error line on stderr, no traceback; return the line."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert ONE_LINE_ERROR.match(lines[0]), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
