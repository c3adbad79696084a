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
import re
from collections.abc import Iterable

import pandas as pd

from mimoto_gov.errors import InputError
from mimoto_gov.pii.finders import (
    NON_DIGITS,
    Finding,
    find_cards,
    find_emails,
    find_ibans,
    find_ipv4,
    find_ipv6,
    find_ninos,
    find_phones,
    find_postcodes,
)
from mimoto_gov.pii.masks import mask
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

# A run of digits with the punctuation numbers are written with; see _scan_digit_clusters.
_CLUSTER = re.compile(r"\d[\d \t().:+-]*")
_DIGITS = re.compile(r"\d")


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
        _collect(found, find_emails(text))
    if _DIGITS.search(text) is not None:
        _scan_digit_clusters(text, found)
        _collect(found, find_postcodes(text))
        if "::" in text or text.count(":") >= 7:
            _collect(found, find_ipv6(text))
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
            _collect(found, find_ibans(text, start - 2, min(size, start + 70)))
        if end - start < 6:
            continue
        digits = len(NON_DIGITS.sub("", cluster.group()))
        if digits >= 13:
            _collect(found, find_cards(text, start, end))
        if digits >= 9:
            _collect(found, find_phones(text, max(0, start - 2), min(size, end + 1)))
        if digits >= 6:
            _collect(found, find_ninos(text, max(0, start - 3), min(size, end + 3)))
        if digits >= 4 and "." in cluster.group():
            _collect(found, find_ipv4(text, start, min(size, end + 1)))


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
