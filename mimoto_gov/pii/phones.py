"""Phone numbers in a candidate run of digits: where one can start, and whether it is valid.

libphonenumber is the slow step of scanning text, so it sees as little as possible: a number
starts at a ``+``, at a group with the UK trunk ``0``, at ``44`` or at ``00``, and ends at the
end of a group with as many digits as that start allows. A UK number is then checked against
libphonenumber's own patterns for +44 (what its ``is_valid_number`` does after parsing); any
other goes through libphonenumber itself. Results are cached: signatures repeat.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import phonenumbers

_DIGITS_RUN = re.compile(r"\d+")
_NON_DIGITS = re.compile(r"\D")

# How many digits a number has, by how it starts: a UK number with its trunk 0 has 10 or 11,
# with 44 in front of the 9 or 10 after the 0, 11 or 12 (0044: 13 or 14)
# (and after 44 the trunk 0 may be written too: 44 (0)20 ...); an international number
# written with + or 00 has 8 to 15 after it (E.164).
_PHONE_DIGITS = {"0": (10, 11), "44": (11, 13), "0044": (13, 15), "00": (10, 17), "+": (8, 15)}


def phone_windows(candidate: str) -> Iterable[tuple[int, int]]:
    """Where in a candidate a number can be: ``(start, end)``, longest first at each start.

    A number starts at a ``+``, at a group with the trunk ``0`` or at ``44``, and ends at the
    end of a group with as many digits as its start allows. libphonenumber, the slow step,
    then reads only those few windows, so a long run of digit groups costs a call per place
    a number could start rather than one per candidate.
    """
    groups = [(m.start(), m.end()) for m in _DIGITS_RUN.finditer(candidate)]
    for index, (start, end) in enumerate(groups):
        lead = candidate[max(0, start - 2) : start]
        head = candidate[start:end]
        if "+" in lead:
            low, high = _PHONE_DIGITS["+"]
            start -= len(lead) - lead.index("+")
        elif head.startswith("0044"):
            low, high = _PHONE_DIGITS["0044"]
        elif head.startswith("44"):
            low, high = _PHONE_DIGITS["44"]
        elif head.startswith("00"):
            low, high = _PHONE_DIGITS["00"]
        elif head.startswith("0") and head[1:2] not in ("0", "4", "6"):
            # UK numbers after the trunk 0 begin 1, 2, 3, 5, 7, 8 or 9
            low, high = _PHONE_DIGITS["0"]
            if lead.endswith("("):
                start -= 1
        else:
            continue
        digits, ends = 0, []
        for group_start, group_end in groups[index:]:
            digits += group_end - group_start
            if digits > high:
                break
            if digits >= low:
                ends.append(group_end)
        for group_end in reversed(ends):
            yield start, group_end


@functools.lru_cache(maxsize=8192)
def is_phone(window: str) -> bool:
    """Tell whether a window is one valid number, as libphonenumber decides (UK by default).

    A UK number (trunk 0, 44 or 0044 in front) is checked against libphonenumber's own
    patterns for +44 directly, which is what its ``is_valid_number`` does after parsing, at a
    fraction of the cost; a number written with ``+`` goes through libphonenumber itself.
    Cached: a signature or a switchboard number repeats across thousands of bodies.
    """
    digits = _NON_DIGITS.sub("", window)
    if "+" not in window and not (digits.startswith("00") and not digits.startswith("0044")):
        for prefix in ("0044", "44", "0"):
            if digits.startswith(prefix):
                national = digits[len(prefix) :]
                if prefix != "0" and national.startswith("0"):
                    national = national[1:]  # 44 (0)20 ...: the trunk 0 written after the code
                return _valid_for_44(national)
    try:
        number = phonenumbers.parse(window, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


_NUMBER_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line", "mobile",
)  # fmt: skip


@functools.cache
def _patterns_for_44() -> tuple:
    """For each region of +44 (GB, Guernsey, Isle of Man, Jersey): its patterns and lengths."""
    regions = []
    for region in phonenumbers.region_codes_for_country_code(44):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        descs = [metadata.general_desc] + [getattr(metadata, t, None) for t in _NUMBER_TYPES]
        regions.append(
            [
                (re.compile(d.national_number_pattern), frozenset(d.possible_length or ()))
                for d in descs
                if d is not None and d.national_number_pattern
            ]
        )
    return tuple(regions)


def _valid_for_44(national: str) -> bool:
    def matches(pattern, lengths) -> bool:
        return (not lengths or len(national) in lengths) and bool(pattern.fullmatch(national))

    return any(
        matches(*general) and any(matches(*kind) for kind in kinds)
        for general, *kinds in _patterns_for_44()
    )
