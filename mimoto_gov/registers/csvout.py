"""CSV exports of the registers, safe to open in a spreadsheet.

Register text comes from people and from Zammad (an authority's name, a complaint summary, an
email address), so every text cell goes through :mod:`mimoto_gov.support.safe_output`, which
neutralises cells a spreadsheet would run as a formula. Before that, values with no natural
CSV form are made readable: booleans as yes/no, lists "; "-joined, dicts as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mimoto_gov.support.safe_output import csv_safe, safe_frame, write_csv

neutralise = csv_safe


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


def frame_to_csv_text(frame: pd.DataFrame) -> str:
    """Render a frame as CSV text with every text cell (and header) neutralised."""
    return safe_frame(presentable(frame)).to_csv(index=False, lineterminator="\n")


def write_frame_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame as safe CSV, atomically, with mode 0600; return the path."""
    return write_csv(presentable(frame), Path(path))
