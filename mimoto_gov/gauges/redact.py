"""Masking analytics text (paths, titles, referrers, search terms) before anyone sees it.

Gaug.es stores paths and referrers as sent, query strings included (gauges-api.md §7.2,
§7.3), so any of them may carry an email address, a reset token or a customer number. Every
value shown in an analytics report or an audit finding goes through :func:`mask_text` first:
personal data found by :func:`mimoto_gov.pii.scan.scan_pii` is masked with
:func:`mimoto_gov.pii.scan.mask`, values of identifying query parameters become ``***`` and long
random tokens keep only their first three characters.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, unquote_plus

from mimoto_gov.pii.scan import mask, scan_pii

# §10.1: query parameters that identify a person or unlock an account. The first group is
# checked everywhere; the second (record ids) only on our own pages, where an id is ours.
SECRET_PARAMS = frozenset(
    {
        "token", "key", "reset", "code", "session", "sid", "auth", "signature", "sig",
        "access_token", "api_key", "apikey", "password", "pass", "pwd", "otp", "hash",
        "sessionid", "jsessionid", "phpsessid", "magic", "login_token", "reset_token",
    }
)  # fmt: skip
PERSONAL_PARAMS = frozenset(
    {"email", "e", "mail", "user", "username", "phone", "mobile", "tel", "name", "first_name",
     "last_name", "surname", "postcode", "address"}
)  # fmt: skip
RECORD_PARAMS = frozenset(
    {"id", "uid", "user_id", "userid", "order", "order_id", "customer", "customer_id",
     "account", "invoice", "ticket", "subscriber", "member"}
)  # fmt: skip

# a run of 20+ letters and digits mixing both: a session, reset or API token (§10.6)
_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,}")
_ID_VALUE = re.compile(r"^(?:\d{5,}|[A-Za-z0-9_-]{16,})$")


def decode(text: str) -> str:
    """Percent-decode (``%40`` is ``@``) so encoded personal data is seen too."""
    try:
        return unquote(text)
    except (TypeError, ValueError):
        return text


def decode_term(text: str) -> str:
    """Decode a search term, where ``+`` also means a space (§7.4)."""
    try:
        return unquote_plus(text)
    except (TypeError, ValueError):
        return text


def split_query(text: str) -> tuple[str, str]:
    """Split a path or URL into (everything before ``?``, the query string)."""
    before, _, query = text.partition("?")
    return before, query.split("#", 1)[0]


def strip_query(path: str) -> str:
    """Return a path without its query string or fragment (what a report shows)."""
    return split_query(path)[0].split("#", 1)[0]


def query_params(query: str) -> list[tuple[str, str]]:
    """Return the (name, value) pairs of a query string, names lower-cased."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True)
    except ValueError:
        return []
    return [(name.strip().lower(), value) for name, value in pairs]


def identifying_params(query: str, *, own_site: bool) -> list[tuple[str, str]]:
    """Return the (name, kind) of query parameters that identify someone or hold a secret.

    Args:
        query: the query string.
        own_site: True for our own pages, where record ids (``id``, ``order``...) are ours
            and therefore point at a customer; on other sites they are usually article ids.

    Returns:
        Pairs of the parameter name and ``secret``, ``personal``, ``record`` or ``utm_id``.

    """
    found = []
    for name, value in query_params(query):
        if not value.strip():
            continue
        if name in SECRET_PARAMS:
            found.append((name, "secret"))
        elif name in PERSONAL_PARAMS:
            found.append((name, "personal"))
        elif own_site and name in RECORD_PARAMS:
            found.append((name, "record"))
        elif name.startswith("utm_") and _ID_VALUE.match(value.strip()):
            found.append((name, "utm_id"))
    return found


def long_tokens(text: str) -> list[str]:
    """Long random-looking tokens in ``text`` (20+ letters and digits, mixing both)."""
    return _TOKEN.findall(text)


def _mask_query(query: str) -> str:
    if not query:
        return query
    parts = []
    for piece in query.split("&"):
        name, sep, value = piece.partition("=")
        lowered = decode(name).strip().lower()
        if sep and value and lowered in PERSONAL_PARAMS:
            # show personal data the pii way (j***@e******.org) so a reader can tell the kind
            plain = decode(value)
            shown = _mask_pii(plain)
            parts.append(f"{name}={shown if shown != plain else '***'}")
        elif (
            sep
            and value
            and (lowered in SECRET_PARAMS or lowered in RECORD_PARAMS or lowered.startswith("utm_"))
        ):
            parts.append(f"{name}=***")
        else:
            parts.append(piece)
    return "&".join(parts)


def _mask_pii(text: str) -> str:
    findings = scan_pii(text, html=False)
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[: finding.start] + mask(finding.value, finding.kind) + text[finding.end :]
    return text


@lru_cache(maxsize=65536)
def mask_text(text: str | None, *, limit: int = 120) -> str:
    """Return ``text`` safe to show: personal data, secrets and tokens masked.

    The text is percent-decoded first, identifying query values become ``***``, personal
    data found by ``scan_pii`` is masked the ``pii`` way and long tokens keep three
    characters. Long results are shortened to ``limit`` characters.
    """
    if text is None:
        return ""
    text = str(text)
    before, query = split_query(text)
    masked_query = _mask_query(query)
    text = before + ("?" + masked_query if "?" in text else "")
    text = decode(text)
    text = _mask_pii(text)
    text = _TOKEN.sub(lambda m: m.group()[:3] + "***", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
