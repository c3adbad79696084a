"""``mimoto-gov analytics``: import Gaug.es exports, pull them live, render the review."""

from __future__ import annotations

import argparse

from mimoto_gov.gauges.client import DEFAULT_BASE_URL, GaugesClient, pull
from mimoto_gov.gauges.periods import month_span
from mimoto_gov.gauges.store import import_exports, raw_dir
from mimoto_gov.settings import load_settings
from mimoto_gov.views.analytics_review import SAMPLE, render_analytics_review

DESCRIPTION = """\
Gaug.es analytics, saved exports first. `import` reads export files or folders (API JSON,
the dashboard's traffic JSON or the community date,views,people CSV, detected automatically)
into Parquet tables under $MIMOTO_GOV_DATA/gauges/tables. `pull` fetches the months from the
live API with GAUGES_TOKEN, saves every response under $MIMOTO_GOV_DATA/gauges/raw (never
the token) and imports them. `review` renders notebooks/analytics_review.ipynb (popular
pages, browsers, countries, traffic, then the anonymity audit) to HTML and PDF."""


def register(subparsers) -> None:
    """Add ``analytics import``, ``analytics pull`` and ``analytics review``."""
    p = subparsers.add_parser(
        "analytics",
        help="import, pull and review the Gaug.es analytics",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=lambda args: _usage(p))
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    imp = actions.add_parser(
        "import",
        help="read saved Gaug.es exports into the workbook",
        description="Detect the format of each export (API JSON, dashboard JSON, "
        "date,views,people CSV), load it and merge it into the Parquet tables under "
        "$MIMOTO_GOV_DATA/gauges/tables. Folders are searched recursively. A malformed file "
        "stops the import with its name and problem, and nothing is written.",
    )
    imp.add_argument("paths", nargs="+", metavar="PATH", help="export files or folders")
    imp.set_defaults(handler=run_import)

    pul = actions.add_parser(
        "pull",
        help="fetch months from the live Gaug.es API, then import them",
        description="Fetch every gauge's statistics for the months --from..--to from the "
        "Gaug.es API (token from GAUGES_TOKEN in the environment or .env), following every "
        "page, save the responses under $MIMOTO_GOV_DATA/gauges/raw without the token, and "
        "import them. Staff documents (/me, /shares) and API keys (/clients) are never asked.",
    )
    _months(pul)
    pul.add_argument(
        "--url",
        default=None,
        metavar="URL",
        help="the API root (default https://secure.gaug.es; a local sandbox for rehearsals)",
    )
    pul.set_defaults(handler=run_pull)

    rev = actions.add_parser(
        "review",
        help="render the analytics review for a period to HTML and PDF",
        description="Render notebooks/analytics_review.ipynb for the months --from..--to "
        "into reports/analytics/FROM_TO/ and print the HTML and PDF paths. The imported "
        "exports must cover the period (or use --sample for the bundled synthetic sample).",
    )
    _months(rev)
    rev.add_argument(
        "--sample",
        action="store_true",
        help="render from the bundled synthetic sample instead of imported exports",
    )
    rev.set_defaults(handler=run_review)


def _months(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="date_from", required=True, metavar="YYYY-MM", help="first month"
    )
    parser.add_argument(
        "--to", dest="date_to", required=True, metavar="YYYY-MM", help="last month (inclusive)"
    )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_import(args: argparse.Namespace) -> int:
    """Import the exports and print what the tables now hold."""
    result = import_exports(args.paths)
    print(result.summary())
    return 0


def run_pull(args: argparse.Namespace) -> int:
    """Pull the months live, save the raw responses and import them."""
    month_span(args.date_from, args.date_to)  # a bad month fails before any request
    settings = load_settings()
    token = settings.require("GAUGES_TOKEN")
    with GaugesClient(token, args.url or DEFAULT_BASE_URL) as client:
        result = pull(client, args.date_from, args.date_to, raw_dir(settings.data_dir))
    print(f"saved {len(result.files):,} response(s) for {len(result.gauges)} gauge(s)")
    if result.files:
        print(import_exports(result.files, settings.data_dir).summary())
    return 0


def run_review(args: argparse.Namespace) -> int:
    """Render the review notebook and print the HTML and PDF paths."""
    settings = load_settings()
    data_dir = SAMPLE if args.sample else settings.data_dir
    run = render_analytics_review(args.date_from, args.date_to, data_dir, settings.reports_dir)
    print(run.html)
    print(run.pdf)
    return 0
