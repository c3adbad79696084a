"""CSV exports of the registers, safe to open in a spreadsheet.

Register text comes from people and from Zammad (an authority's name, a complaint summary, an
email address), so a cell could start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return and be run as a formula by a spreadsheet. Such text cells get a leading apostrophe.
Numbers are left alone. This is a small local helper: the registers only need the one rule.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from mimoto_gov.files import write_text

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Return ``value`` with a leading apostrophe if it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def frame_to_csv_text(frame: pd.DataFrame) -> str:
    """Render a frame as CSV text with every text cell (and header) neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(str(column)) for column in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow(["" if _missing(cell) else neutralise(_text(cell)) for cell in row])
    return buffer.getvalue()


def write_frame_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame as safe CSV, atomically, with mode 0600; return the path."""
    return write_text(Path(path), frame_to_csv_text(frame))


def _missing(cell: object) -> bool:
    if cell is None:
        return True
    try:
        return bool(pd.isna(cell))
    except (TypeError, ValueError):
        return False


def _text(cell: object) -> object:
    # Booleans read better as yes/no for auditors; lists and dicts as "; "-joined text.
    if isinstance(cell, bool | np.bool_):
        return "yes" if cell else "no"
    if isinstance(cell, list | tuple | set | frozenset):
        return "; ".join(str(item) for item in cell)
    if isinstance(cell, int | float | np.integer | np.floating):
        return cell
    return str(cell)
