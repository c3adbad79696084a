"""Read saved Gaug.es exports, whatever their shape, into the typed tables of ``frames``.

Gaug.es may no longer answer, so saved files are the main input (gauges-api.md §1, §9).
Three shapes are recognised automatically, plus bare row lists:

``api``
    A response body of the REST API, recognised by its envelope key (``traffic``,
    ``content``, ``referrers``, ``terms``, ``browsers``/``platforms``, the resolution lists,
    ``engines``, ``locations``, ``gauges``; ``user``/``shares``/``clients`` are account
    documents, counted but never copied).
``dashboard``
    The web dashboard's traffic document (``data.month.traffic``, ``data.year.traffic``,
    §7.9), as saved by browser-cookie exporters.
``csv``
    The community CSV of daily traffic with the header ``date,views,people``, one file per
    gauge per month, named ``<gauge title>-YYYY-MM.csv``.
``rows``
    A JSON list of rows of one endpoint (§9 shape 4); the endpoint is told by the row keys.

Quirks handled: ``people`` is not additive across days (monthly people come only from a
month total, never from a sum); resolution buckets stay strings; ``content``/``referrers``
are daily while the other stats endpoints are monthly; gauge time zones are Rails names.
Anything else raises :class:`~mimoto_gov.errors.InputError` naming the file and the problem.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.gauges.frames import GaugesData, dedupe, typed_frame
from mimoto_gov.gauges.timezones import iana_zone
from mimoto_gov.support.progress import progress

FORMATS = ("api", "dashboard", "csv", "rows")

# envelope key -> endpoint (gauges-api.md §3)
ENVELOPES = {
    "traffic": "traffic",
    "content": "content",
    "referrers": "referrers",
    "terms": "terms",
    "browsers": "technology",
    "platforms": "technology",
    "browser_heights": "resolutions",
    "browser_widths": "resolutions",
    "screen_widths": "resolutions",
    "engines": "engines",
    "locations": "locations",
    "gauges": "gauges",
    "gauge": "gauges",
    "user": "me",
    "shares": "shares",
    "share": "shares",
    "clients": "clients",
    "client": "clients",
}

# which period one response covers (§4): content and referrers are days, the rest months
GRAIN = {
    "traffic": "month",
    "content": "day",
    "referrers": "day",
    "terms": "month",
    "technology": "month",
    "resolutions": "month",
    "engines": "month",
    "locations": "month",
}

RESOLUTION_DIMENSIONS = ("browser_heights", "browser_widths", "screen_widths")
ACCOUNT_FIELDS = ("email", "name", "first_name", "last_name", "key")
CSV_HEADER = ["date", "views", "people"]

_GAUGE_ID = re.compile(r"/gauges/([0-9a-f]{24})(?:/|\?|$)")
_HEX_ID = re.compile(r"^[0-9a-f]{24}$")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
_CSV_NAME = re.compile(r"^(?P<title>.+)-(?P<month>\d{4}-\d{2})$")


def export_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand files and folders into the export files they hold, in a stable order.

    Folders are searched recursively for ``*.json`` and ``*.csv``; the ``.meta.json`` files a
    live pull writes beside each response are skipped.

    Raises:
        InputError: a path does not exist, or a folder holds no export.

    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in (".json", ".csv")
                and not p.name.endswith(".meta.json")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError(f"{path}: no Gaug.es export files (.json or .csv) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def load_exports(paths: Iterable[Path | str]) -> GaugesData:
    """Load every export under ``paths`` (files or folders) into one :class:`GaugesData`.

    Overlapping exports do not double count: a later file's row replaces an earlier row with
    the same key (gauge, period and dimension value).

    Raises:
        InputError: naming the first malformed file; nothing is returned in that case.

    """
    files = export_files(paths)
    rows: dict[str, list[dict]] = {}
    for path in progress(files, desc="Reading exports", unit="file"):
        for name, table_rows in parse_file(path).items():
            rows.setdefault(name, []).extend(table_rows)
    return _build(rows).resolved()


def detect_format(path: Path | str) -> str:
    """Return the shape of one export file: ``api``, ``dashboard``, ``csv`` or ``rows``.

    Raises:
        InputError: the file is unreadable or not a Gaug.es export.

    """
    path = Path(path)
    text = _read_text(path)
    if _looks_like_json(path, text):
        return _json_format(path, _parse_json(path, text))
    _csv_rows(path, text)
    return "csv"


def load_file(path: Path | str) -> GaugesData:
    """Load one export file into typed tables.

    Raises:
        InputError: the file is unreadable, malformed or not a Gaug.es export.

    """
    return _build(parse_file(Path(path)))


def parse_file(path: Path) -> dict[str, list[dict]]:
    """Parse one export file into plain rows per table (see :func:`load_file`)."""
    text = _read_text(path)
    if not _looks_like_json(path, text):
        return _load_csv(path, text)
    doc = _parse_json(path, text)
    shape = _json_format(path, doc)
    if shape == "dashboard":
        return _load_dashboard(path, doc)
    if shape == "rows":
        endpoint = _row_endpoint(path, doc)
        # the envelope key of these four endpoints is the endpoint's own name
        doc = {"date": _date_from_name(path), endpoint: doc}
    return _load_api(path, doc)


def _build(rows: dict[str, list[dict]]) -> GaugesData:
    return GaugesData(
        **{name: dedupe(name, typed_frame(name, table)) for name, table in rows.items() if table}
    )


# --- reading and detection ------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, so not a Gaug.es export") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def _looks_like_json(path: Path, text: str) -> bool:
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() == ".csv":
        return False
    return text.lstrip()[:1] in ("{", "[")


def _parse_json(path: Path, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None


def _json_format(path: Path, doc) -> str:
    if isinstance(doc, dict):
        data = doc.get("data")
        if isinstance(data, dict) and ("month" in data or "year" in data):
            return "dashboard"
        if doc.get("status") == "fail":
            message = str(doc.get("message") or "no message")[:60]
            raise InputError(f"{path}: a saved Gaug.es error response ({message}), not an export")
        if any(key in ENVELOPES for key in doc):
            return "api"
        if _is_browserstats(doc):
            return "api"
    elif isinstance(doc, list) and doc and all(isinstance(row, dict) for row in doc):
        _row_endpoint(path, doc)
        return "rows"
    elif isinstance(doc, list):
        raise InputError(f"{path}: an empty or mixed JSON list, not a Gaug.es export")
    raise InputError(
        f"{path}: unrecognised Gaug.es export (expected an API response such as "
        "{'traffic': [...]}, the dashboard traffic JSON, or a date,views,people CSV)"
    )


def _is_browserstats(doc: dict) -> bool:
    # /browserstats: family -> {major version -> percentage}, derived from technology (§7.8)
    return bool(doc) and all(
        isinstance(versions, dict)
        and all(isinstance(share, int | float) for share in versions.values())
        for versions in doc.values()
    )


def _row_endpoint(path: Path, rows: list[dict]) -> str:
    keys = set(rows[0])
    if {"date", "views"} <= keys and "path" not in keys:
        return "traffic"
    if "term" in keys:
        return "terms"
    if {"path", "title"} <= keys:
        return "content"
    if {"url", "path"} <= keys:
        return "referrers"
    raise InputError(
        f"{path}: unrecognised Gaug.es export (a list of rows with keys "
        f"{', '.join(sorted(keys))[:80]})"
    )


# --- value checks ---------------------------------------------------------------------------


def _count(value, path: Path, field: str):
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


def _day(value, path: Path, field: str) -> date:
    if isinstance(value, str):
        match = _DAY.match(value.strip())
        if match:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                pass
    raise InputError(f"{path}: {field} should be a date (YYYY-MM-DD)")


def _text(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _rows(doc: dict, key: str, path: Path) -> list[dict]:
    rows = doc.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InputError(f"{path}: '{key}' should be a list of objects")
    return rows


def _date_from_name(path: Path) -> str | None:
    match = _DAY.search(path.name)
    return match.group(1) if match else None


def _gauge_id(doc, path: Path) -> str:
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


# --- API envelope ---------------------------------------------------------------------------


def _load_api(path: Path, doc: dict) -> dict[str, list[dict]]:
    endpoint = next((ENVELOPES[key] for key in doc if key in ENVELOPES), "browserstats")
    if endpoint == "browserstats":
        # percentages derived from technology: nothing new to keep
        return {}
    if endpoint == "gauges":
        return _load_gauges(path, doc)
    if endpoint in ("me", "shares", "clients"):
        return _load_account(path, doc, endpoint)
    gauge_id = _gauge_id(doc, path)
    raw_date = doc.get("date") or _date_from_name(path)
    if endpoint == "traffic" and not raw_date:
        first = _rows(doc, "traffic", path)[:1]
        raw_date = first[0].get("date") if first else None
    if not raw_date:
        raise InputError(f"{path}: the {endpoint} export does not say which date it covers")
    day = _day(raw_date, path, "date")
    grain = GRAIN[endpoint]
    period = day.replace(day=1) if grain == "month" else day
    context = {
        "gauge_id": gauge_id,
        "endpoint": endpoint,
        "period_start": pd.Timestamp(period),
        "period_grain": grain,
        "source_file": path.as_posix(),
    }
    return _PARSERS[endpoint](path, doc, context)


def _traffic(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    daily = [
        {
            "date": pd.Timestamp(_day(row.get("date"), path, "traffic date")),
            "views": _count(row.get("views"), path, "traffic views"),
            "people": _count(row.get("people"), path, "traffic people"),
            **ctx,
        }
        for row in _rows(doc, "traffic", path)
    ]
    return {"traffic_daily": daily, "traffic_monthly": _monthly(path, doc, daily, ctx)}


def _monthly(path: Path, totals: dict, daily: list[dict], ctx: dict) -> list[dict]:
    """One month row: its own totals when exported, else the sum of daily views only."""
    if "views" in totals:
        views = _count(totals.get("views"), path, "month views")
        people = _count(totals.get("people"), path, "month people")
    elif daily:
        views = sum(int(row["views"]) for row in daily if row["views"] is not pd.NA)
        people = pd.NA  # daily people are not additive
    else:
        return []
    return [{"month": ctx["period_start"], "views": views, "people": people, **ctx}]


def _content(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = [
        {
            "title": _text(row.get("title")),
            "path": _text(row.get("path")),
            "host": _text(row.get("host")),
            "url": _text(row.get("url")),
            "views": _count(row.get("views"), path, "content views"),
            **ctx,
        }
        for row in _rows(doc, "content", path)
    ]
    return {"content": rows}


def _referrers(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = []
    for row in _rows(doc, "referrers", path):
        url = _text(row.get("url"))
        parts = urlsplit(url) if url else None
        rows.append(
            {
                "url": url,
                "host": _text(row.get("host")),
                "path": _text(row.get("path")),
                "views": _count(row.get("views"), path, "referrer views"),
                "ref_host": parts.hostname if parts else None,
                "ref_path": parts.path if parts else None,
                "ref_query": parts.query if parts else None,
                **ctx,
            }
        )
    return {"referrers": rows}


def _terms(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = [
        {
            # "" is the engine hiding the query: a real, usually the largest, bucket
            "term": _text(row.get("term")) or "",
            "views": _count(row.get("views"), path, "term views"),
            **ctx,
        }
        for row in _rows(doc, "terms", path)
    ]
    return {"terms": rows}


def _keyed(row: dict, path: Path, what: str, ctx: dict) -> dict:
    # One row of a keyed list (browser, platform, engine, country): key, title and views.
    return {
        "key": _text(row.get("key")),
        "title": _text(row.get("title")),
        "views": _count(row.get("views"), path, what),
        **ctx,
    }


def _technology(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    browsers, versions = [], []
    for row in _rows(doc, "browsers", path):
        key = _text(row.get("key"))
        browsers.append(_keyed(row, path, "browser views", ctx))
        for version in _rows(row, "versions", path):
            versions.append(
                {
                    "browser_key": key,
                    "version": _text(version.get("title")),
                    "views": _count(version.get("views"), path, "browser version views"),
                    **ctx,
                }
            )
    platforms = [_keyed(row, path, "platform views", ctx) for row in _rows(doc, "platforms", path)]
    return {"browsers": browsers, "browser_versions": versions, "platforms": platforms}


def _resolutions(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = [
        {
            "dimension": dimension,
            # bucket labels stay strings: "1024" is a bucket, not a number to add up
            "bucket": _text(row.get("title")),
            "views": _count(row.get("views"), path, f"{dimension} views"),
            **ctx,
        }
        for dimension in RESOLUTION_DIMENSIONS
        for row in _rows(doc, dimension, path)
    ]
    return {"resolutions": rows}


def _engines(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = [_keyed(row, path, "engine views", ctx) for row in _rows(doc, "engines", path)]
    return {"engines": rows}


def _locations(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    countries, regions = [], []
    for row in _rows(doc, "locations", path):
        country = _text(row.get("key"))
        countries.append(_keyed(row, path, "country views", ctx))
        for region in _rows(row, "regions", path):
            regions.append(
                {
                    "country_key": country,
                    "key": _text(region.get("key")),
                    "title": _text(region.get("title")),
                    "views": _count(region.get("views"), path, "region views"),
                    **ctx,
                }
            )
    return {"countries": countries, "regions": regions}


_PARSERS = {
    "traffic": _traffic,
    "content": _content,
    "referrers": _referrers,
    "terms": _terms,
    "technology": _technology,
    "resolutions": _resolutions,
    "engines": _engines,
    "locations": _locations,
}


def _load_gauges(path: Path, doc: dict) -> dict[str, list[dict]]:
    items = doc.get("gauges", doc.get("gauge"))
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InputError(f"{path}: 'gauges' should be a list of objects")
    rows = []
    for item in items:
        gauge_id = _text(item.get("id"))
        if not gauge_id:
            raise InputError(f"{path}: a gauge without an id")
        tz = _text(item.get("tz"))
        rows.append(
            {
                "gauge_id": gauge_id,
                "title": _text(item.get("title")),
                "tz": tz,
                "tz_iana": iana_zone(tz),
                "enabled": item.get("enabled") if isinstance(item.get("enabled"), bool) else None,
                "allowed_hosts": _text(item.get("allowed_hosts")),
                "source_file": path.as_posix(),
            }
        )
    return {"gauges": rows}


def _load_account(path: Path, doc: dict, kind: str) -> dict[str, list[dict]]:
    # staff names and emails (/me, /shares) and live API keys (/clients): record that the
    # document exists and which personal fields it carries, never the values (§10.8)
    records = next(doc[key] for key in doc if key in ENVELOPES)
    records = [records] if isinstance(records, dict) else records
    if not isinstance(records, list):
        raise InputError(f"{path}: '{kind}' should be a list of objects")
    fields = sorted(
        {
            f
            for record in records
            if isinstance(record, dict)
            for f in ACCOUNT_FIELDS
            if record.get(f)
        }
    )
    row = {
        "source_file": path.as_posix(),
        "kind": kind,
        "records": len(records),
        "fields": ", ".join(fields),
    }
    return {"account_files": [row]}


# --- dashboard traffic (§7.9) ---------------------------------------------------------------


def _load_dashboard(path: Path, doc: dict) -> dict[str, list[dict]]:
    data = doc["data"]
    month = data.get("month") if isinstance(data.get("month"), dict) else {}
    daily_source = month if "traffic" in month else doc
    rows = _rows(daily_source, "traffic", path)
    raw_date = doc.get("date") or (rows[0].get("date") if rows else None) or _date_from_name(path)
    if not raw_date:
        raise InputError(f"{path}: the dashboard traffic export does not say which month it covers")
    period = _day(raw_date, path, "date").replace(day=1)
    ctx = {
        "gauge_id": _gauge_id(doc, path),
        "endpoint": "traffic",
        "period_start": pd.Timestamp(period),
        "period_grain": "month",
        "source_file": path.as_posix(),
    }
    tables = _traffic(path, {"traffic": rows}, ctx)
    totals = month if "views" in month else doc
    tables["traffic_monthly"] = _monthly(path, totals, tables["traffic_daily"], ctx)
    year = data.get("year") if isinstance(data.get("year"), dict) else {}
    for row in _rows(year, "traffic", path):
        day = _day(row.get("date"), path, "year traffic date")
        if day.day != 1:
            continue  # only month rows carry a month's own unique people
        start = pd.Timestamp(day)
        tables["traffic_monthly"].append(
            {
                "month": start,
                "views": _count(row.get("views"), path, "year traffic views"),
                "people": _count(row.get("people"), path, "year traffic people"),
                **{**ctx, "period_start": start},
            }
        )
    return tables


# --- community CSV (§8) ---------------------------------------------------------------------


def _csv_rows(path: Path, text: str) -> list[dict]:
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


def _load_csv(path: Path, text: str) -> dict[str, list[dict]]:
    rows = _csv_rows(path, text)
    match = _CSV_NAME.match(path.stem)
    title = match.group("title") if match else path.parent.name or "unknown"
    daily = []
    for row in rows:
        where = f"line {row['line']}"
        day = _day(row["date"], path, f"{where}: date")
        daily.append(
            {
                "date": pd.Timestamp(day),
                "views": _count(row["views"], path, f"{where}: views"),
                "people": _count(row["people"], path, f"{where}: people"),
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
        monthly.extend(_monthly(path, {}, in_month, ctx))
    return {"traffic_daily": daily, "traffic_monthly": monthly}
