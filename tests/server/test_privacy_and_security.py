"""What leaves the conversation: logs carry no message text, the HTTP API is off."""

import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid

from tests.conftest import ARTIFACTS, Chat, texts


def test_no_message_text_in_the_server_logs(servers):
    marker = f"hemmeligord{uuid.uuid4().hex[:8]}"
    c = Chat(servers.webhook, f"log-{uuid.uuid4()}")
    c.send(f"{marker}: jeg bruker kokain")  # no cue, so not masked as a name
    c.send("/start_selfcheck")
    c.send(f"{marker} kokain")
    logs = "".join(
        (ARTIFACTS / name).read_text(errors="replace") for name in ("rasa.log", "actions.log")
    )
    assert "Rasa server is up and running" in logs  # we are reading the right file
    assert marker not in logs


def test_rasa_http_api_is_off(servers):
    for path in ("status", "version", "conversations/x/tracker", "model/parse"):
        url = f"http://127.0.0.1:{servers.rasa_port}/{path}"
        try:
            urllib.request.urlopen(url, timeout=10)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
        assert status in (404, 405), path


def delete(servers, sender: str):
    url = f"http://127.0.0.1:{servers.rasa_port}/webhooks/rest/conversation/"
    request = urllib.request.Request(url + urllib.parse.quote(sender, safe=""), method="DELETE")
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def stored_rows(servers, sender: str) -> int:
    with sqlite3.connect(servers.tracker_db) as db:
        query = "SELECT COUNT(*) FROM events WHERE sender_id = ?"
        return db.execute(query, (sender,)).fetchone()[0]


def test_delete_removes_the_conversation_from_the_database(servers):
    gone, kept = f"del-{uuid.uuid4()}", f"keep-{uuid.uuid4()}"
    for sender in (gone, kept):
        c = Chat(servers.webhook, sender)
        c.send("hei")
        c.send("/start_selfcheck")
    assert stored_rows(servers, gone) > 0 and stored_rows(servers, kept) > 0
    before = stored_rows(servers, kept)

    status, body = delete(servers, gone)

    assert (status, body) == (200, {"deleted": True})
    assert stored_rows(servers, gone) == 0
    assert stored_rows(servers, kept) == before  # nobody else's conversation is touched
    # Rasa's cached tracker went too: the same id starts a new session, as a new conversation
    assert texts(Chat(servers.webhook, gone).send("hei"))
    with sqlite3.connect(servers.tracker_db) as db:
        types = [
            t for (t,) in db.execute("SELECT type_name FROM events WHERE sender_id = ?", (gone,))
        ]
    assert types[:2] == ["action", "session_started"], types


def test_delete_of_an_unknown_or_invalid_id_changes_nothing_and_says_so(servers):
    kept = f"keep-{uuid.uuid4()}"
    Chat(servers.webhook, kept).send("hei")
    with sqlite3.connect(servers.tracker_db) as db:
        total = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    status, body = delete(servers, f"web-{uuid.uuid4()}")
    assert status == 404 and body["deleted"] is False and "Ingenting er slettet" in body["error"]
    status, body = delete(servers, "x" * 200)
    assert status == 400 and body["deleted"] is False

    with sqlite3.connect(servers.tracker_db) as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == total
    assert stored_rows(servers, kept) > 0


def test_the_bot_explains_how_to_delete_the_conversation(servers):
    for question in ("kan jeg slette samtalen?", "hvordan sletter jeg det jeg har skrevet"):
        said = texts(Chat(servers.webhook, f"ask-{uuid.uuid4()}").send(question))
        assert "«Slett samtalen»" in said and "på serveren" in said, (question, said)
