"""Sensible bounds for values people type: the days requests arrive, email addresses.

A value can be well formed and still wrong: ``--received 0001-01-01`` made request
``R-1-0001``, due "1 Feb 1"; a 100,000-character address was stored as a subject. The checks
here give one line naming the value and the bound, and never echo a long value back.
"""

from __future__ import annotations

from datetime import date

from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import InputError

# The UK GDPR and the Data Protection Act 2018 apply from 25 May 2018; the workbook holds
# requests received from 2018 on.
EARLIEST_RECEIVED = date(2018, 1, 1)

# RFC 5321 §4.5.3.1: a local part of at most 64 octets, a domain of at most 255, and a path
# (the address between < and >) of at most 256, so an address of at most 254.
MAX_LOCAL_PART = 64
MAX_DOMAIN = 255
MAX_ADDRESS = 254
MAX_LABEL = 63  # RFC 1035: one label of a domain name


def check_received(day: date, name: str = "received") -> date:
    """Return ``day`` if a request could have been received then: from 2018, not in the future.

    Raises:
        InputError: ``--received 1 Jan 1 is before 1 Jan 2018: ...``.

    """
    if day < EARLIEST_RECEIVED:
        raise InputError(
            f"{name} {uk_date(day)} is before {uk_date(EARLIEST_RECEIVED)}: the workbook holds "
            "requests from 2018 on (check the year)"
        )
    if day > date.today():
        raise InputError(f"{name} {uk_date(day)} is in the future")
    return day


def check_email_length(address: str, name: str = "email") -> str:
    """Return ``address`` if its parts fit RFC 5321's lengths, else raise (never echoing it).

    Raises:
        InputError: ``email: the address is 100,012 characters long; RFC 5321 allows 254``.

    """
    local, _, domain = address.rpartition("@")
    if len(address) > MAX_ADDRESS:
        raise InputError(
            f"{name}: the address is {len(address):,} characters long; RFC 5321 allows "
            f"at most {MAX_ADDRESS}"
        )
    if len(local) > MAX_LOCAL_PART:
        raise InputError(
            f"{name}: the part before @ is {len(local):,} characters long; RFC 5321 allows "
            f"at most {MAX_LOCAL_PART}"
        )
    if len(domain) > MAX_DOMAIN or any(len(label) > MAX_LABEL for label in domain.split(".")):
        raise InputError(
            f"{name}: the domain is longer than RFC 5321 allows ({MAX_LABEL} characters a label)"
        )
    return address
