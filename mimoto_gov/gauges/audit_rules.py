"""The text rules of the anonymity audit: what in one exported value points at a person.

:func:`inspect_text` runs the rules of gauges-api.md §10 on one value (a page path or title,
a host, a referrer URL, a search term) and returns the rules that fired with their severity;
:data:`RULES` gives each rule's title, checklist item and what to do.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from faker.providers.person.en_GB import Provider

from mimoto_gov.gauges.redact import (
    decode,
    decode_term,
    identifying_params,
    long_tokens,
    query_params,
    split_query,
)
from mimoto_gov.pii.scan import scan_pii

SEVERITIES = ("high", "medium", "low")

# rule -> (title shown to readers, checklist item of gauges-api.md §10, what to do)
RULES: dict[str, tuple[str, str, str]] = {
    "email": (
        "Email address",
        "§10.2",
        "Strip or hash the query string or path segment; delete the raw file after import.",
    ),
    "phone": (
        "Phone number",
        "§10.4",
        "Remove the row from published tables; keep the raw export under restricted retention.",
    ),
    "ip_address": (
        "IP address",
        "§10.6",
        "The policy promises no IP addresses: remove the value and find the page that sends it.",
    ),
    "postcode": (
        "Postcode",
        "§10.4",
        "Remove the row from published tables; a postcode can narrow to a few households.",
    ),
    "financial_or_id_number": (
        "Card, bank or National Insurance number",
        "§10.4",
        "Remove at once and check where the number came from.",
    ),
    "identifier_in_query": (
        "Identifier or secret in a query string",
        "§10.1",
        "Strip or hash query strings before tables are kept; fix the link that carries it.",
    ),
    "token": (
        "Long random token (session, reset or API key)",
        "§10.6",
        "Treat as a leaked secret: expire it and strip it from the export.",
    ),
    "private_referrer": (
        "Referrer from webmail, a helpdesk or a private system",
        "§10.3",
        "Keep the host only; drop path and query of such referrers.",
    ),
    "search_query_in_referrer": (
        "Search query carried in a referrer",
        "§10.3",
        "Keep the search engine's host only.",
    ),
    "possible_name": (
        "Possible personal name",
        "§10.4",
        "Check the value; remove it from published tables if it names a person.",
    ),
    "customer_reference": (
        "Order, invoice, ticket or account reference",
        "§10.4",
        "Remove from published tables: a reference number links to one customer.",
    ),
    "personal_title": (
        "Personalised page title",
        "§10.5",
        "Stop personalised pages sending their title to analytics.",
    ),
    "small_cell": (
        "Small count that could single someone out",
        "§10.7",
        "Suppress counts below 5 in published tables and bucket rare values; counts of 5 to 9 "
        "are flagged for care when combined with other tables.",
    ),
    "staff_data": (
        "Staff personal data in an export",
        "§10.8",
        "Staff names and emails (/me, /shares) do not belong in analytics: delete the file.",
    ),
    "api_keys": (
        "Live API keys in an export",
        "§10.8",
        "The /clients export holds API tokens: rotate the keys and delete the file.",
    ),
}

PII_RULES = {
    "email": ("email", "high"),
    "phone": ("phone", "high"),
    "ip_address": ("ip_address", "high"),
    "postcode": ("postcode", "medium"),
    "card_number": ("financial_or_id_number", "high"),
    "iban": ("financial_or_id_number", "high"),
    "ni_number": ("financial_or_id_number", "high"),
}


_WEBMAIL = re.compile(
    r"^(?:mail\.google\.com|outlook\.(?:live|office|office365)\.com|mail\.yahoo\.com|"
    r"(?:[\w-]+\.)*(?:webmail|mail|owa|roundcube)\.[\w.-]+|mail\.[\w.-]+)$"
)
_HELPDESK = re.compile(r"(?:^|\.)(?:zammad\.com|zendesk\.com|freshdesk\.com|helpscoutdocs\.com)$")
_PRIVATE_HOST = re.compile(
    r"^(?:localhost|(?:admin|intranet|staging|stage|dev|test|crm|internal|backoffice)\.[\w.-]+"
    r"|[\w.-]+\.(?:local|internal|lan|corp|intranet|test))$"
)
_PROFILE_PATH = re.compile(r"^/(?:in|u|user|users|profile|people|pub)/[^/]+", re.IGNORECASE)
_SEARCH_HOST = re.compile(r"(?:^|\.)(?:google|bing|duckduckgo|yahoo|ecosia|yandex|baidu)\.")
_TICKET_PATH = re.compile(r"ticket/zoom/\d+|/tickets?/\d+", re.IGNORECASE)
_REFERENCE = re.compile(
    r"\b(?:order|invoice|inv|ticket|ref|reference|account|acct|customer|booking)\b"
    r"\s*(?:no\.?|number|#)?\s*[:#-]?\s*[A-Z0-9-]*\d{4,}",
    re.IGNORECASE,
)
_TITLE_GREETING = re.compile(
    r"\b(?i:welcome back|welcome|hello|hi|dear|signed in as|logged in as)\b[ ,:]+"
    r"[A-Z][a-z]+",
)
_POSSESSIVE = re.compile(r"\b[A-Z][a-z]+'s (?:account|profile|dashboard|orders?|basket)\b")


@lru_cache(maxsize=1)
def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    # common UK first names and surnames (faker's en_GB lists) for a cheap "is it a name" test
    first = {n.lower() for n in (*Provider.first_names_female, *Provider.first_names_male)}
    last = {n.lower() for n in Provider.last_names}
    return frozenset(first), frozenset(last)


def _looks_like_name(text: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    first, last = _name_lists()
    return any(
        a.lower() in first and b.lower() in last for a, b in zip(words, words[1:], strict=False)
    )


def _referrer_hits(url: str, helpdesk_hosts: frozenset[str]) -> list[tuple[str, str]]:
    hits = []
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").removeprefix("www.")
    if host in helpdesk_hosts or _HELPDESK.search(host) or _TICKET_PATH.search(url):
        hits.append(("private_referrer", "high"))
    elif _WEBMAIL.match(host):
        has_ids = bool(long_tokens(url)) or bool(re.search(r"\d{6,}", parts.path + parts.query))
        hits.append(("private_referrer", "high" if has_ids else "medium"))
    elif _PRIVATE_HOST.match(host) or _PROFILE_PATH.match(parts.path):
        hits.append(("private_referrer", "medium"))
    if _SEARCH_HOST.search(host) and any(
        name in ("q", "p", "query", "text", "wd") and value.strip()
        for name, value in query_params(parts.query)
    ):
        hits.append(("search_query_in_referrer", "medium"))
    return hits


@lru_cache(maxsize=65536)
def inspect_text(value: str, kind: str, helpdesk_hosts: frozenset[str] = frozenset()) -> tuple:
    """Run the text rules on one value and return ``(rule, severity)`` pairs.

    Args:
        value: the text as exported.
        kind: ``own_path`` (our page path), ``title``, ``host``, ``referrer`` or ``term``.
        helpdesk_hosts: our own helpdesk's host names (e.g. the Zammad host).

    """
    text = decode_term(value) if kind == "term" else decode(value)
    hits = [PII_RULES[finding.kind] for finding in scan_pii(text, html=False)]
    if kind in ("own_path", "referrer"):
        hits.extend(_link_hits(value, own_site=kind == "own_path"))
    if kind == "referrer":
        hits.extend(_referrer_hits(value, helpdesk_hosts))
    if kind == "term":
        hits.extend(_term_hits(text))
    if kind == "title":
        hits.extend(_title_hits(text))
    return most_severe(hits)


def most_severe(hits: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Keep one ``(rule, severity)`` pair per rule, the most severe, sorted by rule."""
    best: dict[str, str] = {}
    for rule, severity in hits:
        if rule not in best or SEVERITIES.index(severity) < SEVERITIES.index(best[rule]):
            best[rule] = severity
    return tuple(sorted(best.items()))


def _link_hits(value: str, *, own_site: bool) -> list[tuple[str, str]]:
    # identifiers and secrets in a path or URL: its query string and any long random token
    hits = []
    _, query = split_query(value)
    for _, what in identifying_params(query, own_site=own_site):
        hits.append(("identifier_in_query", "high" if what in ("secret", "personal") else "medium"))
    if long_tokens(value):
        hits.append(("token", "high" if query and long_tokens(query) else "medium"))
    return hits


def _term_hits(text: str) -> list[tuple[str, str]]:
    hits = []
    if _looks_like_name(text):
        hits.append(("possible_name", "medium"))
    if _REFERENCE.search(text):
        hits.append(("customer_reference", "medium"))
    if long_tokens(text):
        hits.append(("token", "medium"))
    return hits


def _title_hits(text: str) -> list[tuple[str, str]]:
    hits = []
    if _TITLE_GREETING.search(text) or _POSSESSIVE.search(text):
        hits.append(("personal_title", "medium"))
    if _REFERENCE.search(text):
        hits.append(("customer_reference", "medium"))
    return hits
