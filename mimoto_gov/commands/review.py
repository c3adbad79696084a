"""``mimoto-gov review``: render the monthly retention review to HTML and PDF."""

from __future__ import annotations

import argparse

from mimoto_gov.views.review.build import parse_month, run_review

DESCRIPTION = """\
Render the monthly retention review from the local Zammad snapshot: the inventory and what
changed since last month, the age of the tickets, the retention schedule applied (tickets
past their period and the Zammad schedulers that would enforce it), personal data that
should not be in tickets, customer accounts to review, open requests, and this month's
actions on the first page. Writes reports/retention-review/YYYY-MM/retention-review.{ipynb,
html,pdf} with the full lists as CSV beside them, replacing an earlier run of that month,
and prints the paths. Run `mimoto-gov pull` first for current figures. Meant for cron on the
1st of the month: it prints nothing but the paths, and a failure is one line on stderr with
a non-zero exit.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``review`` sub-command."""
    parser = subparsers.add_parser(
        "review",
        help="render the monthly retention review (HTML and PDF)",
        description=DESCRIPTION,
    )
    parser.add_argument(
        "--month",
        metavar="YYYY-MM",
        default=None,
        help="the month to review (default: the previous calendar month)",
    )
    parser.add_argument(
        "--schedule",
        metavar="PATH",
        default=None,
        help="the retention schedule (default: <data>/policy/retention.yml, else the "
        "repository's data/policy/retention.yml)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Render the review and print where the outputs are."""
    # Check the month before anything slow starts.
    month = parse_month(args.month)
    result = run_review(month, schedule_path=args.schedule)
    for path in (result.html, result.pdf, result.ipynb):
        if path is not None:
            print(path)
    return 0
