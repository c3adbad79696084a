"""``mimoto-gov register``: complaints, breaches, attestations and the erasure register."""

from __future__ import annotations

import argparse

from mimoto_gov.commands._arguments import number_between
from mimoto_gov.commands._register_helpers import (
    change_options,
    day,
    group,
    list_export,
    moment,
    open_for,
    received,
)
from mimoto_gov.deadlines import uk_date
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.breaches import MAX_PEOPLE


def _complaint_add(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        complaint_id = reg.add_complaint(args.summary, received(args.received), email=args.email)
        row = reg.complaints().set_index("id").loc[complaint_id]
    print(f"{complaint_id}: acknowledge by {uk_date(row['ack_due_on'])}")
    return 0


def _complaint_ack(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        on_time = reg.acknowledge_complaint(args.id, day(args.on, "--on"))
    print(f"{args.id.upper()}: acknowledged" + ("" if on_time else " LATE (over 30 days)"))
    return 0


def _complaint_close(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        reg.close_complaint(args.id, args.outcome, day(args.on, "--on"))
    print(f"{args.id.upper()}: closed")
    return 0


def _breach_add(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
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
    with open_for(args) as reg:
        on_time = reg.report_breach(args.id, moment(args.at, "--at"), args.reference)
    print(f"{args.id.upper()}: reported" + ("" if on_time else " LATE (over 72 hours)"))
    return 0


def _breach_not_reported(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        reg.record_breach_not_reported(args.id, args.reason)
    print(f"{args.id.upper()}: not reported, reason recorded")
    return 0


def _attest(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
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


def complaints_parser(registers) -> None:
    verb = group(
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
    change_options(add, late=False)
    ack = verb("ack", "Record the acknowledgement.", _complaint_ack)
    ack.add_argument("id", metavar="ID")
    ack.add_argument("--on", help="the day (default: today)")
    change_options(ack)
    close = verb("close", "Record the outcome and close it.", _complaint_close)
    close.add_argument("id", metavar="ID")
    close.add_argument("--outcome", required=True)
    close.add_argument("--on", help="the day (default: today)")
    change_options(close)
    list_export(
        verb,
        "complaints",
        "complaints register",
        ["id", "received_on", "summary", "ack_due_on", "acknowledged_on", "ack_late", "status"],
    )


def breaches_parser(registers) -> None:
    verb = group(
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
    change_options(add, late=False)
    report = verb("report", "Record the report to the ICO.", _breach_report)
    report.add_argument("id", metavar="ID")
    report.add_argument("--at", required=True, help="when: 'YYYY-MM-DD HH:MM'")
    report.add_argument("--reference", help="the ICO's reference")
    change_options(report)
    not_reported = verb(
        "not-reported", "Record the decision not to report, and why.", _breach_not_reported
    )
    not_reported.add_argument("id", metavar="ID")
    not_reported.add_argument("--reason", required=True)
    change_options(not_reported, late=False)
    list_export(
        verb,
        "breaches",
        "breach log",
        ["id", "found_at", "description", "people_affected", "report_due_at", "status"],
    )


def attestations_parser(registers) -> None:
    verb = group(
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
    list_export(verb, "attestations", "attestation register")


def erasures_parser(registers) -> None:
    verb = group(
        registers,
        "erasures",
        "The append-only erasure register (written by `mimoto-gov erase --execute`).",
    )
    list_export(
        verb,
        "erasures",
        "erasure register",
        ["id", "request_id", "outcome", "verified", "started_at", "ticket_numbers"],
    )
