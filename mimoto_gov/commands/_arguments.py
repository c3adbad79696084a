"""Argument types shared by the sub-commands."""

from __future__ import annotations

import argparse


def number_at_least(minimum: float, kind: type = int):
    """Return an argparse ``type`` that accepts numbers of ``kind`` no smaller than ``minimum``."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text} is below the minimum of {minimum}")
        return value

    return parse
