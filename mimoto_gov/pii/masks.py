"""Masking personal-data values: enough left to recognise a value, never enough to use it.

Reports, logs and staff files show a value found in text only through :func:`mask`; the full
value never leaves the text it was found in.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

# The scanner's kinds, then the kinds of identifier a subject access package redacts besides.
KINDS = (
    "email", "phone", "card_number", "iban", "ni_number", "postcode", "ip_address", "name",
    "login",
)  # fmt: skip
_NON_DIGITS = re.compile(r"\D")


def mask(value: str, kind: str) -> str:
    """Hide most of a personal-data value, keeping just enough to recognise it.

    Args:
        value: the full value as found in the text.
        kind: one of :data:`KINDS`.

    Returns:
        For example ``j***@e******.com``, ``**** **** **** 1234``, ``AB ** ** ** C``,
        ``GB** **** **** **** **12 34``, ``+** ** **** *018``, ``SW1A ***``, ``81.*.*.*``.

    Raises:
        ValueError: for an unknown kind.

    """
    masker = _MASKERS.get(kind)
    if masker is None:
        raise ValueError(f"unknown personal-data kind {kind!r}; expected one of {KINDS}")
    return masker(value)


def _stars(text: str) -> str:
    return "*" * len(text)


def _hide_all_but_first(text: str) -> str:
    # A one-letter part would be shown in full, so it is hidden entirely.
    return text[:1] + _stars(text[1:]) if len(text) > 1 else _stars(text)


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    labels = domain.split(".")
    masked_labels = [_hide_all_but_first(label) for label in labels[:-1]]
    masked_labels.append(labels[-1])
    return f"{_hide_all_but_first(local)}@{'.'.join(masked_labels)}"


def _mask_keep_last_digits(value: str, keep: int) -> str:
    total = sum(ch.isdigit() for ch in value)
    seen = 0
    out = []
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_phone(value: str) -> str:
    return _mask_keep_last_digits(value, 3)


def _mask_card(value: str) -> str:
    digits = _NON_DIGITS.sub("", value)
    hidden = "*" * (len(digits) - 4)
    groups = [hidden[i : i + 4] for i in range(0, len(hidden), 4)]
    return " ".join([*groups, digits[-4:]])


def _mask_iban(value: str) -> str:
    compact = re.sub(r"[ -]", "", value).upper()
    shown = compact[:2] + "*" * (len(compact) - 6) + compact[-4:]
    return " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))


def _mask_nino(value: str) -> str:
    compact = re.sub(r"[ -]", "", value).upper()
    return f"{compact[:2]} ** ** ** {compact[-1]}"


def _mask_postcode(value: str) -> str:
    compact = value.replace(" ", "").upper()
    return f"{compact[:-3]} ***"


def _mask_ip(value: str) -> str:
    if ":" in value:
        first = value.split(":", 1)[0] or "0"
        return f"{first}:****:****"
    return value.split(".", 1)[0] + ".*.*.*"


def _mask_name(value: str) -> str:
    return " ".join(_hide_all_but_first(word) for word in value.split())


def _mask_login(value: str) -> str:
    return _mask_email(value) if "@" in value else _hide_all_but_first(value)


_MASKERS = {
    "name": _mask_name,
    "login": _mask_login,
    "email": _mask_email,
    "phone": _mask_phone,
    "card_number": _mask_card,
    "iban": _mask_iban,
    "ni_number": _mask_nino,
    "postcode": _mask_postcode,
    "ip_address": _mask_ip,
}


def masked_emails(emails: pd.Series) -> pd.Series:
    """Mask each address (``a***@example.com``); ``(none)`` when empty, ``***`` when no address."""

    def one(value: Any) -> str:
        text = "" if value is None or pd.isna(value) else str(value).strip()
        return mask(text, "email") if "@" in text else ("(none)" if not text else "***")

    return emails.map(one).astype(str)
