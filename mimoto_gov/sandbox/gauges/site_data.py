"""What the synthetic Gaug.es site is made of: its pages, referrers, visitors and planted problems.

Weights, not counts: :mod:`.rows` spreads each day's views over these lists at random. The
planted items are the privacy problems the anonymity audit must find (see :mod:`.synthetic`).
"""

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
