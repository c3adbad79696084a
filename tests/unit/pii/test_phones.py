"""Phone numbers: the shortcut for UK numbers agrees with libphonenumber, windows are few."""

from __future__ import annotations

import random

import phonenumbers

from mimoto_gov.pii.phones import is_phone, phone_windows


def libphonenumber(text: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "GB"))
    except phonenumbers.NumberParseException:
        return False


def test_uk_numbers_are_valid_exactly_when_libphonenumber_says_so():
    rng = random.Random(3)
    samples = [
        "020 7946 0018", "07700 900123", "0161 496 0000", "07911 123456", "01534 123456",
        "01624 123456", "0800 123456", "44 20 7946 0018", "0044 20 7946 0018",
        "44 (0)20 7946 0018", "0049 30 1234567", "+1 212 555 0199",
    ]  # fmt: skip
    for _ in range(3000):
        prefix = rng.choice(["0", "0", "44", "0044", "00"])
        samples.append(
            prefix + "".join(rng.choice("0123456789") for _ in range(rng.randint(8, 12)))
        )
    disagree = [s for s in samples if is_phone(s) != libphonenumber(s)]
    assert disagree == []
    assert sum(libphonenumber(s) for s in samples) > 100  # the sample holds valid numbers


def test_windows_start_where_a_number_can_and_end_on_a_group():
    text = "ref 12 345 020 7946 0018 99"
    windows = [text[a:b] for a, b in phone_windows(text)]
    assert windows == ["020 7946 0018"]  # 11 digits at most after a trunk 0
    assert list(phone_windows("1 2 3 4 5 6 7 8 9 1 2 3")) == []  # no place a number starts
    text = "call +44 20 7946 0018"
    # longest first: the scanner keeps the first that validates
    assert [text[a:b] for a, b in phone_windows(text)] == ["+44 20 7946 0018", "+44 20 7946"]
