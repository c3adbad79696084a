"""``mimoto-gov tidy``: delete the workbook's own copies that are past their period."""

from __future__ import annotations

import argparse
import contextlib
from datetime import datetime

from mimoto_gov.audits.own_copies_tidy import tidy_own_copies
from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.errors import ReportError
from mimoto_gov.settings import load_settings
from mimoto_gov.support.lock import data_folder_lock

DESCRIPTION = """\
List the workbook's own copies of personal data that are past their period in the
own_copies section of the retention schedule (data/policy/retention.yml): subject access
packages (reports/sar/ID/, counted from the day the
request was closed), deletion checklists and certificates (reports/erasure/ID/), monthly
reviews (reports/retention-review/YYYY-MM/) and retention plans (reports/retention/YYYY-MM/),
raw analytics responses
($MIMOTO_GOV_DATA/gauges/raw/) and failed-run notebooks (*.failed.ipynb).

A dry run by default: nothing is deleted. With --execute each listed file or folder is
deleted, and reports/index.html is rebuilt so it links no deleted run. The request register is
only read; a workbook without one is not given one. --execute takes the data folder's lock: it
waits a short while for another destructive command (an erasure) to finish, then refuses."""


def _run(args: argparse.Namespace) -> int:

    settings = load_settings()
    with contextlib.ExitStack() as stack:
        if args.execute:
            stack.enter_context(data_folder_lock(settings.data_dir, "tidy --execute"))
        result = tidy_own_copies(
            data_dir=settings.data_dir, reports_dir=settings.reports_dir, execute=args.execute
        )
    due = result.due
    print(f"The workbook's own copies ({due.attrs.get('schedule', '')})")
    print(f"data folder: {settings.data_dir}   reports folder: {settings.reports_dir}")
    if due.empty:
        print("Nothing is past its period.")
        return 0
    if "proposed" in due.attrs.get("schedule", ""):
        print(
            "The periods are proposals until the retention schedule is approved "
            "(mimoto-gov retention approve --by NAME)."
        )
    print()
    for row in due.to_dict("records"):
        print(row["Path"])
        print(
            f"    {row['What']}, kept since {row['Kept since']}, period {row['Period']}: "
            f"{row['Action']}"
        )
    print()
    if not result.executed:
        print(f"Dry run: {len(due):,} item(s) would be deleted. Run with --execute to delete them.")
        return 0
    for path in result.deleted:
        print(f"deleted {path}")
    print(f"Deleted {len(result.deleted):,} item(s) on {uk_date(_today())}.")
    if result.index is not None:
        print(f"Rebuilt {result.index}")
    if result.failed:
        path, reason = result.failed[0]
        raise ReportError(
            f"could not delete {len(result.failed):,} item(s); first {path}: {reason}"
        )
    return 0


def _today():

    return datetime.now(UK_TIME).date()


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``tidy`` to the command line."""
    parser = subparsers.add_parser(
        "tidy",
        help="list (or, with --execute, delete) the workbook's own copies past their period",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--execute",
        action="store_true",
        help="delete what is listed (without it, a dry run that deletes nothing)",
    )
    parser.set_defaults(handler=_run)
