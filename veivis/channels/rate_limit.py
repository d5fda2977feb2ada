"""Rate limits per sender and per client: one sender's burst cannot crowd out everyone
else, and one client rotating sender ids cannot either.

Rasa handles one conversation's messages one at a time (its lock store), so a burst of
1,000 messages from one sender would queue for minutes and hold server resources; and a
client that sends every message with a new sender id walks around a per-sender limit and
stores a conversation each time. So a message must pass three token buckets:

- its sender's (VEIVIS_SENDER_BURST, VEIVIS_SENDER_PER_SECOND),
- its client's, over all its conversations (VEIVIS_CLIENT_BURST, …_PER_SECOND),
- for a new conversation, its client's new conversations (VEIVIS_CLIENT_NEW_BURST,
  …_PER_MINUTE) — the one that bounds what a hostile client can make us store.

A message refused by one bucket takes no token from the others. «New» means a sender id
this process has not admitted recently (KnownSenders, bounded): a forgotten sender, or
one whose earlier messages went to another instance, counts as new once more — cheap
against a cap meant for thousands. Limits are in veivis/limits.py; the channel answers a
refusal with 429 and Retry-After, except red flags (veivis/channels/rest.py), after a
pause (RefusalPause): a script that ignores Retry-After and sends again as soon as the 429
is in would otherwise cost the one event loop that serves everyone hundreds of refusals a
second per connection (measured: ordinary users' p95 ×1.56 beside one such client).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Awaitable, Callable, Dict, Optional, Tuple

from veivis import limits

MAX_KEYS = 10_000  # memory bound per bucket: full buckets are forgotten beyond this
MAX_KNOWN_SENDERS = 50_000  # ~100 bytes each


class RateLimiter:
    """A token bucket per key: `burst` at once, `per_second` sustained."""

    def __init__(
        self,
        burst: int = limits.SENDER_BURST,
        per_second: float = limits.SENDER_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.burst, self.per_second, self.clock = burst, per_second, clock
        self.max_keys = max_keys
        self._buckets: Dict[str, Tuple[float, float]] = {}  # key → (tokens, last time)

    def _tokens(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - last) * self.per_second)

    def wait_s(self, key: str) -> float:
        """0 if `key` may go now, else how long until it may."""
        tokens = self._tokens(key, self.clock())
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.per_second

    def take(self, key: str) -> None:
        now = self.clock()
        self._buckets[key] = (self._tokens(key, now) - 1.0, now)
        if len(self._buckets) > self.max_keys:
            self._forget_idle(now)

    def allow(self, key: str) -> bool:
        """Take a token if there is one."""
        if self.wait_s(key) > 0:
            return False
        self.take(key)
        return True

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.per_second
        self._buckets = {k: b for k, b in self._buckets.items() if now - b[1] < full_after}


class KnownSenders:
    """Sender ids admitted recently, the most recent `size` of them."""

    def __init__(self, size: int = MAX_KNOWN_SENDERS) -> None:
        self.size = size
        self._senders: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, sender: str) -> bool:
        return sender in self._senders

    def add(self, sender: str) -> None:
        self._senders[sender] = None
        self._senders.move_to_end(sender)
        if len(self._senders) > self.size:
            self._senders.popitem(last=False)

    def forget(self, sender: str) -> None:
        self._senders.pop(sender, None)


# What was exceeded, as the 429's `limit` field and the log says it.
SENDER_RATE = "sender_rate"
CLIENT_RATE = "client_rate"
NEW_CONVERSATIONS = "new_conversations"


@dataclass(frozen=True)
class Refusal:
    limit: str  # SENDER_RATE, CLIENT_RATE or NEW_CONVERSATIONS
    retry_after_s: int  # whole seconds, at least 1 (the Retry-After header)


def refusal(waits: Dict[str, float]) -> Optional[Refusal]:
    """The decision from each bucket's wait (0: it lets the message go): None to admit;
    else the limit that holds the message longest, and the wait for all of them."""
    holding = {limit: wait for limit, wait in waits.items() if wait > 0}
    if not holding:
        return None
    limit = max(holding, key=lambda name: holding[name])
    return Refusal(limit, max(1, math.ceil(holding[limit])))


class RequestLimits:
    """The three buckets of the module docstring, and which senders are known."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sender_burst: int = limits.SENDER_BURST,
        sender_per_second: float = limits.SENDER_PER_SECOND,
        client_burst: int = limits.CLIENT_BURST,
        client_per_second: float = limits.CLIENT_PER_SECOND,
        new_burst: int = limits.CLIENT_NEW_BURST,
        new_per_minute: float = limits.CLIENT_NEW_PER_MINUTE,
    ) -> None:
        self.senders = RateLimiter(sender_burst, sender_per_second, clock)
        self.clients = RateLimiter(client_burst, client_per_second, clock)
        self.new_conversations = RateLimiter(new_burst, new_per_minute / 60.0, clock)
        self.known = KnownSenders()

    def is_new(self, sender: str) -> bool:
        return sender not in self.known

    def check(self, client: str, sender: str) -> Optional[Refusal]:
        """Admit the message (take its tokens, remember its sender) or say why not."""
        new = self.is_new(sender)
        waits = {
            SENDER_RATE: self.senders.wait_s(sender),
            CLIENT_RATE: self.clients.wait_s(client),
            NEW_CONVERSATIONS: self.new_conversations.wait_s(client) if new else 0.0,
        }
        refused = refusal(waits)
        if refused is None:
            self.senders.take(sender)
            self.clients.take(client)
            if new:
                self.new_conversations.take(client)
            self.known.add(sender)
        return refused


class RefusalPause:
    """Hold a refusal for up to `pause_s` (never longer than its Retry-After) before it is
    sent, so a client that retries at once sends about one request a second per
    connection. Waiting costs no CPU; at most `capacity` refusals wait at once, so many
    connections cannot hold the server's memory either — beyond that they are sent at
    once. Danger is never refused, so it never waits here."""

    def __init__(
        self,
        pause_s: float = limits.REFUSAL_PAUSE_S,
        capacity: int = limits.REFUSAL_PAUSES,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.pause_s, self.capacity, self.sleep = pause_s, capacity, sleep
        self.waiting = 0

    def pause_for(self, refused: Refusal) -> float:
        """How long this refusal waits: 0 when `capacity` already wait."""
        if self.waiting >= self.capacity:
            return 0.0
        return min(self.pause_s, float(refused.retry_after_s))

    async def wait(self, refused: Refusal) -> None:
        pause = self.pause_for(refused)
        if pause <= 0:
            return
        self.waiting += 1
        try:
            await self.sleep(pause)
        finally:
            self.waiting -= 1
