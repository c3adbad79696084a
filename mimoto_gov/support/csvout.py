r"""The one CSV writer for every CSV the workbook writes, safe to open in a spreadsheet.

Ticket titles, article bodies, complaint summaries and analytics paths are written by
outsiders, so every text cell is made inert twice over:

- **Formula guard.** Each *line* of a text cell that a spreadsheet would read as a formula
  (starting with ``=``, ``+``, ``-`` or ``@``, even after spaces, or with a tab or a carriage
  return) gets a leading single quote, as OWASP recommends against CSV injection. Guarding
  only the start of the cell is not enough: ``late reply\r=cmd|...`` hides a formula after a
  bare carriage return.
- **Quoting.** A field holding a carriage return, a line feed, a quote or the separator is
  quoted (quotes doubled). Python's ``csv`` module, which pandas uses, quotes a bare CR only
  when it is part of the line terminator; here rows end in ``\n`` and a CR inside a field is
  quoted all the same, so no reader sees a new row.

Values with no natural CSV form are made readable first for register exports
(:func:`presentable`): booleans as yes/no, lists "; "-joined, dicts as JSON. Numbers, dates
and times keep pandas' usual text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mimoto_gov.support.files import write_text

SEPARATOR = ","
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_NEEDS_QUOTES = re.compile(r'[\r\n"' + re.escape(SEPARATOR) + "]")


def _guard_line(line: str) -> str:
    if line.startswith(_FORMULA_STARTS) or line.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + line
    return line


def csv_safe(value: Any) -> Any:
    """Neutralise a CSV cell that a spreadsheet would run as a formula.

    Args:
        value: any cell value. Only strings are changed.

    Returns:
        The value unchanged, or the string with a ``'`` before every line that starts
        (possibly after spaces) with ``= + - @``, or with a tab or a carriage return.

    """
    if not isinstance(value, str) or not value:
        return value
    parts = _LINE_BREAK.split(value)
    # parts alternate: line, break, line, break, ...; only lines are guarded
    return "".join(part if i % 2 else _guard_line(part) for i, part in enumerate(parts))


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose string cells and column names are :func:`csv_safe`."""
    out = df.copy()
    out.columns = [csv_safe(str(name)) for name in out.columns]
    for column in out.columns:
        series = out[column]
        if (
            series.dtype == object
            or pd.api.types.is_string_dtype(series.dtype)
            or isinstance(series.dtype, pd.CategoricalDtype)
        ):
            out[column] = series.map(csv_safe).astype(object)
    return out


def _cell(value: object) -> object:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        if all(isinstance(item, str | int | float) for item in value):
            return "; ".join(str(item) for item in value)
        return json.dumps(list(value), ensure_ascii=False, default=str)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def presentable(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with booleans, lists and dicts turned into readable text."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series.dtype) or series.dtype == object:
            out[column] = series.map(_cell).astype(object)
    return out


_LARGEST_FIELD = 2**31 - 1


def _field(text: str) -> str:
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(df: pd.DataFrame, *, index: bool = False) -> str:
    """Render ``df`` as CSV text: every text cell guarded, every awkward field quoted.

    Args:
        df: the frame.
        index: also write the index (off by default).

    """
    frame = df.reset_index() if index else df
    # pandas turns each value into its usual text (dates, floats, missing values); quoting
    # everything there lets the exact texts be read back, then quoted only where needed.
    formatted = safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    # An article body can be megabytes long: lift the csv module's 128 KiB field limit (it
    # guards readers of untrusted files; this text was just written from our own frame).
    csv.field_size_limit(max(csv.field_size_limit(), _LARGEST_FIELD))
    rows = csv.reader(io.StringIO(formatted, newline=""))
    return "".join(SEPARATOR.join(_field(cell) for cell in row) + "\n" for row in rows)


def write_csv(df: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``df`` as UTF-8 CSV, atomically, mode 0600, with every string cell made safe.

    Args:
        df: the frame to write.
        path: the destination file (its folder is created private if needed).
        index: also write the index (off by default).

    Returns:
        The path written.

    """
    return write_text(Path(path), csv_text(df, index=index))


def frame_to_csv_text(frame: pd.DataFrame) -> str:
    """Render a register frame as CSV text: readable values, every text cell neutralised."""
    return csv_text(presentable(frame))


def write_frame_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a register frame as safe CSV, atomically, with mode 0600; return the path."""
    return write_csv(presentable(frame), Path(path))
