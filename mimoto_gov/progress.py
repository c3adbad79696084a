"""Progress bars for people, silence for cron.

A bar shows only when stderr is a terminal, so an unattended run (cron, systemd, CI) prints
nothing but its result and its errors.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def interactive() -> bool:
    """Return True when a person is watching (stderr is a terminal)."""
    return sys.stderr.isatty()


def progress(iterable: Iterable[T] | None = None, **kwargs) -> Iterator[T] | tqdm:
    """Wrap ``iterable`` in a tqdm bar that is disabled when nobody is watching."""
    kwargs.setdefault("disable", not interactive())
    kwargs.setdefault("leave", False)
    kwargs.setdefault("file", sys.stderr)
    return tqdm(iterable, **kwargs)
