"""Output helpers that keep untrusted text inert: HTML escaping and CSV formula neutralising.

Ticket titles, bodies, customer names and analytics paths are written by outsiders. In HTML
they are escaped; in CSV a cell that a spreadsheet would read as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, even after leading spaces) gets a
leading single quote, as OWASP recommends against CSV injection.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from mimoto_gov.support.files import write_text

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape(text: Any) -> str:
    """Escape a value for HTML text or a quoted attribute (``None`` becomes "")."""
    if text is None:
        return ""
    return html.escape(str(text), quote=True)


def csv_safe(value: Any) -> Any:
    """Neutralise a CSV cell that a spreadsheet would run as a formula.

    Args:
        value: any cell value. Only strings are changed.

    Returns:
        The value unchanged, or the string with a leading ``'`` when it starts (possibly
        after whitespace) with ``= + - @``, or starts with a tab or a carriage return.

    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_STARTS) or value.lstrip().startswith(_FORMULA_STARTS):
        return "'" + value
    return value


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


def write_csv(df: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``df`` as UTF-8 CSV, atomically, mode 0600, with every string cell made safe.

    Args:
        df: the frame to write.
        path: the destination file (its folder is created private if needed).
        index: also write the index (off by default).

    Returns:
        The path written.

    """
    return write_text(Path(path), csv_text(df.reset_index() if index else df))


def csv_text(df: pd.DataFrame) -> str:
    """Return ``df`` as CSV text (no index, Unix line ends), every string cell made safe."""
    return safe_frame(df).to_csv(index=False, lineterminator="\n")
