"""Helpers shared by the register commands: verbs, strict dates, readable tables, CSV output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.deadlines import parse_date, parse_datetime, uk_date
from mimoto_gov.support.bounds import check_received
from mimoto_gov.support.csvout import frame_to_csv_text, write_frame_csv


def verbs(parser: argparse.ArgumentParser, dest: str = "verb", metavar: str = "VERB"):
    """Give ``parser`` sub-commands and return ``verb(name, help_text, handler)`` to add one.

    Run bare, ``parser`` prints its help and exits 2. Each verb's help is also its
    description, and running it calls ``handler(args)``.
    """
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)
    subparsers = parser.add_subparsers(dest=dest, metavar=metavar)

    def verb(
        name: str, help_text: str, handler: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    return verb


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
