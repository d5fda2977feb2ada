"""A ceiling on stored conversations (VEIVIS_MAX_CONVERSATIONS, veivis/limits.py): at it,
NEW conversations are refused with a clear answer; every existing one goes on.

The last line of defence for the disk, behind the per-client limits: many clients
together (or a cap set too loosely) could still fill it. Nothing stored is ever dropped
to make room — retention (veivis/retention.py) frees it — and a red flag is still
answered (the channel gives the emergency answer without starting a conversation).

Counting a store's conversations is a scan, so it is done every RECOUNT_S in the
background; between counts the conversations this process admitted are added on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Optional, Set

from veivis import limits

logger = logging.getLogger(__name__)

RECOUNT_S = 300.0
LOG_EVERY_S = 60.0  # at most one «reached» line a minute, however many are refused


def ceiling_reached(stored: Optional[int], maximum: int) -> bool:
    """At or over the ceiling; 0 means no ceiling, an unknown count (None) is not over."""
    return maximum > 0 and stored is not None and stored >= maximum


class ConversationCeiling:
    def __init__(
        self,
        count_stored: Callable[[], Awaitable[int]],
        exists: Callable[[str], Awaitable[bool]],
        maximum: int = limits.MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
        recount_s: float = RECOUNT_S,
    ) -> None:
        self.count_stored, self.exists = count_stored, exists
        self.maximum, self.clock, self.recount_s = maximum, clock, recount_s
        self.stored: Optional[int] = None  # unknown until the first count
        self._counted_at: Optional[float] = None
        self._logged_at: Optional[float] = None
        self.refused = 0  # since the last log line
        self._counting: Set[asyncio.Task[Any]] = set()

    async def recount(self) -> None:
        try:
            self.stored = await self.count_stored()
        except Exception as e:  # a failing store must not stop the chat; count again later
            logger.warning("Could not count stored conversations: %s", type(e).__name__)

    def _recount_if_due(self) -> None:
        now = self.clock()
        if self.maximum <= 0 or self._counting:
            return
        if self._counted_at is None or now - self._counted_at >= self.recount_s:
            self._counted_at = now
            task = asyncio.ensure_future(self.recount())
            self._counting.add(task)
            task.add_done_callback(self._counting.discard)

    async def refuses(self, sender: str) -> bool:
        """Whether a conversation new to this process must be refused; if not, it counts."""
        self._recount_if_due()
        if ceiling_reached(self.stored, self.maximum) and not await self.exists(sender):
            self._log_refusal()
            return True
        if self.stored is not None:
            self.stored += 1
        return False

    def _log_refusal(self) -> None:
        self.refused += 1
        now = self.clock()
        if self._logged_at is None or now - self._logged_at >= LOG_EVERY_S:
            logger.warning(
                "Conversation ceiling reached: %s stored, VEIVIS_MAX_CONVERSATIONS=%s; "
                "%s new conversation(s) refused since the last line (existing ones go on; "
                "retention frees room)",
                self.stored,
                self.maximum,
                self.refused,
            )
            self._logged_at, self.refused = now, 0
