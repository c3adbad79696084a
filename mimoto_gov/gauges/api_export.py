"""Parse one Gaug.es REST API response body into plain rows per table (gauges-api.md §3, §4).

The envelope key tells the endpoint; ``content`` and ``referrers`` cover a day, the other
stats endpoints a month. Account documents (``/me``, ``/shares``, ``/clients``) are counted,
never copied: only which personal fields they carry is kept (§10.8).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.gauges.fields import (
    as_count,
    as_day,
    as_text,
    date_from_name,
    gauge_id_of,
    rows_of,
)
from mimoto_gov.gauges.timezones import iana_zone

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


def load_api(path: Path, doc: dict) -> dict[str, list[dict]]:
    """Parse one API response body into plain rows per table (nothing for ``/browserstats``)."""
    endpoint = next((ENVELOPES[key] for key in doc if key in ENVELOPES), "browserstats")
    if endpoint == "browserstats":
        # percentages derived from technology: nothing new to keep
        return {}
    if endpoint == "gauges":
        return _load_gauges(path, doc)
    if endpoint in ("me", "shares", "clients"):
        return _load_account(path, doc, endpoint)
    gauge_id = gauge_id_of(doc, path)
    raw_date = doc.get("date") or date_from_name(path)
    if endpoint == "traffic" and not raw_date:
        first = rows_of(doc, "traffic", path)[:1]
        raw_date = first[0].get("date") if first else None
    if not raw_date:
        raise InputError(f"{path}: the {endpoint} export does not say which date it covers")
    day = as_day(raw_date, path, "date")
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


def traffic_tables(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    """Return the daily traffic rows of ``doc`` and its month row (``ctx`` added to each)."""
    daily = [
        {
            "date": pd.Timestamp(as_day(row.get("date"), path, "traffic date")),
            "views": as_count(row.get("views"), path, "traffic views"),
            "people": as_count(row.get("people"), path, "traffic people"),
            **ctx,
        }
        for row in rows_of(doc, "traffic", path)
    ]
    return {"traffic_daily": daily, "traffic_monthly": month_rows(path, doc, daily, ctx)}


def month_rows(path: Path, totals: dict, daily: list[dict], ctx: dict) -> list[dict]:
    """One month row: its own totals when exported, else the sum of daily views only."""
    if "views" in totals:
        views = as_count(totals.get("views"), path, "month views")
        people = as_count(totals.get("people"), path, "month people")
    elif daily:
        views = sum(int(row["views"]) for row in daily if row["views"] is not pd.NA)
        people = pd.NA  # daily people are not additive
    else:
        return []
    return [{"month": ctx["period_start"], "views": views, "people": people, **ctx}]


def _content(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = [
        {
            "title": as_text(row.get("title")),
            "path": as_text(row.get("path")),
            "host": as_text(row.get("host")),
            "url": as_text(row.get("url")),
            "views": as_count(row.get("views"), path, "content views"),
            **ctx,
        }
        for row in rows_of(doc, "content", path)
    ]
    return {"content": rows}


def _referrers(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = []
    for row in rows_of(doc, "referrers", path):
        url = as_text(row.get("url"))
        parts = urlsplit(url) if url else None
        rows.append(
            {
                "url": url,
                "host": as_text(row.get("host")),
                "path": as_text(row.get("path")),
                "views": as_count(row.get("views"), path, "referrer views"),
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
            "term": as_text(row.get("term")) or "",
            "views": as_count(row.get("views"), path, "term views"),
            **ctx,
        }
        for row in rows_of(doc, "terms", path)
    ]
    return {"terms": rows}


def _keyed(row: dict, path: Path, what: str, ctx: dict) -> dict:
    # One row of a keyed list (browser, platform, engine, country): key, title and views.
    return {
        "key": as_text(row.get("key")),
        "title": as_text(row.get("title")),
        "views": as_count(row.get("views"), path, what),
        **ctx,
    }


def _technology(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    browsers, versions = [], []
    for row in rows_of(doc, "browsers", path):
        key = as_text(row.get("key"))
        browsers.append(_keyed(row, path, "browser views", ctx))
        for version in rows_of(row, "versions", path):
            versions.append(
                {
                    "browser_key": key,
                    "version": as_text(version.get("title")),
                    "views": as_count(version.get("views"), path, "browser version views"),
                    **ctx,
                }
            )
    platforms = [
        _keyed(row, path, "platform views", ctx) for row in rows_of(doc, "platforms", path)
    ]
    return {"browsers": browsers, "browser_versions": versions, "platforms": platforms}


def _resolutions(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = [
        {
            "dimension": dimension,
            # bucket labels stay strings: "1024" is a bucket, not a number to add up
            "bucket": as_text(row.get("title")),
            "views": as_count(row.get("views"), path, f"{dimension} views"),
            **ctx,
        }
        for dimension in RESOLUTION_DIMENSIONS
        for row in rows_of(doc, dimension, path)
    ]
    return {"resolutions": rows}


def _engines(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    rows = [_keyed(row, path, "engine views", ctx) for row in rows_of(doc, "engines", path)]
    return {"engines": rows}


def _locations(path: Path, doc: dict, ctx: dict) -> dict[str, list[dict]]:
    countries, regions = [], []
    for row in rows_of(doc, "locations", path):
        country = as_text(row.get("key"))
        countries.append(_keyed(row, path, "country views", ctx))
        for region in rows_of(row, "regions", path):
            regions.append(
                {
                    "country_key": country,
                    "key": as_text(region.get("key")),
                    "title": as_text(region.get("title")),
                    "views": as_count(region.get("views"), path, "region views"),
                    **ctx,
                }
            )
    return {"countries": countries, "regions": regions}


_PARSERS = {
    "traffic": traffic_tables,
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
        gauge_id = as_text(item.get("id"))
        if not gauge_id:
            raise InputError(f"{path}: a gauge without an id")
        tz = as_text(item.get("tz"))
        rows.append(
            {
                "gauge_id": gauge_id,
                "title": as_text(item.get("title")),
                "tz": tz,
                "tz_iana": iana_zone(tz),
                "enabled": item.get("enabled") if isinstance(item.get("enabled"), bool) else None,
                "allowed_hosts": as_text(item.get("allowed_hosts")),
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
