"""The personal-data scanner: each kind found, look-alikes rejected, values always masked."""

from __future__ import annotations

import pandas as pd
import pytest

from mimoto_gov import scan_pii
from mimoto_gov.errors import InputError
from mimoto_gov.pii.scan import KINDS, Finding, find_addresses, mask, scan_frame, strip_html
from mimoto_gov.pii.text import phone_key

VALID = [
    ("email", "Please reply to john.smith@example.co.uk today", "john.smith@example.co.uk"),
    ("email", "from: a.b+tickets@mail.mimoto.io", "a.b+tickets@mail.mimoto.io"),
    ("phone", "call me on 07911 123456 after 5", "07911 123456"),
    ("phone", "office +44 20 7946 0018.", "+44 20 7946 0018"),
    ("phone", "landline (020) 7946 0958 please", "(020) 7946 0958"),
    ("phone", "or 0161 496 0000", "0161 496 0000"),
    ("card_number", "card 4111 1111 1111 1111 exp 12/27", "4111 1111 1111 1111"),
    ("card_number", "card 5555555555554444 thanks", "5555555555554444"),
    ("card_number", "amex 3782 822463 10005", "3782 822463 10005"),
    ("card_number", "ref 4111-1111-1111-1111.", "4111-1111-1111-1111"),
    ("iban", "pay GB29 NWBK 6016 1331 9268 19 THANKS", "GB29 NWBK 6016 1331 9268 19"),
    ("iban", "IBAN GB82WEST12345698765432.", "GB82WEST12345698765432"),
    ("iban", "DE89 3704 0044 0532 0130 00 is German", "DE89 3704 0044 0532 0130 00"),
    ("iban", "pay BE68539007547034 today", "BE68539007547034"),
    ("iban", "Belgian BE68 5390 0754 7034.", "BE68 5390 0754 7034"),
    ("iban", "with dashes GB82-WEST-1234-5698-7654-32 ok", "GB82-WEST-1234-5698-7654-32"),
    ("iban", "Norway's NO93 8601 1117 947 is the shortest", "NO93 8601 1117 947"),
    ("ni_number", "NI number AB 12 34 56 C", "AB 12 34 56 C"),
    ("ni_number", "nino: JG103759A.", "JG103759A"),
    ("postcode", "Mimoto Ltd, London SW1A 1AA", "SW1A 1AA"),
    ("postcode", "deliver to m1 1ae please", "m1 1ae"),
    ("postcode", "EC1A 1BB and more", "EC1A 1BB"),
    ("postcode", "Cardiff CF10 1EP", "CF10 1EP"),
    ("ip_address", "logged in from 81.2.69.160 yesterday", "81.2.69.160"),
    ("ip_address", "v6 address 2001:db8:85a3::8a2e:370:7334 seen", "2001:db8:85a3::8a2e:370:7334"),
]


@pytest.mark.parametrize(("kind", "text", "value"), VALID, ids=[f"{k}-{v}" for k, _, v in VALID])
def test_each_kind_is_found(kind, text, value):
    findings = scan_pii(text)
    assert [(f.kind, f.value) for f in findings] == [(kind, value)]
    finding = findings[0]
    assert text[finding.start : finding.end] == value


NOT_PII = [
    "Order 787556 was shipped",
    "Order number 1234567812345678 (16 digits, fails Luhn)",
    "card 4111 1111 1111 1112 has a bad check digit",
    "Created 2024-01-15, due 15/01/2024, at 10:30:45, week 2024-W03",
    "Invoice INV-2024-000123 dated 15.01.2024",
    "IBAN GB28 NWBK 6016 1331 9268 19 has a bad checksum",
    "QQ 12 34 56 C is HMRC's example prefix",
    "GB 12 34 56 A and BG123456A are never allocated",
    "Room B12 3rd floor, meet at 5pm",
    "drama number 07700 900123 is not a real number",
    "localhost 127.0.0.1 and version v1.2.3.4 and 999.1.1.1",
    "Version 10.4.2 of the app",
    "Ticket #45123 merged into #45124",
    "Time 12:30:45:00 and std::vector",
    "Price £1,234.56 for 3 seats",
    "",
]


@pytest.mark.parametrize("text", NOT_PII)
def test_look_alikes_are_not_reported(text):
    assert scan_pii(text) == []


def test_none_and_non_text_give_nothing():
    assert scan_pii(None) == []
    assert scan_pii(12345) == []


def test_overlaps_are_resolved_to_the_most_specific_kind():
    # A card number is a long digit run a phone matcher could also like; an IBAN holds
    # digit groups; an email may contain digits. Each value is reported once.
    text = (
        "card 4111111111111111, iban GB29NWBK60161331926819, "
        "mail 07911123456@example.com, phone 07911 123456"
    )
    findings = scan_pii(text)
    assert [f.kind for f in findings] == ["card_number", "iban", "email", "phone"]
    spans = [(f.start, f.end) for f in findings]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))


def test_several_findings_come_in_text_order():
    text = "SW1A 1AA; 81.2.69.160; jo@example.org; AB123456C"
    assert [f.kind for f in scan_pii(text)] == ["postcode", "ip_address", "email", "ni_number"]


def test_html_bodies_are_scanned_as_their_visible_text():
    body = (
        "<div><p>Call <b>07911</b> 123456</p><style>.x{}</style>"
        "<a href='mailto:hidden@example.com'>x&#64;example.com</a></div>"
    )
    findings = scan_pii(body)
    assert [(f.kind, f.value) for f in findings] == [
        ("phone", "07911  123456"),
        ("email", "x@example.com"),
    ]
    # the address inside the tag attribute is not visible text
    assert all("hidden" not in f.value for f in findings)
    text = strip_html(body)
    assert all(text[f.start : f.end] == f.value for f in findings)


def test_plain_text_with_angle_brackets_is_not_stripped():
    text = "From: Jo Bloggs <jo@example.com>"
    assert [f.value for f in scan_pii(text)] == ["jo@example.com"]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("email", "john@example.com", "j***@e******.com"),
        ("email", "x@y.com", "*@*.com"),
        ("card_number", "4111 1111 1111 1234", "**** **** **** 1234"),
        ("card_number", "378282246310005", "**** **** *** 0005"),
        ("ni_number", "AB 12 34 56 C", "AB ** ** ** C"),
        ("ni_number", "ab123456c", "AB ** ** ** C"),
        ("iban", "GB29 NWBK 6016 1331 9212 34", "GB** **** **** **** **12 34"),
        ("phone", "+44 20 7946 0018", "+** ** **** *018"),
        ("postcode", "SW1A 1AA", "SW1A ***"),
        ("ip_address", "81.2.69.160", "81.*.*.*"),
    ],
)
def test_mask_formats(kind, value, expected):
    assert mask(value, kind) == expected


@pytest.mark.parametrize(("kind", "text", "value"), VALID, ids=[f"{k}-{v}" for k, _, v in VALID])
def test_masking_never_shows_the_full_value(kind, text, value):
    finding = scan_pii(text)[0]
    masked = finding.masked
    assert masked != value
    assert value not in masked
    assert "*" in masked
    # and the full value does not leak through the finding's repr either
    assert value not in repr(finding)


def test_mask_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown personal-data kind"):
        mask("x", "passport")


def test_kinds_are_exactly_the_documented_ones():
    assert KINDS == ("email", "phone", "card_number", "iban", "ni_number", "postcode", "ip_address")
    assert Finding("email", 0, 1, "a").kind in KINDS


def test_scan_frame_lists_masked_findings_per_row_and_column():
    tickets = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "title": ["Refund for order 787556", "Call 07911 123456", None],
            "body": ["<p>mail me: jo@example.com</p>", "nothing here", "NI AB123456C"],
        }
    )
    found = scan_frame(tickets, ["title", "body"], "id")
    assert list(found.columns) == ["id", "column", "kind", "start", "end", "masked"]
    assert found[["id", "column", "kind"]].values.tolist() == [
        [2, "title", "phone"],
        [1, "body", "email"],
        [3, "body", "ni_number"],
    ]
    assert "jo@example.com" not in found.to_string()
    assert found.loc[found["kind"] == "email", "masked"].item() == "j*@e******.com"


def test_scan_frame_empty_and_missing_column():
    empty = scan_frame(pd.DataFrame({"id": [1], "title": ["nothing"]}), ["title"], "id")
    assert empty.empty
    assert list(empty.columns) == ["id", "column", "kind", "start", "end", "masked"]
    with pytest.raises(InputError, match="'subject'"):
        scan_frame(pd.DataFrame({"id": [1]}), ["subject"], "id")


def test_addresses_are_found_in_one_pass_with_their_offsets():
    text = '"Able, Alice" <ALICE@example.com>; dave@example.com, <x.y+z@mail.example.co.uk>.'
    found = find_addresses(text)
    assert [value for _, _, value in found] == [
        "ALICE@example.com",
        "dave@example.com",
        "x.y+z@mail.example.co.uk",
    ]
    assert all(text[start:end] == value for start, end, value in found)
    # no address: long runs without an "@" are passed over, a local part over 64 is none
    assert find_addresses("a" * 100_000) == []
    assert find_addresses("a" * 100_000 + "@example.com") == []
    assert find_addresses("a.b" * 30_000 + " c@d.org") == [(90_001, 90_008, "c@d.org")]


def test_html_is_stripped_whatever_is_left_open():
    assert strip_html("a<!-- x -->b") == "a b"
    assert strip_html("a<script>x</script >b<STYLE>p{}</style\n>c") == "a b c"
    # an unclosed comment or script is not a block: its tags go, its text stays
    assert strip_html("a<!-- b") == "a<!-- b"
    assert strip_html("<p>a<script>b") == " a b"
    many = "<!-- " * 50_000 + "<p>text</p>"
    assert strip_html(many).endswith(" text ")


def test_a_phone_number_is_keyed_however_written():
    assert phone_key("07700 900123") == phone_key("+44 (0)7700-900-123") == "+447700900123"
    assert phone_key("no number here") == ""
