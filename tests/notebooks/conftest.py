"""The demo, run once for every test that reads what it wrote (it takes about twenty seconds)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

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
