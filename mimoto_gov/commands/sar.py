"""``mimoto-gov sar``: build the response package for a subject access request."""

from __future__ import annotations

import argparse
import csv
import json
from datetime import date

from mimoto_gov.commands._arguments import MAX_INTEGER, number_between
from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import InputError
from mimoto_gov.sar.case import build_sar_package

DESCRIPTION = """\
Gather everything held about one person and write the response to their subject access
request to reports/sar/ID/. send/ is exactly what goes to the person: index.html and
report.pdf (a covering letter, then the response with the Article 15 information),
data.json and csv/ (machine-readable), attachments/ (from Zammad, byte for byte),
manifest.json (SHA-256 of every file) and sar-ID.zip, built from send/ alone. Other people's
names, addresses, phone numbers and other details are replaced by "[redacted: other person]"
everywhere in send/. staff/ stays with you: redactions.csv (every redaction, masked),
decisions.csv (release an item there with a reason, then run again with --rebuild),
attachments held back, near-matches (accounts matching only through a login or an old
address, never included silently), possible mentions and the checks before sending.

The person is the Zammad accounts whose current email is one of the request's addresses
(`mimoto-gov requests add`), plus --also addresses and --user-id accounts. Works from the
Zammad snapshot, which must be less than a day old (--pull refreshes it) and must have been
pulled from ZAMMAD_URL, plus live calls for attachments, ticket history and tags. Record the
package as sent with `mimoto-gov requests sent ID`. Prints the package folder as its last
line."""


def register(subparsers) -> None:
    """Add the ``sar`` command."""
    p = subparsers.add_parser(
        "sar",
        help="export everything held about a person for a subject access request",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "email",
        metavar="EMAIL",
        nargs="?",
        help="the requester's address (default: the request's own addresses)",
    )
    p.add_argument(
        "--request-id",
        required=True,
        metavar="ID",
        help="the access request's id in the request register (e.g. R-2026-0001)",
    )
    p.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="EMAIL",
        help="another address the person uses; repeat for several",
    )
    p.add_argument(
        "--user-id",
        action="append",
        default=[],
        type=int,
        metavar="N",
        help="include the Zammad account N (a near-match staff decided is the person's); "
        "needs --reason",
    )
    p.add_argument(
        "--reason", metavar="TEXT", help="why the --user-id accounts are the person's (recorded)"
    )
    p.add_argument(
        "--add-article",
        action="append",
        default=[],
        type=number_between(1, MAX_INTEGER),
        metavar="ID",
        help="an article on someone else's ticket that is about the person although it does "
        "not name their address (see staff/possible_mentions.csv); repeat for several",
    )
    p.add_argument("--pull", action="store_true", help="refresh the Zammad snapshot first")
    p.add_argument(
        "--allow-stale",
        action="store_true",
        help="answer from a snapshot older than a day without refreshing it",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="build the request's package again with the options it was built with and the "
        "decisions in its staff/decisions.csv (the snapshot as it is)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the package and print what was found, then the package folder."""
    if args.user_id and not (args.reason or "").strip():
        raise InputError("--user-id needs --reason: say why the account is the person's")
    if args.reason and not args.user_id:
        raise InputError("--reason goes with --user-id")
    folder = build_sar_package(
        args.request_id,
        args.email,
        also=tuple(args.also),
        user_ids=dict.fromkeys(args.user_id, args.reason),
        add_articles=tuple(args.add_article),
        pull=args.pull,
        allow_stale=args.allow_stale,
        rebuild=args.rebuild,
    )
    data = json.loads((folder / "send" / "data.json").read_text(encoding="utf-8"))
    request = data["request"]
    found = "; ".join(f"{what} {count:,}" for what, count in data["counts"].items())
    print(f"Request {request['id']}, due {uk_date(date.fromisoformat(request['due_on']))}.")
    print(
        f"Found: {found}." if data["holds_personal_data"] else "Found nothing: " + data["statement"]
    )
    with (folder / "staff" / "near_matches.csv").open(newline="", encoding="utf-8") as handle:
        for near in csv.DictReader(handle):
            where = f" (article {near['article_id']})" if near["article_id"] else ""
            print(f"Not included: user #{near['user_id']}{where}: {near['reason']}")
    with (folder / "staff" / "checks.csv").open(newline="", encoding="utf-8") as handle:
        for check in csv.DictReader(handle):
            if check["status"] != "ok":
                print(f"To {check['status']}: {check['check']}: {check['detail']}")
    print(folder)
    return 0
