"""Which client a request is counted against (veivis/channels/client_address.py)."""

import pytest

from veivis.channels.client_address import client_address, parse_address
from veivis.limits import parse_networks

LOOPBACK = parse_networks("127.0.0.0/8,::1")  # the default: nginx on the same host
TWO_PROXIES = parse_networks("127.0.0.1, 10.0.0.0/24")  # nginx, and a balancer before it


@pytest.mark.parametrize(
    "peer, forwarded_for, proxies, client",
    [
        # no proxy in front: the peer, whatever the headers say
        ("203.0.113.7", [], LOOPBACK, "203.0.113.7"),
        ("203.0.113.7", ["198.51.100.1"], LOOPBACK, "203.0.113.7"),  # spoofed: ignored
        ("203.0.113.7", ["198.51.100.1, 127.0.0.1"], LOOPBACK, "203.0.113.7"),
        ("203.0.113.7", ["garbage"], LOOPBACK, "203.0.113.7"),
        # from the trusted proxy: the address it saw (the right-most entry)
        ("127.0.0.1", ["203.0.113.7"], LOOPBACK, "203.0.113.7"),
        # what the client put in front of it is not believed
        ("127.0.0.1", ["198.51.100.1, 203.0.113.7"], LOOPBACK, "203.0.113.7"),
        ("127.0.0.1", ["198.51.100.1", "203.0.113.7"], LOOPBACK, "203.0.113.7"),  # 2 lines
        # a chain of trusted proxies: the first untrusted one from the right
        ("127.0.0.1", ["198.51.100.1, 203.0.113.7, 10.0.0.5"], TWO_PROXIES, "203.0.113.7"),
        # the client claims to be a trusted proxy: only the entries right of it count
        ("127.0.0.1", ["10.0.0.5, 203.0.113.7"], TWO_PROXIES, "203.0.113.7"),
        # every hop trusted (all of the test stack is on loopback): the left-most of them
        ("127.0.0.1", ["127.0.0.3"], LOOPBACK, "127.0.0.3"),
        ("127.0.0.1", ["127.0.0.3, 127.0.0.2"], LOOPBACK, "127.0.0.3"),
        # the trusted proxy sent no header: the proxy itself
        ("127.0.0.1", [], LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", [""], LOOPBACK, "127.0.0.1"),
        # malformed where a trusted proxy wrote: the last trusted hop, not a fresh identity
        ("127.0.0.1", ["unknown"], LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", ["203.0.113.7, garbage"], LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", ["not-an-ip, 203.0.113.7"], LOOPBACK, "203.0.113.7"),
        ("127.0.0.1", ["203.0.113.7,, "], LOOPBACK, "127.0.0.1"),
        # ports and brackets as some proxies write them
        ("127.0.0.1", ["203.0.113.7:51234"], LOOPBACK, "203.0.113.7"),
        ("127.0.0.1", ["[2001:db8::1]:443"], LOOPBACK, "2001:db8::/64"),
        # IPv6: one client per /64 (a subscriber's whole prefix); IPv4-mapped is IPv4
        ("2001:db8::1", [], LOOPBACK, "2001:db8::/64"),
        ("2001:db8::ffff:1", [], LOOPBACK, "2001:db8::/64"),
        ("::ffff:203.0.113.7", [], LOOPBACK, "203.0.113.7"),
        ("::1", ["203.0.113.7"], LOOPBACK, "203.0.113.7"),
        # no proxy trusted at all (VEIVIS_TRUSTED_PROXIES=): always the peer
        ("127.0.0.1", ["203.0.113.7"], [], "127.0.0.1"),
        # not an IP peer (a unix socket): one client
        ("", ["203.0.113.7"], LOOPBACK, "peer:"),
    ],
)
def test_client_address(peer, forwarded_for, proxies, client):
    assert client_address(peer, forwarded_for, proxies) == client


def test_rotating_the_forwarded_header_from_an_untrusted_peer_is_one_client():
    seen = {client_address("203.0.113.7", [f"198.51.100.{i}"], LOOPBACK) for i in range(50)}
    assert seen == {"203.0.113.7"}


def test_rotating_ipv6_addresses_inside_a_64_is_one_client():
    seen = {client_address(f"2001:db8:0:1::{i:x}", [], LOOPBACK) for i in range(1, 50)}
    assert len(seen) == 1


@pytest.mark.parametrize(
    "text, parsed",
    [("1.2.3.4", "1.2.3.4"), (" 1.2.3.4 ", "1.2.3.4"), ("1.2.3.4:80", "1.2.3.4"),
     ("::1", "::1"), ("[::1]:80", "::1"), ("[::1", None), ("localhost", None),
     ("1.2.3.999", None), ("", None), ("1.2.3.4:80:90", None)],
)  # fmt: skip
def test_parse_address(text, parsed):
    address = parse_address(text)
    assert (str(address) if address else None) == parsed


def test_trusted_proxies_setting_skips_entries_that_are_not_networks():
    networks = parse_networks("127.0.0.1, nginx.local, 10.0.0.0/8,, ::1")
    assert [str(n) for n in networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert parse_networks("") == []
