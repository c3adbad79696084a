"""Every committed notebook runs top to bottom with its default parameters (nbval-lax).

This is what a member of staff does after ``make demo``: open a notebook in JupyterLab and run
it as it is. The notebooks read the data folder from ``MIMOTO_GOV_DATA``, here a fresh pull of
the sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull
from tests.helpers.paths import ROOT


@pytest.mark.slow
def test_every_notebook_runs_with_its_defaults(tmp_path):
    data_dir = tmp_path / "data"
    with (
        Sandbox(tickets=120, task_tick_seconds=0) as sandbox,
        ZammadClient(sandbox.url, sandbox.admin_token) as client,
    ):
        pull(client, data_dir, full=True, show_progress=False)
    env = {
        **os.environ,
        "MIMOTO_GOV_DATA": str(data_dir),
        "MIMOTO_GOV_REPORTS": str(tmp_path / "reports"),
    }
    for name in ("ZAMMAD_URL", "ZAMMAD_TOKEN", "GAUGES_TOKEN"):
        env.pop(name, None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "notebooks/",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 4
    assert " passed" in result.stdout and " failed" not in result.stdout
