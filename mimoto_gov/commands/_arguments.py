"""Argument types shared by the sub-commands."""

from __future__ import annotations

import argparse
import math

# Ids and counts stored in SQLite INTEGER columns, and seeds, fit these.
MAX_INTEGER = 2**63 - 1
MAX_SEED = 2**32 - 1


def number_at_least(minimum: float, kind: type = int):
    """Return an argparse ``type`` that accepts numbers of ``kind`` no smaller than ``minimum``."""
    return number_between(minimum, None, kind)


def number_between(minimum: float, maximum: float | None, kind: type = int):
    """Return an argparse ``type`` for finite numbers of ``kind`` from ``minimum`` to ``maximum``.

    A number out of range is a one-line usage error naming the bound (never echoing more
    than a few dozen characters of what was typed); ``nan`` and ``inf`` are refused.
    """

    def parse(text: str):
        shown = text if len(text) <= 24 else text[:21] + "..."
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"{shown!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{shown!r} is not a finite number")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{shown} is below the minimum of {minimum:,}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{shown} is above the maximum of {maximum:,}")
        return value

    return parse
