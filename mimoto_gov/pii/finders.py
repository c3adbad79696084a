"""The finders of the scanner: one cheap pattern per kind, then a validator for candidates.

Each pattern is deliberately loose at the edges and strict in the middle; checksums and
numbering plans decide (Luhn for cards, ISO 7064 for IBANs, HMRC's prefix rules for National
Insurance numbers, libphonenumber for phone numbers). :mod:`mimoto_gov.pii.scan` decides where
each finder runs and which finding wins where two overlap.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from stdnum import iban as stdnum_iban
from stdnum import luhn

from mimoto_gov.pii.masks import mask
from mimoto_gov.pii.phones import is_phone, phone_windows


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data found in a text.

    Attributes:
        kind: one of :data:`KINDS`.
        start: offset of the first character in the scanned text.
        end: offset just past the last character (``text[start:end] == value``).
        value: the matched text. Never put it in a report; use :attr:`masked`.

    """

    kind: str
    start: int
    end: int
    value: str = field(repr=False)

    @property
    def masked(self) -> str:
        """The value with most of it hidden, safe to show in a report."""
        return mask(self.value, self.kind)


# ---------------------------------------------------------------------------------------------
# Candidate patterns. Each is deliberately loose at the edges and strict in the middle; the
# validators below decide.

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)

_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
    r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")

_CARD_SEPARATOR = re.compile(r"[ -]")

# Country code, check digits, then 11 to 30 letters or digits, optionally in groups split by
# a space or a dash (the shortest, Norway's, has 15 characters in all; Belgium's 16).
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
_IBAN_GROUP_SEPARATOR = re.compile(r"[ -]")

# HMRC: first letter not D F I Q U V; second letter not D F I O Q U V; suffix A to D.
_NINO = re.compile(
    r"(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ -]?(\d\d)[ -]?(\d\d)[ -]?(\d\d)"
    r"[ -]?([A-D])(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NINO_UNALLOCATED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})

# Royal Mail postcode shapes: A9, A99, AA9, AA99, A9A, AA9A, then 9AA.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])("
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2}|GIR ?0AA)(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Digit runs that could be a phone number: 9 to 15 digits with the usual punctuation. No
# slashes, so dates such as 15/01/2024 never become candidates.
_PHONE = re.compile(r"(?<![\w+/.-])(?:\+|\(\+?)?\d[\d \t().-]{7,60}\d(?![\w/])")

# The inward half of a postcode ("1AA"), a cheap anchor for the full postcode pattern.
_INWARD = re.compile(r"\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])", re.IGNORECASE)

_LONE_DIGITS = re.compile(r"(?<!\d)\d(?!\d)")
_DIGITS_RUN = re.compile(r"\d+")
NON_DIGITS = re.compile(r"\D")


# ---------------------------------------------------------------------------------------------
# Finders


def find_emails(text: str) -> Iterable[Finding]:
    """Yield the email addresses in ``text`` (no double dots, no trailing dot in the local part)."""
    for match in _EMAIL.finditer(text):
        value = match.group()
        local = value.split("@", 1)[0]
        if ".." in value or local.endswith("."):
            continue
        yield Finding("email", match.start(), match.end(), value)


def find_cards(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    """Yield the card numbers among the digit groups of a cluster, read group by group.

    A card is one run of 13 to 19 digits, or groups joined by a single space or dash as cards
    are printed (fours, the last shorter; Amex and Diners 4-6-5 and 4-6-4). A loose run may
    carry a neighbouring number (``card 4111 1111 1111 1111 123``): the longest run of whole
    groups that validates wins, and nothing inside a group is guessed.
    """
    groups = [(m.start(), m.end()) for m in _DIGITS_RUN.finditer(text, pos, endpos)]
    # only a group of four, or one of 13 to 19 digits, can start a card
    starts = [i for i, (a, b) in enumerate(groups) if b - a == 4 or 13 <= b - a <= 19]
    covered = -1
    for index in starts:
        if index <= covered:
            continue
        start, end = groups[index]
        size = 0
        if start > 0 and text[start - 1] == "-":
            pass  # part of a reference such as INV-4111...
        elif 13 <= end - start <= 19 and _is_card_number(text[start:end]):
            size = 1
        elif end - start == 4:
            size, end = _grouped_card(text, groups, index)
        if size:
            yield Finding("card_number", start, end, text[start:end])
            covered = index + size - 1


def _grouped_card(text: str, groups: list[tuple[int, int]], index: int) -> tuple[int, int]:
    """Return how many groups from ``groups[index]`` make a card, and where it ends (0 if none).

    Up to five groups joined by one space or dash; the longest run that is printed like a
    card and validates wins.
    """
    start, end = groups[index]
    run = [index]
    while (
        len(run) < 5
        and run[-1] + 1 < len(groups)
        and text[groups[run[-1]][1] : groups[run[-1] + 1][0]] in (" ", "-")
    ):
        run.append(run[-1] + 1)
    lengths = [groups[k][1] - groups[k][0] for k in run]
    for count in range(len(run), 1, -1):
        if not 13 <= sum(lengths[:count]) <= 19 or not _card_grouping_ok(lengths[:count]):
            continue
        last = groups[run[count - 1]][1]
        if _is_card_number(text[start:last]):
            return count, last
    return 0, end


def _is_card_number(candidate: str) -> bool:
    digits = NON_DIGITS.sub("", candidate)
    if not 13 <= len(digits) <= 19:
        return False
    # Issuer identification: Visa 4, Mastercard 2/5, Amex and Diners 3, Discover/Maestro 6.
    if digits[0] not in "23456":
        return False
    groups = _CARD_SEPARATOR.split(candidate)
    if len(groups) > 1 and not _card_grouping_ok([len(g) for g in groups]):
        return False
    return luhn.is_valid(digits)


def _card_grouping_ok(lengths: list[int]) -> bool:
    # Printed card numbers come in fours (the last group may be shorter), or Amex/Diners 4-6-5
    # and 4-6-4. Anything else is more likely a reference number with spaces.
    if lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(length == 4 for length in lengths[:-1]) and 1 <= lengths[-1] <= 4


def find_ibans(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    """Yield the IBANs in ``text[pos:endpos]`` whose ISO 7064 checksum holds."""
    for match in _IBAN.finditer(text, pos, endpos):
        candidate = match.group()
        # A greedy match may run into following capitalised words: drop whole trailing
        # groups until the checksum holds.
        spans = [(m.start(), m.end()) for m in re.finditer(r"[^ -]+", candidate)]
        while spans:
            value = candidate[: spans[-1][1]]
            compact = _IBAN_GROUP_SEPARATOR.sub("", value)
            if len(compact) < 15:
                break
            # The ISO 7064 checksum and the country's length, not the national check digits
            # (a valid Belgian IBAN such as BE68539007547034 fails those in python-stdnum).
            if stdnum_iban.is_valid(compact, check_country=False):
                yield Finding("iban", match.start(), match.start() + len(value), value)
                break
            spans.pop()


def find_ninos(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    """Yield the National Insurance numbers in ``text[pos:endpos]`` with an allocated prefix."""
    for match in _NINO.finditer(text, pos, endpos):
        if match.group(1).upper() in _NINO_UNALLOCATED:
            continue
        value = match.group()
        if not (value.isupper() or value.islower()):
            continue
        yield Finding("ni_number", match.start(), match.end(), value)


def find_postcodes(text: str) -> Iterable[Finding]:
    """Yield the UK postcodes in ``text``, anchored on their inward half."""
    size = len(text)
    for anchor in _INWARD.finditer(text):
        pos, endpos = max(0, anchor.start() - 6), min(size, anchor.end() + 1)
        for match in _POSTCODE.finditer(text, pos, endpos):
            value = match.group()
            # Lower-case postcodes are accepted only in the spaced form and in one case, so
            # that ordinary words such as "B12 3rd" do not look like a postcode.
            if not value.isupper() and (not value.islower() or " " not in value):
                continue
            yield Finding("postcode", match.start(), match.end(), value)


def find_ipv4(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    """Yield the IPv4 addresses in ``text[pos:endpos]`` (not loopback, not unspecified)."""
    for match in _IPV4.finditer(text, pos, endpos):
        address = ipaddress.IPv4Address(match.group())
        if address.is_loopback or address.is_unspecified:
            continue
        yield Finding("ip_address", match.start(), match.end(), match.group())


def find_ipv6(text: str) -> Iterable[Finding]:
    """Yield the IPv6 addresses in ``text`` (not loopback, not unspecified)."""
    for match in _IPV6.finditer(text):
        value = match.group()
        if len(value) < 6:
            continue
        try:
            address = ipaddress.IPv6Address(value)
        except ValueError:
            continue
        if address.is_loopback or address.is_unspecified:
            continue
        yield Finding("ip_address", match.start(), match.end(), value)


def find_phones(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    """Yield the phone numbers in ``text[pos:endpos]`` that libphonenumber accepts."""
    for match in _PHONE.finditer(text, pos, endpos):
        candidate = match.group()
        if len(NON_DIGITS.sub("", candidate)) < 9:
            continue
        # Numbers are written in groups of two or more digits; a run of lone digits
        # ("1 2 3 4 5 ...") is a list or a table, not a phone number.
        if len(_LONE_DIGITS.findall(candidate)) >= 4:
            continue
        taken = -1
        for start, end in phone_windows(candidate):
            if start < taken:
                continue  # inside a number already found
            if is_phone(candidate[start:end]):
                taken = end
                start, end = match.start() + start, match.start() + end
                yield Finding("phone", start, end, text[start:end])
