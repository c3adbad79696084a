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
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from mimoto_gov.gauges.periods import month_days

GAUGE = {
    "id": "5f3a1c2b9d8e7f6a5b4c3d21",
    "title": "mimoto.co.uk",
    "tz": "London",
    "enabled": True,
    "allowed_hosts": "mimoto.co.uk www.mimoto.co.uk",
    "creator_id": "5f3a1c2b9d8e7f6a5b4c3d01",
    "created_at": "2014-03-11T10:02:00Z",
}

HOST = "mimoto.co.uk"
SUFFIX = " // Mimoto Ltd"

# (path, title, weight)
PAGES = [
    ("/", "Home", 40),
    ("/products/", "Products", 14),
    ("/products/workbench/", "Workbench", 9),
    ("/products/archive/", "Archive service", 6),
    ("/pricing/", "Pricing", 8),
    ("/support/", "Support", 9),
    ("/about/", "About us", 5),
    ("/contact/", "Contact", 5),
    ("/privacy/", "Privacy policy", 3),
    ("/blog/", "Blog", 4),
    ("/blog/2026/09/moving-to-parquet/", "Moving to Parquet", 3),
    ("/blog/2026/10/retention-by-design/", "Retention by design", 3),
    ("/blog/2025/11/small-data-good-habits/", "Small data, good habits", 2),
    ("/careers/", "Careers", 2),
    ("/docs/getting-started/", "Getting started", 4),
    ("/docs/faq/", "Frequently asked questions", 3),
]

# (full referring URL, weight); hosts drop www. like Gaug.es does (§7.3)
REFERRERS = [
    ("https://www.google.com/", 30),
    ("https://www.google.co.uk/", 18),
    ("https://www.bing.com/", 6),
    ("https://duckduckgo.com/", 6),
    ("https://www.linkedin.com/company/mimoto-ltd/", 3),
    ("https://github.com/mimoto-ltd", 2),
    ("https://news.ycombinator.com/item?id=41234567", 1),
    ("https://partner.example.org/resources/tools/", 2),
]

TERMS = [
    ("", 60),
    ("mimoto", 14),
    ("mimoto ltd", 8),
    ("mimoto support", 5),
    ("mimoto workbench", 4),
    ("mimoto pricing", 3),
    ("data governance workbook", 2),
    ("service desk retention", 2),
]

# (key, title, weight, [(version, weight)])
BROWSERS = [
    ("chrome", "Chrome", 48, [("131.0", 5), ("130.0", 3), ("129.0", 1)]),
    ("safari", "Safari", 24, [("18.1", 4), ("18.0", 3), ("17.6", 1)]),
    ("firefox", "Firefox", 9, [("132.0", 3), ("131.0", 2), ("128.0", 1)]),
    ("edge", "Edge", 14, [("131.0", 4), ("130.0", 2)]),
    ("other", "Other", 5, []),
]

PLATFORMS = [
    ("windows", "Windows", 38),
    ("macintosh", "Macintosh", 24),
    ("iphone", "iPhone", 18),
    ("android", "Android", 11),
    ("linux", "Linux", 5),
    ("ipad", "iPad", 3),
    ("other", "Other", 1),
]

RESOLUTIONS = {
    "browser_heights": [("480", 1), ("600", 8), ("768", 30), ("900", 40), ("1024", 21)],
    "browser_widths": [
        ("320", 2),
        ("480", 20),
        ("800", 6),
        ("1024", 12),
        ("1280", 25),
        ("1440", 20),
        ("1600", 10),
        ("2000", 5),
    ],
    "screen_widths": [
        ("320", 0),
        ("480", 22),
        ("800", 3),
        ("1024", 9),
        ("1280", 22),
        ("1440", 24),
        ("1600", 12),
        ("2000", 8),
    ],
}

ENGINES = [("google", "Google", 70), ("bing", "Bing", 16), ("duckduckgo", "DuckDuckGo", 12)]

# (key, title, weight, [(region key, region title, weight)]); GB has no regions (§7.7)
COUNTRIES = [
    ("GB", "United Kingdom", 62, []),
    (
        "US",
        "United States",
        14,
        [("CA", "California", 4), ("NY", "New York", 3), ("WA", "Washington", 2)],
    ),
    ("IE", "Ireland", 6, []),
    ("DE", "Germany", 5, []),
    ("NL", "Netherlands", 4, []),
    ("FR", "France", 3, []),
    ("CA", "Canada", 2, [("ON", "Ontario", 2), ("BC", "British Columbia", 1)]),
    ("IN", "India", 2, []),
    ("AU", "Australia", 1, []),
    ("A1", "Anonymous Proxy", 1, []),
]

PLANTED = {
    # day (of any month) on which the planted rows appear
    "day": 3,
    "content": {
        "title": "Newsletter preferences",
        "path": "/newsletter/preferences?email=jane.doe@example.com",
        "views": 1,
    },
    "referrer": "https://portal.example.net/account/reset?token=4f9c2a7e1b3d5f6a8c0e2d4b6f8a1c3e",
    "region": ("GB", "Rutland", 2),
    "term": "203.0.113.45 login",
}


def _spread(total: int, weights: list[tuple[str, int]], rng: random.Random) -> Counter:
    """Allocate ``total`` views over weighted labels at random (a multinomial draw)."""
    labels = [label for label, weight in weights if weight > 0]
    if not labels or total <= 0:
        return Counter()
    return Counter(rng.choices(labels, [w for _, w in weights if w > 0], k=total))


@dataclass
class SyntheticSite:
    """One synthetic gauge whose documents are a pure function of the requested date."""

    gauge: dict = field(default_factory=lambda: dict(GAUGE))
    seed: int = 2026
    planted: bool = False

    @property
    def gauge_id(self) -> str:
        """The gauge's 24-hex id."""
        return self.gauge["id"]

    def _rng(self, *parts) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, self.gauge_id, *parts)))

    # -- daily and monthly totals ------------------------------------------------------------

    def day_totals(self, day: date) -> tuple[int, int]:
        """Return views and unique people on ``day``."""
        rng = self._rng("traffic", day)
        base = 150 if day.weekday() < 5 else 55
        views = max(8, int(rng.gauss(base, base * 0.18)))
        people = max(5, int(views * rng.uniform(0.55, 0.7)))
        return views, people

    def month_totals(self, month_start: date) -> tuple[int, int]:
        """Return views and unique people in the month (people is less than the daily sum)."""
        days = [self.day_totals(d) for d in month_days(month_start)]
        views = sum(v for v, _ in days)
        people = int(sum(p for _, p in days) * 0.82)
        return views, max(people, max(p for _, p in days))

    # -- rows per endpoint -------------------------------------------------------------------

    def content_rows(self, day: date) -> list[dict]:
        """Top pages on ``day``, most viewed first."""
        views, _ = self.day_totals(day)
        weights = [(path, weight) for path, _, weight in PAGES]
        counts = _spread(views, weights, self._rng("content", day))
        titles = {path: title for path, title, _ in PAGES}
        rows = [
            {
                "title": f"{titles[path]}{SUFFIX}",
                "views": count,
                "path": path,
                "host": HOST,
                "url": f"https://{HOST}{path}",
            }
            for path, count in counts.items()
        ]
        if self.planted and day.day == PLANTED["day"]:
            row = PLANTED["content"]
            rows.append(
                {
                    "title": f"{row['title']}{SUFFIX}",
                    "views": row["views"],
                    "path": row["path"],
                    "host": HOST,
                    "url": f"https://{HOST}{row['path']}",
                }
            )
        return sorted(rows, key=lambda r: (-r["views"], r["path"]))

    def referrer_rows(self, day: date) -> list[dict]:
        """Return referring URLs on ``day`` (roughly a third of views arrive from elsewhere)."""
        views, _ = self.day_totals(day)
        counts = _spread(views // 3, REFERRERS, self._rng("referrers", day))
        urls = list(counts.items())
        if self.planted and day.day == PLANTED["day"]:
            urls.append((PLANTED["referrer"], 1))
        rows = []
        for url, count in urls:
            rest = url.split("://", 1)[1]
            host, _, path = rest.partition("/")
            rows.append(
                {
                    "url": url,
                    "host": host.removeprefix("www."),
                    "path": "/" + path,
                    "views": count,
                }
            )
        return sorted(rows, key=lambda r: (-r["views"], r["url"]))

    def term_rows(self, month_start: date) -> list[dict]:
        """Search terms in the month; ``""`` is the engines' hidden query."""
        views, _ = self.month_totals(month_start)
        counts = _spread(views // 6, TERMS, self._rng("terms", month_start))
        rows = [{"term": term, "views": count} for term, count in counts.items()]
        if self.planted:
            rows.append({"term": PLANTED["term"], "views": 1})
        return sorted(rows, key=lambda r: (-r["views"], r["term"]))

    def technology(self, month_start: date) -> dict:
        """Browsers (with versions) and platforms in the month."""
        views, _ = self.month_totals(month_start)
        rng = self._rng("technology", month_start)
        counts = _spread(views, [(k, w) for k, _, w, _ in BROWSERS], rng)
        browsers = []
        for key, title, _, versions in BROWSERS:
            total = counts.get(key, 0)
            split = _spread(total, versions, rng) if versions else Counter()
            browsers.append(
                {
                    "key": key,
                    "title": title,
                    "views": total,
                    "versions": [
                        {"title": version, "views": split[version]}
                        for version, _ in versions
                        if split[version]
                    ],
                }
            )
        platform_counts = _spread(views, [(k, w) for k, _, w in PLATFORMS], rng)
        platforms = [
            {"key": key, "title": title, "views": platform_counts.get(key, 0)}
            for key, title, _ in PLATFORMS
        ]
        return {"browsers": browsers, "platforms": platforms}

    def resolutions(self, month_start: date) -> dict:
        """Return the three resolution bucket lists; zero-view buckets are kept, as Gaug.es does."""
        views, _ = self.month_totals(month_start)
        rng = self._rng("resolutions", month_start)
        result = {}
        for dimension, buckets in RESOLUTIONS.items():
            counts = _spread(views, buckets, rng)
            result[dimension] = [
                {"title": bucket, "views": counts.get(bucket, 0)} for bucket, _ in buckets
            ]
        return result

    def engines(self, month_start: date) -> list[dict]:
        """Search engines in the month."""
        views, _ = self.month_totals(month_start)
        counts = _spread(
            views // 4, [(k, w) for k, _, w in ENGINES], self._rng("engines", month_start)
        )
        return [
            {"key": key, "title": title, "views": counts.get(key, 0)} for key, title, _ in ENGINES
        ]

    def locations(self, month_start: date) -> list[dict]:
        """Countries in the month, with regions for some (views >= the regions' sum)."""
        views, _ = self.month_totals(month_start)
        rng = self._rng("locations", month_start)
        counts = _spread(views, [(k, w) for k, _, w, _ in COUNTRIES], rng)
        rows = []
        for key, title, _, regions in COUNTRIES:
            total = counts.get(key, 0)
            region_counts = _spread(int(total * 0.8), [(r, w) for r, _, w in regions], rng)
            region_rows = [
                {"key": rkey, "title": rtitle, "views": region_counts[rkey]}
                for rkey, rtitle, _ in regions
                if region_counts[rkey]
            ]
            if self.planted and key == PLANTED["region"][0]:
                _, rtitle, rviews = PLANTED["region"]
                region_rows.append({"key": "RUT", "title": rtitle, "views": rviews})
            rows.append({"key": key, "title": title, "views": total, "regions": region_rows})
        return sorted(rows, key=lambda r: -r["views"])

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
            days = [d for d in month_days(month) if d <= max(today, month)]
            rows = []
            for d in days:
                v, p = self.day_totals(d)
                rows.append({"date": d.isoformat(), "views": v, "people": p})
            views, people = self.month_totals(month)
            body.update(views=views, people=people, traffic=rows)
        elif endpoint in ("content", "referrers", "terms"):
            rows = {
                "content": lambda: self.content_rows(day),
                "referrers": lambda: self.referrer_rows(day),
                "terms": lambda: self.term_rows(month),
            }[endpoint]()
            chunk = rows[(page - 1) * per_page : page * per_page]
            more = page * per_page < len(rows)
            page_link = f"{link}{day.isoformat()}&page="
            urls["previous_page"] = f"{page_link}{page - 1}" if page > 1 else None
            urls["next_page"] = f"{page_link}{page + 1}" if more else None
            body.update(page=page, per_page=per_page)
            body[endpoint] = chunk
        elif endpoint == "technology":
            body.update(self.technology(month))
        elif endpoint == "resolutions":
            body.update(self.resolutions(month))
        elif endpoint == "engines":
            body["engines"] = self.engines(month)
        elif endpoint == "locations":
            body["locations"] = self.locations(month)
        else:
            raise KeyError(endpoint)
        body["urls"] = urls
        return body

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
