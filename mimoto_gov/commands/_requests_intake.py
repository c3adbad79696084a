"""``requests candidates``, ``requests dismiss`` and ``requests add --from-ticket``.

Requests arrive as ordinary tickets. ``candidates`` scans the snapshot for customers asking
for a right in plain words (tickets changed since the last scan), keeps what it finds in the
register and lists the open candidates; each is then recorded (``add --from-ticket``) or
dismissed with a reason.
"""

from __future__ import annotations

import argparse
from datetime import datetime, time

import pandas as pd

from mimoto_gov.commands._register_helpers import change_options, day, open_for, print_table
from mimoto_gov.deadlines import UK_TIME, sar_due_date, uk_date
from mimoto_gov.intake.candidates import scan_tickets, ticket_request
from mimoto_gov.inventory import load_inventory
from mimoto_gov.settings import load_settings


def from_ticket(number: str, facts: dict) -> dict:
    """Fill a new request's facts from ticket ``number``; options already given win.

    The received date is the date (UK time) of the customer's message that asks for the
    right: the day the clock started.
    """
    ticket = ticket_request(load_inventory(load_settings().data_dir), number)
    received = ticket.received_at.astimezone(UK_TIME).date()
    note = f"from ticket {ticket.ticket_number}"
    if ticket.phrase:
        note += f': "{ticket.phrase}"'
    return {
        **facts,
        "kind": facts["kind"] or ticket.register_kind,
        "emails": facts["emails"] or ([ticket.email] if ticket.email else None),
        "received_on": facts["received_on"] or received,
        "requester_name": facts["requester_name"] or ticket.customer_name,
        "channel": facts["channel"] or ticket.channel,
        "notes": facts["notes"] or note,
        "ticket_number": ticket.ticket_number,
    }


def _since(text: str | None) -> datetime | None:
    start = day(text, "--since")
    return None if start is None else datetime.combine(start, time(), tzinfo=UK_TIME)


def _candidates(args: argparse.Namespace) -> int:
    inventory = load_inventory(load_settings().data_dir)
    with open_for(args) as reg:
        since = _since(args.since) if args.since else reg.last_candidate_scan()
        result = scan_tickets(inventory, since=since, settled=reg.settled_tickets())
        changed = reg.save_candidates(
            result.candidates, since=since, through=result.through, tickets=result.tickets
        )
        table = reg.candidates(None if args.all else "open")
    scope = f"changed since {uk_date(since.date())}" if since else "(every ticket)"
    print(f"Read {result.tickets:,} ticket(s) {scope}: {changed:,} new or updated candidate(s).")
    if table.empty:
        print("No open request candidates." if not args.all else "No request candidates.")
        return 0
    received = [t.astimezone(UK_TIME).date() for t in table["received_at"]]
    shown = pd.DataFrame(
        {
            "ticket": table["ticket_number"],
            "customer": table["customer"],
            "received": received,
            "due if a request": [sar_due_date(d) for d in received],
            "kind": table["kind"],
            "status": table["status"],
            "phrase": table["phrase"],
        }
    )
    if not args.all:
        shown = shown.drop(columns="status")
    print_table(shown)
    print(
        "Record one with `mimoto-gov requests add --from-ticket NUMBER`, or say it is not a "
        "request with `mimoto-gov requests dismiss NUMBER --reason TEXT`."
    )
    return 0


def _dismiss(args: argparse.Namespace) -> int:
    with open_for(args) as reg:
        reg.dismiss_candidate(args.number, args.reason)
    print(f"ticket {args.number.lstrip('#')}: dismissed, not a rights request")
    return 0


def add_intake_verbs(action) -> None:
    """Add ``candidates`` and ``dismiss`` with ``action(name, help, handler, with_id)``."""
    candidates = action(
        "candidates",
        "Scan tickets changed since the last scan for rights requests written in plain words "
        "(access, erasure, rectification, restriction, portability, objection, unsubscribe) "
        "and list the open candidates: ticket, customer, date received, kind, phrase.",
        _candidates,
        False,
    )
    candidates.add_argument(
        "--since", help="scan tickets changed since this day instead of since the last scan"
    )
    candidates.add_argument(
        "--all", action="store_true", help="list recorded and dismissed candidates too"
    )
    change_options(candidates, late=False)
    dismiss = action(
        "dismiss", "Record that a ticket is not a rights request, and why.", _dismiss, False
    )
    dismiss.add_argument("number", metavar="NUMBER", help="the ticket number")
    dismiss.add_argument("--reason", required=True, help="why it is not a request")
    change_options(dismiss, late=False)
