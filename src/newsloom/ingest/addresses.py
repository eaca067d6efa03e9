"""Which addresses the server may connect to on a user's behalf (SSRF policy)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges Python's is_global does not already exclude, or that embed an IPv4
# address which must be judged on its own.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class BlockedAddressError(Exception):
    """Raised before connecting to an address the policy forbids."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def from_settings(cls, allow_private: bool, allowed_networks: list[str]) -> AddressPolicy:
        return cls(allow_private, tuple(ipaddress.ip_network(cidr, strict=False) for cidr in allowed_networks))

    def check(self, address: str) -> None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if self.allow_private or any(ip in network for network in self.allowed_networks):
            return
        reason = blocked_reason(ip)
        if reason:
            raise BlockedAddressError(f"refused to connect to {ip}: {reason} address")


def blocked_reason(ip: IPAddress) -> str | None:
    """Why `ip` is not a public unicast address, or None when it is one."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return blocked_reason(embedded)
        if ip in _NAT64_LOCAL:
            return "NAT64 local-use"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "carrier-grade NAT"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-global"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
