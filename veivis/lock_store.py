"""A Redis lock store whose tickets are issued and returned atomically.

    lock_store:
      type: veivis.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 1

Why not Rasa's RedisLockStore: it keeps a conversation's ticket queue as one JSON value
and changes it by read → modify → write. Two Rasa instances that get messages of the
same conversation at the same moment both read the queue, both issue the same ticket
number and both think it is their turn; or one instance's clean-up writes back a queue
without the ticket the other one just added. Measured with the scale-out stress test
(VEIVIS_SCALEOUT_RACE=1): a lost or late message in 6 of 8 runs.

Here each conversation has a Redis sorted set of tickets (score = ticket number,
member = "number:expiry") and a counter. Issuing a ticket is one Lua script (INCR +
ZADD, atomic in Redis); returning one is a single ZREM; the set is deleted only by a
script that checks it is empty in the same step. Rasa's TicketLock (rasa/core/lock.py)
still decides whose turn it is, from the set as read. Which of Rasa's LockStore methods
had to be overridden for that is a Rasa internal (veivis/rasa_internals.py).

A frozen or slow Redis must not stop the chat: Rasa's lock() calls the store on the event
loop (every conversation waits) and its client waits 10 s per call. Here each call runs in
a thread with a VEIVIS_LOCK_STORE_TIMEOUT_S socket timeout, and when Redis cannot issue a
ticket the message is handled without one (logged): two instances might then serve one
conversation at once for a moment, which is better than losing the message — it may be
«han puster ikke».
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from veivis.timeouts import LOCK_STORE_TIMEOUT_S

logger = logging.getLogger(__name__)

KEY_PREFIX = "veivis:lock:"
# Keys outlive the longest ticket by this much, so an instance that died holding a ticket
# leaves nothing behind for long.
KEY_SLACK_S = 60

# A request that reaches Redis after the client gave up (Redis was frozen and resumed)
# must not issue a ticket: nobody would return it, and the conversation would wait for it
# to expire. ARGV[3] is when the client gives up (same clock: one machine or NTP).
_ISSUE = """
local t = redis.call('TIME')
if tonumber(t[1]) + tonumber(t[2]) / 1000000 > tonumber(ARGV[3]) then
  return -1
end
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], n, n .. ':' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return n
"""
# Delete the queue and its counter only if nobody holds a ticket (else a ticket issued
# between a check and a DEL would vanish, and its message would fail with LockError).
_DELETE_IF_EMPTY = """
if redis.call('ZCARD', KEYS[1]) == 0 then
  return redis.call('DEL', KEYS[1], KEYS[2])
end
return 0
"""


def _ticket(member: bytes) -> Ticket:
    """A ticket from its sorted-set member, "number:expiry"."""
    number, _, expires = member.decode().partition(":")
    return Ticket(int(number), float(expires))


class AtomicRedisLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        redis_client: Any = None,
    ) -> None:
        if redis_client is None:
            import redis

            kwargs = dict(endpoint_config.kwargs) if endpoint_config else {}
            redis_client = redis.StrictRedis(
                host=(endpoint_config.url if endpoint_config else None) or "localhost",
                port=int(kwargs.get("port", 6379)),
                db=int(kwargs.get("db", 1)),
                username=kwargs.get("username"),
                password=kwargs.get("password") or None,  # empty in the template: none
                socket_timeout=float(kwargs.get("socket_timeout", LOCK_STORE_TIMEOUT_S)),
                socket_connect_timeout=float(kwargs.get("socket_timeout", LOCK_STORE_TIMEOUT_S)),
            )
        self.red = redis_client
        self._timeout = float(
            self.red.connection_pool.connection_kwargs.get("socket_timeout") or LOCK_STORE_TIMEOUT_S
        )
        self._issue = self.red.register_script(_ISSUE)
        self._delete_if_empty = self.red.register_script(_DELETE_IF_EMPTY)
        super().__init__()

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[Optional[TicketLock]]:
        """Rasa's LockStore.lock, with every Redis call in a thread; no ticket, no wait."""
        try:
            ticket: Optional[int] = await asyncio.to_thread(
                self.issue_ticket, conversation_id, lock_lifetime
            )
        except LockError as e:
            logger.error("Lock store unavailable, handling a message without a lock: %s", e)
            ticket = None
        try:
            if ticket is None:
                yield None
            else:
                yield await self._wait_for_turn(conversation_id, ticket, wait_time_in_seconds)
        finally:
            if ticket is not None:
                try:
                    await asyncio.to_thread(self.cleanup, conversation_id, ticket)
                except Exception as e:  # the ticket expires on its own
                    logger.error("Could not return a lock ticket: %s", type(e).__name__)

    async def _wait_for_turn(self, conversation_id: str, ticket: int, wait: float) -> TicketLock:
        """Rasa's LockStore._acquire_lock, off the event loop."""
        while True:
            lock = await asyncio.to_thread(self.get_lock, conversation_id)
            if not lock:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait)
            await asyncio.to_thread(self.update_lock, conversation_id)

    @staticmethod
    def _keys(conversation_id: str) -> list[str]:
        return [KEY_PREFIX + conversation_id, KEY_PREFIX + conversation_id + ":n"]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = 60) -> int:
        expires = time.time() + lock_lifetime
        keep_ms = int((lock_lifetime + KEY_SLACK_S) * 1000)
        give_up = time.time() + self._timeout
        try:
            number = int(
                self._issue(keys=self._keys(conversation_id), args=[expires, keep_ms, give_up])
            )
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        if number < 0:
            raise LockError("The ticket request reached Redis after its timeout")
        return number

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        members = self.red.zrange(self._keys(conversation_id)[0], 0, -1)
        if not members:
            return None
        return TicketLock(conversation_id, deque(map(_ticket, members)))  # sorted by number

    def update_lock(self, conversation_id: str) -> None:
        """Return expired tickets (an instance that died while holding one)."""
        key = self._keys(conversation_id)[0]
        now = time.time()
        expired = [m for m in self.red.zrange(key, 0, -1) if _ticket(m).expires < now]
        if expired:
            self.red.zrem(key, *expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        key = self._keys(conversation_id)[0]
        self.red.zremrangebyscore(key, ticket_number, ticket_number)

    def delete_lock(self, conversation_id: str) -> None:
        if not self._delete_if_empty(keys=self._keys(conversation_id)):
            logger.debug("Lock of a conversation kept: someone holds a ticket")

    def save_lock(self, lock: TicketLock) -> None:
        # Never write a whole queue back: that is the race this class exists to avoid.
        raise NotImplementedError("AtomicRedisLockStore changes tickets one by one")
