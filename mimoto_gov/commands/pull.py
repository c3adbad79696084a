"""``mimoto-gov pull``: copy Zammad into the local snapshot."""

from __future__ import annotations

import argparse

from mimoto_gov.settings import load_settings
from mimoto_gov.zammad.client import client_from_settings
from mimoto_gov.zammad.sync import pull

DESCRIPTION = """\
Copy the Zammad service desk (ZAMMAD_URL, with the API token in ZAMMAD_TOKEN) into the local
snapshot in MIMOTO_GOV_DATA/zammad/ (default ./data/zammad/): tickets, articles, attachment
metadata, users and organisations as Parquet files, which load_inventory() reads without the
network. The first pull copies everything; later pulls fetch only tickets changed since the
last one (with their articles) and list users and organisations again. --full copies
everything again and drops what Zammad no longer has (deleted tickets, users...): run it now
and then, e.g. before the monthly review. A failed pull leaves the previous snapshot as it
was. Prints one paragraph: what was pulled, how many requests it took and where it is."""


def register(subparsers) -> None:
    """Add the ``pull`` command."""
    p = subparsers.add_parser(
        "pull",
        help="copy Zammad's tickets, articles, users and organisations into the local snapshot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="copy everything again and drop what Zammad no longer has (deletions)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Pull and print the summary."""
    settings = load_settings()
    with client_from_settings(settings) as client:
        result = pull(client, settings.data_dir, full=args.full)
    print(result.summary())
    return 0
