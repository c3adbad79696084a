"""Display helpers for the report notebooks: one call per table, chart, list or paragraph.

Every helper escapes what it is given, so ticket titles, names and paths (text written by
outsiders) cannot inject markup or script into a report. Notebooks never call
``display(HTML(...))`` with data; they call these helpers.

Formatting follows the house style of the reports: UK dates (``26 Nov 2026``), times in UK
local time, thousands separators, no index column unless it carries meaning, and a row count
under every table.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from IPython.display import display

from mimoto_gov.errors import InputError
from mimoto_gov.formats import (
    MISSING,
    format_number,
    format_uk_date,
)
from mimoto_gov.formats import is_missing as _is_missing
from mimoto_gov.formats import to_timestamp as _to_timestamp
from mimoto_gov.support.safe_output import escape

UK_TIMEZONE = ZoneInfo("Europe/London")

#: Mimetype of the hidden output written by :func:`record_run_info`; the report renderer
#: reads it into the run box and drops it from the page.
RUN_INFO_MIMETYPE = "application/vnd.mimoto-gov.run-info+json"

CALLOUT_LEVELS = {"info": "Note", "warning": "Warning", "action": "Action"}

# Tables with more columns than this print on a landscape page (see the template CSS); up to
# ten columns fit a portrait A4 page at the print font size.
WIDE_TABLE_COLUMNS = 10


# ---------------------------------------------------------------------------------------------
# Formatting


def table_html(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    max_rows: int | None = None,
    date_columns: Iterable[str] | None = None,
) -> str:
    """Render a frame as an escaped HTML table in the house style.

    Args:
        df: the frame to show.
        caption: a caption above the table.
        max_rows: show at most this many rows (the note says how many there are in all).
        date_columns: columns to show as dates without the time of day, including text or
            object columns holding dates. Other datetime columns show the time when any
            value has one.

    Returns:
        An HTML fragment: the table and a "(n rows)" note. Every value is escaped.

    """
    total = len(df)
    frame = _with_meaningful_index(df)
    if max_rows is not None and total > max_rows:
        frame = frame.head(max_rows)
    date_only = set(date_columns or ())
    unknown = date_only - {str(c) for c in frame.columns}
    if unknown:
        raise InputError(f"show_table: no column named {', '.join(sorted(map(repr, unknown)))}")

    headers = [_column_label(column) for column in frame.columns]
    cells: list[list[str]] = []
    kinds: list[str] = []
    for column in frame.columns:
        texts, kind = _format_column(frame[column], str(column) in date_only)
        cells.append(texts)
        kinds.append(kind)

    wide = len(headers) > WIDE_TABLE_COLUMNS
    parts = [f'<div class="mg-table{" mg-wide" if wide else ""}">']
    if caption:
        parts.append(f'<p class="mg-caption">{escape(caption)}</p>')
    if total == 0:
        parts.append('<p class="mg-note">No rows.</p></div>')
        return "".join(parts)
    parts.append('<table class="mg-data">')
    parts.append("<thead><tr>")
    classes = [f' class="{kind}"' if kind else "" for kind in kinds]
    for label, css in zip(headers, classes, strict=True):
        parts.append(f'<th{css} scope="col">{escape(label)}</th>')
    parts.append("</tr></thead><tbody>")
    for row in range(len(frame)):
        parts.append("<tr>")
        for texts, css in zip(cells, classes, strict=True):
            parts.append(f"<td{css}>{escape(texts[row])}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    shown = len(frame)
    if shown < total:
        note = f"Showing the first {shown:,} of {total:,} rows."
    else:
        note = f"({total:,} row{'s' if total != 1 else ''})"
    parts.append(f'<p class="mg-note">{note}</p></div>')
    return "".join(parts)


def callout_html(text: str, level: str = "info") -> str:
    """Render an escaped call-out box (``info``, ``warning`` or ``action``)."""
    label = CALLOUT_LEVELS.get(level)
    if label is None:
        raise InputError(f"callout level must be one of {', '.join(CALLOUT_LEVELS)}, not {level!r}")
    paragraphs = [p.strip() for p in str(text).split("\n\n") if p.strip()] or [""]
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<div class="mg-callout mg-callout-{level}" role="note">'
        f'<p class="mg-callout-label">{label}</p>{body}</div>'
    )


def list_html(items: Iterable[Any], *, empty: str = "Nothing to list.") -> str:
    """Render an escaped bulleted list (or the ``empty`` sentence when there are no items)."""
    items = [str(item) for item in items]
    if not items:
        return f'<p class="mg-text">{escape(empty)}</p>'
    return '<ul class="mg-list">' + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def key_figures_html(figures: Mapping[str, Any], *, caption: str | None = None) -> str:
    """Render label/value pairs as a small two-column table (numbers get separators)."""
    rows = []
    for label, value in figures.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = format_number(value, 0 if float(value).is_integer() else 1)
        elif isinstance(value, dt.date | pd.Timestamp):
            text = format_uk_date(value)
        else:
            text = MISSING if _is_missing(value) else str(value)
        rows.append(
            f'<tr><th scope="row">{escape(label)}</th><td class="num">{escape(text)}</td></tr>'
        )
    head = f'<p class="mg-caption">{escape(caption)}</p>' if caption else ""
    return f'<div class="mg-figures">{head}<table class="mg-data">{"".join(rows)}</table></div>'


# ---------------------------------------------------------------------------------------------
# Notebook helpers


def show_table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    max_rows: int | None = None,
    date_columns: Iterable[str] | None = None,
) -> None:
    """Show a frame as an escaped table with UK dates, separators and a row count.

    Args:
        df: the frame to show. A default unnamed RangeIndex is hidden; any other index is
            shown as the first column(s).
        caption: a caption above the table.
        max_rows: show at most this many rows; None shows all of them.
        date_columns: columns to show as dates only (see :func:`table_html`).

    """
    html = table_html(df, caption=caption, max_rows=max_rows, date_columns=date_columns)
    plain = f"{caption or 'Table'}: {len(df):,} rows"
    _publish({"text/html": html, "text/plain": plain})


def show_key_figures(figures: Mapping[str, Any], *, caption: str | None = None) -> None:
    """Show a few headline figures ("Tickets: 12,345") as a two-column table."""
    plain = "\n".join(f"{label}: {value}" for label, value in figures.items())
    _publish({"text/html": key_figures_html(figures, caption=caption), "text/plain": plain})


def show_callout(text: str, level: str = "info") -> None:
    """Show a highlighted box: ``info`` (a note), ``warning`` or ``action`` (to do)."""
    _publish({"text/html": callout_html(text, level), "text/plain": f"{level}: {text}"})


def show_text(text: str) -> None:
    """Show one escaped paragraph of computed text."""
    _publish({"text/html": f'<p class="mg-text">{escape(text)}</p>', "text/plain": str(text)})


def show_markdown_list(items: Iterable[Any], *, empty: str = "Nothing to list.") -> None:
    """Show an escaped bulleted list, or ``empty`` when there is nothing to list."""
    items = [str(item) for item in items]
    plain = "\n".join(f"- {item}" for item in items) or empty
    _publish({"text/html": list_html(items, empty=empty), "text/plain": plain})


def show_chart(fig: Any, *, alt: str | None = None) -> None:
    """Show a matplotlib figure as an embedded PNG with alt text, and close the figure.

    Args:
        fig: a ``matplotlib.figure.Figure``.
        alt: the alt text; defaults to the figure's title or its axes' titles.

    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=144, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    alt = alt or _figure_title(fig) or "Chart"
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    # Shown at the figure's own size (CSS pixels are 1/96 inch), never wider than the page.
    width = round(fig.get_figwidth() * 96)
    metadata = {"image/png": {"alt": alt, "width": width}}
    _publish({"image/png": data, "text/plain": alt}, metadata=metadata)


def record_run_info(
    *, snapshot_time: Any = None, policy_version: str | None = None, **extra: Any
) -> None:
    """Record what the report was computed from, for the run box at the top of the report.

    Call it once, early in a report notebook. The values travel in a hidden output that
    :func:`mimoto_gov.reports.run.render_html` reads; in JupyterLab a one-line summary shows.

    Args:
        snapshot_time: when the data snapshot was taken (datetime, Timestamp or ISO text).
        policy_version: the version of the policy files used (e.g. the schedule's version).
        **extra: further labelled values for the run box (``schedule="retention.yml"``).

    """
    info: dict[str, Any] = {}
    if snapshot_time is not None:
        stamp = _to_timestamp(snapshot_time)
        info["snapshot_time"] = stamp.isoformat() if stamp is not None else str(snapshot_time)
    if policy_version is not None:
        info["policy_version"] = str(policy_version)
    for label, value in extra.items():
        info[str(label)] = value if isinstance(value, int | float | bool) else str(value)
    summary = "; ".join(f"{label.replace('_', ' ')}: {value}" for label, value in info.items())
    _publish({RUN_INFO_MIMETYPE: info, "text/plain": f"Report data - {summary}"})


# ---------------------------------------------------------------------------------------------
# Internals


def _publish(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
    display(data, raw=True, metadata=metadata)


def _with_meaningful_index(df: pd.DataFrame) -> pd.DataFrame:
    index = df.index
    is_default = (
        isinstance(index, pd.RangeIndex)
        and index.name is None
        and index.start == 0
        and index.step == 1
    )
    if is_default:
        return df
    # An unnamed integer index that is not 0..n-1 (a filtered frame) carries no meaning either.
    if (
        all(name is None for name in index.names)
        and not isinstance(index, pd.MultiIndex)
        and pd.api.types.is_integer_dtype(index.dtype)
    ):
        return df.reset_index(drop=True)
    return df.reset_index()


def _column_label(column: Any) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(part) for part in column if str(part))
    return str(column)


def _format_column(series: pd.Series, date_only: bool) -> tuple[list[str], str]:
    """Format one column; returns the texts and its CSS class ("num", "date" or "")."""
    dtype = series.dtype
    values = series.tolist()
    if date_only or pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = [_to_timestamp(v) for v in values]
        with_time = not date_only and any(
            s is not None and (s.hour, s.minute) != (0, 0) for s in stamps
        )
        texts = [
            format_uk_date(s, with_time=with_time)
            if s is not None
            else (MISSING if _is_missing(v) else str(v))
            for s, v in zip(stamps, values, strict=True)
        ]
        return texts, "date"
    if pd.api.types.is_bool_dtype(dtype):
        return [MISSING if _is_missing(v) else ("yes" if v else "no") for v in values], ""
    if pd.api.types.is_timedelta64_dtype(dtype):
        return [_format_timedelta(v) for v in values], "num"
    if pd.api.types.is_integer_dtype(dtype):
        return [format_number(v) for v in values], "num"
    if pd.api.types.is_float_dtype(dtype):
        finite = [v for v in values if not _is_missing(v) and math.isfinite(v)]
        if all(float(v).is_integer() for v in finite):
            decimals = 0
        else:
            decimals = 2 if finite and max(abs(v) for v in finite) < 10 else 1
        return [format_number(v, decimals) for v in values], "num"
    return [_format_cell(v) for v in values], ""


def _format_cell(value: Any) -> str:
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return format_number(value, 0 if value.is_integer() else 2)
    if isinstance(value, dt.datetime | pd.Timestamp):
        stamp = _to_timestamp(value)
        with_time = stamp is not None and (stamp.hour, stamp.minute) != (0, 0)
        return format_uk_date(stamp, with_time=with_time)
    if isinstance(value, dt.date):
        return format_uk_date(value)
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def _format_timedelta(value: Any) -> str:
    if _is_missing(value):
        return MISSING
    delta = pd.Timedelta(value)
    if delta.days >= 1:
        return f"{delta.days:,} day{'s' if delta.days != 1 else ''}"
    hours, seconds = divmod(int(delta.total_seconds()), 3600)
    return f"{hours} h {seconds // 60} min"


def _figure_title(fig: Any) -> str:
    titles = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        titles.append(suptitle.get_text())
    for axes in getattr(fig, "axes", []):
        if axes.get_title():
            titles.append(axes.get_title())
    return "; ".join(titles)
