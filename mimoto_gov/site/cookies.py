"""Cookies as ``Set-Cookie`` headers show them: parsed without keeping their values.

A cookie's value is never kept, only its length, since a session cookie's value is a secret.
:func:`record_cookies` turns the headers of one answer into :class:`Cookie` records, once per
name and domain, marking each first- or third-party against the audited site.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

from mimoto_gov.site.services import CONSENT, site_of


@dataclass
class Cookie:
    """A cookie the site sets, with its PECR category and verdict (filled in by the audit).

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
    verdict: str = ""
    reason: str = ""


def set_cookie_headers(response: requests.Response) -> list[str]:
    """Return every ``Set-Cookie`` header of an answer (requests folds them into one)."""
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
        parsed["lifetime"] = lifetime(seconds)
    return parsed


def lifetime(seconds: int) -> str:
    """Say how long a cookie lives, in days or hours (``deleted`` when already expired)."""
    if seconds <= 0:
        return "deleted (expired)"
    days = seconds / 86400
    if days >= 1:
        return f"{round(days):,} day{'s' if round(days) != 1 else ''}"
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


def record_cookies(response: requests.Response, site: str, how: str, now: dt.datetime,
                   seen: dict) -> None:  # fmt: skip
    """Add the cookies an answer sets to ``seen`` (keyed by name, domain and setter).

    Args:
        response: one answer (a page, a redirect hop or a resource).
        site: the audited site (:func:`~mimoto_gov.site.services.site_of` of the page).
        how: how it was set, for the report (``Set-Cookie header (img)``).
        now: the time expiry dates are counted from.
        seen: the cookies so far; a name already seen on the same domain is not added again.

    """
    host = (urlsplit(response.url).hostname or "").lower()
    for header in set_cookie_headers(response):
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
