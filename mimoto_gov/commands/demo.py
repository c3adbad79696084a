"""``mimoto-gov demo``: the workbook end to end on the built-in Zammad sandbox."""

from __future__ import annotations

import argparse

from mimoto_gov.commands._arguments import MAX_SEED, number_between
from mimoto_gov.demo.run import run_demo
from mimoto_gov.sandbox.synthetic.dataset import MAX_TICKETS, MIN_TICKETS

DESCRIPTION = """\
Run the workbook end to end with no configuration: start the local Zammad and Gaug.es
sandboxes (synthetic data, fixed seed) on free ports inside this process, pull them, and run
every job's demo step: example registers, the analytics review, a cookie audit of a local
website, the monthly retention review, a subject access package and an erasure dry run.

Everything is written under demo/ at the project root (demo/data and demo/reports, marked as
made-up): the real data and reports folders, MIMOTO_GOV_DATA, MIMOTO_GOV_REPORTS and .env are
neither used nor touched, and nothing reaches the real Zammad or Gaug.es. `make clean-demo`
removes demo/. The demo refuses a demo/ folder it did not make. The last lines say where the
outputs are."""


def register(subparsers) -> None:
    """Add the ``demo`` command."""
    p = subparsers.add_parser(
        "demo",
        help="run the workbook end to end on the built-in sandbox Zammad (no setup needed)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--tickets",
        type=number_between(MIN_TICKETS, MAX_TICKETS),
        default=400,
        metavar="N",
        help=f"synthetic tickets (default 400, {MIN_TICKETS} to {MAX_TICKETS:,})",
    )
    p.add_argument(
        "--seed", type=number_between(0, MAX_SEED), default=7, metavar="S",
        help="data seed (default 7)",
    )  # fmt: skip
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo steps."""
    run_demo(tickets=args.tickets, seed=args.seed)
    return 0
