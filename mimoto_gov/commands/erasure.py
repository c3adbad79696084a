"""``mimoto-gov erasure``: an erasure's steps, the steps done by hand, and keep decisions."""

from __future__ import annotations

import argparse

import pandas as pd

from mimoto_gov.commands._register_helpers import day, print_table, verbs
from mimoto_gov.erasure.certificate import document_paths
from mimoto_gov.erasure.documents import erasure_folder
from mimoto_gov.erasure.finish import step_done
from mimoto_gov.erasure.keep import record_decision
from mimoto_gov.erasure.steps import load_steps
from mimoto_gov.errors import RegisterError
from mimoto_gov.registers import open_registers
from mimoto_gov.settings import load_settings

DESCRIPTION = """\
An erasure is finished only when every step of its checklist is finished. `erase --execute`
does the steps in Zammad and the workbook's own copies; the others are done by people
(support mailboxes, redacting articles on other customers' tickets, the mailing-list service,
telling each recipient of the data, sending the person the confirmation letter). Until each is
recorded here as done (who, when, what) or as not needed (why), the certificate of erasure is
partial and the request stays open.

Before `erase --execute`, tickets that may have to be kept (a refund, an invoice: tax law,
legal claims) are flagged by the dry run; `decide` records staff's decision for each."""


def _settings():

    return load_settings()


def _steps(args: argparse.Namespace) -> int:

    settings = _settings()
    with open_registers(settings.registers_path) as registers:
        steps = load_steps(registers, args.request_id)
        if steps is None:
            raise RegisterError(
                f"request {args.request_id} has no erasure yet: its dry run (`mimoto-gov erase "
                f"EMAIL --request-id {args.request_id}`) lists the steps planned"
            )
    rows = [
        {
            "step": s.key,
            "where": s.line.place,
            "owner": s.line.owner,
            "state": s.line.state,
            "by": s.done_by,
            "on": s.done_on,
            "note": s.note or (s.line.why if not s.open else s.line.action),
        }
        for s in steps.steps
    ]
    print_table(pd.DataFrame(rows))
    entry = steps.entry
    print()
    if not steps.erased:
        print(
            f"The last attempt ({entry['id']}) {entry['outcome']}: run the same `mimoto-gov "
            "erase ... --execute` again to finish it."
        )
    elif steps.complete:
        print(f"Erasure {entry['id']} is complete: every step is finished.")
    else:
        names = ", ".join(s.key for s in steps.open_steps)
        print(
            f"Erasure {entry['id']}: {len(steps.open_steps):,} step(s) open ({names}). Record "
            f"each with `mimoto-gov erasure done {steps.request_id} STEP --by NAME`."
        )
    certificate = document_paths(erasure_folder(settings.reports_dir, steps.request_id))[0]
    if certificate.exists():
        print(f"Certificate ({'complete' if steps.complete else 'partial'}): {certificate}")
    return 0


def _done(args: argparse.Namespace) -> int:

    steps, paths = step_done(
        _settings(),
        args.request_id,
        args.step,
        by=args.by,
        on=day(args.on, "--on"),
        note=args.note,
        not_needed=args.not_needed,
    )
    step = steps.step(args.step)
    print(
        f"Recorded step {step.key} of request {steps.request_id} as {step.line.state} by "
        f"{step.done_by} on {step.done_on:%-d %b %Y}."
    )
    if not steps.erased:
        print("The erasure in Zammad is not finished: run `mimoto-gov erase ... --execute` again.")
    elif steps.complete:
        print(
            f"Every step is finished: the certificate is complete and request "
            f"{steps.request_id} is closed."
        )
    else:
        names = ", ".join(s.key for s in steps.open_steps)
        print(f"{len(steps.open_steps):,} step(s) still open: {names}.")
    for path in paths:
        print(path)
    return 0


def _decide(args: argparse.Namespace) -> int:

    flag = record_decision(
        _settings(),
        args.request_id,
        args.flag,
        decision="keep" if args.keep else "erase",
        by=args.by,
        reason=args.reason,
        review_on=day(args.review_on, "--review-on"),
        on=day(args.on, "--on"),
    )
    print(flag)
    return 0


def register(subparsers) -> None:
    """Add the ``erasure`` command and its verbs."""
    parser = subparsers.add_parser(
        "erasure",
        help="an erasure's steps: list them, record one done by hand, decide what to keep",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verb = verbs(parser)
    steps = verb(
        "steps", "List an erasure's steps: owner, state, who finished each and when.", _steps
    )
    steps.add_argument("request_id", metavar="ID", help="the erasure request (R-2026-0001)")

    done = verb(
        "done",
        "Record a step finished by hand (who, when, what was done), or --not-needed with why.",
        _done,
    )
    done.add_argument("request_id", metavar="ID", help="the erasure request")
    done.add_argument("step", metavar="STEP", help="the step's name, as `erasure steps` lists it")
    done.add_argument("--by", required=True, metavar="NAME", help="who did it")
    done.add_argument("--on", metavar="DATE", help="the day it was done (YYYY-MM-DD; today)")
    how = done.add_mutually_exclusive_group()
    how.add_argument("--note", metavar="TEXT", help="what was done")
    how.add_argument(
        "--not-needed", metavar="REASON", help="record that the step does not apply, and why"
    )

    decide = verb(
        "decide",
        "Record the decision on a ticket flagged as possibly to be kept: --keep with the reason "
        "and a review date, or --erase.",
        _decide,
    )
    decide.add_argument("request_id", metavar="ID", help="the erasure request")
    decide.add_argument(
        "flag", metavar="FLAG", help="the flag, as the dry run names it (ticket-31046)"
    )
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep", action="store_true", help="keep the ticket")
    choice.add_argument("--erase", action="store_true", help="erase it with the rest")
    decide.add_argument("--by", required=True, metavar="NAME", help="who decided")
    decide.add_argument(
        "--reason", metavar="TEXT", help="why it is kept (the law or the claim); needed with --keep"
    )
    decide.add_argument(
        "--review-on", metavar="DATE", help="when to look at it again (YYYY-MM-DD); with --keep"
    )
    decide.add_argument("--on", metavar="DATE", help="the day of the decision (YYYY-MM-DD; today)")
