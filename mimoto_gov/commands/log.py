"""``mimoto-gov log``: the trail of every change to the registers, and its check."""

from __future__ import annotations

import argparse

import pandas as pd

from mimoto_gov.commands._register_helpers import day, print_table
from mimoto_gov.registers import open_registers
from mimoto_gov.registers.base import uk_day

DESCRIPTION = """\
Print the trail: one event per change to any register, oldest first, with when it was typed
(UTC, shown in UK time), the date the change claims, who made it, the command, the entry and
why a back-dated change was recorded late. With --verify, recompute the hash chain and compare
every register entry with the state its last event recorded: exits 1 and names each entry
changed, added or removed outside the workbook (with sqlite3, say), 0 when all is as recorded."""


def _claimed(text: str | None) -> str:
    if not text:
        return ""
    return uk_day(text, with_time="T" in text)


def _show(args: argparse.Namespace) -> int:
    since = day(args.since, "--since")
    with open_registers() as reg:
        events = reg.trail(args.id, since)
    if not events:
        print("no events" + (f" for {args.id}" if args.id else ""))
        return 0
    frame = pd.DataFrame(
        {
            "#": [str(e.seq) for e in events],
            "typed": [uk_day(e.typed_at, with_time=True) for e in events],
            "claimed": [_claimed(e.claimed_on) for e in events],
            "by": [e.actor for e in events],
            "command": [e.command for e in events],
            "action": [e.action for e in events],
            "register": [e.register for e in events],
            "entry": [e.record_id for e in events],
            "reason": [e.reason or "" for e in events],
        }
    )
    print_table(frame)
    return 0


def _verify(args: argparse.Namespace) -> int:
    with open_registers() as reg:
        result = reg.verify_trail()
    for problem in result.problems:
        print(f"{problem.register} {problem.record_id}: {problem.message}")
    if not result.ok:
        print(f"the trail does not match the registers: {len(result.problems):,} problem(s)")
        return 1
    print(
        f"trail intact: {result.events:,} event(s), {result.entries:,} entr"
        f"{'y' if result.entries == 1 else 'ies'} as recorded; head {result.head[:16]}"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    return _verify(args) if args.verify else _show(args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``log`` to the command line."""
    parser = subparsers.add_parser(
        "log",
        help="the trail of every change to the registers (--verify checks it)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--id", metavar="ID", help="only the events of one entry (R-2026-0001)")
    parser.add_argument("--since", metavar="DATE", help="only events typed on or after this day")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check the chain and every entry against its last event (exit 1 if changed)",
    )
    parser.set_defaults(handler=_run)
