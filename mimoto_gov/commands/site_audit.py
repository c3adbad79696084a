"""``mimoto-gov site-audit``: the website's cookies and third-party hosts against the policy."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from mimoto_gov.audits.site import FAIL, audit_site
from mimoto_gov.commands._arguments import number_between
from mimoto_gov.settings import load_settings
from mimoto_gov.views.site_audit import save_site_audit

DESCRIPTION = """\
Fetch the given pages of the website (no JavaScript is run), list every cookie they set
(Set-Cookie headers, plus the cookies known scripts such as Gaug.es's track.js write) and
every third-party host they load (scripts, frames, images, stylesheets), classify each cookie
under PECR as amended in 2025 (strictly necessary; statistical purposes, with clear
information and a simple, free way to object; otherwise consent required) and judge the site
against the privacy policy: service-desk login cookies, simple analytics, no advertising, no
third-party tracking cookies. Writes an HTML and PDF report to reports/site-audit/DATE/ and
prints the verdict and the two paths. Include the privacy or cookie page among the URLs: it
is the evidence of information and of a way to object.

A page can name any address, so the audit never contacts loopback, private, link-local or
cloud-metadata addresses (checked after DNS resolution, for pages, redirects and every
resource) unless --allow-private is given, for a site on a private network. Every request
has a deadline and a page may be at most 10 MB."""


def register(subparsers) -> None:
    """Add the ``site-audit`` command."""
    p = subparsers.add_parser(
        "site-audit",
        help="audit the website's cookies and third-party hosts against the policy and PECR",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("urls", nargs="+", metavar="URL", help="pages to audit (http:// or https://)")
    p.add_argument(
        "--timeout",
        type=number_between(0.1, 600, float),
        default=15.0,
        metavar="SECONDS",
        help="read timeout per request (connecting gets at most 5 seconds)",
    )
    p.add_argument(
        "--no-resources",
        action="store_true",
        help="do not fetch the resources of unknown hosts (their cookies are then not seen)",
    )
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="also fetch from loopback, private and link-local addresses (a site on a private "
        "network); refused by default",
    )
    p.add_argument(
        "--fail-on-breach",
        action="store_true",
        help="exit with status 1 when a promise of the policy fails (for scheduled checks)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Audit the pages, write the report and print the verdict and paths."""
    settings = load_settings()
    helpdesk = ()
    if settings.zammad_url:
        host = urlsplit(settings.zammad_url).hostname
        helpdesk = (host,) if host else ()
    audit = audit_site(
        args.urls,
        timeout=(min(5.0, args.timeout), args.timeout),
        fetch_resources=not args.no_resources,
        helpdesk_hosts=helpdesk,
        allow_private=args.allow_private,
        deadline=max(60.0, 4 * args.timeout),
    )
    run = save_site_audit(audit, settings.reports_dir)
    print(f"site audit: {'pass' if audit.passed else 'FAIL'}")
    for check in audit.checks:
        print(f"  {check.verdict:<6} {check.promise}: {check.evidence}")
    print(run.html)
    print(run.pdf)
    failed = any(check.verdict == FAIL for check in audit.checks)
    return 1 if failed and args.fail_on_breach else 0
