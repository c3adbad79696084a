"""The third-party services the site audit recognises, and how hosts group into sites.

A small, documented list: the services the privacy policy names (Gaug.es, the Zammad service
desk) and the common advertising and tracking services a small company's site could pick up
through a plug-in or an embed. Each names its hosts (a host matches itself and its
sub-domains), the cookies it sets and their PECR category when set as the service intends.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

# PECR categories (Schedule A1 as amended)
STRICTLY_NECESSARY = "strictly necessary"
STATISTICAL = "statistical purposes"
CONSENT = "consent required"


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


_SECOND_LEVEL = {
    "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "sch.uk",
    "nhs.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "com.br", "co.za", "com.cn",
}  # fmt: skip


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


def helpdesk_services(hosts: tuple[str, ...]) -> tuple[Service, ...]:
    """Return the service desk as a service on ``hosts`` (from ``ZAMMAD_URL``), if any."""
    if not hosts:
        return ()
    desk = next(s for s in KNOWN_SERVICES if s.kind == "service desk")
    return (Service(desk.name, desk.kind, tuple(hosts), desk.cookies, in_policy=True,
                    source=desk.source),)  # fmt: skip
