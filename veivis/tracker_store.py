"""Rasa's SQL tracker store for one Rasa process on SQLite, without the per-message overhead.

    tracker_store:
      type: veivis.tracker_store.SQLiteTrackerStore
      db: var/veivis.db

Same `events` table, same rows, same «latest session» semantics as Rasa's SQLTrackerStore
(which creates the table), so retention, exports and a later switch back all work. Why:
profiling showed Rasa's store at ~9 ms of a ~32 ms message (SQLAlchemy ORM query building,
a full reload and replay of the conversation on every message, an fsync per commit).
Here:
- one raw sqlite3 connection in WAL mode with synchronous=NORMAL: a commit survives a
  crash of Rasa (not necessarily a power cut), readers never wait for the writer;
- the trackers this process saved are kept in a small LRU cache. Before one is reused, a
  one-row index lookup (the conversation's highest event id) checks that nobody else
  wrote or deleted its events (the retention job, another process); if so, it reloads.
  Handing Rasa the live tracker relies on how Rasa uses it (veivis/rasa_internals.py);
- the database is read and written in one worker thread, so a locked or slow database
  never blocks the event loop (and with it every other conversation and the emergency
  answer); SQLite waits VEIVIS_DB_TIMEOUT_S for a lock (veivis/timeouts.py);
- errors (e.g. «database is locked») are raised as before, so Rasa's FailSafeTrackerStore
  still answers from memory and logs why. A finished but unsaved turn stays in the cache
  and is written with the next successful save; a turn that broke off half-way (no
  action_listen at the end) is dropped, as Rasa would, by reloading from the database.

Several Rasa instances need PostgreSQL + Redis (deploy/scaleout/), not this class.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sqlite3
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import (
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from veivis.retention import DELETE_CONVERSATION
from veivis.timeouts import DB_TIMEOUT_S

logger = logging.getLogger(__name__)

CACHE_SIZE = 1000  # conversations; a cached tracker is tens of KB

_LATEST_SESSION = """
    SELECT id, data FROM events
    WHERE sender_id = :sender AND (
        timestamp >= (SELECT MAX(timestamp) FROM events
                      WHERE sender_id = :sender AND type_name = :session_started)
        OR (SELECT MAX(timestamp) FROM events
            WHERE sender_id = :sender AND type_name = :session_started) IS NULL)
    ORDER BY id
"""
_LAST_ID = "SELECT MAX(id) FROM events WHERE sender_id = ?"
_CONVERSATIONS = "SELECT COUNT(DISTINCT sender_id) FROM events"
_INSERT = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

# sender_id → (the tracker object, how many of its events are stored, highest stored id)
CacheEntry = Tuple[DialogueStateTracker, int, Optional[int]]


def _ends_a_turn(tracker: DialogueStateTracker) -> bool:
    """Rasa ends every finished turn by logging action_listen."""
    last = tracker.events[-1] if tracker.events else None
    return isinstance(last, ActionExecuted) and last.action_name == ACTION_LISTEN_NAME


class SQLiteTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, dialect: str = "sqlite", db: str = "rasa.db", **kwargs: Any):
        if dialect != "sqlite":
            raise ValueError(
                f"{type(self).__name__} is for SQLite only; use `type: SQL` for {dialect}."
            )
        super().__init__(*args, dialect=dialect, db=db, **kwargs)  # creates the table
        # The connection and the cache are used by one worker thread only (created
        # here, hence check_same_thread=False), one call after another.
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veivis-sqlite")
        self._db = sqlite3.connect(
            self.engine.url.database, timeout=DB_TIMEOUT_S, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._cache: OrderedDict[str, CacheEntry] = OrderedDict()

    # ------------------------------------------------------------------ reading

    def _last_id(self, sender_id: str) -> Optional[int]:
        return self._db.execute(_LAST_ID, (sender_id,)).fetchone()[0]

    async def _in_thread(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._io, function, *args)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's latest session, from the cache if the database agrees."""
        return await self._in_thread(self._retrieve, sender_id)

    def _retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        entry = self._cache.get(sender_id)
        if entry is not None:
            tracker, stored, last_id = entry
            if last_id == self._last_id(sender_id) and (
                stored == len(tracker.events) or _ends_a_turn(tracker)
            ):
                self._cache.move_to_end(sender_id)
                return tracker
            # written or deleted elsewhere, or a turn that broke off: the database's version
            del self._cache[sender_id]
        rows = self._db.execute(
            _LATEST_SESSION,
            {"sender": sender_id, "session_started": SessionStarted.type_name},
        ).fetchall()
        if not rows or not self.domain:
            return None
        events = [json.loads(data) for _, data in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        self._remember(tracker, len(rows), self._last_id(sender_id))
        return tracker

    async def count_conversations(self) -> int:
        """How many conversations are stored (the ceiling, veivis/channels/ceiling.py)."""
        return await self._in_thread(lambda: self._db.execute(_CONVERSATIONS).fetchone()[0])

    # ------------------------------------------------------------------ writing

    def _stored_count(self, tracker: DialogueStateTracker) -> int:
        """How many of the tracker's events are already in the database."""
        entry = self._cache.get(tracker.sender_id)
        if entry is not None and entry[0] is tracker:
            return entry[1]
        # Not ours (e.g. a new tracker): count like Rasa, events of the latest session.
        rows = self._db.execute(
            f"SELECT COUNT(*) FROM ({_LATEST_SESSION})",
            {"sender": tracker.sender_id, "session_started": SessionStarted.type_name},
        ).fetchone()
        return rows[0]

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await self._in_thread(self._save, tracker)

    def _save(self, tracker: DialogueStateTracker) -> None:
        stored = self._stored_count(tracker)
        last_id = None
        try:
            for event in itertools.islice(tracker.events, stored, None):
                data: Dict[str, Any] = event.as_dict()
                cursor = self._db.execute(
                    _INSERT,
                    (
                        tracker.sender_id,
                        event.type_name,
                        data.get("timestamp"),
                        data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        data.get("name"),
                        json.dumps(data),
                    ),
                )
                last_id = cursor.lastrowid
            self._db.commit()
        except sqlite3.Error:
            self._db.rollback()
            raise  # FailSafeTrackerStore logs it and keeps the conversation in memory
        if last_id is None:
            last_id = self._last_id(tracker.sender_id)
        self._remember(tracker, len(tracker.events), last_id)

    def _remember(self, tracker: DialogueStateTracker, stored: int, last_id: Optional[int]) -> None:
        # A second session start inside one tracker: Rasa would load only the latest
        # session; reload it from the database next time instead of keeping both.
        if sum(isinstance(e, SessionStarted) for e in tracker.events) > 1:
            self._cache.pop(tracker.sender_id, None)
            return
        self._cache[tracker.sender_id] = (tracker, stored, last_id)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    # ------------------------------------------------------------------ deleting

    async def delete(self, sender_id: str) -> int:
        """Delete the conversation's rows (every session) and the cached tracker."""
        return await self._in_thread(self._delete, sender_id)

    def _delete(self, sender_id: str) -> int:
        cached = self._cache.pop(sender_id, None) is not None
        try:
            n = self._db.execute(DELETE_CONVERSATION, {"sender": sender_id}).rowcount
            self._db.commit()
        except sqlite3.Error:
            self._db.rollback()
            raise
        # A cached turn that was never stored (the database was locked) is deleted too.
        return n or int(cached)


class OffLoopSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store (PostgreSQL for several instances), run in worker threads.

        tracker_store:
          type: veivis.tracker_store.OffLoopSQLTrackerStore
          dialect: postgresql …

    Rasa's SQL store is synchronous inside its async methods, so a slow or frozen
    database stopped the whole event loop — every conversation and the emergency answer
    with it. Here each call runs in a thread and the loop stays free: the channel still
    answers danger at once and other turns get their clear message after the turn
    deadline (veivis/timeouts.py). The call is not abandoned: the turn waits for the
    database, holding its conversation's lock, so when the database answers again every
    message is stored, in order. A database that fails (a statement timeout, a refused
    connection) raises as before, for Rasa's fail-safe store. Same table, same rows."""

    WORKERS = 8  # SQLAlchemy's pool has 5 + 10 connections; each call takes one

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._io = ThreadPoolExecutor(self.WORKERS, thread_name_prefix="veivis-sql")

    async def _in_thread(self, coroutine_function: Any, *args: Any) -> Any:
        # Rasa's methods are coroutines that never await I/O: each runs to completion on a
        # short-lived event loop of its own in the worker thread.
        return await asyncio.get_running_loop().run_in_executor(
            self._io, lambda: asyncio.run(coroutine_function(*args))
        )

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await self._in_thread(super().retrieve, sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await self._in_thread(super().retrieve_full_tracker, conversation_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._in_thread(super().save, tracker)

    async def keys(self) -> Any:
        return await self._in_thread(super().keys)

    async def delete(self, sender_id: str) -> int:
        return await asyncio.get_running_loop().run_in_executor(
            self._io, _delete_sql_rows, self, sender_id
        )

    async def count_conversations(self) -> int:
        def count() -> int:
            with self.engine.connect() as db:
                return int(db.execute(sa.text(_CONVERSATIONS)).scalar() or 0)

        return await asyncio.get_running_loop().run_in_executor(self._io, count)


def _delete_sql_rows(store: SQLTrackerStore, sender_id: str) -> int:
    with store.session_scope() as session:
        n = session.execute(sa.text(DELETE_CONVERSATION), {"sender": sender_id}).rowcount
        session.commit()
    return int(n or 0)


async def delete_conversation(store: TrackerStore, sender_id: str) -> int:
    """Delete one conversation from the tracker store Rasa runs with; return how many rows
    (or in-memory trackers) went — 0 means there was nothing under that id.

    Rasa wraps the configured store in a FailSafeTrackerStore, whose in-memory fallback
    holds the conversations it could not save: they are deleted there too. The store inside
    has no public accessor (veivis/rasa_internals.py lists it)."""
    stores = [store]
    if isinstance(store, FailSafeTrackerStore):
        stores = [store._tracker_store, store.fallback_tracker_store]
    n = 0
    for s in stores:
        if isinstance(s, (SQLiteTrackerStore, OffLoopSQLTrackerStore)):
            n += await s.delete(sender_id)
        elif isinstance(s, SQLTrackerStore):  # Rasa's own class (`type: SQL`)
            n += await asyncio.get_running_loop().run_in_executor(
                None, _delete_sql_rows, s, sender_id
            )
        elif isinstance(s, InMemoryTrackerStore):
            n += int(s.store.pop(sender_id, None) is not None)
        else:
            raise TypeError(f"cannot delete a conversation from {type(s).__name__}")
    return n


async def count_conversations(store: TrackerStore) -> int:
    """Stored conversations in `store` (Rasa wraps it in a FailSafeTrackerStore): one
    COUNT query for the stores above, all sender ids for any other."""
    inner = getattr(store, "_tracker_store", store)
    if hasattr(inner, "count_conversations"):
        return await inner.count_conversations()
    return len(list(await inner.keys()))


async def conversation_exists(store: TrackerStore, sender_id: str) -> bool:
    return await store.retrieve(sender_id) is not None
