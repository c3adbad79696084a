"""A subject access case on the built-in sandbox, for the notebook run with its defaults.

``notebooks/subject_access_export.ipynb`` answers a real request from the register when given
a request id; run with its defaults (as the notebook tests do) it builds this demonstration
case instead, so it runs top to bottom out of the box with no real data involved.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from mimoto_gov.formats import UK_TIME
from mimoto_gov.registers import open_registers
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.sar.case import open_case
from mimoto_gov.sar.model import SarCase
from mimoto_gov.support.files import private_dir
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull


def demo_case(workdir: Path | None = None, *, tickets: int = 300) -> SarCase:
    """Open a demonstration case on the built-in Zammad sandbox (no real data involved).

    Starts the sandbox in this process, pulls it into ``workdir/data`` (a new private
    temporary folder by default), records an access request for the sandbox's "subject"
    persona and opens it, with reports going to ``workdir/reports``.

    Args:
        workdir: where the demonstration's data and reports go.
        tickets: the size of the sandbox's synthetic service desk.

    Returns:
        The open :class:`~mimoto_gov.sar.model.SarCase`;
        :func:`mimoto_gov.sar.case.build_package` writes its package.

    """
    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="mimoto-gov-sar-demo-"))
    private_dir(workdir)
    sandbox = Sandbox(tickets=tickets, task_tick_seconds=None)
    sandbox.start()
    client = ZammadClient(sandbox.url, sandbox.admin_token)
    data_dir = workdir / "data"
    pull(client, data_dir, full=True, show_progress=False)
    dataset = sandbox.dataset
    email = dataset.users[dataset.personas["subject"]]["email"]
    with open_registers(data_dir / "registers.sqlite") as registers:
        request = registers.add_request(
            "access",
            [email],
            received_on=datetime.now(UK_TIME).date() - timedelta(days=3),
            notes="demonstration on the built-in sandbox",
        )
    case = open_case(request.id, data_dir=data_dir, reports_dir=workdir / "reports", client=client)
    case.sandbox = sandbox
    return case
