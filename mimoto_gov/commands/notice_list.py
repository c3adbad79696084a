"""``mimoto-gov notice-list``: who to notify before a business transfer."""

from __future__ import annotations

import argparse
import sys

from mimoto_gov.commands._register_helpers import output_csv
from mimoto_gov.inventory import load_inventory
from mimoto_gov.registers import open_registers
from mimoto_gov.settings import load_settings


def _notice_list(args: argparse.Namespace) -> int:

    settings = load_settings()
    inventory = load_inventory(settings.data_dir)
    with open_registers(settings.registers_path) as reg:
        contactable = reg.contactable_users(inventory.users)
    output_csv(contactable, args.out)
    print(
        f"{len(contactable):,} contactable user(s) from the snapshot of "
        f"{inventory.snapshot_time:%d/%m/%Y %H:%M} UTC",
        file=sys.stderr,
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``notice-list`` to the command line."""
    parser = subparsers.add_parser(
        "notice-list",
        help="every contactable user, to notify before a business transfer (CSV)",
        description="List every user to notify before a business transfer, as CSV: active "
        "in the Zammad snapshot, with an email address, not erased and not on the "
        "suppression list, each address once (compared case-insensitively). Withdrawn "
        "marketing consent does not remove anyone: the notice is not marketing.",
    )
    parser.add_argument("--out", help="the CSV file to write (default: stdout)")
    parser.set_defaults(handler=_notice_list)
