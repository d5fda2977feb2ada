"""Which client sent a request: the address the per-client limits count against.

The peer address of the TCP connection, unless the peer is a trusted proxy (nginx,
VEIVIS_TRUSTED_PROXIES in veivis/limits.py): then the right-most X-Forwarded-For entry
that is not itself a trusted proxy. Why right-most: each proxy appends the address it
saw, so everything left of what our own proxy wrote was written by the client and can
be anything; a header from a peer that is not trusted is ignored altogether.

The address is only used in memory as a key of the limits; it is never stored or logged.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Optional, Sequence, Union

from veivis.limits import Network

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

# One IPv6 subscriber usually gets a whole /64 and can rotate addresses inside it at will.
IPV6_CLIENT_PREFIX = 64


def parse_address(text: str) -> Optional[Address]:
    """«203.0.113.7», «203.0.113.7:5123», «2001:db8::1», «[2001:db8::1]:443» → an address;
    None for anything else (a name, «unknown», garbage)."""
    text = text.strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # ::ffff:203.0.113.7 is the IPv4 client
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str, forwarded_for: Iterable[str], proxies: Sequence[Network]) -> str:
    """The client's key for the limits; see the module docstring.

    `forwarded_for` is every X-Forwarded-For header line of the request, in order. A
    malformed entry where a trusted proxy should have written an address ends the walk:
    the client is then the last trusted hop — never a name the client chose."""
    address = parse_address(peer)
    if address is None:
        return "peer:" + peer  # not IP (a unix socket): one client
    if _trusted(address, proxies):
        hops = [hop for line in forwarded_for for hop in line.split(",")]
        for hop in reversed(hops):
            forwarded = parse_address(hop)
            if forwarded is None:
                break
            address = forwarded
            if not _trusted(address, proxies):
                break
    return _key(address)


def _key(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)
