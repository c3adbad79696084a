"""Run ``mimoto-gov`` as a person does: a subprocess, with no workbook variables of the tests'."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WORKBOOK_PREFIXES = ("ZAMMAD_", "MIMOTO_GOV_", "GAUGES_")


def clean_env(**extra: str) -> dict[str, str]:
    """Return this process's environment without the workbook's variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(WORKBOOK_PREFIXES)}
    env.update(extra)
    return env


def mimoto_gov(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300):
    """Run ``mimoto-gov ARGS`` in ``cwd``; return the CompletedProcess (never raises on failure)."""
    return subprocess.run(
        [sys.executable, "-m", "mimoto_gov", *args],
        cwd=cwd,
        env=clean_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
