"""Audit the website's cookies and third-party hosts against the policy and PECR.

The privacy policy says the service desk "requires the use of cookies ... to keep track of the
login process", that the site "uses cookies for simple analytics", that "no external
advertising is shown" and that "we do not use any third party tracking cookies". PECR
regulation 6, as amended by the Data (Use and Access) Act 2025 (in force 5 February 2026),
still requires consent for storage and access, except (Schedule A1) where it is strictly
necessary for a service the user asked for, or used for statistical purposes only, with clear
information and a simple, free means to object (uk-privacy-duties.md §1.7).

:func:`audit_site` fetches the given pages with ``requests`` and records:

- every cookie set by a ``Set-Cookie`` header, on the page, its redirects and the
  resources it loads, plus the cookies that known scripts set from JavaScript (Gaug.es's
  ``_gauges_unique*`` counters are first-party cookies written by ``track.js``);
- every host loaded by scripts (including loaders written inline, as the Gaug.es snippet is),
  frames, images, stylesheets and media, parsed with the standard library's HTML parser.

Each cookie gets its PECR category and each promise of the policy a verdict. Hosts and
cookies of known services come from :data:`KNOWN_SERVICES`, a small documented list; resources
from unknown hosts are fetched too, to see the cookies they set. Nothing is ever executed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mimoto_gov import __version__
from mimoto_gov.errors import InputError, SourceError

# PECR categories (Schedule A1 as amended)
STRICTLY_NECESSARY = "strictly necessary"
STATISTICAL = "statistical purposes"
CONSENT = "consent required"

# the date the statistical-purposes exception came into force (DUAA 2025 s.112)
STATISTICAL_EXCEPTION_FROM = dt.date(2026, 2, 5)

PASS, FAIL, REVIEW = "pass", "fail", "review"
MAX_RESOURCES = 100


class SiteError(SourceError):
    """A page of the website could not be fetched."""


@dataclass(frozen=True)
class KnownCookie:
    """A cookie a known service sets.

    Attributes:
        pattern: regular expression matched against the whole cookie name.
        purpose: what it is for, in a few words.
        category: its PECR category when set as the service intends.
        set_by_script: True when JavaScript writes it on the site's own domain (a header
            audit cannot see it, so it is added whenever the script is loaded).
        name: the name listed when the script is seen (the pattern's usual form).

    """

    pattern: str
    purpose: str
    category: str
    set_by_script: bool = False
    name: str = ""

    @property
    def listed_name(self) -> str:
        """Return the name to list for a cookie written by the service's script."""
        return self.name or self.pattern


@dataclass(frozen=True)
class Service:
    """A third-party service recognised by its hosts.

    Attributes:
        name: the service's name.
        kind: ``analytics``, ``advertising``, ``tracking`` or ``service desk``.
        hosts: host names (a host matches itself and its sub-domains).
        cookies: the cookies it is known to set.
        statistical: True when its sole purpose is aggregate statistics for the site owner,
            so the statistical-purposes exception can apply.
        in_policy: True when the privacy policy names or allows it.
        source: where the facts about it come from.

    """

    name: str
    kind: str
    hosts: tuple[str, ...]
    cookies: tuple[KnownCookie, ...] = ()
    statistical: bool = False
    in_policy: bool = False
    source: str = ""


GAUGES_COOKIES = tuple(
    KnownCookie(rf"_gauges_unique{suffix}", f"counts unique visitors{label}", STATISTICAL, True)
    for suffix, label in (
        ("", ""),
        ("_year", " per year"),
        ("_month", " per month"),
        ("_day", " per day"),
        ("_hour", " per hour"),
    )
)

# A small, documented list: the services the policy names, and the common advertising and
# tracking services a small company's site could pick up through a plug-in or an embed.
KNOWN_SERVICES: tuple[Service, ...] = (
    Service(
        "Gaug.es",
        "analytics",
        ("gaug.es",),
        GAUGES_COOKIES,
        statistical=True,
        in_policy=True,
        source="gauges-api.md §10.10; uk-privacy-duties.md §1.7 (cookies _gauges_unique*)",
    ),
    Service(
        "Zammad service desk",
        "service desk",
        ("zammad.com",),
        (KnownCookie(r"_zammad_session(_\w+)?", "keeps a service-desk login", STRICTLY_NECESSARY),),
        in_policy=True,
        source="Zammad session store (cookie _zammad_session_<id>)",
    ),
    Service(
        "Google Analytics",
        "analytics",
        ("google-analytics.com", "googletagmanager.com", "analytics.google.com"),
        (
            KnownCookie(r"_ga(_\w+)?", "distinguishes users", CONSENT, True, "_ga"),
            KnownCookie(r"_gid", "distinguishes users for 24 hours", CONSENT, True),
            KnownCookie(r"_gat(_\w+)?", "throttles requests", CONSENT, True, "_gat"),
            KnownCookie(r"__utm[abcz]", "legacy visitor id", CONSENT, True, "__utma"),
        ),
        source="Google Analytics cookie usage documentation",
    ),
    Service(
        "Google advertising (DoubleClick, AdSense, Ad Manager)",
        "advertising",
        (
            "doubleclick.net",
            "googlesyndication.com",
            "googleadservices.com",
            "adservice.google.com",
            "googletagservices.com",
        ),
        (
            KnownCookie(r"IDE|DSID|test_cookie", "advertising id (third party)", CONSENT),
            KnownCookie(
                r"__gads|__gpi|__gsas", "advertising id on the site", CONSENT, True, "__gads"
            ),
        ),
        source="Google's advertising cookie list",
    ),
    Service(
        "Meta Pixel",
        "advertising",
        ("connect.facebook.net", "facebook.com"),
        (
            KnownCookie(r"_fbp", "advertising id on the site", CONSENT, True),
            KnownCookie(r"fr", "advertising id (third party)", CONSENT),
        ),
        source="Meta cookies policy",
    ),
    Service(
        "Microsoft Advertising and Clarity",
        "advertising",
        ("bat.bing.com", "clarity.ms"),
        (
            KnownCookie(r"_uet(sid|vid)", "conversion tracking", CONSENT, True, "_uetvid"),
            KnownCookie(r"_clck|_clsk|MUID", "session replay and user id", CONSENT, True, "_clck"),
        ),
        source="Microsoft UET and Clarity documentation",
    ),
    Service(
        "LinkedIn Insight Tag",
        "advertising",
        ("snap.licdn.com", "px.ads.linkedin.com", "ads.linkedin.com"),
        (KnownCookie(r"li_fat_id|lidc|bcookie|UserMatchHistory", "advertising id", CONSENT),),
        source="LinkedIn cookie table",
    ),
    Service(
        "Hotjar",
        "tracking",
        ("hotjar.com", "hotjar.io"),
        (KnownCookie(r"_hj\w*", "session recording and user id", CONSENT, True, "_hjSessionUser"),),
        source="Hotjar cookie information",
    ),
    Service(
        "Other advertising networks",
        "advertising",
        (
            "criteo.com",
            "criteo.net",
            "amazon-adsystem.com",
            "taboola.com",
            "outbrain.com",
            "adnxs.com",
            "ads-twitter.com",
            "scorecardresearch.com",
        ),
        source="well-known advertising domains",
    ),
)

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

_SECOND_LEVEL = {
    "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "sch.uk",
    "nhs.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "com.br", "co.za", "com.cn",
}  # fmt: skip
_INLINE_URL = re.compile(
    r"""(?:https?:)?//([A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?)(/[^\s'"<>)]*)?"""
)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


# --- hosts ----------------------------------------------------------------------------------


def site_of(host: str) -> str:
    """Return the registrable part of a host (``www.mimoto.co.uk`` -> ``mimoto.co.uk``).

    IP addresses and single-label hosts (``localhost``) are their own site.
    """
    host = (host or "").lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    if ".".join(labels[-2:]) in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _host_matches(host: str, suffix: str) -> bool:
    return host == suffix or host.endswith("." + suffix)


def service_for(host: str, extra: tuple[Service, ...] = ()) -> Service | None:
    """Return the known service that ``host`` belongs to, if any."""
    host = (host or "").lower()
    for service in (*extra, *KNOWN_SERVICES):
        if any(_host_matches(host, suffix) for suffix in service.hosts):
            return service
    return None


# --- records --------------------------------------------------------------------------------


@dataclass
class Resource:
    """A resource a page loads (or a loader script names)."""

    page: str
    kind: str
    url: str
    host: str
    third_party: bool
    service: str = ""
    service_kind: str = ""
    fetched: str = ""  # HTTP status, "not fetched: known service", or the error


@dataclass
class Cookie:
    """A cookie the site sets, with its PECR category and verdict.

    The value is never kept: only its length, since a session cookie's value is a secret.
    """

    name: str
    domain: str
    set_by: str
    how: str
    first_party: bool
    lifetime: str
    secure: bool = False
    http_only: bool = False
    same_site: str = ""
    value_length: int = 0
    service: str = ""
    purpose: str = ""
    category: str = CONSENT
    verdict: str = REVIEW
    reason: str = ""


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
class Page:
    """A fetched page."""

    url: str
    final_url: str
    status: int
    content_type: str
    title: str = ""


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


# --- HTML parsing ---------------------------------------------------------------------------


class _PageParser(HTMLParser):
    """Collect loaded resources, inline loader URLs, the title and the visible text."""

    _SRC = {
        "script": ("src",),
        "iframe": ("src",),
        "frame": ("src",),
        "img": ("src", "srcset"),
        "source": ("src", "srcset"),
        "embed": ("src",),
        "object": ("data",),
        "video": ("src", "poster"),
        "audio": ("src",),
        "track": ("src",),
        "input": ("src",),
    }
    _LINK_RELS = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (kind, raw url)
        self.text: list[str] = []
        self.title = ""
        self._in: list[str] = []
        self._script: list[str] = []
        self._script_is_code = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for attribute in self._SRC.get(tag, ()):
            raw = values.get(attribute, "").strip()
            if not raw:
                continue
            if attribute == "srcset":
                for candidate in raw.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.found.append((tag, url))
            else:
                self.found.append((tag, raw))
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & self._LINK_RELS and values.get("href"):
                kind = "stylesheet" if "stylesheet" in rels else "link"
                self.found.append((kind, values["href"].strip()))
        style = values.get("style", "")
        for url in _CSS_URL.findall(style):
            self.found.append(("style", url))
        if tag in ("script", "style", "title", "noscript"):
            self._in.append(tag)
            if tag == "script":
                self._script = []
                # JSON-LD and templates are data: the URLs in them are not loaded
                kind = values.get("type", "").lower()
                self._script_is_code = not ("json" in kind or "template" in kind)
        if tag == "a":
            # link targets count as information (a "cookie policy" or "opt out" link)
            self.text.append(values.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
            if tag == "script" and self._script_is_code:
                for host, path in _INLINE_URL.findall("".join(self._script)):
                    self.found.append(("script (inline loader)", f"//{host}{path or '/'}"))

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if where == "script":
            self._script.append(data)
        elif where == "style":
            for url in _CSS_URL.findall(data):
                self.found.append(("style", url))
        elif where == "title":
            self.title += data
        else:
            self.text.append(data)


# --- fetching -------------------------------------------------------------------------------


def _session(timeout_retries: int) -> requests.Session:
    session = requests.Session()
    retry = Retry(total=timeout_retries, connect=timeout_retries, read=0, status=0,
                  backoff_factor=0.2, allowed_methods=frozenset({"GET"}))  # fmt: skip
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(
        {"User-Agent": f"mimoto-gov/{__version__} site-audit", "Accept": "text/html,*/*;q=0.8"}
    )
    return session


def _set_cookie_headers(response: requests.Response) -> list[str]:
    headers = response.raw.headers if response.raw is not None else None
    if headers is not None and hasattr(headers, "getlist"):
        return list(headers.getlist("Set-Cookie"))
    value = response.headers.get("Set-Cookie")
    return [value] if value else []


def parse_set_cookie(header: str, host: str, now: dt.datetime) -> dict:
    """Parse one ``Set-Cookie`` header into name, domain, lifetime and flags (no value)."""
    first, *attributes = header.split(";")
    name, _, value = first.partition("=")
    parsed = {
        "name": name.strip(),
        "value_length": len(value.strip()),
        "domain": host,
        "lifetime": "session",
        "secure": False,
        "http_only": False,
        "same_site": "",
    }
    expires = max_age = None
    for attribute in attributes:
        key, _, raw = attribute.strip().partition("=")
        key, raw = key.strip().lower(), raw.strip()
        if key == "domain" and raw:
            parsed["domain"] = raw.lstrip(".").lower()
        elif key == "max-age":
            with contextlib.suppress(ValueError):
                max_age = int(raw)
        elif key == "expires":
            with contextlib.suppress(TypeError, ValueError):
                expires = parsedate_to_datetime(raw)
        elif key == "secure":
            parsed["secure"] = True
        elif key == "httponly":
            parsed["http_only"] = True
        elif key == "samesite":
            parsed["same_site"] = raw
    seconds = None
    if max_age is not None:
        seconds = max_age
    elif expires is not None:
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        seconds = int((expires - now).total_seconds())
    if seconds is not None:
        parsed["lifetime"] = _lifetime(seconds)
    return parsed


def _lifetime(seconds: int) -> str:
    if seconds <= 0:
        return "deleted (expired)"
    days = seconds / 86400
    if days >= 1:
        return f"{round(days):,} day{'s' if round(days) != 1 else ''}"
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _fetch_page(session: requests.Session, url: str, timeout: tuple[float, float]):
    try:
        return session.get(url, timeout=timeout, allow_redirects=True)
    except requests.exceptions.Timeout:
        raise SiteError(f"{url} did not answer in time", url=url) from None
    except requests.exceptions.RequestException as error:
        host = urlsplit(url).hostname or url
        reason = type(error).__name__
        if isinstance(error, requests.exceptions.ConnectionError):
            reason = "connection failed"
        raise SiteError(f"cannot reach {host} ({reason}) for {url}", url=url) from None


# --- the audit ------------------------------------------------------------------------------


def _check_urls(urls: list[str]) -> None:
    if not urls:
        raise InputError("give at least one page URL to audit")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"{url!r} is not a web page URL (http:// or https://)")


def audit_site(
    urls: list[str],
    *,
    timeout: tuple[float, float] = (5.0, 15.0),
    fetch_resources: bool = True,
    helpdesk_hosts: tuple[str, ...] = (),
    today: dt.date | None = None,
) -> SiteAudit:
    """Fetch ``urls`` and audit the cookies and third-party hosts they bring.

    Args:
        urls: the pages to audit (the home page, the privacy or cookie page, a few more).
        timeout: (connect, read) seconds for every request.
        fetch_resources: also fetch the resources of unknown hosts, to see their cookies.
        helpdesk_hosts: the service desk's own hosts (from ``ZAMMAD_URL``).
        today: the audit date (decides whether the statistical exception is in force).

    Returns:
        The :class:`SiteAudit`.

    Raises:
        InputError: a URL is not an http(s) URL.
        SiteError: a page cannot be fetched (one line, naming the host).

    """
    _check_urls(urls)
    today = today or dt.date.today()
    now = dt.datetime.now(dt.UTC)
    extra = ()
    if helpdesk_hosts:
        desk = next(s for s in KNOWN_SERVICES if s.kind == "service desk")
        extra = (Service(desk.name, desk.kind, tuple(helpdesk_hosts), desk.cookies,
                         in_policy=True, source=desk.source),)  # fmt: skip
    result = SiteAudit(urls=tuple(urls), audited_on=today)
    session = _session(1)
    texts: list[tuple[str, str]] = []
    seen: dict[tuple[str, str, str], Cookie] = {}
    try:
        for url in urls:
            response = _fetch_page(session, url, timeout)
            site = site_of(urlsplit(response.url).hostname or "")
            for hop in [*response.history, response]:
                _record_cookies(hop, site, "Set-Cookie header", now, seen, extra)
            page = Page(
                url=url,
                final_url=response.url,
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
            )
            result.pages.append(page)
            if "html" not in page.content_type.lower() and not response.text.lstrip().startswith(
                "<"
            ):
                continue
            parser = _PageParser()
            parser.feed(response.text)
            page.title = " ".join(parser.title.split())
            texts.append((url, " ".join(" ".join(parser.text).split())))
            for kind, raw in parser.found:
                _add_resource(result, page, kind, raw, site, extra)
        if fetch_resources:
            _fetch_resources(session, result, timeout, now, seen, extra)
    finally:
        session.close()
    _add_script_cookies(result, seen)
    result.cookies = list(seen.values())
    result.conditions = _conditions(texts, today)
    _classify(result, extra)
    result.checks = _checks(result)
    return result


def _add_resource(result, page, kind, raw, site, extra) -> None:
    if raw.startswith(("data:", "javascript:", "about:", "blob:", "#", "mailto:")):
        return
    url = urljoin(page.final_url, raw)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    host = parts.hostname.lower()
    if any(r.url == url and r.kind == kind and r.page == page.url for r in result.resources):
        return
    service = service_for(host, extra)
    result.resources.append(
        Resource(
            page=page.url,
            kind=kind,
            url=url,
            host=host + (f":{parts.port}" if parts.port else ""),
            third_party=site_of(host) != site,
            service=service.name if service else "",
            service_kind=service.kind if service else "",
        )
    )


def _fetch_resources(session, result, timeout, now, seen, extra) -> None:
    done: dict[str, str] = {}
    for resource in result.resources:
        if resource.service:
            # a known service is judged from the list; its servers need not be contacted
            resource.fetched = "not fetched: known service"
            continue
        if resource.url in done:
            resource.fetched = done[resource.url]
            continue
        if len(done) >= MAX_RESOURCES:
            resource.fetched = "not fetched: limit reached"
            continue
        site = site_of(urlsplit(resource.page).hostname or "")
        try:
            with session.get(resource.url, timeout=timeout, stream=True) as response:
                for hop in [*response.history, response]:
                    _record_cookies(
                        hop, site, f"Set-Cookie header ({resource.kind})", now, seen, extra
                    )
                status = f"HTTP {response.status_code}"
        except requests.exceptions.RequestException as error:
            status = f"not fetched: {type(error).__name__}"
        done[resource.url] = resource.fetched = status


def _record_cookies(response, site, how, now, seen, extra) -> None:
    host = (urlsplit(response.url).hostname or "").lower()
    for header in _set_cookie_headers(response):
        parsed = parse_set_cookie(header, host, now)
        if not parsed["name"]:
            continue
        key = (parsed["name"], parsed["domain"], response.url.split("?")[0])
        if any(k[:2] == key[:2] for k in seen):
            continue
        seen[key] = Cookie(
            name=parsed["name"],
            domain=parsed["domain"],
            set_by=response.url.split("?")[0],
            how=how,
            first_party=site_of(parsed["domain"]) == site,
            lifetime=parsed["lifetime"],
            secure=parsed["secure"],
            http_only=parsed["http_only"],
            same_site=parsed["same_site"],
            value_length=parsed["value_length"],
        )


def _add_script_cookies(result: SiteAudit, seen: dict) -> None:
    """Add the cookies known scripts write from JavaScript on the site's own domain."""
    for resource in result.resources:
        if not resource.kind.startswith("script") or not resource.service:
            continue
        service = next(s for s in KNOWN_SERVICES if s.name == resource.service)
        page_host = urlsplit(resource.page).hostname or ""
        for known in service.cookies:
            if not known.set_by_script:
                continue
            name = known.listed_name
            key = (name, page_host, resource.url)
            if any(k[0] == name for k in seen):
                continue
            seen[key] = Cookie(
                name=name,
                domain=page_host,
                set_by=resource.url,
                how=f"known cookie of {service.name} (written by its script)",
                first_party=True,
                lifetime="set by the script",
                service=service.name,
                purpose=known.purpose,
                category=known.category,
            )


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
