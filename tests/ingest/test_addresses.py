import ipaddress

import pytest

from newsloom.ingest.addresses import AddressPolicy, BlockedAddressError, blocked_reason

BLOCKED = [
    "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "2002:7f00:0001::1",  # 6to4 wrapping 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
    "64:ff9b:1::1",  # NAT64 local use
    "2001:db8::1",  # documentation
]  # fmt: skip
ALLOWED = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", BLOCKED)
def test_private_and_special_addresses_are_blocked(address):
    assert blocked_reason(ipaddress.ip_address(address)) is not None
    with pytest.raises(BlockedAddressError):
        AddressPolicy().check(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address):
    assert blocked_reason(ipaddress.ip_address(address)) is None
    AddressPolicy().check(address)


def test_allow_private_lifts_the_block():
    AddressPolicy(allow_private=True).check("127.0.0.1")


def test_allowed_networks_are_exact_exceptions():
    policy = AddressPolicy.from_settings(False, ["10.1.0.0/16"])
    policy.check("10.1.2.3")
    with pytest.raises(BlockedAddressError):
        policy.check("10.2.0.1")


def test_scoped_ipv6_addresses_are_judged_without_their_zone():
    with pytest.raises(BlockedAddressError):
        AddressPolicy().check("fe80::1%eth0")
