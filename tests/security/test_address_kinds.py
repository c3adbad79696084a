"""Which addresses the site audit refuses: loopback, private, link-local, metadata, ..."""

from __future__ import annotations

import pytest

from mimoto_gov.support.http import non_public_kind


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "shared"),
        ("224.0.0.1", "multicast"),
        ("93.184.215.14", None),
        ("2606:4700::6810:84e5", None),
    ],
)
def test_address_kinds(address, kind):
    found = non_public_kind(address)
    if kind is None:
        assert found is None
    else:
        assert found is not None and kind in found
