"""What leaves the conversation: logs carry no message text, the HTTP API is off."""

import urllib.error
import urllib.request
import uuid

from tests.conftest import ARTIFACTS, Chat


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
