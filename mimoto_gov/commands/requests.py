"""``mimoto-gov requests``: the register of subject rights requests and their deadlines.

Finding requests in tickets (``candidates``, ``dismiss``, ``add --from-ticket``) is in
:mod:`mimoto_gov.commands._requests_intake`. Every verb that changes the register takes
``--by`` (who); a dated one takes ``--reason`` too (required for a date before today).
"""

from __future__ import annotations

import argparse
from datetime import date

import pandas as pd

from mimoto_gov.commands._register_helpers import (
    change_options,
    day,
    open_for,
    print_table,
    received,
    verbs,
)
from mimoto_gov.commands._requests_intake import (
    add_intake_verbs,
    from_ticket,
)
from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import InputError
from mimoto_gov.registers import (
    CHANNELS,
    KINDS,
    OUTCOMES,
    REFUSAL_GROUNDS,
    STATUSES,
    Request,
    open_registers,
)
from mimoto_gov.registers.request_model import due_date_of, paused_days
from mimoto_gov.sar.files import sent_package_digest
from mimoto_gov.settings import load_settings


def _summary(request: Request) -> str:
    due = due_date_of(request)
    who = ", ".join(s.label for s in request.subjects)
    return (
        f"{request.id} ({request.kind}, {request.status}) from {who}: received "
        f"{uk_date(request.received_on)}, due {uk_date(due)}"
    )


def _add(args: argparse.Namespace) -> int:
    facts = {
        "kind": args.kind,
        "emails": args.email,
        "received_on": received(args.received),
        "notes": args.notes,
        "requester_name": args.requester_name,
        "channel": args.channel,
        "on_behalf_of": args.on_behalf_of,
        "authority_evidence": args.authority,
        "duplicate_of": args.duplicate_of,
        "separate": args.separate,
    }
    if args.from_ticket:
        facts = from_ticket(args.from_ticket, facts)
    for key, option in (("kind", "--kind"), ("emails", "--email")):
        if not facts[key]:
            raise InputError(f"{option} is required (or give --from-ticket NUMBER)")
    with open_for(args) as reg:
        print(_summary(reg.add_request(**facts)))
    return 0


def _list(args: argparse.Namespace) -> int:
    today = date.today()
    with open_registers() as reg:
        requests = reg.list_requests(args.status)
    if not args.all and args.status is None:
        requests = [r for r in requests if not r.finished]
    rows = []
    for r in requests:
        due = due_date_of(r, today)
        overdue = not r.finished and today > due
        rows.append(
            {
                "id": r.id,
                "kind": r.kind,
                "subjects": ", ".join(s.label for s in r.subjects),
                "received": r.received_on,
                "due": due,
                "days left": "" if r.finished else (due - today).days,
                "status": ("OVERDUE " if overdue else "") + r.status,
                "_overdue": overdue,
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.sort_values(["_overdue", "due", "id"], ascending=[False, True, True])
        frame = frame.drop(columns="_overdue")
    print_table(frame, empty="no requests")
    return 0


def _show(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        r = reg.get_request(args.id)
        sent = reg.packages_sent(r.id)
    lines = [
        ("Request", r.id),
        ("Kind", r.kind),
        ("Status", r.status),
        ("Subjects", ", ".join(s.label for s in r.subjects)),
        ("Received", uk_date(r.received_on) + (f" by {r.channel}" if r.channel else "")),
        ("Identification received", uk_date(r.id_received_on)),
        ("Clock starts", uk_date(r.clock_starts_on)),
    ]
    behalf = r.on_behalf_of and f"{r.on_behalf_of} (authority: {r.authority_evidence})"
    for label, value in (
        ("Requester", r.requester_name),
        ("On behalf of", behalf),
        ("Ticket", r.ticket_number),
    ):
        if value:
            lines.append((label, value))
    lines += [
        (
            "Identity verified",
            f"{uk_date(r.verified_at)} by {r.verified_by}: {r.verify_method}; seen: "
            f"{r.evidence_seen}"
            if r.verified
            else "not yet",
        ),
    ]
    for pause in r.pauses:
        answered = uk_date(pause.answered_on) if pause.answered_on else "awaiting answer"
        lines.append(("Clock stopped", f"{uk_date(pause.asked_on)} to {answered}: {pause.reason}"))
    lines.append(("Paused days", str(paused_days(r))))
    if r.extended:
        lines.append(
            (
                "Extended",
                f"{uk_date(r.extension_decided_on)} ({r.extension_reason}); subject told "
                f"{uk_date(r.extension_told_on)}",
            )
        )
    lines.append(("Due", uk_date(due_date_of(r))))
    for package in sent:
        lines.append(
            ("Package sent", f"{uk_date(package.sent_on)}: manifest {package.manifest_sha256}")
        )
    if r.finished:
        lines.append(("Closed", f"{uk_date(r.closed_on)}: {_outcome(r)}"))
    if r.notes:
        lines.append(("Notes", r.notes))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label + ':':<{width + 1}} {value}")
    return 0


def _outcome(r: Request) -> str:
    parts = [r.outcome_kind or "closed"]
    if r.exemption:
        parts.append(f"exemption: {r.exemption}")
    if r.refusal_grounds:
        parts.append(f"grounds: {r.refusal_grounds}")
    if r.duplicate_of:
        parts.append(f"duplicate of {r.duplicate_of}")
    if r.outcome and r.outcome != f"duplicate of {r.duplicate_of}":
        parts.append(r.outcome)
    return "; ".join(parts)


def _verify(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        request = reg.verify_identity(
            args.id,
            method=args.method,
            verified_by=args.by,
            evidence_seen=args.seen,
            verified_at=day(args.on, "--on"),
            id_received_on=day(args.id_received_on, "--id-received-on"),
        )
        print(_summary(request))
    return 0


def _pause(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        print(_summary(reg.pause(args.id, args.reason, day(args.on, "--on"))))
    return 0


def _resume(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        print(_summary(reg.resume(args.id, day(args.on, "--on"))))
    return 0


def _extend(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        request = reg.extend(
            args.id,
            args.reason,
            told_on=day(args.told_on, "--told-on"),
            decided_on=day(args.on, "--on"),
        )
        print(_summary(request))
    return 0


def _close(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        request = reg.close_request(
            args.id,
            args.outcome,
            day(args.on, "--on"),
            detail=args.detail,
            exemption=args.exemption,
            grounds=args.grounds,
            duplicate_of=args.duplicate_of,
        )
        print(_summary(request))
    return 0


def _sent(args: argparse.Namespace) -> int:

    with open_registers() as reg:
        request = reg.get_request(args.id)
        digest, files = sent_package_digest(load_settings().reports_dir, request.id)
        sent = reg.record_package_sent(request.id, digest, files, day(args.on, "--on"))
    print(
        f"{sent.request_id}: package sent {uk_date(sent.sent_on)}, {sent.files:,} files, "
        f"manifest SHA-256 {sent.manifest_sha256}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        print(reg.export_requests_csv(args.out))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``requests`` and its actions to the command line."""
    parser = subparsers.add_parser(
        "requests",
        help="the register of subject rights requests and their ICO deadlines",
        description="Record subject rights requests (access, erasure, rectification, "
        "restriction, portability, objection, automated decisions), their identity checks, "
        "clock stops and extensions, and see their due dates under the ICO's calendar-month "
        "rule; find requests written in plain words in tickets. Dates are YYYY-MM-DD.",
    )
    verb = verbs(parser, "action", "ACTION")

    def action(name: str, help_text: str, handler, with_id: bool = True):
        sub = verb(name, help_text, handler)
        if with_id:
            sub.add_argument("id", metavar="ID", help="the request id, e.g. R-2026-0001")
        return sub

    add = action("add", "Record a new request and print its id and due date.", _add, False)
    add.add_argument("--kind", choices=KINDS, help="the right exercised")
    add.add_argument(
        "--email",
        action="append",
        help="the subject's address (repeat for several addresses of the same person)",
    )
    add.add_argument("--received", help="the day it was received (default: today)")
    add.add_argument("--requester-name", metavar="NAME", help="who made the request")
    add.add_argument("--channel", choices=CHANNELS, help="how it arrived")
    add.add_argument(
        "--on-behalf-of",
        metavar="NAME",
        help="the person's name, when someone else asks for them (needs --authority)",
    )
    add.add_argument(
        "--authority", metavar="TEXT", help="what shows the requester may act for the person"
    )
    again = add.add_mutually_exclusive_group()
    again.add_argument(
        "--duplicate-of",
        metavar="ID",
        help="the person's open request this one repeats (recorded and closed as a duplicate)",
    )
    again.add_argument(
        "--separate",
        action="store_true",
        help="a request in its own right although the person has an open one",
    )
    add.add_argument(
        "--from-ticket",
        metavar="NUMBER",
        help="take the customer, received date (the message's), kind and channel from a "
        "ticket in the snapshot; options given override them",
    )
    add.add_argument("--notes", help="free text")
    change_options(add, late=False)

    lst = action(
        "list",
        "List requests with their due dates, overdue first (open ones unless --all).",
        _list,
        False,
    )
    lst.add_argument("--status", choices=STATUSES, help="only requests with this status")
    lst.add_argument("--all", action="store_true", help="include closed and refused requests")

    action("show", "Show one request in full, with its due date.", _show)

    verify = action(
        "verify",
        "Record how the requester's identity was verified (a description of what was seen, "
        "never a copy of a document).",
        _verify,
    )
    verify.add_argument("--method", required=True, help="how identity was established")
    verify.add_argument("--by", required=True, help="who decided")
    verify.add_argument("--seen", required=True, help="what evidence was seen (one sentence)")
    verify.add_argument("--on", help="the day (default: today)")
    verify.add_argument(
        "--id-received-on",
        help="if identification was asked for, the day it arrived: the clock starts then",
    )
    verify.add_argument("--reason", help="why a date before today is recorded only now")

    pause = action(
        "pause", "Stop the clock while waiting for clarification the request needs.", _pause
    )
    pause.add_argument(
        "--reason", required=True, help="what was asked (and why, if dated before today)"
    )
    pause.add_argument("--on", help="the day it was asked (default: today)")
    change_options(pause, late=False)

    resume = action("resume", "Restart the clock: the clarification arrived.", _resume)
    resume.add_argument("--on", help="the day the answer arrived (default: today)")
    change_options(resume)

    extend = action(
        "extend",
        "Extend the deadline to three months from the start (complex or several requests); "
        "the subject must be told within the first month.",
        _extend,
    )
    extend.add_argument("--reason", required=True, help="why the extension is needed")
    extend.add_argument("--told-on", help="the day the subject was told (default: --on)")
    extend.add_argument("--on", help="the day it was decided (default: today)")
    change_options(extend, late=False)

    close = action("close", "Close a request with its outcome.", _close)
    close.add_argument("--outcome", required=True, choices=OUTCOMES, help="how it ended")
    close.add_argument("--detail", help="what was done, or why it was refused")
    close.add_argument("--exemption", help="for partly-refused: the exemption relied on")
    close.add_argument(
        "--grounds", choices=REFUSAL_GROUNDS, help="for refused: why the request is refused"
    )
    close.add_argument("--duplicate-of", metavar="ID", help="for duplicate: the request it repeats")
    close.add_argument("--on", help="the day (default: today)")
    change_options(close)

    sent = action(
        "sent",
        "Record that the subject access package of an access request was sent: checks "
        "reports/sar/ID/send/ against its manifest and records the manifest's SHA-256.",
        _sent,
    )
    sent.add_argument("--on", help="the day it was sent (default: today)")

    export = action(
        "export",
        "Write the whole register as CSV for auditors (spreadsheet formulas neutralised).",
        _export,
        False,
    )
    export.add_argument("--out", required=True, help="the CSV file to write")

    add_intake_verbs(action)
