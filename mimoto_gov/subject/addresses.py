"""Email addresses: a person's address checked and normalised, and every address in a header.

Zammad stores ``from``, ``to`` and ``cc`` as the raw header text ("David Bell
<david@example.com>", several addresses separated by commas, sometimes only a display name),
so addresses are parsed out rather than compared as strings.
"""

from __future__ import annotations

import re

from mimoto_gov.errors import InputError
from mimoto_gov.pii.text import find_addresses
from mimoto_gov.support.bounds import check_email_length

ADDRESS_FIELDS = ("from", "to", "cc")
# An address written in the text of an article on someone else's ticket names the person too.
TEXT_FIELDS = ("subject", "body")
SEARCHED_FIELDS = ADDRESS_FIELDS + TEXT_FIELDS
_VALID_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def normalise_email(address: str) -> str:
    """Return ``address`` stripped and lower-cased, or raise InputError if it is not an address.

    Args:
        address: an email address as typed by a person.

    Raises:
        InputError: the text is not a plausible email address, or is longer than RFC 5321
            allows.

    """
    text = str(address or "").strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    check_email_length(text, "email")
    if not _VALID_EMAIL_RE.match(text):
        raise InputError(f"not an email address: {address!r}")
    return text


def parse_addresses(value: object) -> set[str]:
    """Every email address in a raw ``from``/``to``/``cc`` header value (or a body), lower-cased.

    Accepts ``"Name <a@b>"``, bare addresses, comma- or semicolon-separated lists, quoted
    display names containing commas, and missing values (None, NaN), which give no address.
    Linear in the length of the value.

    Args:
        value: the field as stored in the snapshot.

    Returns:
        The set of addresses found.

    """
    if not isinstance(value, str):
        return set()
    return {
        address.lower()
        for _start, _end, address in find_addresses(value)
        if _VALID_EMAIL_RE.match(address)
    }
