"""Old conversations are deleted; recent ones stay (Rasa's own SQL tracker store schema)."""

import asyncio
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from veivis.retention import delete_old_conversations, sqlite_url

DAY = 86400


def store_conversation(store, sender, age_days, now):
    ts = now - age_days * DAY
    tracker = DialogueStateTracker.from_events(
        sender,
        [ActionExecuted("action_listen", timestamp=ts), UserUttered("hei", timestamp=ts + 1)],
    )
    asyncio.run(store.save(tracker))


def test_conversations_older_than_n_days_are_deleted(tmp_path):
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    now = time.time()
    for sender, age in [("old-1", 40), ("old-2", 31), ("recent", 3), ("today", 0)]:
        store_conversation(store, sender, age, now)

    assert delete_old_conversations(sqlite_url(str(db)), days=30, now=now) == 2
    remaining = set(asyncio.run(store.keys()))
    assert remaining == {"recent", "today"}
    assert delete_old_conversations(sqlite_url(str(db)), days=30, now=now) == 0


def test_a_missing_database_is_not_an_error(tmp_path):
    assert delete_old_conversations(sqlite_url(str(tmp_path / "none.db")), days=30) == 0


def test_the_privacy_answer_states_the_retention_the_code_applies():
    from pathlib import Path

    from rasa.shared.core.domain import Domain

    from veivis.retention import DEFAULT_DAYS, DEFAULT_ONE_MESSAGE_HOURS

    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain"))
    said = " ".join(v["text"] for v in domain.responses["utter_privacy"])
    assert f"slettes den automatisk etter {DEFAULT_DAYS} dager uten nye meldinger" in said
    assert (
        DEFAULT_ONE_MESSAGE_HOURS == 24 and "etter ett døgn hvis du bare skrev én melding" in said
    )
    # it names the widget's own delete button, which the widget has (next test)
    assert "«Slett samtalen»" in said


def test_the_widget_says_the_same_about_storage():
    from pathlib import Path

    from veivis.retention import DEFAULT_DAYS, DEFAULT_ONE_MESSAGE_HOURS

    page = (Path(__file__).resolve().parents[2] / "widget" / "chat.html").read_text("utf-8")
    assert f"slettes den etter {DEFAULT_DAYS} dager uten nye meldinger" in page
    assert DEFAULT_ONE_MESSAGE_HOURS == 24 and "etter ett døgn hvis den bare har én melding" in page
    assert ">Slett samtalen</button>" in page
    assert "bare i denne nettleseren" not in page  # the server keeps it too


def store_turns(store, sender, user_messages, age_hours, now):
    """A conversation of `user_messages` user turns whose last event is `age_hours` old."""
    ts = now - age_hours * 3600 - 10 * user_messages
    events = [ActionExecuted("action_listen", timestamp=ts)]
    for k in range(user_messages):
        events += [
            UserUttered(f"melding {k}", timestamp=ts + 10 * k + 1),
            ActionExecuted("action_listen", timestamp=ts + 10 * k + 2),
        ]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def test_conversations_that_never_got_past_their_first_message_go_after_a_day(tmp_path):
    from veivis.retention import delete_one_message_conversations

    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    now = time.time()
    for sender, messages, age_hours in [
        ("one-old", 1, 30),  # one message, a day and more ago: deleted
        ("none-old", 0, 30),  # opened, nothing sent: deleted
        ("one-recent", 1, 2),  # one message, still today: may go on
        ("two-old", 2, 30),  # a real conversation: kept for the full retention
        ("many-old", 5, 300),
    ]:
        store_turns(store, sender, messages, age_hours, now)

    url = sqlite_url(str(db))
    assert delete_one_message_conversations(url, hours=24, now=now) == 2
    assert set(asyncio.run(store.keys())) == {"one-recent", "two-old", "many-old"}
    assert delete_one_message_conversations(url, hours=24, now=now) == 0
    assert delete_one_message_conversations(url, hours=1, now=now) == 1  # one-recent
