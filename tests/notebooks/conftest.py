"""Shared, costly set-ups: the demo run once, and a clone configured for a (sandbox) desk."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.cli import clean_env, mimoto_gov
from tests.helpers.project import files_under, fresh_project

WORKBOOK_VARIABLES = ("ZAMMAD_URL", "ZAMMAD_TOKEN", "GAUGES_TOKEN", "MIMOTO_GOV_DATA",
                      "MIMOTO_GOV_REPORTS")  # fmt: skip
REAL_ENV = {"ZAMMAD_URL": "https://desk.mimoto.example", "ZAMMAD_TOKEN": "real-token-kept-out-1"}


@dataclass
class DemoResult:
    """A demo run from the notebooks folder of a fresh clone holding a real .env.

    Attributes:
        project: the clone's root.
        run: the finished DemoRun.
        output: what the demo printed.
        before: the clone's data/, reports/ and .env before the demo (path -> bytes).

    """

    project: Path
    run: object
    output: str
    before: dict[str, dict[str, bytes]]

    @property
    def folder(self) -> Path:
        """The demo's own folder (demo/ at the clone's root)."""
        return self.project / "demo"


def real_folders(project: Path) -> dict[str, dict[str, bytes]]:
    """What the clone's real folders and .env hold."""
    return {
        "data": files_under(project / "data"),
        "reports": files_under(project / "reports"),
        ".env": {".env": (project / ".env").read_bytes()},
    }


@pytest.fixture(scope="session")
def demo_result(tmp_path_factory) -> DemoResult:
    """Run the demo as a newcomer would, from notebooks/ of a fresh clone with a real .env."""
    from mimoto_gov.demo.run import run_demo

    project = fresh_project(tmp_path_factory.mktemp("clone") / "mimoto-gov", env=REAL_ENV)
    (project / "reports").mkdir()
    before = real_folders(project)
    with pytest.MonkeyPatch.context() as patch:
        for name in WORKBOOK_VARIABLES:
            patch.delenv(name, raising=False)
        patch.chdir(project / "notebooks")
        out = io.StringIO()
        run = run_demo(tickets=120, out=out)
    return DemoResult(project=project, run=run, output=out.getvalue(), before=before)


@dataclass
class LiveProject:
    """A fresh clone whose root .env names a running sandbox: pulled, with two requests.

    Attributes:
        project: the clone's root.
        sandbox: the running Zammad sandbox.
        env: the environment for commands (no workbook variables: .env is the configuration).
        access_id, erasure_id: the requests recorded with ``mimoto-gov requests add``.
        emails: the two subjects' addresses.

    """

    project: Path
    sandbox: object
    env: dict[str, str]
    access_id: str
    erasure_id: str
    emails: tuple[str, str]


def command(project: Path, env: dict[str, str], *args: str) -> str:
    """Run ``mimoto-gov ARGS`` at the project's root; return its output (it must succeed)."""
    done = mimoto_gov(*args, cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def live_project(tmp_path_factory) -> Iterator[LiveProject]:
    """A clone configured for a real desk (the sandbox) as the getting-started guide says."""
    from mimoto_gov.sandbox.zammad.server import Sandbox

    with Sandbox(tickets=60, task_tick_seconds=0.05) as sandbox:
        project = fresh_project(
            tmp_path_factory.mktemp("live") / "mimoto-gov",
            env={"ZAMMAD_URL": sandbox.url, "ZAMMAD_TOKEN": sandbox.admin_token},
        )
        env = clean_env()
        command(project, env, "pull")
        personas, users = sandbox.dataset.personas, sandbox.dataset.users
        emails = (users[personas["subject"]]["email"], users[personas["sole_member"]]["email"])
        ids = []
        for kind, email in zip(("access", "erasure"), emails, strict=True):
            out = command(project, env, "requests", "add", "--kind", kind, "--email", email)
            ids.append(out.split()[0])
        yield LiveProject(project, sandbox, env, ids[0], ids[1], emails)
