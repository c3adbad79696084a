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
    """Wrap ``iterable`` in a tqdm bar that is disabled when nobody is watching.

    Show one bar at a time, on the cursor's line: a bar given another ``position`` leaves a
    blank line behind on the terminal when it closes. Work running side by side shares one
    bar (see :class:`mimoto_gov.zammad.puller.Puller`).
    """
    kwargs.setdefault("disable", not interactive())
    kwargs.setdefault("leave", False)
    kwargs.setdefault("file", sys.stderr)
    return tqdm(iterable, **kwargs)
