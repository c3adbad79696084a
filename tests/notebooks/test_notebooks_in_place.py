"""Notebooks run where staff open them: papermill with ``--cwd notebooks`` in a configured clone.

The clone's root ``.env`` names the desk (a sandbox); ``pull`` and ``requests add`` ran at
the root, as the getting-started guide says. Each notebook then runs with a real request id
from ``notebooks/``, and nothing appears there or anywhere git would pick up.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.paths import ROOT
from tests.helpers.project import untracked

pytestmark = pytest.mark.slow


def papermill(live, notebook: str, output, parameters: dict[str, str]):
    args = [sys.executable, "-m", "papermill", f"notebooks/{notebook}", str(output), "--cwd",
            "notebooks", "--no-progress-bar"]  # fmt: skip
    for name, value in parameters.items():
        args += ["-p", name, value]
    return subprocess.run(
        args, cwd=live.project, env=live.env, capture_output=True, text=True, timeout=300
    )


def takes(notebook: str, name: str) -> bool:
    """Whether the committed notebook has the parameter ``name``."""
    import papermill as pm

    return name in pm.inspect_notebook(str(ROOT / "notebooks" / notebook))


@pytest.mark.parametrize(
    ("notebook", "kind"),
    [("subject_access_export.ipynb", "access"), ("deletion_checklist.ipynb", "erasure")],
)
def test_runs_from_notebooks_with_a_real_request_id(live_project, tmp_path, notebook, kind):
    live = live_project
    request_id = live.access_id if kind == "access" else live.erasure_id
    email = live.emails[0] if kind == "access" else live.emails[1]
    parameters = {"request_id": request_id}
    # Notebooks that still ask for the address as well get it; those that look it up in the
    # register get the request id only.
    if takes(notebook, "subject_email"):
        parameters["subject_email"] = email
    output = tmp_path / notebook
    done = papermill(live, notebook, output, parameters)
    assert done.returncode == 0, done.stderr[-3000:]
    executed = json.loads(output.read_text())
    outputs = [o for cell in executed["cells"] for o in cell.get("outputs", [])]
    assert [o for o in outputs if o["output_type"] == "error"] == []
    text = output.read_text()
    assert request_id in text and "ZAMMAD_URL is not set" not in text
    # It read the root's snapshot and registers, and wrote into the root's reports folder.
    reports = live.project / "reports"
    folder = reports / ("sar" if kind == "access" else "erasure") / request_id
    assert folder.is_dir(), sorted(p.name for p in reports.rglob("*"))[:20]
    # Nothing appeared under notebooks/, nothing git would commit, no notebook holds the address.
    names = sorted(p.name for p in (live.project / "notebooks").iterdir())
    assert names == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert untracked(live.project) == []
    for path in (live.project / "notebooks").glob("*.ipynb"):
        assert email not in path.read_text(), path
