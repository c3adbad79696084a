"""Find personal data in free text (ticket titles, subjects, bodies) and mask it.

The scanner looks for seven kinds of personal data in UK formats: ``email``, ``phone``,
``card_number``, ``iban``, ``ni_number``, ``postcode`` and ``ip_address``. Each kind is found
by a cheap regular expression first; only the candidates are then validated, by checksum or
numbering plan where one exists (Luhn for cards, ISO 7064 for IBANs, HMRC's prefix rules for
National Insurance numbers, libphonenumber for phone numbers). That keeps order numbers,
dates and other digit runs out of the findings and keeps the scan fast enough for hundreds of
thousands of article bodies.

A :class:`Finding` keeps the matched value so that a caller can redact it, but reports only
ever show :attr:`Finding.masked`; the value is left out of the finding's ``repr`` so that it
does not leak into a notebook output by accident.

Every pass over a text is linear in its length: patterns are bounded (no unbounded
repetition that can backtrack over the rest of the text), HTML blocks and comments are closed
with a plain search from where they open, and the expensive validators see only short
candidates. A megabyte of hostile text (long runs without an ``@``, thousands of unclosed
``<!--``) is scanned in well under a second (``benchmarks/parsers.py``).
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from stdnum import iban as stdnum_iban
from stdnum import luhn

from mimoto_gov.errors import InputError
from mimoto_gov.pii.masks import mask
from mimoto_gov.pii.phones import is_phone, phone_windows
from mimoto_gov.pii.text import find_addresses, looks_like_html, strip_html

KINDS = ("email", "phone", "card_number", "iban", "ni_number", "postcode", "ip_address")

__all__ = [
    "FRAME_COLUMNS",
    "KINDS",
    "Finding",
    "find_addresses",
    "looks_like_html",
    "mask",
    "scan_frame",
    "scan_pii",
    "strip_html",
]

# When two findings overlap, the kind listed first wins: a checksum-validated or strongly
# shaped kind is more specific than a phone number or a postcode found inside it.
_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        ("email", "iban", "card_number", "ni_number", "ip_address", "phone", "postcode")
    )
}

FRAME_COLUMNS = ["id", "column", "kind", "start", "end", "masked"]


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

# A run of digits with the punctuation numbers are written with; see _scan_digit_clusters.
_CLUSTER = re.compile(r"\d[\d \t().:+-]*")
# The inward half of a postcode ("1AA"), a cheap anchor for the full postcode pattern.
_INWARD = re.compile(r"\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])", re.IGNORECASE)

_DIGITS = re.compile(r"\d")
_LONE_DIGITS = re.compile(r"(?<!\d)\d(?!\d)")
_DIGITS_RUN = re.compile(r"\d+")
_NON_DIGITS = re.compile(r"\D")


# ---------------------------------------------------------------------------------------------
# Public functions


def scan_pii(text: str, *, html: bool | None = None) -> list[Finding]:
    """Find personal data in a text.

    Args:
        text: the text to scan. ``None`` and empty strings give no findings.
        html: True to strip HTML tags first, False to scan as is, None (default) to strip
            tags only when the text contains some. Offsets then refer to the stripped text
            (see :func:`strip_html`).

    Returns:
        Findings sorted by position, without overlaps (an IBAN is not also reported as a
        phone number inside it).

    """
    if not text or not isinstance(text, str):
        return []
    if html or (html is None and looks_like_html(text)):
        text = strip_html(text)
    found: dict[tuple[str, int, int], Finding] = {}
    if "@" in text:
        _collect(found, _find_emails(text))
    if _DIGITS.search(text) is not None:
        _scan_digit_clusters(text, found)
        _collect(found, _find_postcodes(text))
        if "::" in text or text.count(":") >= 7:
            _collect(found, _find_ipv6(text))
    return _resolve_overlaps(list(found.values()))


def _collect(found: dict[tuple[str, int, int], Finding], findings: Iterable[Finding]) -> None:
    for finding in findings:
        found[(finding.kind, finding.start, finding.end)] = finding


def _scan_digit_clusters(text: str, found: dict[tuple[str, int, int], Finding]) -> None:
    """Run the number-shaped finders only in small windows around runs of digits.

    Scanning every pattern over every character of a long body is what makes a naive scanner
    slow. Each kind needs a minimum number of digits close together, so one pass finds the
    digit clusters and the precise patterns then run only where a cluster is long enough.
    """
    size = len(text)
    for cluster in _CLUSTER.finditer(text):
        start, end = cluster.span()
        before = text[start - 2 : start]
        if start >= 2 and before.isalpha() and before.isupper():
            # 34 characters at most, and a separator between any two of them
            _collect(found, _find_ibans(text, start - 2, min(size, start + 70)))
        if end - start < 6:
            continue
        digits = len(_NON_DIGITS.sub("", cluster.group()))
        if digits >= 13:
            _collect(found, _find_cards(text, start, end))
        if digits >= 9:
            _collect(found, _find_phones(text, max(0, start - 2), min(size, end + 1)))
        if digits >= 6:
            _collect(found, _find_ninos(text, max(0, start - 3), min(size, end + 3)))
        if digits >= 4 and "." in cluster.group():
            _collect(found, _find_ipv4(text, start, min(size, end + 1)))


def scan_frame(df: pd.DataFrame, columns: Iterable[str], id_column: str) -> pd.DataFrame:
    """Scan text columns of a frame and list the findings, masked.

    Args:
        df: the frame, e.g. tickets (titles) or articles (subjects, bodies).
        columns: the text columns to scan. HTML bodies are detected and their tags stripped.
        id_column: the column identifying a row (ticket or article id).

    Returns:
        A frame with columns ``id, column, kind, start, end, masked``, one row per finding,
        in the order of ``df`` then ``columns``. Full values are never included.

    Raises:
        InputError: when a named column is missing.

    """
    columns = list(columns)
    missing = [name for name in [id_column, *columns] if name not in df.columns]
    if missing:
        raise InputError(f"scan_frame: no column named {', '.join(map(repr, missing))}")
    ids = df[id_column].tolist()
    rows: list[tuple] = []
    for column in columns:
        for row_id, text in zip(ids, df[column].tolist(), strict=True):
            if not isinstance(text, str) or not text:
                continue
            for finding in scan_pii(text):
                rows.append(
                    (row_id, column, finding.kind, finding.start, finding.end, finding.masked)
                )
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    if frame.empty:
        frame = frame.astype({"start": "int64", "end": "int64"})
    return frame


# ---------------------------------------------------------------------------------------------
# Finders


def _find_emails(text: str) -> Iterable[Finding]:
    for match in _EMAIL.finditer(text):
        value = match.group()
        local = value.split("@", 1)[0]
        if ".." in value or local.endswith("."):
            continue
        yield Finding("email", match.start(), match.end(), value)


def _find_cards(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    """Card numbers among the digit groups of a cluster, read group by group.

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
                    size, end = count, last
                    break
        if size:
            yield Finding("card_number", start, end, text[start:end])
            covered = index + size - 1


def _is_card_number(candidate: str) -> bool:
    digits = _NON_DIGITS.sub("", candidate)
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


def _find_ibans(text: str, pos: int, endpos: int) -> Iterable[Finding]:
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


def _find_ninos(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    for match in _NINO.finditer(text, pos, endpos):
        if match.group(1).upper() in _NINO_UNALLOCATED:
            continue
        value = match.group()
        if not (value.isupper() or value.islower()):
            continue
        yield Finding("ni_number", match.start(), match.end(), value)


def _find_postcodes(text: str) -> Iterable[Finding]:
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


def _find_ipv4(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    for match in _IPV4.finditer(text, pos, endpos):
        address = ipaddress.IPv4Address(match.group())
        if address.is_loopback or address.is_unspecified:
            continue
        yield Finding("ip_address", match.start(), match.end(), match.group())


def _find_ipv6(text: str) -> Iterable[Finding]:
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


def _find_phones(text: str, pos: int, endpos: int) -> Iterable[Finding]:
    for match in _PHONE.finditer(text, pos, endpos):
        candidate = match.group()
        if len(_NON_DIGITS.sub("", candidate)) < 9:
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


def _resolve_overlaps(found: list[Finding]) -> list[Finding]:
    if len(found) < 2:
        return found
    ranked = sorted(found, key=lambda f: (_PRIORITY[f.kind], -(f.end - f.start), f.start))
    # The findings kept never overlap, so sorted by start they are sorted by end too: a new
    # one overlaps a kept one only if it overlaps a neighbour where it would be inserted.
    starts: list[int] = []
    kept: list[Finding] = []
    for finding in ranked:
        index = bisect.bisect_left(starts, finding.start)
        if index > 0 and kept[index - 1].end > finding.start:
            continue
        if index < len(kept) and kept[index].start < finding.end:
            continue
        starts.insert(index, finding.start)
        kept.insert(index, finding)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept
