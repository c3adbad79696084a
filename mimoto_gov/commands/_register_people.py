"""``mimoto-gov register``: the registers about people (law enforcement, consents, holds...)."""

from __future__ import annotations

import argparse
import sys

from mimoto_gov.commands._arguments import MAX_INTEGER, number_between
from mimoto_gov.commands._register_helpers import (
    change_options,
    day,
    export_of,
    group,
    list_export,
    open_for,
    output_csv,
    print_table,
    received,
)
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.consents import CHANNELS, parse_when, read_mailing_list
from mimoto_gov.registers.law_enforcement import DECISIONS


def _le_add(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        le_id = reg.add_law_enforcement(
            authority=args.authority,
            uk=args.uk,
            instrument=args.instrument,
            scope=args.scope,
            emails=args.email or [],
            received_on=received(args.received),
            reference=args.reference,
            notes=args.notes,
        )
    print(le_id)
    if not args.uk:
        print(
            "note: the policy says Mimoto only complies with requests from UK authorities",
            file=sys.stderr,
        )
    return 0


def _le_decide(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        reg.decide_law_enforcement(
            args.id, args.decision, disclosed=args.disclosed, decided_on=day(args.on, "--on")
        )
    print(f"{args.id.upper()}: {args.decision}")
    return 0


def _le_tell(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        reg.record_user_told(
            args.id, told_on=day(args.on, "--on"), not_told_basis=args.not_told_basis
        )
    print(f"{args.id.upper()}: recorded")
    return 0


def _le_close(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        reg.close_law_enforcement(args.id, day(args.on, "--on"))
    print(f"{args.id.upper()}: closed")
    return 0


def _le_transparency(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        table = reg.transparency_table()
    if args.out:
        output_csv(table, args.out)
    else:
        print_table(table, empty="no law-enforcement requests recorded")
    return 0


def _consent_add(args: argparse.Namespace) -> int:
    when = parse_when(args.at, "--at")
    with open_for(args) as reg:
        number = reg.add_consent(
            args.email, when, args.wording, channel=args.channel, source=args.source
        )
    print(f"consent {number} recorded")
    return 0


def _consent_withdraw(args: argparse.Namespace) -> int:
    when = None
    if args.at:
        when = parse_when(args.at, "--at")
    with open_for(args) as reg:
        count = reg.withdraw_consent(args.email, when, channel=args.channel)
    print(f"{count} consent(s) withdrawn")
    return 0


def _consent_import(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        result = reg.import_mailing_list(args.file)
    print(
        f"mailing list: {result.members:,} address(es); "
        f"{result.consents_added:,} opt-in record(s) added"
    )
    return 0


def _consent_audit(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        emails = None
        if args.file:
            emails = [m["email"] for m in read_mailing_list(args.file)]
        problems = reg.consent_audit(emails)
        checked = len(emails) if emails is not None else len(reg.mailing_list_emails())
    if args.out:
        output_csv(problems, args.out)
    else:
        print_table(problems, empty=f"all {checked:,} address(es) have a live opt-in")
    # Non-zero when the list breaks the opt-in promise, so a scheduled run notices.
    return 1 if len(problems) else 0


def _suppress(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        number = reg.add_suppression(args.email, args.reason, day(args.on, "--on"))
    print(f"suppression {number}")
    return 0


def _hold_add(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        number = reg.place_hold(args.email, args.reason, args.by, day(args.on, "--on"))
    print(f"hold {number} placed")
    return 0


def _hold_lift(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        reg.lift_hold(args.id, args.by, day(args.on, "--on"))
    print(f"hold {args.id} lifted")
    return 0


def _hold_list(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        print_table(reg.holds(active_only=args.active), empty="no holds")
    return 0


def law_enforcement_parser(registers) -> None:
    verb = group(
        registers,
        "law-enforcement",
        "Requests for data from police and other authorities: instrument, decision, what "
        "was disclosed, and whether the user was told.",
    )
    add = verb("add", "Record a request from an authority; prints its id.", _le_add)
    add.add_argument("--authority", required=True, help="who asked")
    origin = add.add_mutually_exclusive_group(required=True)
    origin.add_argument("--uk", dest="uk", action="store_true", help="a UK authority")
    origin.add_argument("--not-uk", dest="uk", action="store_false", help="not a UK authority")
    add.add_argument("--instrument", required=True, help="the legal instrument (warrant...)")
    add.add_argument("--reference", help="the instrument's reference")
    add.add_argument("--scope", required=True, help="what was asked for")
    add.add_argument("--email", action="append", help="a person it names (repeatable)")
    add.add_argument("--received", help="the day it arrived (default: today)")
    add.add_argument("--notes", help="free text")
    change_options(add, late=False)
    decide = verb("decide", "Record the decision and what was disclosed.", _le_decide)
    decide.add_argument("id", metavar="ID")
    decide.add_argument("--decision", required=True, choices=DECISIONS)
    decide.add_argument("--disclosed", help="what was disclosed (for disclosed or partial)")
    decide.add_argument("--on", help="the day (default: today)")
    change_options(decide)
    tell = verb(
        "tell", "Record that the user was told, or the legal basis for not telling.", _le_tell
    )
    tell.add_argument("id", metavar="ID")
    how = tell.add_mutually_exclusive_group(required=True)
    how.add_argument("--on", help="the day the user was told")
    how.add_argument("--not-told-basis", help="the legal basis for not telling them")
    change_options(tell)
    close = verb("close", "Close a decided request (it no longer holds data).", _le_close)
    close.add_argument("id", metavar="ID")
    close.add_argument("--on", help="the day (default: today)")
    change_options(close)
    list_export(verb, "law-enforcement", "law-enforcement register")
    transparency = verb(
        "transparency",
        "Print the yearly transparency table (received, from the UK, disclosed, refused, "
        "users told).",
        _le_transparency,
    )
    transparency.add_argument("--out", help="write it as CSV instead")


def consents_parser(registers) -> None:
    verb = group(
        registers,
        "consents",
        "Marketing opt-ins (when, wording version, channel, withdrawal), the mailing-list "
        "import and the opt-in audit.",
    )
    add = verb("add", "Record an opt-in.", _consent_add)
    add.add_argument("email")
    add.add_argument("--at", required=True, help="when: YYYY-MM-DD or 'YYYY-MM-DD HH:MM'")
    add.add_argument("--wording", required=True, help="the version of the consent wording")
    add.add_argument("--channel", choices=CHANNELS, default="email")
    add.add_argument("--source", help="where it was given (sign-up form...)")
    change_options(add, late=False)
    withdraw = verb("withdraw", "Record a withdrawal of consent.", _consent_withdraw)
    withdraw.add_argument("email")
    withdraw.add_argument("--at", help="when (default: now)")
    withdraw.add_argument("--channel", choices=CHANNELS, default="email")
    change_options(withdraw)
    imp = verb(
        "import",
        "Replace the stored mailing list with the mailing tool's CSV export (needs an email "
        "column; opt-in times in it are recorded as consents).",
        _consent_import,
    )
    imp.add_argument("file", help="the export (CSV)")
    change_options(imp, late=False)
    audit = verb(
        "audit",
        "Check every address on the mailing list has a live opt-in, none withdrawn, erased "
        "or suppressed; exits 1 when there are problems.",
        _consent_audit,
    )
    audit.add_argument("file", nargs="?", help="a mailing-list export (default: last import)")
    audit.add_argument("--out", help="write the problems as CSV")
    list_export(verb, "consents", "consent register")


def suppressions_parser(registers) -> None:
    verb = group(
        registers,
        "suppressions",
        "People who must not be contacted at all (left out of the notice list and flagged "
        "on the mailing list).",
    )
    add = verb("add", "Put a person on the suppression list.", _suppress)
    add.add_argument("email")
    add.add_argument("--reason", help="why (objection, erasure request...)")
    add.add_argument("--on", help="the day (default: today)")
    change_options(add, late=False)
    list_export(verb, "suppressions", "suppression list")


def holds_parser(registers) -> None:
    verb = group(registers, "holds", "Legal holds that stop a person's data being erased.")
    add = verb("add", "Place a hold on a person's data.", _hold_add)
    add.add_argument("email")
    add.add_argument("--reason", required=True)
    add.add_argument("--by", required=True, help="who placed it")
    add.add_argument("--on", help="the day (default: today)")
    lift = verb("lift", "Lift a hold.", _hold_lift)
    lift.add_argument(
        "id", metavar="ID", type=number_between(1, MAX_INTEGER), help="the hold's number"
    )
    lift.add_argument("--by", required=True, help="who lifted it")
    lift.add_argument("--on", help="the day (default: today)")
    change_options(lift, by=False)
    lst = verb("list", "Print the holds as a table.", _hold_list)
    lst.add_argument("--active", action="store_true", help="only holds in force")
    export = verb("export", "Write the holds as CSV, to --out or stdout.", export_of("holds"))
    export.add_argument("--out", help="the CSV file to write (default: stdout)")
