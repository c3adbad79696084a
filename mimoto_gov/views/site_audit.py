"""The site audit as an HTML and PDF report under ``reports/site-audit/<date>/``.

The page is built from the escaped builders of :mod:`mimoto_gov.reports.display` (cookie names,
hosts and page titles come from the website, so they are untrusted text), wrapped in the
house page by :func:`mimoto_gov.reports.run.render_document` and saved, with its PDF, by
:func:`mimoto_gov.reports.run.save_report`. Cookie values are never shown.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.audits.site import (
    CONSENT,
    FAIL,
    KNOWN_SERVICES,
    STATISTICAL,
    STATISTICAL_EXCEPTION_FROM,
    STRICTLY_NECESSARY,
    SiteAudit,
)
from mimoto_gov.reports.display import callout_html, format_uk_date, list_html, table_html
from mimoto_gov.reports.run import ReportRun, render_document, save_report
from mimoto_gov.support.safe_output import escape

KIND = "site-audit"


def _verdict(text: str) -> str:
    return {"pass": "Pass", "fail": "FAIL", "review": "Review"}.get(text, text)


def checks_table(audit: SiteAudit) -> pd.DataFrame:
    """Return the policy promises and PECR rules with their verdicts."""
    return pd.DataFrame(
        [
            {
                "Promise or rule": c.promise,
                "Verdict": _verdict(c.verdict),
                "Evidence": c.evidence,
                "From": c.source,
            }
            for c in audit.checks
        ],
        columns=["Promise or rule", "Verdict", "Evidence", "From"],
    )


def cookies_table(audit: SiteAudit) -> pd.DataFrame:
    """Return every cookie with its PECR category (values are never shown)."""
    return pd.DataFrame(
        [
            {
                "Cookie": c.name,
                "Set for": c.domain,
                "Party": "first" if c.first_party else "third",
                "How it was seen": c.how,
                "Lifetime": c.lifetime,
                "PECR category": c.category,
                "Verdict": _verdict(c.verdict),
                "Why": c.reason,
            }
            for c in audit.cookies
        ],
        columns=[
            "Cookie",
            "Set for",
            "Party",
            "How it was seen",
            "Lifetime",
            "PECR category",
            "Verdict",
            "Why",
        ],  # fmt: skip
    )


def conditions_table(audit: SiteAudit) -> pd.DataFrame:
    """Return the statistical-purposes exception's conditions and their evidence."""
    return pd.DataFrame(
        [{"Condition": c.name, "Met": c.met, "Evidence": c.evidence} for c in audit.conditions],
        columns=["Condition", "Met", "Evidence"],
    )


def hosts_table(audit: SiteAudit) -> pd.DataFrame:
    """Return the third-party hosts loaded, with the service and how each was loaded."""
    rows: dict[str, dict] = {}
    for r in audit.resources:
        if not r.third_party:
            continue
        row = rows.setdefault(
            r.host,
            {
                "Host": r.host,
                "Service": r.service or "unknown",
                "Kind": r.service_kind or "-",
                "Loaded as": set(),
                "Fetched": r.fetched or "not fetched",
            },
        )
        row["Loaded as"].add(r.kind)
    return pd.DataFrame(
        [{**row, "Loaded as": ", ".join(sorted(row["Loaded as"]))} for row in rows.values()],
        columns=["Host", "Service", "Kind", "Loaded as", "Fetched"],
    )


def pages_table(audit: SiteAudit) -> pd.DataFrame:
    """Return the pages fetched."""
    return pd.DataFrame(
        [
            {"Page": p.url, "Answered": p.status, "Final address": p.final_url, "Title": p.title}
            for p in audit.pages
        ],
        columns=["Page", "Answered", "Final address", "Title"],
    )


def render_site_audit(audit: SiteAudit) -> str:
    """Return the report body (HTML, every value escaped)."""
    failed = [c for c in audit.checks if c.verdict == FAIL]
    if failed:
        verdict = callout_html(
            "The site does not keep the policy's promises on cookies: "
            + "; ".join(f"{c.promise}: {c.evidence}" for c in failed)
            + ".",
            "action",
        )
    else:
        verdict = callout_html(
            "The site keeps the policy's promises on cookies: no advertising, no third-party "
            "tracking cookies, and every cookie is strictly necessary or within the "
            "statistical-purposes exception.",
            "info",
        )
    known = [f"{s.name} ({s.kind}): {', '.join(s.hosts)}" for s in KNOWN_SERVICES]
    parts = [
        "<h2>Verdict</h2>",
        verdict,
        table_html(checks_table(audit), caption="Each promise of the policy, and PECR"),
        "<h2>Cookies</h2>",
        '<p class="mg-text">'
        + escape(
            f"PECR categories (regulation 6 and Schedule A1, as amended): {STRICTLY_NECESSARY} "
            f"(no consent), {STATISTICAL} (no consent, under conditions), {CONSENT}. "
            "Cookies written by a known script are listed from the service's documentation, "
            "since only a browser running the script would see them. Values are not shown."
        )
        + "</p>",
        table_html(cookies_table(audit), caption="Every cookie seen"),
        "<h2>The statistical-purposes exception</h2>",
        '<p class="mg-text">'
        + escape(
            "Analytics cookies need no consent only if their sole purpose is aggregate "
            "statistics to improve the site, visitors get clear and comprehensive information, "
            "and a simple, free means to object (in force from "
            f"{format_uk_date(STATISTICAL_EXCEPTION_FROM)})."
        )
        + "</p>",
        table_html(conditions_table(audit), caption="Conditions and the evidence found"),
        "<h2>Third-party hosts</h2>",
        table_html(hosts_table(audit), caption="Hosts other than the site's own"),
        "<h2>Pages audited</h2>",
        table_html(pages_table(audit), caption="Pages fetched"),
        "<h2>How the audit works</h2>",
        list_html(
            [
                "Each page is fetched without running JavaScript; cookies from Set-Cookie "
                "headers of the page, its redirects and the resources of unknown hosts are "
                "recorded, and known scripts add the cookies they are documented to write.",
                "Hosts are read from script, frame, image, media and stylesheet elements, "
                "inline styles and URLs named inside inline scripts (as in the Gaug.es snippet).",
                "A consent banner is not assessed: a cookie that needs consent and is set on "
                "the first page load has been set without it.",
                "Known services: " + "; ".join(known) + ".",
            ]
        ),
    ]
    return "\n".join(parts)


def save_site_audit(audit: SiteAudit, reports_dir: Path | str | None = None) -> ReportRun:
    """Render the audit to HTML and PDF under ``reports/site-audit/<date>/``."""
    title = f"Website cookie audit, {format_uk_date(audit.audited_on)}"
    run_info = {
        "kind": KIND,
        "run_id": audit.audited_on.isoformat(),
        "parameters": {"pages": ", ".join(audit.urls)},
        "verdict": "pass" if audit.passed else "fail",
        # Public pages and cookie names: nothing about a person.
        "personal_data": False,
    }
    page = render_document(title, render_site_audit(audit), run_info)
    return save_report(
        KIND,
        audit.audited_on.isoformat(),
        title=title,
        html=page,
        reports_dir=Path(reports_dir) if reports_dir is not None else None,
        filename=KIND,
        summary=audit.summary(),
    )
