"""``mimoto-gov erase``: the deletion checklist, and a verified erasure through Zammad."""

from __future__ import annotations

import argparse
import sys

from mimoto_gov.commands._arguments import MAX_INTEGER, number_between
from mimoto_gov.erasure.run import erase
from mimoto_gov.errors import InputError
from mimoto_gov.support.confirm import typed_confirmation
from mimoto_gov.support.lock import DEFAULT_WAIT

DESCRIPTION = """\
Erase one person on request. Without --execute this is a dry run that changes nothing in
Zammad: it refreshes the snapshot (read-only requests), then writes the deletion checklist to
reports/erasure/ID/checklist.html and .pdf: every place the person's data lives (Zammad users,
their tickets, their organisation, articles on other tickets, mailboxes, backups, the
provider's logs, analytics, the marketing list, the recipients of the data, the workbook's own
copies, legal holds) and what happens to it, each line a step with an owner and a state. It
also flags tickets that may have to be kept (a refund, an invoice: data/policy/erasure.yml).

With --execute it takes the data folder's lock (a second destructive command waits --wait
seconds, then refuses), and refuses unless the request register records a verified identity,
no legal hold applies and every flagged ticket has a decision (`mimoto-gov erasure decide`).
It asks you to type DELETE (or --yes for scripts), gives kept tickets to a placeholder
customer so Zammad keeps them, runs Zammad's data-privacy tasks (each recorded in the register
as soon as it exists), waits for them (--timeout) and reads Zammad back: the users and every
listed ticket must be gone and a search by address empty. A failure is recorded in the
erasure register and reported; Ctrl-C while waiting names the task under way. On success it
pulls Zammad in full, purges the person from the snapshot and earlier reports, keeps only the
keyed hash of the address in the registers and writes the certificate of erasure and a
confirmation letter to the person (reports/erasure/ID/). The certificate is partial, and the
request stays open, until every step done by hand is recorded with `mimoto-gov erasure done`.
Running it again is safe: it finishes what an earlier run left and never loses what it did."""


def register(subparsers) -> None:
    """Add the ``erase`` command."""
    p = subparsers.add_parser(
        "erase",
        help="plan (dry run) or carry out and verify the erasure of a person",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("email", metavar="EMAIL", help="the person's email address")
    p.add_argument(
        "--request-id",
        required=True,
        metavar="ID",
        help="the erasure request's id in the request register (e.g. R-2026-0001)",
    )
    p.add_argument(
        "--execute",
        action="store_true",
        help="delete in Zammad (without it, a dry run that changes nothing)",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
    p.add_argument(
        "--delete-organization",
        action="store_true",
        help="also delete their organisation, with all its tickets, when they are its only member",
    )
    p.add_argument(
        "--timeout",
        type=number_between(0.1, 86400, float),
        default=1200.0,
        metavar="SECONDS",
        help="how long to wait for Zammad's deletion tasks (default 1200; Zammad runs them "
        "every 10 minutes)",
    )
    p.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="EMAIL",
        help="another address the person uses (their current email on another account); "
        "repeat for several",
    )
    p.add_argument(
        "--user-id",
        action="append",
        default=[],
        type=number_between(1, MAX_INTEGER),
        metavar="N",
        help="include the Zammad account N (a near-match staff decided is the person's); "
        "needs --reason",
    )
    p.add_argument(
        "--reason", metavar="TEXT", help="why the --user-id accounts are the person's (recorded)"
    )
    p.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT,
        metavar="SECONDS",
        help="with --execute, how long to wait for another destructive command holding the "
        f"data folder before refusing (default {DEFAULT_WAIT:g})",
    )
    p.set_defaults(handler=run)


def ask(plan) -> bool:
    """Ask the person at the terminal to type DELETE."""
    tickets = len(plan.tickets_to_delete)
    kept = (
        f" {len(plan.kept):,} ticket(s) kept by decision go to a placeholder customer first."
        if plan.kept
        else ""
    )
    return typed_confirmation(
        f"This permanently deletes {len(plan.users):,} user record(s) and {tickets:,} "
        f"ticket(s) from Zammad for request {plan.request_id}.{kept}"
    )


def run(args: argparse.Namespace) -> int:
    """Run the dry run or the erasure, print what happened and the documents' paths."""
    if args.user_id and not (args.reason or "").strip():
        raise InputError("--user-id needs --reason: say why the account is the person's")
    if args.reason and not args.user_id:
        raise InputError("--reason goes with --user-id")
    confirm = ask if sys.stdin.isatty() else None
    result = erase(
        args.email,
        args.request_id,
        execute=args.execute,
        yes=args.yes,
        confirm=confirm,
        delete_organization=args.delete_organization,
        timeout=args.timeout,
        wait=args.wait,
        also=tuple(args.also),
        user_ids=dict.fromkeys(args.user_id, (args.reason or "").strip()),
    )
    print(result.message)
    for path in result.paths:
        print(path)
    return 0
