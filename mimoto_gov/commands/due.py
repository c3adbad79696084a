"""``mimoto-gov due``: what is overdue or due soon across the registers, for people and cron."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from mimoto_gov.commands._arguments import number_at_least
from mimoto_gov.commands._register_helpers import print_table
from mimoto_gov.deadlines import UK_TIME
from mimoto_gov.erasure import steps as erasure_steps  # noqa: F401 (registers its due items)
from mimoto_gov.errors import ConfigError
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.due import DEFAULT_WITHIN_DAYS, collect_due
from mimoto_gov.settings import load_settings
from mimoto_gov.support.mail import default_sender, send_mail
from mimoto_gov.views.front_page import due_frame, due_summary, refresh_index

DESCRIPTION = f"""\
List what is overdue or due within --within days (default {DEFAULT_WITHIN_DAYS}) across the
registers: requests to answer and their paused clocks, possible requests found in tickets,
complaints to acknowledge, breaches to report, attestations to renew (and the steps other
registers add), most urgent first. Exits 1 when anything is overdue and 0 otherwise, so cron
can alert on it. Also refreshes the top of reports/index.html. With --email, sends the list to
MIMOTO_GOV_NOTIFY (comma-separated addresses) through MIMOTO_GOV_SMTP_URL
(smtp://user:password@host:port or smtps://...); the mail names entries and dates, never a
person's address."""


def _check_mail_settings(settings) -> None:
    if not settings.smtp_url:
        raise ConfigError("MIMOTO_GOV_SMTP_URL is not set: put it in the environment or in .env")
    if not settings.notify:
        raise ConfigError("MIMOTO_GOV_NOTIFY is not set: give the addresses to notify")


def _email(settings, text: str, subject: str) -> str:
    sender = settings.mail_from or default_sender()
    send_mail(settings.smtp_url, sender, settings.notify, subject, text)
    return ", ".join(settings.notify)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.email:
        _check_mail_settings(settings)
    today = date.today()
    now = datetime.now(UK_TIME)
    with open_registers(settings.registers_path) as reg:
        items = collect_due(reg, today, args.within, now)
    overdue = sum(item.overdue(now) for item in items)
    summary = due_summary(items, args.within, now)
    table = due_frame(items, today, now)
    print(summary)
    if items:
        print_table(table)
    if not args.no_index:
        refresh_index(
            items,
            within=args.within,
            data_dir=settings.data_dir,
            reports_dir=settings.reports_dir,
            today=today,
            now=now,
        )
    if args.email and items:
        subject = f"mimoto-gov: {overdue:,} overdue, {len(items) - overdue:,} due soon"
        body = "\n".join(
            [
                summary,
                "",
                table.to_string(index=False),
                "",
                "See `mimoto-gov due` and reports/index.html for the full picture.",
            ]
        )
        print(f"emailed the list to {_email(settings, body, subject)}")
    elif args.email:
        print("nothing due: no email sent")
    return 1 if overdue else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``due`` to the command line."""
    parser = subparsers.add_parser(
        "due",
        help="what is overdue or due soon across the registers (exit 1 when overdue)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--within",
        type=number_at_least(0),
        default=DEFAULT_WITHIN_DAYS,
        metavar="DAYS",
        help=f"how many days ahead to look (default {DEFAULT_WITHIN_DAYS})",
    )
    parser.add_argument("--email", action="store_true", help="also send the list by email")
    parser.add_argument(
        "--no-index", action="store_true", help="do not refresh the top of reports/index.html"
    )
    parser.set_defaults(handler=_run)
