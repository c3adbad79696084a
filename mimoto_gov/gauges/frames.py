"""The typed tables every Gaug.es export is loaded into.

Whatever the source (API JSON, the dashboard's traffic JSON, a community CSV, a live pull),
the loaders produce the same tidy tables, so the analytics review, the audit and the monthly
review never care where a number came from. The endpoints map to tables like this:

==============  ==============================================================
endpoint        tables
==============  ==============================================================
traffic         ``traffic_daily`` and ``traffic_monthly`` (month-level people)
content         ``content`` (one row per page per day)
referrers       ``referrers`` (+ parsed ``ref_host``, ``ref_path``, ``ref_query``)
terms           ``terms`` (per month)
technology      ``browsers``, ``browser_versions``, ``platforms``
resolutions     ``resolutions`` (``dimension`` + string ``bucket``)
engines         ``engines``
locations       ``countries`` and ``regions`` (keyed by ``country_key``)
gauges          ``gauges`` (title, Rails time zone and its IANA name)
me/shares/...   ``account_files``: which staff or key documents were seen, never
                their values
==============  ==============================================================

Every stats table carries its provenance: ``gauge_id``, ``endpoint``, ``period_start``,
``period_grain`` (``day`` or ``month``, see gauges-api.md §4) and ``source_file``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

STRING = "string"
COUNT = "Int64"
DAY = "datetime64[ns]"

PROVENANCE = {
    "gauge_id": STRING,
    "endpoint": STRING,
    "period_start": DAY,
    "period_grain": STRING,
    "source_file": STRING,
}

# table -> {column: dtype}; provenance columns come last in every stats table
SCHEMAS: dict[str, dict[str, str]] = {
    "gauges": {
        "gauge_id": STRING,
        "title": STRING,
        "tz": STRING,
        "tz_iana": STRING,
        "enabled": "boolean",
        "allowed_hosts": STRING,
        "source_file": STRING,
    },
    "traffic_daily": {"date": DAY, "views": COUNT, "people": COUNT, **PROVENANCE},
    # people is the month's own unique count; NA when only daily rows were exported, because
    # daily people are not additive (a returning visitor counts once per day).
    "traffic_monthly": {"month": DAY, "views": COUNT, "people": COUNT, **PROVENANCE},
    "content": {
        "title": STRING,
        "path": STRING,
        "host": STRING,
        "url": STRING,
        "views": COUNT,
        **PROVENANCE,
    },
    "referrers": {
        "url": STRING,
        "host": STRING,
        "path": STRING,
        "views": COUNT,
        "ref_host": STRING,
        "ref_path": STRING,
        "ref_query": STRING,
        **PROVENANCE,
    },
    "terms": {"term": STRING, "views": COUNT, **PROVENANCE},
    "browsers": {"key": STRING, "title": STRING, "views": COUNT, **PROVENANCE},
    "browser_versions": {"browser_key": STRING, "version": STRING, "views": COUNT, **PROVENANCE},
    "platforms": {"key": STRING, "title": STRING, "views": COUNT, **PROVENANCE},
    "resolutions": {"dimension": STRING, "bucket": STRING, "views": COUNT, **PROVENANCE},
    "engines": {"key": STRING, "title": STRING, "views": COUNT, **PROVENANCE},
    "countries": {"key": STRING, "title": STRING, "views": COUNT, **PROVENANCE},
    "regions": {
        "country_key": STRING,
        "key": STRING,
        "title": STRING,
        "views": COUNT,
        **PROVENANCE,
    },
    # documents holding staff personal data or API keys: counted, never copied
    "account_files": {"source_file": STRING, "kind": STRING, "records": COUNT, "fields": STRING},
}

# natural key of each table: a later row with the same key replaces an earlier one, so
# overlapping exports (a CSV and an API pull of the same month) never double count
KEYS: dict[str, tuple[str, ...]] = {
    "gauges": ("gauge_id",),
    "traffic_daily": ("gauge_id", "date"),
    "traffic_monthly": ("gauge_id", "month"),
    "content": ("gauge_id", "period_start", "host", "path"),
    "referrers": ("gauge_id", "period_start", "url"),
    "terms": ("gauge_id", "period_start", "term"),
    "browsers": ("gauge_id", "period_start", "key"),
    "browser_versions": ("gauge_id", "period_start", "browser_key", "version"),
    "platforms": ("gauge_id", "period_start", "key"),
    "resolutions": ("gauge_id", "period_start", "dimension", "bucket"),
    "engines": ("gauge_id", "period_start", "key"),
    "countries": ("gauge_id", "period_start", "key"),
    "regions": ("gauge_id", "period_start", "country_key", "key"),
    "account_files": ("source_file", "kind"),
}

_ORDER_KEYS = {"gauge_id", "period_start", "date", "month", "dimension", "country_key",
               "browser_key", "source_file"}  # fmt: skip

TABLES = tuple(SCHEMAS)
STATS_TABLES = tuple(name for name in TABLES if name not in ("gauges", "account_files"))


def empty_frame(table: str) -> pd.DataFrame:
    """Return an empty frame with the columns and dtypes of ``table``."""
    schema = SCHEMAS[table]
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in schema.items()})


def typed_frame(table: str, rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Build (or coerce) a frame with exactly the schema of ``table``.

    Missing columns are filled with NA; unknown columns are dropped.
    """
    schema = SCHEMAS[table]
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    if frame.empty:
        return empty_frame(table)
    columns = {}
    for column, dtype in schema.items():
        values = frame[column] if column in frame else pd.Series([pd.NA] * len(frame))
        values = pd.to_datetime(values).astype(DAY) if dtype == DAY else values.astype(dtype)
        columns[column] = values.reset_index(drop=True)
    return pd.DataFrame(columns)


def dedupe(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the last row per natural key of ``table``, sorted by that key.

    Monthly traffic rows that know the month's unique people win over rows that don't.
    """
    if frame.empty:
        return frame
    if table == "traffic_monthly":
        order = frame["people"].notna().astype(int)
        frame = frame.iloc[order.argsort(kind="stable")]
    keys = list(KEYS[table])
    # NA keys compare unequal in drop_duplicates' hashing only for some dtypes; fill for safety
    marker = frame[keys].astype("string").fillna("\x00")
    keep = ~marker.duplicated(keep="last")
    # a stable order by gauge, period and grouping column; within those, rows keep the
    # export's own order (Gaug.es lists most viewed first, resolution buckets by size)
    kept = frame[keep.to_numpy()]
    order = [key for key in keys if key in _ORDER_KEYS]
    return kept.sort_values(order, kind="stable", na_position="first").reset_index(drop=True)


@dataclass(frozen=True)
class GaugesData:
    """All tables loaded from Gaug.es exports (each a typed ``DataFrame``)."""

    gauges: pd.DataFrame = field(default_factory=lambda: empty_frame("gauges"))
    traffic_daily: pd.DataFrame = field(default_factory=lambda: empty_frame("traffic_daily"))
    traffic_monthly: pd.DataFrame = field(default_factory=lambda: empty_frame("traffic_monthly"))
    content: pd.DataFrame = field(default_factory=lambda: empty_frame("content"))
    referrers: pd.DataFrame = field(default_factory=lambda: empty_frame("referrers"))
    terms: pd.DataFrame = field(default_factory=lambda: empty_frame("terms"))
    browsers: pd.DataFrame = field(default_factory=lambda: empty_frame("browsers"))
    browser_versions: pd.DataFrame = field(default_factory=lambda: empty_frame("browser_versions"))
    platforms: pd.DataFrame = field(default_factory=lambda: empty_frame("platforms"))
    resolutions: pd.DataFrame = field(default_factory=lambda: empty_frame("resolutions"))
    engines: pd.DataFrame = field(default_factory=lambda: empty_frame("engines"))
    countries: pd.DataFrame = field(default_factory=lambda: empty_frame("countries"))
    regions: pd.DataFrame = field(default_factory=lambda: empty_frame("regions"))
    account_files: pd.DataFrame = field(default_factory=lambda: empty_frame("account_files"))

    def table(self, name: str) -> pd.DataFrame:
        """Return the table called ``name``."""
        if name not in SCHEMAS:
            raise KeyError(f"no Gaug.es table called {name!r}")
        return getattr(self, name)

    def items(self) -> Iterable[tuple[str, pd.DataFrame]]:
        """Yield ``(name, frame)`` for every table."""
        for name in TABLES:
            yield name, getattr(self, name)

    @property
    def is_empty(self) -> bool:
        """True when no stats row was loaded (gauge metadata alone does not count)."""
        return all(getattr(self, name).empty for name in STATS_TABLES)

    def row_counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: len(frame) for name, frame in self.items()}

    @classmethod
    def combine(cls, parts: Iterable[GaugesData]) -> GaugesData:
        """Concatenate several loads, later parts replacing earlier rows with the same key."""
        parts = list(parts)
        tables = {}
        for name in TABLES:
            frames = [part.table(name) for part in parts if not part.table(name).empty]
            if not frames:
                tables[name] = empty_frame(name)
                continue
            joined = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
            tables[name] = dedupe(name, typed_frame(name, joined))
        return cls(**tables).resolved()

    def resolved(self) -> GaugesData:
        """Map gauge titles used as ids (community CSVs know only the title) to gauge ids."""
        if self.gauges.empty:
            return self
        by_title = dict(zip(self.gauges["title"], self.gauges["gauge_id"], strict=False))
        changes = {}
        for name in STATS_TABLES:
            frame = getattr(self, name)
            if frame.empty or not frame["gauge_id"].isin(list(by_title)).any():
                continue
            frame = frame.copy()
            frame["gauge_id"] = frame["gauge_id"].replace(by_title).astype(STRING)
            changes[name] = dedupe(name, frame)
        return dataclasses.replace(self, **changes) if changes else self

    def between(self, start: pd.Timestamp, end: pd.Timestamp) -> GaugesData:
        """Rows whose period starts on or after ``start`` and before ``end`` (exclusive)."""
        changes = {}
        for name in STATS_TABLES:
            frame = getattr(self, name)
            column = {"traffic_daily": "date", "traffic_monthly": "month"}.get(name, "period_start")
            keep = (frame[column] >= start) & (frame[column] < end)
            changes[name] = frame[keep.fillna(False).to_numpy()].reset_index(drop=True)
        return dataclasses.replace(self, **changes)

    def months(self, table: str | None = None) -> list[str]:
        """Months (``YYYY-MM``) with at least one row, in one table or in any stats table."""
        names = [table] if table else list(STATS_TABLES)
        found: set[str] = set()
        for name in names:
            frame = getattr(self, name)
            if frame.empty:
                continue
            found.update(frame["period_start"].dropna().dt.strftime("%Y-%m"))
        return sorted(found)
