"""The synthetic site's numbers: daily and monthly totals, and the rows of each stats endpoint.

Every value comes from a generator seeded with the gauge, the endpoint and the date, so the
same date always gives the same rows (see :mod:`.synthetic`).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from mimoto_gov.gauges.periods import month_days
from mimoto_gov.sandbox.gauges.site_data import (
    BROWSERS,
    COUNTRIES,
    ENGINES,
    HOST,
    PAGES,
    PLANTED,
    PLATFORMS,
    REFERRERS,
    RESOLUTIONS,
    SUFFIX,
    TERMS,
)


def spread(total: int, weights: list[tuple[str, int]], rng: random.Random) -> Counter:
    """Allocate ``total`` views over weighted labels at random (a multinomial draw)."""
    labels = [label for label, weight in weights if weight > 0]
    if not labels or total <= 0:
        return Counter()
    return Counter(rng.choices(labels, [w for _, w in weights if w > 0], k=total))


class SiteRows:
    """The rows of each stats endpoint, a pure function of the date and the seed.

    A mixin: :class:`~mimoto_gov.sandbox.gauges.synthetic.SyntheticSite` holds the fields.
    """

    gauge: dict
    seed: int
    planted: bool

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
        counts = spread(views, weights, self._rng("content", day))
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
        counts = spread(views // 3, REFERRERS, self._rng("referrers", day))
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
        counts = spread(views // 6, TERMS, self._rng("terms", month_start))
        rows = [{"term": term, "views": count} for term, count in counts.items()]
        if self.planted:
            rows.append({"term": PLANTED["term"], "views": 1})
        return sorted(rows, key=lambda r: (-r["views"], r["term"]))

    def technology(self, month_start: date) -> dict:
        """Browsers (with versions) and platforms in the month."""
        views, _ = self.month_totals(month_start)
        rng = self._rng("technology", month_start)
        counts = spread(views, [(k, w) for k, _, w, _ in BROWSERS], rng)
        browsers = []
        for key, title, _, versions in BROWSERS:
            total = counts.get(key, 0)
            split = spread(total, versions, rng) if versions else Counter()
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
        platform_counts = spread(views, [(k, w) for k, _, w in PLATFORMS], rng)
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
            counts = spread(views, buckets, rng)
            result[dimension] = [
                {"title": bucket, "views": counts.get(bucket, 0)} for bucket, _ in buckets
            ]
        return result

    def engines(self, month_start: date) -> list[dict]:
        """Search engines in the month."""
        views, _ = self.month_totals(month_start)
        counts = spread(
            views // 4, [(k, w) for k, _, w in ENGINES], self._rng("engines", month_start)
        )
        return [
            {"key": key, "title": title, "views": counts.get(key, 0)} for key, title, _ in ENGINES
        ]

    def locations(self, month_start: date) -> list[dict]:
        """Countries in the month, with regions for some (views >= the regions' sum)."""
        views, _ = self.month_totals(month_start)
        rng = self._rng("locations", month_start)
        counts = spread(views, [(k, w) for k, _, w, _ in COUNTRIES], rng)
        rows = []
        for key, title, _, regions in COUNTRIES:
            total = counts.get(key, 0)
            region_counts = spread(int(total * 0.8), [(r, w) for r, _, w in regions], rng)
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
