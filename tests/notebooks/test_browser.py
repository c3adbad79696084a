"""A real browser: headless Chromium opens every report the demo writes, and JupyterLab.

Every HTML report of the demo must render with no console error and no Content Security
Policy violation (the harness proves it would notice one on a planted page). Then JupyterLab,
started on a free port in a clone whose root ``.env`` names the sandbox, opens each notebook
after a kernel started in ``notebooks/`` (as JupyterLab starts them) ran it top to bottom and
saved it; the test checks every code cell ran without an error, that the lab renders the
outputs, and keeps a screenshot in test-artefacts/browser/.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.helpers.browser import chromium, jupyter_lab, open_page, screenshot
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.slow

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
OUTPUTS = f"return document.querySelectorAll('{PANEL} .jp-OutputArea-output').length"


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def test_every_demo_report_renders_with_no_console_error_or_csp_violation(demo_result, browser):
    # Every page a reader opens (hidden files are fragments the index is built from).
    pages = sorted(
        p for p in (demo_result.folder / "reports").rglob("*.html") if not p.name.startswith(".")
    )
    kinds = {page.relative_to(demo_result.folder / "reports").parts[0] for page in pages}
    assert {"analytics", "site-audit", "retention-review", "sar", "erasure", "index.html"} <= kinds
    for page in pages:
        check = open_page(browser, page.as_uri())
        assert check.title and check.text_length > 200, page
        assert check.console_errors == [], (page, check.console_errors)
        assert check.csp_violations == [], (page, check.csp_violations)
    screenshot(browser, "demo-retention-review")


def test_the_harness_notices_a_csp_violation_and_a_console_error(tmp_path, browser):
    page = tmp_path / "planted.html"
    page.write_text(
        "<!doctype html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'\"><title>planted</title></head><body>"
        "<p>text</p><img src='https://tracker.invalid/pixel.gif'>"
        "<script>console.error('boom')</script></body></html>"
    )
    check = open_page(browser, page.as_uri())
    assert any("img-src" in v for v in check.csp_violations), check.csp_violations
    assert any("script-src" in v for v in check.csp_violations), check.csp_violations
    assert check.console_errors


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def run_in_notebooks_folder(path: Path) -> dict:
    """Run a notebook top to bottom with a kernel started in its own folder, saving it in place.

    This is what JupyterLab does with "Run All" and "Save": the kernel's working directory is
    ``notebooks/``, and the project is found from there.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(path), str(path), cwd=str(path.parent), progress_bar=False, kernel_name="python3"
        )
    except PapermillExecutionError as error:
        raise AssertionError(f"{path.name}: {error.ename}: {error.evalue}") from None
    return json.loads(path.read_text())


def show_in_lab(driver, lab, notebook: str) -> None:
    """Open the notebook in JupyterLab, wait until its outputs render, keep a screenshot."""
    driver.get(lab.notebook_url(f"notebooks/{notebook}"))
    seen: list[int] = []

    def settled() -> bool:
        # Rendered, and no more outputs appearing over the last two looks (a second apart).
        seen.append(driver.execute_script(OUTPUTS))
        time.sleep(0.5)
        return seen[-1] > 0 and seen[-3:] == [seen[-1]] * 3

    try:
        _wait(settled, 90, f"{notebook}'s outputs in the lab")
    finally:
        screenshot(driver, f"lab-{Path(notebook).stem}")


def test_every_notebook_runs_in_jupyterlab(live_project, browser, tmp_path):
    # A copy of the configured clone (its .env, snapshot and registers): running and saving
    # writes outputs into its notebooks, which no other test should read.
    project = tmp_path / "mimoto-gov"
    shutil.copytree(live_project.project, project, symlinks=True)
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 4
    with jupyter_lab(project, live_project.env, tmp_path / "lab.log") as lab:
        for notebook in notebooks:
            saved = run_in_notebooks_folder(project / "notebooks" / notebook)
            code = [cell for cell in saved["cells"] if cell["cell_type"] == "code"]
            assert all(cell.get("execution_count") for cell in code), notebook
            outputs = [o for cell in code for o in cell.get("outputs", [])]
            errors = [o for o in outputs if o["output_type"] == "error"]
            assert errors == [], (notebook, [e.get("evalue") for e in errors])
            assert outputs, notebook
            show_in_lab(browser, lab, notebook)
            lab.stop_kernels()
    # The kernels ran in notebooks/ and still found the root's .env, snapshot and folders.
    assert "ZAMMAD_URL is not set" not in json.dumps(saved)
    assert not (project / "notebooks" / "data").exists()
    assert not (project / "notebooks" / "reports").exists()
    shots = {p.name for p in (ROOT / "test-artefacts" / "browser").glob("lab-*.png")}
    assert {f"lab-{Path(n).stem}.png" for n in notebooks} <= shots
