"""A real browser: headless Chromium opens every report the demo writes, and JupyterLab.

Every HTML report of the demo must render with no console error and no Content Security
Policy violation (the harness proves it would notice one on a planted page). Then JupyterLab,
started on a free port in a clone whose root ``.env`` names the sandbox, opens each notebook;
the test runs it through the UI (Run > Run All Cells, File > Save), checks the saved notebook
ran every code cell without an error, and keeps a screenshot in test-artefacts/browser/.
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

CODE_PROMPTS = (
    "return Array.from(document.querySelectorAll("
    "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt'))"
    ".map(e => e.textContent.trim())"
)
KERNEL_STATUS = (
    "const e = document.querySelector("
    "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');"
    "return e ? e.getAttribute('data-status') : null"
)


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


def _click_menu(driver, menu: str, command: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    label = f"//div[contains(@class,'lm-MenuBar-itemLabel') and text()='{menu}']"
    wait.until(ready.element_to_be_clickable((By.XPATH, label))).click()
    item = f"li.lm-Menu-item[data-command='{command}']"
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, item))).click()


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def run_in_lab(driver, lab, project: Path, notebook: str) -> dict:
    """Open a notebook in JupyterLab, run every cell through the UI, save; return the file."""
    path = project / "notebooks" / notebook
    driver.get(lab.notebook_url(f"notebooks/{notebook}"))
    _wait(lambda: driver.execute_script(KERNEL_STATUS) == "idle", 90, f"{notebook}'s kernel")

    def started() -> bool:
        return any(p != "[ ]:" for p in driver.execute_script(CODE_PROMPTS))

    # A Run All sent while the kernel's connection still settles can be dropped: send it
    # again until a cell starts.
    for _attempt in range(4):
        _click_menu(driver, "Run", "runmenu:run-all")
        try:
            _wait(started, 30, f"{notebook} to start")
            break
        except AssertionError:
            continue

    def finished() -> bool:
        prompts = driver.execute_script(CODE_PROMPTS)
        done = prompts and all(p not in ("[*]:", "[ ]:", "") for p in prompts)
        return bool(done) and driver.execute_script(KERNEL_STATUS) == "idle"

    try:
        _wait(finished, 240, f"{notebook} to run")
    finally:
        screenshot(driver, f"lab-{Path(notebook).stem}")
    before = path.stat().st_mtime_ns
    _click_menu(driver, "File", "docmanager:save")
    _wait(lambda: path.stat().st_mtime_ns != before, 30, f"{notebook} to be saved")
    # Close the tab and stop its kernel, so the next notebook has the machine to itself.
    _click_menu(driver, "File", "application:close")
    lab.stop_kernels()
    return json.loads(path.read_text())


def test_every_notebook_runs_in_jupyterlab(live_project, browser, tmp_path):
    # A copy of the configured clone (its .env, snapshot and registers): saving from the
    # lab writes outputs into its notebooks, which no other test should read.
    project = tmp_path / "mimoto-gov"
    shutil.copytree(live_project.project, project, symlinks=True)
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 4
    with jupyter_lab(project, live_project.env, tmp_path / "lab.log") as lab:
        for notebook in notebooks:
            saved = run_in_lab(browser, lab, project, notebook)
            code = [cell for cell in saved["cells"] if cell["cell_type"] == "code"]
            assert all(cell.get("execution_count") for cell in code), notebook
            outputs = [o for cell in code for o in cell.get("outputs", [])]
            errors = [o for o in outputs if o["output_type"] == "error"]
            assert errors == [], (notebook, [e.get("evalue") for e in errors])
            assert outputs, notebook
    # The kernels ran in notebooks/ and still found the root's .env, snapshot and folders.
    assert "ZAMMAD_URL is not set" not in json.dumps(saved)
    assert not (project / "notebooks" / "data").exists()
    assert not (project / "notebooks" / "reports").exists()
    shots = {p.name for p in (ROOT / "test-artefacts" / "browser").glob("lab-*.png")}
    assert {f"lab-{Path(n).stem}.png" for n in notebooks} <= shots
