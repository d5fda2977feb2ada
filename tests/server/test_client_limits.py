"""Per-client limits over real HTTP (issue 18): a client rotating sender ids is held by
its cap on new conversations, with a 429, a JSON error and Retry-After; a red flag from it
still gets 113; other clients are answered as usual. Clients are told apart by their
loopback source address (tests/conftest.py: client_source), or — loopback being the
trusted proxy by default — by the X-Forwarded-For header nginx would send."""

import json
import uuid

from tests.conftest import post, texts, triage_of
from veivis import limits

HOSTILE, ORDINARY = "127.0.0.2", "127.0.0.3"


def send(servers, sender, message="hei", source=HOSTILE, headers=None):
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    return post(servers.webhook, body, source=source, headers=headers)


def test_a_client_rotating_sender_ids_gets_429_and_retry_after_while_others_are_answered(
    servers,
):
    tag = uuid.uuid4().hex[:8]
    results = [send(servers, f"rotate-{tag}-{i}") for i in range(limits.CLIENT_NEW_BURST + 10)]
    statuses = [status for status, _, _ in results]
    assert set(statuses) == {200, 429}
    # the burst, and what trickled back while Rasa answered it (one every 3 s)
    assert statuses.count(200) <= limits.CLIENT_NEW_BURST + 3
    assert statuses[: limits.CLIENT_NEW_BURST] == [200] * limits.CLIENT_NEW_BURST
    status, body, headers = next(r for r in results if r[0] == 429)
    assert body["error"] and "113" in body["error"] and body["limit"] == "new_conversations"
    assert int(headers["Retry-After"]) == body["retry_after_s"] >= 1

    # a red flag from the limited client, in a new conversation: the emergency answer
    status, body, _ = send(servers, f"rotate-{tag}-danger", "han puster ikke")
    assert status == 200 and "113" in body[0]["text"]
    assert triage_of(body)[0]["triage"] == "emergency"

    # another client is answered as usual
    status, body, _ = send(servers, f"ordinary-{tag}", source=ORDINARY)
    assert status == 200 and "Veivis" in texts(body)


def test_behind_the_trusted_proxy_the_forwarded_address_is_the_client(servers):
    tag = uuid.uuid4().hex[:8]
    first = {"X-Forwarded-For": "198.51.100.77"}
    results = [
        send(servers, f"xff-{tag}-{i}", source="127.0.0.1", headers=first)[0]
        for i in range(limits.CLIENT_NEW_BURST + 5)
    ]
    assert results[: limits.CLIENT_NEW_BURST] == [200] * limits.CLIENT_NEW_BURST
    assert 429 in results
    # the proxy's other clients are not held by that one
    other = {"X-Forwarded-For": "198.51.100.78"}
    assert send(servers, f"xff-{tag}-other", source="127.0.0.1", headers=other)[0] == 200
