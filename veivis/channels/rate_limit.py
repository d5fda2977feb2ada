"""Per-sender token bucket: a burst from one sender cannot crowd out everyone else.

Rasa handles one conversation's messages one at a time (its lock store), so a burst of
1,000 messages from one sender would queue for minutes and hold server resources.
Beyond the limit the channel answers at once with a 429 — except red flags, which
always get the emergency answer.
"""

from __future__ import annotations

import time
from typing import Callable, Dict, Tuple

BURST = 20  # messages a sender may send at once
PER_SECOND = 2.0  # sustained rate
MAX_SENDERS = 10_000  # memory bound: full buckets are forgotten beyond this


class RateLimiter:
    def __init__(
        self,
        burst: int = BURST,
        per_second: float = PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst, self.per_second, self.clock = burst, per_second, clock
        self._buckets: Dict[str, Tuple[float, float]] = {}  # sender → (tokens, last time)

    def allow(self, sender: str) -> bool:
        now = self.clock()
        tokens, last = self._buckets.get(sender, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        allowed = tokens >= 1.0
        self._buckets[sender] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > MAX_SENDERS:
            self._forget_idle(now)
        return allowed

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.per_second
        self._buckets = {s: b for s, b in self._buckets.items() if now - b[1] < full_after}
