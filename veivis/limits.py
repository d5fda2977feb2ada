"""How much one sender or one client may ask of Veivis, in one place; each can be set in
the environment (an invalid or non-positive value falls back to the default).

A public chat endpoint has anonymous users, so a hostile client can rotate sender ids at
will: limits per sender alone let one client store ~200,000 conversations an hour and
slow everyone else down. So there are limits per client address too, and a ceiling on
stored conversations. Beyond a limit the channel answers 429 with `Retry-After` — except
red flags, which always get the emergency answer (veivis/channels/rest.py).

    VEIVIS_SENDER_BURST            20    messages one conversation may send at once …
    VEIVIS_SENDER_PER_SECOND       2     … and per second, sustained
    VEIVIS_CLIENT_BURST            60    messages one client address may send at once …
    VEIVIS_CLIENT_PER_SECOND       5     … and per second, sustained (all its conversations)
    VEIVIS_CLIENT_NEW_BURST        20    new conversations one client may start at once …
    VEIVIS_CLIENT_NEW_PER_MINUTE   20    … and per minute, sustained
    VEIVIS_REFUSAL_PAUSE_S         1     a refusal (429) is sent after this pause, at most
                                         its Retry-After …
    VEIVIS_REFUSAL_PAUSES          200   … and at most this many refusals wait at once
                                         (beyond them, at once)
    VEIVIS_MAX_CONVERSATIONS       200000  stored conversations (~18 KB each): beyond it
                                         new conversations are refused (0: no ceiling)
    VEIVIS_TRUSTED_PROXIES         127.0.0.0/8,::1   peers whose X-Forwarded-For is
                                         believed (nginx on the same host); comma-separated
                                         addresses or networks, empty: none

The client limits are generous because many people can share one address (a school, a
workplace, a mobile operator's NAT): 5 messages a second is a dozen people chatting
at once. A «new» conversation is a sender id this process has not seen recently
(veivis/channels/rate_limit.py). nginx limits per client as well, more loosely
(deploy/scaleout/nginx.conf.template). How long stored conversations are kept —
VEIVIS_RETENTION_DAYS, and VEIVIS_RETENTION_ONE_MESSAGE_HOURS for those that never got
past their first message — is set in veivis/retention.py.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from typing import List, Union

from veivis import settings

logger = logging.getLogger(__name__)

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_networks(text: str) -> List[Network]:
    """«127.0.0.0/8, ::1» → networks; an entry that is not an address or network is
    skipped with a warning (it must not make every peer trusted, nor stop the server)."""
    networks: List[Network] = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            logger.warning(
                "VEIVIS_TRUSTED_PROXIES: %r is not an address or network; ignored", entry
            )
    return networks


SENDER_BURST = settings.count("VEIVIS_SENDER_BURST", 20)
SENDER_PER_SECOND = settings.number("VEIVIS_SENDER_PER_SECOND", 2.0)
CLIENT_BURST = settings.count("VEIVIS_CLIENT_BURST", 60)
CLIENT_PER_SECOND = settings.number("VEIVIS_CLIENT_PER_SECOND", 5.0)
CLIENT_NEW_BURST = settings.count("VEIVIS_CLIENT_NEW_BURST", 20)
CLIENT_NEW_PER_MINUTE = settings.number("VEIVIS_CLIENT_NEW_PER_MINUTE", 20.0)
REFUSAL_PAUSE_S = settings.number("VEIVIS_REFUSAL_PAUSE_S", 1.0)
REFUSAL_PAUSES = settings.count("VEIVIS_REFUSAL_PAUSES", 200)
MAX_CONVERSATIONS = settings.count("VEIVIS_MAX_CONVERSATIONS", 200_000, zero_allowed=True)
TRUSTED_PROXIES = parse_networks(os.environ.get("VEIVIS_TRUSTED_PROXIES", "127.0.0.0/8,::1"))
