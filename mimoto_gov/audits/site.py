"""Audit the website's cookies and third-party hosts against the policy and PECR.

The privacy policy says the service desk "requires the use of cookies ... to keep track of the
login process", that the site "uses cookies for simple analytics", that "no external
advertising is shown" and that "we do not use any third party tracking cookies". PECR
regulation 6, as amended by the Data (Use and Access) Act 2025 (in force 5 February 2026),
still requires consent for storage and access, except (Schedule A1) where it is strictly
necessary for a service the user asked for, or used for statistical purposes only, with clear
information and a simple, free means to object (uk-privacy-duties.md §1.7).

:func:`audit_site` visits the given pages (:mod:`mimoto_gov.site.fetch`) and records:

- every cookie set by a ``Set-Cookie`` header, on the page, its redirects and the
  resources it loads, plus the cookies that known scripts set from JavaScript (Gaug.es's
  ``_gauges_unique*`` counters are first-party cookies written by ``track.js``);
- every host loaded by scripts (including loaders written inline, as the Gaug.es snippet is),
  frames, images, stylesheets and media (:mod:`mimoto_gov.site.parse`).

This module gives the verdicts: each cookie its PECR category, each condition of the
statistical exception its evidence, and each promise of the policy a verdict. Hosts and
cookies of known services come from :data:`~mimoto_gov.site.services.KNOWN_SERVICES`, a small
documented list. Nothing is ever executed, and no loopback, private, link-local or metadata
address is contacted unless ``allow_private`` says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from mimoto_gov.site.cookies import Cookie, parse_set_cookie
from mimoto_gov.site.fetch import (
    DEFAULT_DEADLINE,
    MAX_RESOURCES,
    Page,
    Resource,
    SiteError,
    check_urls,
    site_session,
    visit,
)
from mimoto_gov.site.services import (
    CONSENT,
    KNOWN_SERVICES,
    STATISTICAL,
    STRICTLY_NECESSARY,
    KnownCookie,
    Service,
    helpdesk_services,
    service_for,
    site_of,
)

# the date the statistical-purposes exception came into force (DUAA 2025 s.112)
STATISTICAL_EXCEPTION_FROM = dt.date(2026, 2, 5)

PASS, FAIL, REVIEW = "pass", "fail", "review"

# generic names of login/session cookies that are strictly necessary when first-party
_SESSION_NAME = re.compile(
    r"(?i)^(?:.*session.*|sid|phpsessid|jsessionid|csrftoken|csrf_token|_csrf|xsrf-token)$"
)

# phrases that show a simple, free way to object to analytics (Schedule A1 condition)
_OBJECTION = re.compile(
    r"(?i)opt[- ]?out|object to (?:analytics|statistics|being counted)|don'?t count me|"
    r"do not count (?:me|my)|turn off analytics|disable analytics|refuse analytics|"
    r"stop counting|do not track|global privacy control"
)
_COOKIE_WORD = re.compile(r"(?i)\bcookies?\b")
_ANALYTICS_WORD = re.compile(r"(?i)gaug\.?es|analytics|visitor statistics|statistics")


@dataclass
class Condition:
    """One condition of the statistical-purposes exception and the evidence for it."""

    name: str
    met: bool
    evidence: str


@dataclass
class Check:
    """One promise of the policy (or one PECR rule) and its verdict."""

    promise: str
    source: str
    verdict: str
    evidence: str


@dataclass
class SiteAudit:
    """Everything the audit saw and concluded."""

    urls: tuple[str, ...]
    audited_on: dt.date
    pages: list[Page] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no promise or PECR rule failed (items to review do not fail)."""
        return all(check.verdict != FAIL for check in self.checks)

    def cookie(self, name: str) -> Cookie:
        """Return the cookie called ``name`` (the first one seen)."""
        for cookie in self.cookies:
            if cookie.name == name:
                return cookie
        raise KeyError(name)

    def third_party_hosts(self) -> list[str]:
        """Return the third-party hosts loaded, sorted."""
        return sorted({r.host for r in self.resources if r.third_party})

    def summary(self) -> dict:
        """Return headline figures (JSON-safe) for ``run.json`` and the commitments page."""
        return {
            "passed": self.passed,
            "pages": len(self.pages),
            "cookies": len(self.cookies),
            "third_party_hosts": self.third_party_hosts(),
            "failed": [c.promise for c in self.checks if c.verdict == FAIL],
            "to_review": [c.promise for c in self.checks if c.verdict == REVIEW],
        }


def audit_site(
    urls: list[str],
    *,
    timeout: tuple[float, float] = (5.0, 15.0),
    fetch_resources: bool = True,
    helpdesk_hosts: tuple[str, ...] = (),
    today: dt.date | None = None,
    allow_private: bool | Collection[str] = False,
    deadline: float = DEFAULT_DEADLINE,
) -> SiteAudit:
    """Fetch ``urls`` and audit the cookies and third-party hosts they bring.

    Args:
        urls: the pages to audit (the home page, the privacy or cookie page, a few more).
        timeout: (connect, read) seconds for every request.
        fetch_resources: also fetch the resources of unknown hosts, to see their cookies.
        helpdesk_hosts: the service desk's own hosts (from ``ZAMMAD_URL``).
        today: the audit date (decides whether the statistical exception is in force).
        allow_private: True to fetch from loopback, private, link-local and other non-public
            addresses too (a site on a private network, the demo's local site); or the
            addresses or networks allowed. By default every one is refused.
        deadline: seconds for each whole request, however slowly the server answers.

    Returns:
        The :class:`SiteAudit`.

    Raises:
        InputError: a URL is not an http(s) URL.
        SiteError: a page cannot be fetched or is refused (one line, naming the host).

    """
    check_urls(urls)
    today = today or dt.date.today()
    extra = helpdesk_services(tuple(helpdesk_hosts))
    result = SiteAudit(urls=tuple(urls), audited_on=today)
    with site_session(timeout, deadline, allow_private) as session:
        seen = visit(urls, session, fetch_resources=fetch_resources, extra=extra)
    result.pages, result.resources = seen.pages, seen.resources
    result.cookies = list(seen.cookies.values())
    result.conditions = _conditions(seen.texts, today)
    _classify(result, extra)
    result.checks = _checks(result)
    return result


def _uk(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _conditions(texts: list[tuple[str, str]], today: dt.date) -> list[Condition]:
    info = next(
        (
            (url, text)
            for url, text in texts
            if _COOKIE_WORD.search(text) and _ANALYTICS_WORD.search(text)
        ),
        None,
    )
    objection = next(
        ((url, match) for url, text in texts if (match := _OBJECTION.search(text))), None
    )
    in_force = today >= STATISTICAL_EXCEPTION_FROM
    return [
        Condition(
            "the exception is in force",
            in_force,
            f"PECR Schedule A1 statistical exception applies from "
            f"{_uk(STATISTICAL_EXCEPTION_FROM)}; audit date {_uk(today)}",
        ),
        Condition(
            "clear and comprehensive information",
            info is not None,
            f"{info[0]} explains cookies and the analytics"
            if info
            else "no audited page explains the analytics cookies (audit the cookie page too)",
        ),
        Condition(
            "a simple and free means to object",
            objection is not None,
            f"{objection[0]} offers it (\u201c{objection[1].group(0)}\u201d)"
            if objection
            else "no audited page offers a way to object (an opt-out link, a \u201cdon't count "
            "me\u201d switch or honouring Do Not Track / Global Privacy Control)",
        ),
    ]


def _known_cookie(cookie: Cookie, extra) -> tuple[Service, KnownCookie] | None:
    for service in (*extra, *KNOWN_SERVICES):
        for known in service.cookies:
            if re.fullmatch(known.pattern, cookie.name):
                return service, known
    return None


def _classify(result: SiteAudit, extra) -> None:
    statistical_ok = all(c.met for c in result.conditions)
    missing = [c.name for c in result.conditions if not c.met]
    for cookie in result.cookies:
        match = _known_cookie(cookie, extra)
        if match:
            service, known = match
            cookie.service, cookie.purpose = service.name, known.purpose
            if known.category == STRICTLY_NECESSARY and cookie.first_party:
                cookie.category, cookie.verdict = STRICTLY_NECESSARY, PASS
                cookie.reason = "strictly necessary for the service the user asked for (login)"
            elif known.category == STATISTICAL and service.statistical and cookie.first_party:
                if statistical_ok:
                    cookie.category, cookie.verdict = STATISTICAL, PASS
                    cookie.reason = (
                        "statistical purposes only, with clear information and a way to object"
                    )
                else:
                    cookie.category, cookie.verdict = CONSENT, FAIL
                    cookie.reason = (
                        "analytics without the statistical exception's conditions ("
                        + "; ".join(missing)
                        + "): consent needed before it is set"
                    )
            else:
                cookie.category, cookie.verdict = CONSENT, FAIL
                cookie.reason = f"{service.kind} cookie of {service.name}: needs consent"
                if service.kind in ("advertising", "tracking"):
                    cookie.reason += "; the policy rules out advertising and tracking"
        elif not cookie.first_party:
            cookie.category, cookie.verdict = CONSENT, FAIL
            persistent = cookie.lifetime != "session"
            cookie.reason = (
                "third-party cookie"
                + (f" kept for {cookie.lifetime}" if persistent else "")
                + ": it lets another company recognise the visitor across sites"
            )
            cookie.purpose = cookie.purpose or "unknown (set by another site)"
        elif _SESSION_NAME.match(cookie.name) and cookie.lifetime == "session":
            cookie.category, cookie.verdict = STRICTLY_NECESSARY, REVIEW
            cookie.reason = "looks like a login or security session cookie: confirm its use"
            cookie.purpose = cookie.purpose or "session (by its name)"
        else:
            cookie.category, cookie.verdict = CONSENT, REVIEW
            cookie.reason = "unknown first-party cookie: consent needed unless strictly necessary"
            cookie.purpose = cookie.purpose or "unknown"


def _checks(result: SiteAudit) -> list[Check]:
    ads = [r for r in result.resources if r.service_kind == "advertising"]
    ad_cookies = [
        c
        for c in result.cookies
        if c.service
        and any(s.name == c.service and s.kind == "advertising" for s in KNOWN_SERVICES)
    ]
    third_cookies = [c for c in result.cookies if not c.first_party]
    tracking_cookies = [
        c
        for c in result.cookies
        if c.service and any(s.name == c.service and s.kind == "tracking" for s in KNOWN_SERVICES)
    ]
    analytics = sorted(
        {r.service for r in result.resources if r.service_kind in ("analytics", "tracking")}
    )
    other_analytics = [
        name
        for name in analytics
        if not next(s for s in KNOWN_SERVICES if s.name == name).in_policy
    ]
    desk = [c for c in result.cookies if c.category == STRICTLY_NECESSARY]
    needs_consent = [c for c in result.cookies if c.category == CONSENT]
    unknown_hosts = sorted({r.host for r in result.resources if r.third_party and not r.service})

    def names(items, attribute="name"):
        values = sorted({getattr(i, attribute) for i in items})
        return ", ".join(values[:8]) + (" ..." if len(values) > 8 else "")

    return [
        Check(
            "No advertising",
            "Policy: \u201cno external advertising is shown\u201d, no advertising services",
            FAIL if ads or ad_cookies else PASS,
            f"advertising loaded from {names(ads, 'host')}"
            if ads
            else (
                f"advertising cookies {names(ad_cookies)}"
                if ad_cookies
                else "no advertising host or cookie seen"
            ),
        ),  # fmt: skip
        Check(
            "No third-party tracking cookies",
            "Policy: \u201cwe do not use any third party tracking cookies\u201d",
            FAIL if third_cookies or tracking_cookies else PASS,
            "third-party cookies: "
            + ", ".join(f"{c.name} ({c.domain})" for c in (third_cookies + tracking_cookies)[:8])
            if third_cookies or tracking_cookies
            else "every cookie is first-party",
        ),
        Check(
            "Simple analytics only (Gaug.es)",
            "Policy: analytics by Gaug.es, anonymous and aggregated",
            FAIL if other_analytics else PASS,
            f"other analytics or tracking: {', '.join(other_analytics)}"
            if other_analytics
            else ("Gaug.es only" if analytics else "no analytics script seen"),
        ),  # fmt: skip
        Check(
            "Service-desk cookies only to keep the login",
            "Policy: the service desk needs cookies \u201cto keep track of the login process\u201d",
            PASS if all(c.verdict == PASS for c in desk) else REVIEW,
            f"strictly necessary cookies: {names(desk)}" if desk else "no login cookie seen",
        ),
        Check(
            "Cookies need no consent, or are set only after it",
            "PECR reg. 6 and Schedule A1 as amended by the Data (Use and Access) Act 2025",
            FAIL
            if needs_consent and any(c.verdict == FAIL for c in needs_consent)
            else (REVIEW if needs_consent else PASS),
            f"set on page load without consent: {names(needs_consent)}"
            if needs_consent
            else "every cookie is strictly necessary, or statistical with the conditions met",
        ),  # fmt: skip
        Check(
            "No other third-party hosts",
            "Policy: visitor information \u201cis not shared with any other companies\u201d",
            REVIEW if unknown_hosts else PASS,
            f"loads from {', '.join(unknown_hosts[:8])}: each sees visitors' IP addresses"
            if unknown_hosts
            else "only the site, Gaug.es and the service desk are contacted",
        ),
    ]


__all__ = [
    "CONSENT",
    "FAIL",
    "KNOWN_SERVICES",
    "MAX_RESOURCES",
    "PASS",
    "REVIEW",
    "STATISTICAL",
    "STATISTICAL_EXCEPTION_FROM",
    "STRICTLY_NECESSARY",
    "Check",
    "Condition",
    "Cookie",
    "KnownCookie",
    "Page",
    "Resource",
    "Service",
    "SiteAudit",
    "SiteError",
    "audit_site",
    "parse_set_cookie",
    "service_for",
    "site_of",
]
