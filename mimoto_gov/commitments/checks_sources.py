"""The checks that read the audits of other sources: the Gaug.es exports and the website.

The analytics check audits the imported Gaug.es exports of the last months; the site checks
read the summary of the latest site audit report (``reports/site-audit/<run>/run.json``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from mimoto_gov.commitments.evidence import listing
from mimoto_gov.commitments.model import CheckContext, Outcome, check, met, missing, not_met
from mimoto_gov.deadlines import UK_TIME, uk_date
from mimoto_gov.gauges.summary import audit_for_period
from mimoto_gov.policy.files import Commitment
from mimoto_gov.reports.index import list_reports

SITE_AUDIT_KINDS = ("site-audit", "site_audit", "siteaudit")


@check("analytics_audit")
def analytics_audit(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the anonymity audit of the imported Gaug.es exports: no personal data."""
    months = int(item.params.get("months", 12))
    first = (pd.Timestamp(ctx.today) - pd.DateOffset(months=months - 1)).strftime("%Y-%m")
    last = pd.Timestamp(ctx.today).strftime("%Y-%m")
    result = audit_for_period(first, last, ctx.data_dir, ctx.helpdesk_hosts)
    period = f"{pd.Timestamp(first):%b %Y} to {pd.Timestamp(last):%b %Y}"
    if result is None:
        return missing(f"no imported Gaug.es exports cover {period}")
    rows = sum(result.checked.values())
    high = [f for f in result.findings if f.severity == "high"]
    if high:
        titles = sorted({f.title for f in high})
        return not_met(
            f"{len(high):,} high-severity finding(s) in {rows:,} rows of {period}: "
            f"{listing(titles)}"
        )
    others = len(result.findings)
    tail = (
        f"; {others:,} lesser finding(s) (small counts) in the analytics review" if others else ""
    )
    return met(f"{rows:,} rows of {period} checked: no IP addresses or personal data{tail}")


# -- the site audit -------------------------------------------------------------------------


def latest_site_audit(reports_dir: Path) -> dict | None:
    """Return the newest site audit's ``run.json`` (with its ``summary``), or None.

    The site audit saves its report like every other (``reports/site-audit/<run>/``) with
    the summary of :meth:`mimoto_gov.audits.site.SiteAudit.summary`: passed, pages, cookies,
    third_party_hosts, failed and to_review (the titles of the checks).
    """
    runs = [
        r
        for r in list_reports(reports_dir)
        if str(r.get("kind", "")) in SITE_AUDIT_KINDS
        and isinstance(r.get("summary"), dict)
        and isinstance(r["summary"].get("failed"), list)
    ]
    if not runs:
        return None
    return max(runs, key=lambda r: str(r.get("generated_at", "")))


def _site_outcome(ctx: CheckContext, item: Commitment, words: tuple[str, ...], what: str):
    run = latest_site_audit(ctx.reports_dir)
    if run is None:
        return missing(f"no site audit report in {ctx.reports_dir}")
    summary = run["summary"]
    try:
        when = datetime.fromisoformat(str(run.get("generated_at"))).astimezone(UK_TIME).date()
    except ValueError:
        return missing("the latest site audit has no readable date")

    def mine(titles: object) -> list[str]:
        return [str(t) for t in (titles or []) if any(w in str(t).lower() for w in words)]

    pages = summary.get("pages")
    count = f" ({pages:,} page(s))" if isinstance(pages, int) else ""
    head = f"site audit of {uk_date(when)}{count}"
    failed, review = mine(summary.get("failed")), mine(summary.get("to_review"))
    if failed:
        return not_met(f"{head} failed: {'; '.join(failed)}")
    max_age = int(item.params.get("max_age_days", 93))
    if (ctx.today - when).days > max_age:
        return missing(f"the last {head} is over {max_age} days old")
    if review:
        return missing(f"{head}: a person must confirm {'; '.join(review)}")
    return met(f"{head}: {what}")


@check("site_advertising")
def site_advertising(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the latest site audit: no advertising host or cookie."""
    return _site_outcome(ctx, item, ("advertis",), "no advertising host or cookie")


@check("site_tracking_cookies")
def site_tracking_cookies(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the latest site audit: no third-party tracking cookie."""
    return _site_outcome(ctx, item, ("tracking",), "no third-party tracking cookie")


@check("site_cookies")
def site_cookies(ctx: CheckContext, item: Commitment) -> Outcome:
    """Judge the latest site audit: only login and simple-analytics cookies, lawfully set."""
    return _site_outcome(
        ctx,
        item,
        ("login", "consent", "analytics only"),
        "only login and simple-analytics cookies, each lawful under PECR",
    )
