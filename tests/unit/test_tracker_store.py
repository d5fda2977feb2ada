"""veivis.tracker_store.SQLiteTrackerStore against Rasa's own SQLTrackerStore: same rows,
same trackers, and a cache that never serves what the database no longer says."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from veivis import tracker_store as module
from veivis.tracker_store import SQLiteTrackerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def turn(t: float, text: str, intent: str, slot_value=None):
    """One user turn and the bot's answer, with explicit, increasing timestamps."""
    events = [
        UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=t),
        ActionExecuted("utter_greet", timestamp=t + 0.1),
        BotUttered("Hei!", timestamp=t + 0.2),
        ActionExecuted("action_listen", timestamp=t + 0.3),
    ]
    if slot_value is not None:
        events.insert(1, SlotSet("subject", slot_value, timestamp=t + 0.05))
    return events


def new_tracker(domain, sender="s1", t0=1000.0):
    events = [
        ActionExecuted("action_session_start", timestamp=t0),
        SessionStarted(timestamp=t0 + 0.01),
        ActionExecuted("action_listen", timestamp=t0 + 0.02),
    ]
    return DialogueStateTracker.from_events(sender, events, domain.slots)


def rows(db: Path):
    with sqlite3.connect(db) as c:
        return c.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events ORDER BY id"
        ).fetchall()


def as_dicts(tracker):
    return [e.as_dict() for e in tracker.events]


def test_writes_the_same_rows_as_rasas_sql_store(domain, tmp_path):
    ours, theirs = tmp_path / "ours.db", tmp_path / "rasa.db"
    for store in (
        SQLiteTrackerStore(domain, db=str(ours)),
        SQLTrackerStore(domain, db=str(theirs)),
    ):
        run(store.save(new_tracker(domain)))
        tracker = run(store.retrieve("s1"))  # as Rasa's processor does for every message
        for event in turn(1001, "hei", "greet", slot_value="self"):
            tracker.update(event)
        run(store.save(tracker))
    assert rows(ours) == rows(theirs)
    assert len(rows(ours)) == 3 + 5


def test_a_fresh_process_and_rasas_store_read_back_the_same_tracker(domain, tmp_path):
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    tracker = new_tracker(domain)
    for t in (1001, 1002):
        for event in turn(t, "hei", "greet", slot_value="other"):
            tracker.update(event)
        run(store.save(tracker))

    fresh = run(SQLiteTrackerStore(domain, db=str(db)).retrieve("s1"))
    rasa = run(SQLTrackerStore(domain, db=str(db)).retrieve("s1"))
    assert as_dicts(fresh) == as_dicts(rasa)
    # A reloaded session starts at SessionStarted (Rasa's rule); the one in memory also
    # has the action_session_start before it, as Rasa's in-memory store keeps it.
    assert as_dicts(tracker)[1:] == as_dicts(fresh)
    assert fresh.get_slot("subject") == "other"
    assert len(rows(db)) == len(tracker.events)  # every event stored exactly once


def test_reuses_its_own_tracker_and_appends_only_new_events(domain, tmp_path):
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    tracker = new_tracker(domain)
    run(store.save(tracker))
    assert run(store.retrieve("s1")) is tracker
    for event in turn(1001, "hei", "greet"):
        tracker.update(event)
    run(store.save(tracker))
    run(store.save(tracker))  # nothing new: nothing written
    assert [r[1] for r in rows(db)] == [e.type_name for e in tracker.events]


def test_conversation_deleted_elsewhere_is_not_served_from_the_cache(domain, tmp_path):
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    run(store.save(new_tracker(domain)))
    with sqlite3.connect(db) as c:  # what the retention job does
        c.execute("DELETE FROM events WHERE sender_id = 's1'")
    assert run(store.retrieve("s1")) is None


def test_events_written_elsewhere_are_read(domain, tmp_path):
    db = tmp_path / "t.db"
    ours, other = SQLiteTrackerStore(domain, db=str(db)), SQLTrackerStore(domain, db=str(db))
    tracker = new_tracker(domain)
    run(ours.save(tracker))
    theirs = run(other.retrieve("s1"))
    for event in turn(1001, "hei", "greet", slot_value="self"):
        theirs.update(event)
    run(other.save(theirs))
    again = run(ours.retrieve("s1"))
    assert again is not tracker and as_dicts(again) == as_dicts(theirs)
    assert len(theirs.events) == len(tracker.events) - 1 + 5
    assert again.get_slot("subject") == "self"


def test_a_new_session_is_loaded_like_rasa_loads_it(domain, tmp_path):
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    tracker = new_tracker(domain)
    for event in turn(1001, "hei", "greet"):
        tracker.update(event)
    run(store.save(tracker))
    for event in [ActionExecuted("action_session_start", timestamp=5000),
                  SessionStarted(timestamp=5000.01),
                  ActionExecuted("action_listen", timestamp=5000.02)]:  # fmt: skip
        tracker.update(event)
    run(store.save(tracker))
    latest = run(store.retrieve("s1"))
    expected = run(SQLTrackerStore(domain, db=str(db)).retrieve("s1"))
    assert as_dicts(latest) == as_dicts(expected)
    assert [e.type_name for e in latest.events] == ["session_started", "action"]


def test_locked_database_raises_and_the_turn_is_saved_later(domain, tmp_path, monkeypatch):
    monkeypatch.setattr(module, "DB_TIMEOUT_S", 0.05)
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    tracker = new_tracker(domain)
    run(store.save(tracker))
    for event in turn(1001, "hei", "greet"):
        tracker.update(event)

    lock = sqlite3.connect(db)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            run(store.save(tracker))  # Rasa's FailSafeTrackerStore catches this
        assert run(store.retrieve("s1")) is tracker  # the unsaved turn is not lost
    finally:
        lock.rollback()
        lock.close()
    run(store.save(tracker))
    assert [r[1] for r in rows(db)] == [e.type_name for e in tracker.events]


def test_a_turn_that_broke_off_is_reloaded_as_rasa_would(domain, tmp_path):
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    tracker = new_tracker(domain)
    run(store.save(tracker))
    # the processor logged the user's message, then failed before answering or saving
    tracker.update(UserUttered("hei", {"name": "greet", "confidence": 0.9}, timestamp=1001))
    again = run(store.retrieve("s1"))
    assert again is not tracker
    assert [e.type_name for e in again.events] == ["session_started", "action"]


def test_cache_is_bounded(domain, tmp_path, monkeypatch):
    monkeypatch.setattr(module, "CACHE_SIZE", 3)
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    trackers = [new_tracker(domain, sender=f"s{i}") for i in range(5)]
    for tracker in trackers:
        run(store.save(tracker))
    assert len(store._cache) == 3
    first = run(store.retrieve("s0"))  # evicted: loaded again from the database
    assert first is not trackers[0] and as_dicts(first) == as_dicts(trackers[0])[1:]


def test_refuses_other_databases(domain):
    with pytest.raises(ValueError, match="SQLite only"):
        SQLiteTrackerStore(domain, dialect="postgresql", db="veivis")


def test_a_locked_database_does_not_block_the_event_loop(domain, tmp_path, monkeypatch):
    """While a save waits for SQLite's lock, other coroutines (the emergency answer) run."""
    monkeypatch.setattr(module, "DB_TIMEOUT_S", 0.5)
    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    tracker = new_tracker(domain)
    for event in turn(1001, "hei", "greet"):
        tracker.update(event)
    ticks = []

    async def meanwhile():
        while len(ticks) < 5:
            ticks.append(len(ticks))
            await asyncio.sleep(0.01)

    async def both():
        save = asyncio.ensure_future(store.save(tracker))
        await meanwhile()
        assert not save.done()  # still waiting for the lock, yet the loop ran on
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await save

    lock = sqlite3.connect(db)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        run(both())
    finally:
        lock.rollback()
        lock.close()
    assert len(ticks) == 5


# ------------------------------------------------------------------ «Slett samtalen»


def test_delete_conversation_removes_every_session_and_the_cached_tracker(domain, tmp_path):
    from rasa.core.tracker_store import FailSafeTrackerStore

    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain=domain, db=str(db))
    wrapped = FailSafeTrackerStore(store)  # as Rasa runs it
    for sender in ("keep", "gone"):
        tracker = new_tracker(domain, sender)
        for event in turn(1001.0, "hei", "greet"):
            tracker.update(event)
        run(wrapped.save(tracker))
        # a second session of the same conversation: both go
        later = new_tracker(domain, sender, t0=9000.0)
        run(wrapped.save(later))
    assert "gone" in store._cache

    assert run(module.delete_conversation(wrapped, "gone")) > 0

    assert {r[0] for r in rows(db)} == {"keep"}
    assert "gone" not in store._cache
    assert run(wrapped.retrieve("gone")) is None
    assert run(wrapped.retrieve("keep")) is not None
    # an unknown or already deleted id changes nothing and says so (0)
    before = rows(db)
    assert run(module.delete_conversation(wrapped, "gone")) == 0
    assert run(module.delete_conversation(wrapped, "never-seen")) == 0
    assert rows(db) == before


def test_delete_conversation_in_rasas_own_sql_store(domain, tmp_path):
    from veivis.retention import delete_conversation, sqlite_url

    db = tmp_path / "rasa.db"
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    for sender in ("keep", "gone"):
        run(store.save(new_tracker(domain, sender)))

    assert run(module.delete_conversation(store, "gone")) == 3
    assert {r[0] for r in rows(db)} == {"keep"}
    # the command-line way (python -m veivis.retention --sender …), same statement
    assert delete_conversation(sqlite_url(str(db)), "keep") == 3
    assert rows(db) == []
    assert delete_conversation(sqlite_url(str(tmp_path / "none.db")), "keep") == 0


def test_stored_conversations_are_counted_through_rasas_fail_safe_wrapper(domain, tmp_path):
    """The ceiling's count (veivis/channels/ceiling.py): one query for this store, all sender
    ids for Rasa's own; the same number either way."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    from veivis.tracker_store import count_conversations

    db = tmp_path / "t.db"
    store = SQLiteTrackerStore(domain, db=str(db))
    assert run(count_conversations(FailSafeTrackerStore(store))) == 0
    for sender in ("a", "b", "c"):
        run(store.save(new_tracker(domain, sender)))
    assert run(count_conversations(FailSafeTrackerStore(store))) == 3
    assert run(count_conversations(SQLTrackerStore(domain, db=str(db)))) == 3
