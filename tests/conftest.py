"""Shared test fixtures.

Every test runs with a clean configuration: the workbook's variables are removed from the
environment and the working directory is a fresh temporary folder, so no test reads a real
``.env`` or writes into the repository's ``data/`` or ``reports/``. The keyed-hash key is one
file in the session's temporary folder, never the user's ``~/.config``; a test about the key
itself points ``MIMOTO_GOV_KEY_FILE`` at a file of its own.
"""

from __future__ import annotations

import pytest

WORKBOOK_VARIABLES = (
    "ZAMMAD_URL",
    "ZAMMAD_TOKEN",
    "GAUGES_TOKEN",
    "MIMOTO_GOV_DATA",
    "MIMOTO_GOV_REPORTS",
    "MIMOTO_GOV_ACTOR",
    "MIMOTO_GOV_SMTP_URL",
    "MIMOTO_GOV_NOTIFY",
    "MIMOTO_GOV_MAIL_FROM",
)


@pytest.fixture(scope="session", autouse=True)
def erasure_key_file(tmp_path_factory):
    """One keyed-hash key for the whole session, set before any fixture builds registers."""
    path = tmp_path_factory.getbasetemp() / "config" / "erasure.key"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIMOTO_GOV_KEY_FILE", str(path))
        yield path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Clear the workbook's variables and run the test in its own working directory."""
    for name in WORKBOOK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


@pytest.fixture
def sandbox():
    """A running Zammad sandbox with 60 tickets and a fast data-privacy tick.

    Function-scoped, so state changes do not leak between tests. Tokens are in
    ``sandbox.tokens`` (``admin``, ``agent``, ``customer``); the URL is ``sandbox.url``.
    """
    from mimoto_gov.sandbox.zammad.server import Sandbox

    with Sandbox(tickets=60, task_tick_seconds=0.05) as running:
        yield running


@pytest.fixture
def data_dir(monkeypatch, tmp_path):
    """A data folder (not yet created) that ``MIMOTO_GOV_DATA`` names, for in-process commands."""
    folder = tmp_path / "data"
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(folder))
    return folder
