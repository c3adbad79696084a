"""Helpers shared by the register commands: verbs, who acts, strict dates, tables, CSV output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import parse_date, parse_datetime, uk_date
from mimoto_gov.registers import Registers, open_registers, provenance
from mimoto_gov.settings import load_settings
from mimoto_gov.support.bounds import check_received
from mimoto_gov.support.csvout import frame_to_csv_text, write_frame_csv

BY_HELP = "who makes the change (default: MIMOTO_GOV_ACTOR, else your login name)"
LATE_HELP = "why a change dated before today is recorded only now (required then)"


def verbs(parser: argparse.ArgumentParser, dest: str = "verb", metavar: str = "VERB"):
    """Give ``parser`` sub-commands and return ``verb(name, help_text, handler)`` to add one.

    Run bare, ``parser`` prints its help and exits 2. Each verb's help is also its
    description, and running it calls ``handler(args)``.
    """
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)
    subparsers = parser.add_subparsers(dest=dest, metavar=metavar)
    command = parser.prog.split(" ", 1)[-1]

    def verb(
        name: str, help_text: str, handler: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler, trail_command=f"{command} {name}")
        return sub

    return verb


def change_options(sub: argparse.ArgumentParser, *, by: bool = True, late: bool = True) -> None:
    """Give a verb that changes a register ``--by`` (who) and ``--reason`` (why late)."""
    if by:
        sub.add_argument("--by", metavar="NAME", help=BY_HELP)
    if late:
        sub.add_argument("--reason", help=LATE_HELP)


def open_for(args: argparse.Namespace) -> Registers:
    """Open the registers to change them as the command's actor, command and reason."""
    settings = load_settings()
    who = provenance(
        actor=getattr(args, "by", None) or settings.actor,
        command=getattr(args, "trail_command", None),
        reason=getattr(args, "reason", None),
    )
    return open_registers(settings.registers_path, who=who)


def day(value: str | None, option: str) -> date | None:
    """Parse an optional ``YYYY-MM-DD`` option strictly (None stays None)."""
    return None if value is None else parse_date(value, option)


def received(value: str | None, option: str = "--received") -> date | None:
    """Parse an optional day something was received: from 2018 on, never ahead."""
    return None if value is None else check_received(parse_date(value, option), option)


def moment(value: str | None, option: str) -> datetime | None:
    """Parse an optional ``YYYY-MM-DD HH:MM`` option strictly, as UK time."""
    return None if value is None else parse_datetime(value, option)


# Numbers that are labels, not quantities: no thousands separator.
_LABEL_COLUMNS = {"id", "year"}


def _readable(value: object, column: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{uk_date(value.date())} {value:%H:%M}"
    if isinstance(value, date):
        return uk_date(value)
    if isinstance(value, int):
        return str(value) if column in _LABEL_COLUMNS else f"{value:,}"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def print_table(frame: pd.DataFrame, columns: list[str] | None = None, empty: str = "") -> None:
    """Print a register table for people: UK dates, yes/no, long text shortened."""
    if columns is not None:
        frame = frame[columns]
    if frame.empty:
        print(empty or "(none)")
        return
    shown = pd.DataFrame(
        {c: [_readable(v, str(c)) for v in frame[c].tolist()] for c in frame.columns}, dtype=object
    )
    print(shown.to_string(index=False))


def output_csv(frame: pd.DataFrame, out: str | None) -> None:
    """Write a frame as safe CSV to ``out`` (then print the path), or to stdout."""
    if out:
        print(write_frame_csv(frame, Path(out)))
    else:
        sys.stdout.write(frame_to_csv_text(frame))


def list_of(table: str, columns: list[str] | None = None):
    """Return a handler printing a register as a table."""

    def handler(args: argparse.Namespace) -> int:
        with open_registers() as reg:
            print_table(reg.table(table), columns, empty=f"no entries in {table}")
        return 0

    return handler


def export_of(table: str):
    """Return a handler writing a register as CSV (to ``--out`` or stdout)."""

    def handler(args: argparse.Namespace) -> int:
        with open_registers() as reg:
            output_csv(reg.table(table), args.out)
        return 0

    return handler


def group(registers, name: str, description: str):
    """Add one register under ``register`` and return its ``verb`` function."""
    return verbs(registers.add_parser(name, help=description, description=description))


def list_export(verb, table: str, what: str, columns: list[str] | None = None) -> None:
    """Give a register its ``list`` and ``export`` verbs."""
    verb("list", f"Print the {what} as a table.", list_of(table, columns))
    export = verb(
        "export",
        f"Write the {what} as CSV (spreadsheet formulas neutralised), to --out or stdout.",
        export_of(table),
    )
    export.add_argument("--out", help="the CSV file to write (default: stdout)")
