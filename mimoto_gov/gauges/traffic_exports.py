"""Parse the traffic-only exports: the dashboard's traffic JSON (§7.9) and the community CSV (§8).

Both hold daily views and people; a month's unique people come only from a month total,
never from a sum of days.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.gauges.api_export import month_rows, traffic_tables
from mimoto_gov.gauges.fields import as_count, as_day, date_from_name, gauge_id_of, rows_of

CSV_HEADER = ["date", "views", "people"]
_CSV_NAME = re.compile(r"^(?P<title>.+)-(?P<month>\d{4}-\d{2})$")


def load_dashboard(path: Path, doc: dict) -> dict[str, list[dict]]:
    """Parse the dashboard's traffic document: the month's days and the year's month rows."""
    data = doc["data"]
    month = data.get("month") if isinstance(data.get("month"), dict) else {}
    daily_source = month if "traffic" in month else doc
    rows = rows_of(daily_source, "traffic", path)
    raw_date = doc.get("date") or (rows[0].get("date") if rows else None) or date_from_name(path)
    if not raw_date:
        raise InputError(f"{path}: the dashboard traffic export does not say which month it covers")
    period = as_day(raw_date, path, "date").replace(day=1)
    ctx = {
        "gauge_id": gauge_id_of(doc, path),
        "endpoint": "traffic",
        "period_start": pd.Timestamp(period),
        "period_grain": "month",
        "source_file": path.as_posix(),
    }
    tables = traffic_tables(path, {"traffic": rows}, ctx)
    totals = month if "views" in month else doc
    tables["traffic_monthly"] = month_rows(path, totals, tables["traffic_daily"], ctx)
    year = data.get("year") if isinstance(data.get("year"), dict) else {}
    for row in rows_of(year, "traffic", path):
        day = as_day(row.get("date"), path, "year traffic date")
        if day.day != 1:
            continue  # only month rows carry a month's own unique people
        start = pd.Timestamp(day)
        tables["traffic_monthly"].append(
            {
                "month": start,
                "views": as_count(row.get("views"), path, "year traffic views"),
                "people": as_count(row.get("people"), path, "year traffic people"),
                **{**ctx, "period_start": start},
            }
        )
    return tables


def csv_rows(path: Path, text: str) -> list[dict]:
    """Return the rows of a ``date,views,people`` CSV with line numbers; InputError otherwise."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: empty file, not a Gaug.es export") from None
    except csv.Error as error:
        raise InputError(f"{path}: not a readable CSV ({error})") from None
    names = [name.strip().lower() for name in header]
    if names != CSV_HEADER:
        shown = ",".join(names)[:60]
        raise InputError(
            f"{path}: unrecognised Gaug.es export (CSV header is '{shown}'; "
            "expected date,views,people)"
        )
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) != 3:
                raise InputError(f"{path}: line {number} has {len(values)} fields, expected 3")
            rows.append({"line": number, **dict(zip(CSV_HEADER, values, strict=True))})
    except csv.Error as error:
        raise InputError(f"{path}: not a readable CSV ({error})") from None
    return rows


def load_csv(path: Path, text: str) -> dict[str, list[dict]]:
    """Parse a community CSV (one gauge, named ``<title>-YYYY-MM.csv``) into traffic rows."""
    rows = csv_rows(path, text)
    match = _CSV_NAME.match(path.stem)
    title = match.group("title") if match else path.parent.name or "unknown"
    daily = []
    for row in rows:
        where = f"line {row['line']}"
        day = as_day(row["date"], path, f"{where}: date")
        daily.append(
            {
                "date": pd.Timestamp(day),
                "views": as_count(row["views"], path, f"{where}: views"),
                "people": as_count(row["people"], path, f"{where}: people"),
                "gauge_id": title,
                "endpoint": "traffic",
                "period_start": pd.Timestamp(day.replace(day=1)),
                "period_grain": "month",
                "source_file": path.as_posix(),
            }
        )
    monthly = []
    for start in sorted({row["period_start"] for row in daily}):
        in_month = [row for row in daily if row["period_start"] == start]
        ctx = {key: in_month[0][key] for key in ("gauge_id", "endpoint", "period_start")}
        ctx.update(period_grain="month", source_file=path.as_posix())
        monthly.extend(month_rows(path, {}, in_month, ctx))
    return {"traffic_daily": daily, "traffic_monthly": monthly}
