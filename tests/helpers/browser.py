"""A real browser for tests: headless Chromium (Debian's chromium and chromium-driver packages).

:func:`chromium` starts it through chromedriver with the flags this machine and CI need (no
sandbox as root, no GPU, no network of its own: no QUIC, no background updates, no sync) and
a fresh profile. Every page it opens first installs a listener that records Content Security
Policy violations in ``window.__cspViolations``. :func:`jupyter_lab` runs JupyterLab on a free
port for the length of a ``with`` block.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.helpers.paths import ROOT

ARTEFACTS = ROOT / "test-artefacts" / "browser"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  const what = event.blockedURI || 'inline';
  window.__cspViolations.push(event.violatedDirective + ' blocked ' + what);
});
"""


def _program(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        f"{names[0]} is not installed: run `make system-deps` (Debian packages chromium and "
        "chromium-driver)"
    )


@contextlib.contextmanager
def chromium() -> Iterator:
    """Yield a selenium WebDriver on headless Chromium with a fresh profile; quit it after."""
    # Selenium must not look for (or download) a browser of its own: Debian's are used.
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _program("chromium", "chromium-browser")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(_program("chromedriver")))
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class PageCheck:
    """What a page did when it loaded: its title, text length, console errors and CSP blocks."""

    title: str
    text_length: int
    console_errors: list[str]
    csp_violations: list[str]


def open_page(driver, url: str) -> PageCheck:
    """Open ``url`` and report what the page did (console errors and CSP violations)."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    text = driver.execute_script("return document.body ? document.body.innerText : ''")
    logs = driver.get_log("browser")
    violations = driver.execute_script("return window.__cspViolations || []")
    return PageCheck(
        title=driver.title,
        text_length=len(text or ""),
        console_errors=[entry["message"] for entry in logs if entry["level"] == "SEVERE"],
        csp_violations=list(violations),
    )


def screenshot(driver, name: str) -> Path:
    """Save the browser's view as ``test-artefacts/browser/<name>.png``; return the path."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its address and token."""

    url: str
    token: str

    def notebook_url(self, path: str) -> str:
        """Return the address that opens ``path`` (relative to the lab's root) in the lab."""
        return f"{self.url}/lab/tree/{path}?token={self.token}"

    def stop_kernels(self) -> None:
        """Shut down every running kernel (Jupyter Server's REST API)."""
        headers = {"Authorization": f"token {self.token}"}
        for kernel in requests.get(f"{self.url}/api/kernels", headers=headers, timeout=10).json():
            requests.delete(f"{self.url}/api/kernels/{kernel['id']}", headers=headers, timeout=30)


@contextlib.contextmanager
def jupyter_lab(root: Path, env: dict[str, str], log: Path) -> Iterator[Lab]:
    """Run JupyterLab on ``root`` on a free port (no browser, no news, no update checks)."""
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}", "--allow-root",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        lab = Lab(f"http://127.0.0.1:{port}", token)
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: {log.read_text()[-2000:]}")
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{lab.url}/api/status", params={"token": token}, timeout=2).ok:
                        break
                time.sleep(0.3)
            yield lab
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
