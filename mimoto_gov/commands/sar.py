"""``mimoto-gov sar``: build the response package for a subject access request."""

from __future__ import annotations

import argparse
import csv
import json
from datetime import date

from mimoto_gov.commands._arguments import MAX_INTEGER, number_between
from mimoto_gov.deadlines import uk_date

DESCRIPTION = """\
Gather everything held about one person and write the response package for their subject
access request to reports/sar/ID/: index.html and report.pdf (the readable response, with the
Article 15 information from data/policy/article15.yml), data.json and csv/ (machine-readable),
attachments/ (downloaded from Zammad, byte for byte), manifest.json (SHA-256 of every file)
and sar-ID.zip to send. review/redaction.csv lists other people's data found in the
correspondence, for review before sending. The request must be in the request register
(`mimoto-gov requests add`). Works from the Zammad snapshot, which must be less than a day old
(--pull refreshes it), plus live calls for attachments, ticket history and tags. Prints the
package folder as its last line."""


def register(subparsers) -> None:
    """Add the ``sar`` command."""
    p = subparsers.add_parser(
        "sar",
        help="export everything held about a person for a subject access request",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("email", metavar="EMAIL", help="the requester's email address")
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
        "--add-article",
        action="append",
        default=[],
        type=number_between(1, MAX_INTEGER),
        metavar="ID",
        help="an article on someone else's ticket that is about the person although it does "
        "not name their address (see review/possible_mentions.csv); repeat for several",
    )
    p.add_argument("--pull", action="store_true", help="refresh the Zammad snapshot first")
    p.add_argument(
        "--allow-stale",
        action="store_true",
        help="answer from a snapshot older than a day without refreshing it",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the package and print what was found, then the package folder."""
    from mimoto_gov.sar.case import build_sar_package

    folder = build_sar_package(
        args.request_id,
        args.email,
        also=tuple(args.also),
        add_articles=tuple(args.add_article),
        pull=args.pull,
        allow_stale=args.allow_stale,
    )
    data = json.loads((folder / "data.json").read_text(encoding="utf-8"))
    request = data["request"]
    found = "; ".join(f"{what} {count:,}" for what, count in data["counts"].items())
    print(f"Request {request['id']}, due {uk_date(date.fromisoformat(request['due_on']))}.")
    print(
        f"Found: {found}." if data["holds_personal_data"] else "Found nothing: " + data["statement"]
    )
    with (folder / "review" / "checks.csv").open(newline="", encoding="utf-8") as handle:
        for check in csv.DictReader(handle):
            if check["status"] != "ok":
                print(f"To {check['status']}: {check['check']}: {check['detail']}")
    print(folder)
    return 0
