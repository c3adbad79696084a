"""Checks of the values in a Gaug.es export: counts, dates, text, row lists and gauge ids.

Each names the file and the field at fault in a one-line
:class:`~mimoto_gov.errors.InputError`, so a malformed export is reported, not half-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import InputError

_GAUGE_ID = re.compile(r"/gauges/([0-9a-f]{24})(?:/|\?|$)")
_HEX_ID = re.compile(r"^[0-9a-f]{24}$")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


def as_count(value, path: Path, field: str):
    """Return a whole, non-negative count (``pd.NA`` when empty); InputError otherwise."""
    if value is None or value == "":
        return pd.NA
    if isinstance(value, bool):
        raise InputError(f"{path}: {field} should be a whole number")
    if isinstance(value, int):
        if value < 0:
            raise InputError(f"{path}: {field} is negative")
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InputError(f"{path}: {field} should be a whole number")


def as_day(value, path: Path, field: str) -> date:
    """Return the day a ``YYYY-MM-DD`` value names (a time may follow); InputError otherwise."""
    if isinstance(value, str):
        match = _DAY.match(value.strip())
        if match:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                pass
    raise InputError(f"{path}: {field} should be a date (YYYY-MM-DD)")


def as_text(value) -> str | None:
    """Return a value as text (None stays None)."""
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def rows_of(doc: dict, key: str, path: Path) -> list[dict]:
    """Return the list of objects under ``key`` (none when absent); InputError otherwise."""
    rows = doc.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InputError(f"{path}: '{key}' should be a list of objects")
    return rows


def date_from_name(path: Path) -> str | None:
    """Return the ``YYYY-MM-DD`` in a file name, or None."""
    match = _DAY.search(path.name)
    return match.group(1) if match else None


def gauge_id_of(doc, path: Path) -> str:
    """Return the gauge id from the document's links or a folder name, else ``unknown``."""
    urls = doc.get("urls") if isinstance(doc, dict) else None
    for link in _strings(urls):
        match = _GAUGE_ID.search(link)
        if match:
            return match.group(1)
    for part in reversed(path.parts[:-1]):
        if _HEX_ID.match(part):
            return part
    return "unknown"


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
