"""Which IP addresses are public, and a guard that refuses the others.

The site audit fetches whatever a website's pages name, so a page could make it reach a
service inside the network it runs in: an admin panel on loopback, a database on a private
address, a cloud's instance-metadata service on a link-local one. :func:`public_addresses_only`
returns a guard the HTTP transport (:mod:`mimoto_gov.support.transport`) calls with every
address a host name resolves to, before connecting.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection

# Cloud instance-metadata services: AWS, GCP and Azure (v4), AWS (v6), Alibaba, AWS ECS.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class NotPublic(Exception):  # noqa: N818 - a refusal, not a failure
    """An address the guard refuses (not an OSError, so urllib3 neither wraps nor retries it)."""


def non_public_kind(address: str) -> str | None:
    """Name the kind of a non-public IP address (``"loopback"``...), or None if it is public.

    IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    for kind, test in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("shared (carrier-grade NAT)", ip in _SHARED),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    ):
        if test:
            return kind
    return None if ip.is_global else "non-public"


AddressGuard = Callable[[str, str], None]


def public_addresses_only(allowed: Collection[str] = ()) -> AddressGuard:
    """Return a guard refusing every non-public address except those in ``allowed``.

    Args:
        allowed: addresses or networks (``"127.0.0.1"``, ``"10.0.0.0/8"``) still accepted.

    """
    networks = [ipaddress.ip_network(item, strict=False) for item in allowed]

    def guard(host: str, address: str) -> None:
        kind = non_public_kind(address)
        if kind is None:
            return
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip.version == net.version and ip in net for net in networks):
            return
        shown = host if host == address else f"{host} ({address})"
        article = "an" if kind[0] in "aeiou" else "a"
        raise NotPublic(f"{shown} is {article} {kind} address")

    return guard
