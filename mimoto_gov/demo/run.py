"""The demo: the whole workbook on a local Zammad sandbox with synthetic data.

``mimoto-gov demo`` (and ``make demo``) needs no configuration and keeps to itself: it writes
only under ``demo/`` at the project root (``demo/data`` and ``demo/reports``, each with the
marker file of :mod:`mimoto_gov.support.examples`), never in the real data and reports
folders, and reads nothing from ``.env``. It starts the sandbox on a free port in this
process, pulls it with the sandbox's own admin token (handed over in memory: never printed,
never written), and then runs each step
of :data:`STEPS` in order: the inventory, example registers, the analytics (a live pull
from the local Gaug.es sandbox), a cookie audit of a local copy of the website, the
retention review (which reads the analytics and the site audit as evidence of the policy's
commitments), a subject access package and an erasure dry run. A job that wants to appear
in the demo appends its step to :data:`STEPS` (or calls :func:`add_step`); a step receives
the :class:`DemoRun`, prints a few lines and records where its outputs are with
:meth:`DemoRun.output`. The demo ends by listing those places, the retention review last.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from mimoto_gov.demo import analytics as demo_analytics
from mimoto_gov.demo import registers as demo_registers
from mimoto_gov.demo.accountability import candidates_step, due_step
from mimoto_gov.demo.steps import erasure_step, review_step, sar_step, site_audit_step
from mimoto_gov.errors import ConfigError, SnapshotError
from mimoto_gov.formats import uk_date
from mimoto_gov.inventory import load_inventory, read_snapshot
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.settings import DEMO_DIR_NAME, Settings, folders_in_environment, project_root
from mimoto_gov.support.environment import variables_set
from mimoto_gov.support.examples import is_empty_or_demo, mark_demo_folder
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull

DEMO_TICKETS = 400
DEMO_SEED = 7


@dataclass
class DemoRun:
    """The state shared by the demo's steps.

    Attributes:
        settings: the workbook settings (data and reports folders).
        sandbox: the running sandbox (``sandbox.url``; its tokens stay in memory).
        client: a Zammad client for the sandbox, with the admin token.
        out: where steps print.
        results: what earlier steps produced, by step name (``"pull"``, ``"inventory"``...).
        outputs: (label, path) of everything the demo wrote, listed at the end.
        last: the outputs listed after all others (the retention review's).

    """

    settings: Settings
    sandbox: Any
    client: Any
    out: TextIO = sys.stdout
    results: dict[str, Any] = field(default_factory=dict)
    outputs: list[tuple[str, Path]] = field(default_factory=list)
    last: list[tuple[str, Path]] = field(default_factory=list)

    def say(self, text: str = "") -> None:
        """Print a line of the demo's output."""
        print(text, file=self.out, flush=True)

    def output(self, label: str, path: Path) -> None:
        """Record an output location, listed when the demo ends."""
        self.outputs.append((label, Path(path)))

    @contextlib.contextmanager
    def listed_last(self) -> Iterator[None]:
        """List the outputs recorded inside the block after all others, whenever they ran."""
        start = len(self.outputs)
        yield
        self.last.extend(self.outputs[start:])

    def listing(self) -> list[tuple[str, Path]]:
        """Return the outputs in the order the demo lists them: :attr:`last` at the end."""
        return [entry for entry in self.outputs if entry not in self.last] + self.last


Step = Callable[[DemoRun], None]


def add_step(name: str, step: Step, *, after: str | None = None) -> None:
    """Add a step to the demo (at the end, or right after the step named ``after``).

    Adding a step under a name that is already there replaces it, so importing a module
    twice does not run its step twice.
    """
    names = [existing for existing, _ in STEPS]
    if name in names:
        STEPS[names.index(name)] = (name, step)
        return
    position = len(STEPS) if after is None else names.index(after) + 1
    STEPS.insert(position, (name, step))


def pull_step(run: DemoRun) -> None:
    """Pull the sandbox into the data folder (always a full pull: the port is new each run)."""
    run.say(f"Pulling the sandbox Zammad at {run.sandbox.url} ...")
    result = pull(run.client, run.settings.data_dir, full=True)
    run.results["pull"] = result
    run.say(result.summary())
    run.output("Zammad snapshot (Parquet)", result.path)


def inventory_step(run: DemoRun) -> None:
    """Load the snapshot like a notebook would and print a short summary of it."""
    inventory = load_inventory(run.settings.data_dir)
    run.results["inventory"] = inventory
    for line in inventory_summary(inventory):
        run.say(line)


def inventory_summary(inventory) -> list[str]:
    """Describe an inventory in a few lines (counts, date range, states, groups)."""
    tickets = inventory.tickets
    counts = inventory.counts()
    lines = [
        "",
        "Inventory: "
        + ", ".join(
            f"{n:,} {'organisations' if table == 'organizations' else table}"
            for table, n in counts.items()
        ),
    ]
    if len(tickets):
        first, last = tickets["created_at"].min(), tickets["created_at"].max()
        lines.append(f"  tickets created {uk_date(first)} to {uk_date(last)}")
        for column in ("state", "group"):
            values = tickets[column].fillna("(none)").value_counts()
            listed = ", ".join(f"{name} {n:,}" for name, n in values.items())
            lines.append(f"  by {column}: {listed}")
    users = inventory.users
    if len(users):
        customers = int(users["id"].isin(tickets["customer_id"]).sum())
        lines.append(f"  {len(users):,} users, {customers:,} of them customers of a ticket")
    if len(inventory.attachments):
        size = int(inventory.attachments["size"].fillna(0).sum())
        lines.append(
            f"  {len(inventory.attachments):,} attachments, {size / 1024:,.0f} KiB in Zammad"
        )
    return lines


def registers_step(run: DemoRun) -> None:
    """Add example register entries (requests, law enforcement, consents...) for the pack."""
    demo_registers.demo_step(run)


def analytics_step(run: DemoRun) -> None:
    """Pull the review's month and the one before from the local Gaug.es sandbox; review them."""
    demo_analytics.demo_step(run)


# The demo's steps, (name, step) in the order they run: append a job's step here. The
# analytics and the site audit come before the review, whose commitments read them.
STEPS: list[tuple[str, Step]] = [
    ("pull", pull_step),
    ("inventory", inventory_step),
    ("registers", registers_step),
    ("request-candidates", candidates_step),
    ("analytics", analytics_step),
    ("site-audit", site_audit_step),
    ("review", review_step),
    ("subject-access", sar_step),
    ("erasure", erasure_step),
    ("due", due_step),
]


def demo_dir() -> Path:
    """Return the demo's own folder: ``demo/`` at the project root."""
    return project_root() / DEMO_DIR_NAME


def demo_settings() -> Settings:
    """Return the demo's settings: ``demo/data`` and ``demo/reports``, no Zammad, no tokens."""
    folder = demo_dir()
    return Settings(data_dir=folder / "data", reports_dir=folder / "reports")


def _refuse_foreign_folders(settings: Settings) -> None:
    """Stop before the demo would write into a folder it did not make (real data, say)."""
    for what, folder in (("data", settings.data_dir), ("reports", settings.reports_dir)):
        if not is_empty_or_demo(folder):
            raise ConfigError(
                f"{folder} holds files the demo did not make; the demo writes only into an "
                f"empty {what} folder or one it made itself: move it away or run make clean-demo"
            )


@contextlib.contextmanager
def _demo_environment(settings: Settings, zammad_url: str) -> Iterator[None]:
    """Point every job at the demo's folders and sandbox, masking the real ``.env`` for a while.

    The environment wins over ``.env``: an empty token hides the real one, so no step can
    reach the real desk or Gaug.es account, and report notebooks' kernels inherit the same.
    """
    masked = {"ZAMMAD_URL": zammad_url, "ZAMMAD_TOKEN": "", "GAUGES_TOKEN": ""}
    with variables_set(masked), folders_in_environment(settings.data_dir, settings.reports_dir):
        yield


def _refuse_real_snapshot(settings: Settings) -> None:
    """Stop before the demo would replace a snapshot of a real Zammad with synthetic data."""
    try:
        state = read_snapshot(settings.zammad_dir).sync_state
    except SnapshotError:
        return
    host = urlsplit(state.get("zammad_url") or "").hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ConfigError(
            f"{settings.data_dir} holds a snapshot of a real Zammad; the demo will not replace "
            "it with synthetic data: move that folder away"
        )


def run_demo(
    *,
    tickets: int = DEMO_TICKETS,
    seed: int = DEMO_SEED,
    settings: Settings | None = None,
    out: TextIO | None = None,
) -> DemoRun:
    """Run every demo step against a fresh sandbox and print where the outputs are.

    Args:
        tickets: how many synthetic tickets the sandbox serves.
        seed: the synthetic data's seed (same seed, same data).
        settings: the demo's folders (:func:`demo_settings` when omitted: ``demo/`` at the
            project root); each must be missing, empty or made by the demo.
        out: where to print (standard output by default).

    Returns:
        The finished :class:`DemoRun` (results and outputs of every step).

    """
    settings = settings or demo_settings()
    _refuse_real_snapshot(settings)
    _refuse_foreign_folders(settings)
    for folder in (settings.data_dir, settings.reports_dir):
        mark_demo_folder(folder)
    out = out or sys.stdout
    print(
        f"The demo writes only into {settings.data_dir} and {settings.reports_dir} "
        "(made-up data; make clean-demo removes them). Your data, reports and .env are "
        "not touched.",
        file=out,
        flush=True,
    )
    with (
        Sandbox(seed=seed, tickets=tickets) as sandbox,
        ZammadClient(sandbox.url, sandbox.admin_token) as client,
        _demo_environment(settings, sandbox.url),
    ):
        settings = replace(settings, zammad_url=sandbox.url)
        run = DemoRun(settings=settings, sandbox=sandbox, client=client, out=out)
        for _name, step in list(STEPS):
            step(run)
    run.say("")
    run.say("Where things are:")
    for label, path in run.listing():
        run.say(f"  {label}: {path}")
    return run
