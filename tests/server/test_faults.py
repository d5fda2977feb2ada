"""Faults: the action server stops, Rasa restarts mid-conversation."""

import uuid

from tests.conftest import Chat, texts, triage_of


def test_emergency_and_static_answers_work_without_the_action_server(servers):
    servers.actions.stop()
    try:
        c = Chat(servers.webhook, f"down-{uuid.uuid4()}")
        replies = c.send("han er bevisstløs og blå i leppene")
        assert "113" in replies[0]["text"] and triage_of(replies)[0]["triage"] == "emergency"
        assert "Kilde:" in texts(c.send("hva er nalokson"))  # static information answer

        # inside the self-check: the emergency still comes first
        c.send("/start_selfcheck")
        replies = c.send("hun puster ikke")
        assert "113" in replies[0]["text"]

        # the end of a self-check needs an action: a clear message, not silence
        c = Chat(servers.webhook, f"down-{uuid.uuid4()}")
        for message in ("/start_selfcheck", '/inform{"substance": "alkohol"}',
                        '/inform{"frequency": "rarely"}', '/inform{"duration": "weeks"}',
                        '/inform{"symptom": "none"}'):  # fmt: skip
            c.send(message)
        replies = c.send("/deny")
        assert replies and "Prøv igjen" in texts(replies)
    finally:
        servers.actions.restart()


def test_conversation_continues_after_rasa_restarts(servers):
    c = Chat(servers.webhook, f"restart-{uuid.uuid4()}")
    c.send("/start_selfcheck")
    question = texts(c.send("heroin"))  # now asked how often
    servers.rasa.restart()
    replies = c.send('/inform{"frequency": "daily"}')  # the form goes on where it was
    assert question and texts(replies) and "Hvor lenge" in texts(replies)


def test_locked_database_is_logged_clearly_and_users_still_get_answers(servers):
    """Rasa's fail-safe tracker store falls back to memory while the database is locked:
    the user still gets answers (the emergency first), the log says why, and it recovers."""
    import sqlite3

    from tests.conftest import ARTIFACTS

    lock = sqlite3.connect(servers.tracker_db, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")  # nobody else can read or write the tracker store now
    try:
        c = Chat(servers.webhook, f"locked-{uuid.uuid4()}")
        replies = c.send("hjelp, han puster ikke")
        assert "113" in replies[0]["text"] and triage_of(replies)[0]["triage"] == "emergency"
        assert "Veivis" in texts(c.send("hei"))
    finally:
        lock.rollback()
        lock.close()
    assert "database is locked" in (ARTIFACTS / "rasa.log").read_text(errors="replace")
    assert servers.rasa.process.poll() is None  # no crash
    assert "Veivis" in texts(Chat(servers.webhook, f"unlocked-{uuid.uuid4()}").send("hei"))
