"""``mimoto-gov register``: the other registers (law enforcement, consents, complaints...)."""

from __future__ import annotations

import argparse
import sys

from mimoto_gov.cli import MAX_INTEGER, number_between
from mimoto_gov.commands._register_helpers import (
    day,
    moment,
    output_csv,
    print_table,
    received,
    verbs,
)
from mimoto_gov.deadlines import uk_date
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.breaches import MAX_PEOPLE
from mimoto_gov.registers.consents import CHANNELS, parse_when, read_mailing_list
from mimoto_gov.registers.law_enforcement import DECISIONS


def _list_of(table: str, columns: list[str] | None = None):
    def handler(args: argparse.Namespace) -> int:
        with open_registers() as reg:
            print_table(reg.table(table), columns, empty=f"no entries in {table}")
        return 0

    return handler


def _export_of(table: str):
    def handler(args: argparse.Namespace) -> int:
        with open_registers() as reg:
            output_csv(reg.table(table), args.out)
        return 0

    return handler


# -- law enforcement -------------------------------------------------------------------


def _le_add(args: argparse.Namespace) -> int:
    with open_registers() as reg:
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
    with open_registers() as reg:
        reg.decide_law_enforcement(
            args.id, args.decision, disclosed=args.disclosed, decided_on=day(args.on, "--on")
        )
    print(f"{args.id.upper()}: {args.decision}")
    return 0


def _le_tell(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        reg.record_user_told(
            args.id, told_on=day(args.on, "--on"), not_told_basis=args.not_told_basis
        )
    print(f"{args.id.upper()}: recorded")
    return 0


def _le_close(args: argparse.Namespace) -> int:
    with open_registers() as reg:
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


# -- consents, mailing list, suppressions --------------------------------------------


def _consent_add(args: argparse.Namespace) -> int:
    when = parse_when(args.at, "--at")
    with open_registers() as reg:
        number = reg.add_consent(
            args.email, when, args.wording, channel=args.channel, source=args.source
        )
    print(f"consent {number} recorded")
    return 0


def _consent_withdraw(args: argparse.Namespace) -> int:
    when = None
    if args.at:
        when = parse_when(args.at, "--at")
    with open_registers() as reg:
        count = reg.withdraw_consent(args.email, when, channel=args.channel)
    print(f"{count} consent(s) withdrawn")
    return 0


def _consent_import(args: argparse.Namespace) -> int:
    with open_registers() as reg:
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
    with open_registers() as reg:
        number = reg.add_suppression(args.email, args.reason, day(args.on, "--on"))
    print(f"suppression {number}")
    return 0


# -- complaints, breaches, attestations, holds --------------------------------------


def _complaint_add(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        complaint_id = reg.add_complaint(args.summary, received(args.received), email=args.email)
        row = reg.complaints().set_index("id").loc[complaint_id]
    print(f"{complaint_id}: acknowledge by {uk_date(row['ack_due_on'])}")
    return 0


def _complaint_ack(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        on_time = reg.acknowledge_complaint(args.id, day(args.on, "--on"))
    print(f"{args.id.upper()}: acknowledged" + ("" if on_time else " LATE (over 30 days)"))
    return 0


def _complaint_close(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        reg.close_complaint(args.id, args.outcome, day(args.on, "--on"))
    print(f"{args.id.upper()}: closed")
    return 0


def _breach_add(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        breach_id = reg.add_breach(
            moment(args.found_at, "--found-at"),
            args.description,
            people_affected=args.people,
            measures=args.measures,
        )
        row = reg.breaches().set_index("id").loc[breach_id]
    due = row["report_due_at"]
    print(f"{breach_id}: report to the ICO by {uk_date(due.date())} {due:%H:%M}, or record why not")
    return 0


def _breach_report(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        on_time = reg.report_breach(args.id, moment(args.at, "--at"), args.reference)
    print(f"{args.id.upper()}: reported" + ("" if on_time else " LATE (over 72 hours)"))
    return 0


def _breach_not_reported(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        reg.record_breach_not_reported(args.id, args.reason)
    print(f"{args.id.upper()}: not reported, reason recorded")
    return 0


def _attest(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        a = reg.attest(
            args.key, args.text, args.by, day(args.on, "--on"), day(args.expires, "--expires")
        )
    print(f"{a.statement_key}: attested by {a.attested_by}, until {uk_date(a.expires_on)}")
    return 0


def _attest_current(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        a = reg.current_attestation(args.key)
    if a is None:
        print(f"{args.key}: no attestation in force")
        return 1
    print(
        f"{a.statement_key}: {a.text!r} attested by {a.attested_by} on "
        f"{uk_date(a.attested_on)}, until {uk_date(a.expires_on)}"
    )
    return 0


def _hold_add(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        number = reg.place_hold(args.email, args.reason, args.by, day(args.on, "--on"))
    print(f"hold {number} placed")
    return 0


def _hold_lift(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        reg.lift_hold(args.id, args.by, day(args.on, "--on"))
    print(f"hold {args.id} lifted")
    return 0


def _hold_list(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        print_table(reg.holds(active_only=args.active), empty="no holds")
    return 0


# -- the parser ------------------------------------------------------------------------


def _group(registers, name: str, description: str):
    return verbs(registers.add_parser(name, help=description, description=description))


def _list_export(verb, table: str, what: str, columns: list[str] | None = None) -> None:
    verb("list", f"Print the {what} as a table.", _list_of(table, columns))
    export = verb(
        "export",
        f"Write the {what} as CSV (spreadsheet formulas neutralised), to --out or stdout.",
        _export_of(table),
    )
    export.add_argument("--out", help="the CSV file to write (default: stdout)")


def _law_enforcement_parser(registers) -> None:
    verb = _group(
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
    decide = verb("decide", "Record the decision and what was disclosed.", _le_decide)
    decide.add_argument("id", metavar="ID")
    decide.add_argument("--decision", required=True, choices=DECISIONS)
    decide.add_argument("--disclosed", help="what was disclosed (for disclosed or partial)")
    decide.add_argument("--on", help="the day (default: today)")
    tell = verb(
        "tell", "Record that the user was told, or the legal basis for not telling.", _le_tell
    )
    tell.add_argument("id", metavar="ID")
    how = tell.add_mutually_exclusive_group(required=True)
    how.add_argument("--on", help="the day the user was told")
    how.add_argument("--not-told-basis", help="the legal basis for not telling them")
    close = verb("close", "Close a decided request (it no longer holds data).", _le_close)
    close.add_argument("id", metavar="ID")
    close.add_argument("--on", help="the day (default: today)")
    _list_export(verb, "law-enforcement", "law-enforcement register")
    transparency = verb(
        "transparency",
        "Print the yearly transparency table (received, from the UK, disclosed, refused, "
        "users told).",
        _le_transparency,
    )
    transparency.add_argument("--out", help="write it as CSV instead")


def _consents_parser(registers) -> None:
    verb = _group(
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
    withdraw = verb("withdraw", "Record a withdrawal of consent.", _consent_withdraw)
    withdraw.add_argument("email")
    withdraw.add_argument("--at", help="when (default: now)")
    withdraw.add_argument("--channel", choices=CHANNELS, default="email")
    imp = verb(
        "import",
        "Replace the stored mailing list with the mailing tool's CSV export (needs an email "
        "column; opt-in times in it are recorded as consents).",
        _consent_import,
    )
    imp.add_argument("file", help="the export (CSV)")
    audit = verb(
        "audit",
        "Check every address on the mailing list has a live opt-in, none withdrawn, erased "
        "or suppressed; exits 1 when there are problems.",
        _consent_audit,
    )
    audit.add_argument("file", nargs="?", help="a mailing-list export (default: last import)")
    audit.add_argument("--out", help="write the problems as CSV")
    _list_export(verb, "consents", "consent register")


def _suppressions_parser(registers) -> None:
    verb = _group(
        registers,
        "suppressions",
        "People who must not be contacted at all (left out of the notice list and flagged "
        "on the mailing list).",
    )
    add = verb("add", "Put a person on the suppression list.", _suppress)
    add.add_argument("email")
    add.add_argument("--reason", help="why (objection, erasure request...)")
    add.add_argument("--on", help="the day (default: today)")
    _list_export(verb, "suppressions", "suppression list")


def _complaints_parser(registers) -> None:
    verb = _group(
        registers,
        "complaints",
        "Data protection complaints: received, acknowledged within 30 days, outcome.",
    )
    add = verb(
        "add", "Record a complaint; prints its id and acknowledgement deadline.", _complaint_add
    )
    add.add_argument("--summary", required=True, help="what it is about")
    add.add_argument("--received", help="the day it arrived (default: today)")
    add.add_argument("--email", help="the complainant's address")
    ack = verb("ack", "Record the acknowledgement.", _complaint_ack)
    ack.add_argument("id", metavar="ID")
    ack.add_argument("--on", help="the day (default: today)")
    close = verb("close", "Record the outcome and close it.", _complaint_close)
    close.add_argument("id", metavar="ID")
    close.add_argument("--outcome", required=True)
    close.add_argument("--on", help="the day (default: today)")
    _list_export(
        verb,
        "complaints",
        "complaints register",
        ["id", "received_on", "summary", "ack_due_on", "acknowledged_on", "ack_late", "status"],
    )


def _breaches_parser(registers) -> None:
    verb = _group(
        registers,
        "breaches",
        "Personal data breaches: found when, the 72-hour clock, reported to the ICO or why not.",
    )
    add = verb("add", "Record a breach; prints its 72-hour reporting deadline.", _breach_add)
    add.add_argument("--found-at", required=True, help="when it was found: 'YYYY-MM-DD HH:MM'")
    add.add_argument("--description", required=True)
    add.add_argument(
        "--people", type=number_between(0, MAX_PEOPLE), help="how many people are affected"
    )
    add.add_argument("--measures", help="what was done to contain it")
    report = verb("report", "Record the report to the ICO.", _breach_report)
    report.add_argument("id", metavar="ID")
    report.add_argument("--at", required=True, help="when: 'YYYY-MM-DD HH:MM'")
    report.add_argument("--reference", help="the ICO's reference")
    not_reported = verb(
        "not-reported", "Record the decision not to report, and why.", _breach_not_reported
    )
    not_reported.add_argument("id", metavar="ID")
    not_reported.add_argument("--reason", required=True)
    _list_export(
        verb,
        "breaches",
        "breach log",
        ["id", "found_at", "description", "people_affected", "report_due_at", "status"],
    )


def _attestations_parser(registers) -> None:
    verb = _group(
        registers,
        "attestations",
        "Facts only a person can vouch for (e.g. no service access logs), with who, when and "
        "an expiry.",
    )
    add = verb("add", "Attest a statement.", _attest)
    add.add_argument("key", help="the statement's key, e.g. no-access-logs")
    add.add_argument("--text", required=True, help="the statement")
    add.add_argument("--by", required=True, help="who attests it")
    add.add_argument("--on", help="the day (default: today)")
    add.add_argument("--expires", help="when it lapses (default: a year later)")
    current = verb(
        "current",
        "Show the attestation in force for a statement (exit 1 if none).",
        _attest_current,
    )
    current.add_argument("key")
    _list_export(verb, "attestations", "attestation register")


def _holds_parser(registers) -> None:
    verb = _group(registers, "holds", "Legal holds that stop a person's data being erased.")
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
    lst = verb("list", "Print the holds as a table.", _hold_list)
    lst.add_argument("--active", action="store_true", help="only holds in force")
    export = verb("export", "Write the holds as CSV, to --out or stdout.", _export_of("holds"))
    export.add_argument("--out", help="the CSV file to write (default: stdout)")


def _erasures_parser(registers) -> None:
    verb = _group(
        registers,
        "erasures",
        "The append-only erasure register (written by `mimoto-gov erase --execute`).",
    )
    _list_export(
        verb,
        "erasures",
        "erasure register",
        ["id", "request_id", "outcome", "verified", "started_at", "ticket_numbers"],
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``register`` and its registers to the command line."""
    parser = subparsers.add_parser(
        "register",
        help="the law-enforcement, consent, complaint, breach, attestation and hold registers",
        description="Keep the registers the privacy policy's promises rest on. Each has add/"
        "list/export verbs and its own actions; dates are YYYY-MM-DD, times 'YYYY-MM-DD HH:MM' "
        "UK time.",
    )
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)
    registers = parser.add_subparsers(dest="register", metavar="REGISTER")
    _law_enforcement_parser(registers)
    _consents_parser(registers)
    _suppressions_parser(registers)
    _complaints_parser(registers)
    _breaches_parser(registers)
    _attestations_parser(registers)
    _holds_parser(registers)
    _erasures_parser(registers)
