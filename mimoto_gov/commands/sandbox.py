"""``mimoto-gov sandbox``: serve the synthetic Zammad locally until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from mimoto_gov.commands._arguments import MAX_SEED
from mimoto_gov.errors import InputError
from mimoto_gov.sandbox.synthetic.dataset import MAX_TICKETS, MIN_TICKETS
from mimoto_gov.sandbox.zammad.server import Sandbox

DESCRIPTION = """\
Serve a local Zammad-compatible API with a deterministic synthetic dataset (Faker en_GB:
customers, organisations, ten years of tickets, articles and attachments, with planted
personal data and hostile text), following Zammad's REST contract. It runs in the foreground
until Ctrl-C and prints its URL and the ZAMMAD_URL / ZAMMAD_TOKEN lines to export, so the
other commands (pull, sar, erase...) can be tried against it. Nothing is written to disk."""


def register(subparsers) -> None:
    """Add the ``sandbox`` command."""
    p = subparsers.add_parser(
        "sandbox",
        help="serve a local Zammad-compatible API with synthetic data until Ctrl-C",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=0, metavar="N", help="port (default: a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--seed", type=int, default=7, metavar="S", help="data seed (default 7)")
    p.add_argument(
        "--tickets",
        type=int,
        default=300,
        metavar="N",
        help=f"synthetic tickets (default 300, {MIN_TICKETS} to {MAX_TICKETS:,})",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Start the sandbox, print how to use it, and serve until interrupted (or ``stop``)."""
    # Before anything is built: 99,999,999,999 tickets would take days to make.
    if args.tickets < MIN_TICKETS:
        raise InputError(f"--tickets must be at least {MIN_TICKETS}, got {args.tickets}")
    if args.tickets > MAX_TICKETS:
        raise InputError(f"--tickets must be at most {MAX_TICKETS:,}, got {args.tickets:,}")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, got {args.port}")
    if not 0 <= args.seed <= MAX_SEED:
        raise InputError(f"--seed must be between 0 and {MAX_SEED:,}, got {args.seed}")
    sandbox = Sandbox(seed=args.seed, tickets=args.tickets, host=args.host, port=args.port)
    try:
        url = sandbox.start()
    except OSError as error:
        raise InputError(f"cannot listen on {args.host}:{args.port}: {error.strerror}") from None
    try:
        ds = sandbox.dataset
        print(f"Zammad sandbox at {url}", flush=True)
        print(
            f"{len(ds.tickets):,} tickets, {len(ds.articles):,} articles, "
            f"{len(ds.users):,} users (seed {args.seed})"
        )
        print("Use it from another shell:")
        print(f"  export ZAMMAD_URL={url}")
        print(f"  export ZAMMAD_TOKEN={sandbox.admin_token}")
        print(f"(agent-only token: {sandbox.tokens['agent']})")
        print("Press Ctrl-C to stop.", flush=True)
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        sandbox.stop()
    return 0
