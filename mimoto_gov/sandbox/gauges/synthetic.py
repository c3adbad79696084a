"""A deterministic, synthetic Gaug.es site: the data behind the sandbox server and the sample.

The numbers imitate a small company website (about 150 views a weekday, fewer at weekends,
a long tail of pages and countries with small counts) and the documents follow the field
names of gauges-api.md §5–§7 exactly. Nothing here is real Mimoto data: every value comes
from a seeded generator, so the same date always gives the same document.

``planted=True`` adds the privacy problems the anonymity audit must find (an email address
in a content path, a reset token in a referrer's query string, a region with 2 views, an IP
address as a search term).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from mimoto_gov.gauges.periods import month_days
from mimoto_gov.sandbox.gauges.rows import SiteRows
from mimoto_gov.sandbox.gauges.site_data import GAUGE


@dataclass
class SyntheticSite(SiteRows):
    """One synthetic gauge whose documents are a pure function of the requested date."""

    gauge: dict = field(default_factory=lambda: dict(GAUGE))
    seed: int = 2026
    planted: bool = False

    # -- whole API documents -----------------------------------------------------------------

    def gauge_document(self, base_url: str, today: date) -> dict:
        """Return the gauge object of ``/gauges`` and ``/gauges/:id`` (§5.1)."""
        urls = {"self": f"{base_url}/gauges/{self.gauge_id}"}
        for name in (
            "traffic",
            "content",
            "referrers",
            "terms",
            "technology",
            "resolutions",
            "engines",
            "locations",
            "shares",
        ):
            urls[name] = f"{base_url}/gauges/{self.gauge_id}/{name}"
        views, people = self.day_totals(today)
        yesterday = today - timedelta(days=1)
        y_views, y_people = self.day_totals(yesterday)
        recent_days = []
        for offset in range(30):
            day = today - timedelta(days=offset)
            v, p = self.day_totals(day)
            recent_days.append({"date": day.isoformat(), "views": v, "people": p})
        return {
            **self.gauge,
            "now_in_zone": f"{today.isoformat()}T12:00:00+00:00",
            "urls": urls,
            "all_time": {"views": 512_340, "people": 301_876},
            "today": {"date": today.isoformat(), "views": views, "people": people},
            "yesterday": {"date": yesterday.isoformat(), "views": y_views, "people": y_people},
            "recent_hours": [
                {"hour": f"{h:02d}", "views": 0, "people": 0} for h in range(23, -1, -1)
            ],
            "recent_days": recent_days,
            "recent_months": [],
        }

    def document(
        self,
        endpoint: str,
        day: date,
        *,
        base_url: str,
        today: date,
        page: int = 1,
        per_page: int = 50,
    ) -> dict:
        """Return the API response body of a stats endpoint for ``date=day`` (and ``page``)."""
        month = day.replace(day=1)
        grain_day = endpoint in ("content", "referrers")
        start = day if grain_day else month
        older = (
            start - timedelta(days=1) if grain_day else (month - timedelta(days=1)).replace(day=1)
        )
        newer = (
            start + timedelta(days=1) if grain_day else (month + timedelta(days=32)).replace(day=1)
        )
        link = f"{base_url}/gauges/{self.gauge_id}/{endpoint}?date="
        urls = {
            "older": f"{link}{older.isoformat()}",
            "newer": f"{link}{newer.isoformat()}" if newer <= today else None,
        }
        body: dict = {"date": day.isoformat()}
        if endpoint == "traffic":
            body.update(self._month_traffic(month, today))
        elif endpoint in ("content", "referrers", "terms"):
            rows = {
                "content": lambda: self.content_rows(day),
                "referrers": lambda: self.referrer_rows(day),
                "terms": lambda: self.term_rows(month),
            }[endpoint]()
            body.update(page=page, per_page=per_page)
            body[endpoint] = rows[(page - 1) * per_page : page * per_page]
            more = page * per_page < len(rows)
            page_link = f"{link}{day.isoformat()}&page="
            urls["previous_page"] = f"{page_link}{page - 1}" if page > 1 else None
            urls["next_page"] = f"{page_link}{page + 1}" if more else None
        else:
            body.update(self._month_stats(endpoint, month))
        body["urls"] = urls
        return body

    def _month_traffic(self, month: date, today: date) -> dict:
        """Return the month's totals and its days up to today (the traffic endpoint)."""
        rows = []
        for d in month_days(month):
            if d <= max(today, month):
                v, p = self.day_totals(d)
                rows.append({"date": d.isoformat(), "views": v, "people": p})
        views, people = self.month_totals(month)
        return {"views": views, "people": people, "traffic": rows}

    def _month_stats(self, endpoint: str, month: date) -> dict:
        """Return the body of a monthly endpoint without pages (technology ... locations)."""
        if endpoint == "technology":
            return self.technology(month)
        if endpoint == "resolutions":
            return self.resolutions(month)
        if endpoint == "engines":
            return {"engines": self.engines(month)}
        if endpoint == "locations":
            return {"locations": self.locations(month)}
        raise KeyError(endpoint)

    def dashboard_traffic(self, month_start: date, *, base_url: str) -> dict:
        """Return the web dashboard's traffic document for one month (§7.9)."""
        rows = []
        for d in month_days(month_start):
            v, p = self.day_totals(d)
            rows.append({"date": d.isoformat(), "views": v, "people": p})
        views, people = self.month_totals(month_start)
        link = f"{base_url}/gauges/{self.gauge_id}/traffic?date="
        older = (month_start - timedelta(days=1)).replace(day=1).isoformat()
        return {
            "date": month_start.isoformat(),
            "traffic": rows,
            "views": views,
            "people": people,
            "data": {
                "month": {"traffic": rows, "views": views, "people": people},
                "year": {"traffic": [], "views": 0, "people": 0},
            },
            "urls": {
                "older": f"{link}{older}",
                "newer": None,
                "month": {"older": f"{link}{older}", "newer": None},
                "year": {"older": None, "newer": None},
            },
        }

    def csv_traffic(self, month_start: date) -> str:
        """Return the community exporter's ``date,views,people`` CSV for one month (§8)."""
        lines = ["date,views,people"]
        for d in month_days(month_start):
            v, p = self.day_totals(d)
            lines.append(f"{d.isoformat()},{v},{p}")
        return "\n".join(lines) + "\n"


def _compact(doc: dict) -> str:
    # raw response bodies arrive compact; keep them that way
    return json.dumps(doc, separators=(",", ":")) + "\n"


def write_sample(folder: Path, *, base_url: str = "https://secure.gaug.es") -> list[Path]:
    """Write the bundled sample exports (data/samples/gauges) into ``folder``.

    October 2026 as API JSON (every endpoint, content and referrers day by day), September
    2026 as the dashboard's traffic JSON and July and August 2026 as community CSVs. A few
    realistic problems are planted so the audit has something to show.
    """
    site = SyntheticSite(planted=True)
    today = date(2026, 11, 1)
    written = []

    def dump(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    gauge_doc = site.gauge_document(base_url, today)
    dump(folder / "api" / "gauges.json", _compact({"gauges": [gauge_doc]}))
    october = date(2026, 10, 1)
    api = folder / "api" / site.gauge_id
    for endpoint in ("traffic", "terms", "technology", "resolutions", "engines", "locations"):
        doc = site.document(endpoint, october, base_url=base_url, today=today)
        dump(api / endpoint / f"{october.isoformat()}.json", _compact(doc))
    for day in month_days(october):
        for endpoint in ("content", "referrers"):
            doc = site.document(endpoint, day, base_url=base_url, today=today)
            dump(api / endpoint / f"{day.isoformat()}.json", _compact(doc))
    september = date(2026, 9, 1)
    doc = site.dashboard_traffic(september, base_url=base_url)
    dump(folder / "dashboard" / "mimoto.co.uk-traffic-2026-09.json", _compact(doc))
    for month in (date(2026, 7, 1), date(2026, 8, 1)):
        name = f"mimoto.co.uk-{month:%Y-%m}.csv"
        dump(folder / "csv" / "mimoto.co.uk" / name, site.csv_traffic(month))
    return written
