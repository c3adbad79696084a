"""Visit a website's pages as the site audit does: fetch, follow, list, never execute.

:func:`visit` fetches each page (following its redirects), records the cookies set by every
hop, parses the HTML for the resources it loads, and fetches the resources of unknown hosts
(headers only) to see the cookies they set. Known services are judged from
:mod:`mimoto_gov.site.services` and never contacted; the cookies their scripts write from
JavaScript on the site's own domain (Gaug.es's ``_gauges_unique*``) are added as seen.

Every request goes through :func:`mimoto_gov.support.http.build_session`: timeouts and a
total deadline per request, a cap on a page's size, and an address guard that refuses
loopback, private, link-local, metadata and other non-public addresses, after DNS
resolution, for the pages, each redirect and every resource, unless ``allow_private`` says
otherwise (the demo's local site). A site on the internet cannot make the audit reach a
service inside the network it runs in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

from mimoto_gov import __version__
from mimoto_gov.errors import InputError, SourceError
from mimoto_gov.site.cookies import Cookie, record_cookies
from mimoto_gov.site.parse import parse_page
from mimoto_gov.site.services import KNOWN_SERVICES, Service, service_for, site_of
from mimoto_gov.support.http import (
    MB,
    AddressRefused,
    Limits,
    build_session,
    describe,
    public_addresses_only,
)

MAX_RESOURCES = 100
MAX_PAGE_BYTES = 10 * MB
DEFAULT_DEADLINE = 60.0
_SKIPPED_SCHEMES = ("data:", "javascript:", "about:", "blob:", "#", "mailto:")


class SiteError(SourceError):
    """A page of the website could not be fetched."""


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
    fetched: str = ""  # HTTP status, "not fetched: known service", or the reason


@dataclass
class Page:
    """A fetched page."""

    url: str
    final_url: str
    status: int
    content_type: str
    title: str = ""


@dataclass
class Visit:
    """What visiting the pages showed: pages, resources, cookies and each page's text."""

    pages: list[Page] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    cookies: dict[tuple[str, str, str], Cookie] = field(default_factory=dict)
    texts: list[tuple[str, str]] = field(default_factory=list)


def check_urls(urls: list[str]) -> None:
    """Refuse an empty list or anything but http(s) page URLs (one line naming it)."""
    if not urls:
        raise InputError("give at least one page URL to audit")
    for url in urls:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - a bad port raises here
        except ValueError:
            raise InputError(f"{url!r} is not a web page URL (http:// or https://)") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"{url!r} is not a web page URL (http:// or https://)")


def site_session(
    timeout: tuple[float, float], deadline: float, allow_private: bool | Collection[str]
) -> requests.Session:
    """Build the audit's session: no credentials, any host, every address guarded.

    Args:
        timeout: (connect, read) seconds.
        deadline: seconds for each whole request.
        allow_private: True to reach any address (a site on a private network); else the
            non-public addresses or networks still allowed (none by default).

    """
    guard = None if allow_private is True else public_addresses_only(allow_private or ())
    return build_session(
        headers={
            "User-Agent": f"mimoto-gov/{__version__} site-audit",
            "Accept": "text/html,*/*;q=0.8",
        },  # fmt: skip
        limits=Limits(timeout[0], timeout[1], deadline, MAX_PAGE_BYTES),
        retries=1,
        backoff=0.2,
        same_host_redirects=False,
        guard=guard,
    )


def fetch_page(session: requests.Session, url: str) -> requests.Response:
    """GET a page, following redirects, or raise :class:`SiteError` in one line."""
    try:
        return session.get(url, allow_redirects=True)
    except AddressRefused as refused:
        raise SiteError(
            f"refused to fetch {url}: {refused} (give --allow-private to audit a site on a "
            "private network)",
            url=url,
        ) from None
    except requests.exceptions.RequestException as error:
        host = urlsplit(url).hostname or url
        raise SiteError(f"cannot fetch {url} from {host}: {describe(error)}", url=url) from None


def visit(
    urls: list[str],
    session: requests.Session,
    *,
    fetch_resources: bool = True,
    extra: tuple[Service, ...] = (),
    now: dt.datetime | None = None,
) -> Visit:
    """Fetch ``urls`` and what they load; return the pages, resources, cookies and texts.

    Raises:
        SiteError: a page cannot be fetched (one line, naming the host).

    """
    now = now or dt.datetime.now(dt.UTC)
    seen = Visit()
    for url in urls:
        response = fetch_page(session, url)
        site = site_of(urlsplit(response.url).hostname or "")
        for hop in [*response.history, response]:
            record_cookies(hop, site, "Set-Cookie header", now, seen.cookies)
        kind = response.headers.get("Content-Type", "")
        page = Page(url, response.url, response.status_code, kind)
        seen.pages.append(page)
        text = response.text
        if "html" not in page.content_type.lower() and not text.lstrip().startswith("<"):
            continue
        parsed = parse_page(text)
        page.title = parsed.title
        seen.texts.append((url, parsed.text))
        for kind, raw in parsed.found:
            _add_resource(seen.resources, page, kind, raw, site, extra)
    if fetch_resources:
        _fetch_resources(session, seen, now)
    _add_script_cookies(seen)
    return seen


def _add_resource(resources: list[Resource], page: Page, kind, raw, site, extra) -> None:
    if raw.startswith(_SKIPPED_SCHEMES):
        return
    url = urljoin(page.final_url, raw)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return  # not a URL a browser could load either
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    host = parts.hostname.lower()
    if any(r.url == url and r.kind == kind and r.page == page.url for r in resources):
        return
    service = service_for(host, extra)
    resources.append(
        Resource(
            page=page.url,
            kind=kind,
            url=url,
            host=host + (f":{port}" if port else ""),
            third_party=site_of(host) != site,
            service=service.name if service else "",
            service_kind=service.kind if service else "",
        )
    )


def _fetch_resources(session: requests.Session, seen: Visit, now: dt.datetime) -> None:
    done: dict[str, str] = {}
    for resource in seen.resources:
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
        how = f"Set-Cookie header ({resource.kind})"
        try:
            # headers only: the cookies are there, and the body is never needed
            with session.get(resource.url, stream=True) as response:
                for hop in [*response.history, response]:
                    record_cookies(hop, site, how, now, seen.cookies)
                status = f"HTTP {response.status_code}"
        except AddressRefused as refused:
            status = f"not fetched: refused ({refused})"
        except requests.exceptions.RequestException as error:
            status = f"not fetched: {describe(error)}"
        done[resource.url] = resource.fetched = status


def _add_script_cookies(seen: Visit) -> None:
    """Add the cookies known scripts write from JavaScript on the site's own domain."""
    for resource in seen.resources:
        if not resource.kind.startswith("script") or not resource.service:
            continue
        service = next(s for s in KNOWN_SERVICES if s.name == resource.service)
        page_host = urlsplit(resource.page).hostname or ""
        for known in service.cookies:
            if not known.set_by_script:
                continue
            name = known.listed_name
            key = (name, page_host, resource.url)
            if any(k[0] == name for k in seen.cookies):
                continue
            seen.cookies[key] = Cookie(
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
