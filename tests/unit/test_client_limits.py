"""The channel's per-client limits and the ceiling on stored conversations, with a fake
Rasa and an injected clock (veivis/channels/rest.py, rate_limit.py, ceiling.py)."""

import asyncio
import json
import logging
from types import SimpleNamespace
from typing import List

import pytest

from veivis.channels import rest
from veivis.channels.ceiling import ConversationCeiling, ceiling_reached
from veivis.channels.rate_limit import NEW_CONVERSATIONS, RequestLimits

# ---------------------------------------------------------------- the ceiling decision


@pytest.mark.parametrize(
    "stored, maximum, reached",
    [(None, 10, False), (0, 10, False), (9, 10, False), (10, 10, True), (11, 10, True),
     (10**9, 0, False)],  # 0: no ceiling
)  # fmt: skip
def test_ceiling_reached(stored, maximum, reached):
    assert ceiling_reached(stored, maximum) is reached


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_ceiling(stored: int, existing=(), maximum=3, clock=None):
    counts: List[int] = []

    async def count():
        counts.append(stored)
        return stored

    async def exists(sender):
        return sender in existing

    ceiling = ConversationCeiling(count, exists, maximum=maximum, clock=clock or Clock())
    return ceiling, counts


def run(coroutine):
    return asyncio.run(coroutine)


def test_at_the_ceiling_a_new_conversation_is_refused_and_an_existing_one_goes_on(caplog):
    async def scenario():
        ceiling, _ = make_ceiling(stored=3, existing={"old"})
        await ceiling.recount()
        return await ceiling.refuses("new"), await ceiling.refuses("old")

    with caplog.at_level(logging.WARNING, logger="veivis.channels.ceiling"):
        assert run(scenario()) == (True, False)
    assert "Conversation ceiling reached: 3 stored, VEIVIS_MAX_CONVERSATIONS=3" in caplog.text


def test_below_the_ceiling_admitted_conversations_count_until_the_next_recount():
    async def scenario():
        clock = Clock()
        ceiling, counts = make_ceiling(stored=1, clock=clock)
        await ceiling.recount()
        ceiling._counted_at = clock.now  # as if the background count had just run
        first = [await ceiling.refuses(f"s{i}") for i in range(3)]  # 1 + 2 = 3 = the ceiling
        clock.now += 301  # the recount (the store still says 1) lets new ones in again
        assert await ceiling.refuses("later")  # refused before the recount has run …
        await asyncio.sleep(0)  # … the background recount runs on the loop
        while ceiling._counting:
            await asyncio.sleep(0)
        return first, await ceiling.refuses("after-recount"), counts

    first, after, counts = run(scenario())
    assert first == [False, False, True]
    assert after is False and len(counts) == 2


def test_an_unknown_count_or_a_failing_store_refuses_nothing(caplog):
    async def failing():
        raise OSError("database is locked")

    async def scenario():
        ceiling = ConversationCeiling(failing, lambda s: None, maximum=1, clock=Clock())
        await ceiling.recount()
        return ceiling.stored, await ceiling.refuses("s")

    with caplog.at_level(logging.WARNING, logger="veivis.channels.ceiling"):
        assert run(scenario()) == (None, False)
    assert "Could not count stored conversations: OSError" in caplog.text


def test_the_ceiling_line_is_logged_at_most_once_a_minute(caplog):
    async def scenario(clock):
        ceiling, _ = make_ceiling(stored=5, clock=clock)
        await ceiling.recount()
        ceiling._counted_at = clock.now
        for i in range(100):
            await ceiling.refuses(f"s{i}")
        clock.now += 61
        ceiling._counted_at = clock.now
        await ceiling.refuses("one-more")

    with caplog.at_level(logging.WARNING, logger="veivis.channels.ceiling"):
        run(scenario(Clock()))
    lines = [r.getMessage() for r in caplog.records if "ceiling reached" in r.getMessage()]
    assert len(lines) == 2 and "100 new conversation(s) refused" in lines[1]


# ---------------------------------------------------------------- the channel


class FakeHeaders:
    def __init__(self, headers):
        self.headers = headers

    def getall(self, name, default):
        return [v for k, v in self.headers if k.lower() == name] or default


class FakeStore:
    def __init__(self, stored=0):
        self.stored = stored

    async def keys(self):
        return [f"c{i}" for i in range(self.stored)]

    async def retrieve(self, sender):
        return None


def fake_request(sender, message, peer="203.0.113.7", headers=(), store=None):
    agent = SimpleNamespace(tracker_store=store or FakeStore())
    return SimpleNamespace(
        json={"sender": sender, "message": message},
        ip=peer,
        headers=FakeHeaders(list(headers)),
        app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)),
    )


class Channel:
    """The webhook handler of VeivisRestInput over a fake Rasa that answers «svar»."""

    def __init__(self, monkeypatch, clock, **limits):
        settings = dict(sender_burst=100, sender_per_second=1, client_burst=100,
                        client_per_second=1, new_burst=2, new_per_minute=6)  # fmt: skip
        settings.update(limits)
        monkeypatch.setattr(rest, "RequestLimits", lambda: RequestLimits(clock, **settings))
        self.handled: List[str] = []

        async def on_new_message(message):
            self.handled.append(message.sender_id)
            await message.output_channel.send_text_message(message.recipient_id, "svar")

        blueprint = rest.VeivisRestInput().blueprint(on_new_message)
        self.receive = next(r.handler for r in blueprint._future_routes if r.uri == "/webhook")

    def post(self, sender, message="hei", **kw):
        response = asyncio.run(self.receive(fake_request(sender, message, **kw)))
        return response.status, json.loads(response.body), response.headers


def test_beyond_the_new_conversation_cap_a_429_with_a_json_error_and_retry_after(monkeypatch):
    channel = Channel(monkeypatch, Clock())
    assert [channel.post(f"s{i}")[0] for i in range(2)] == [200, 200]
    status, body, headers = channel.post("s2")
    assert status == 429
    assert body == {"error": rest.ERROR_TOO_MANY, "limit": NEW_CONVERSATIONS, "retry_after_s": 10}
    assert "113" in body["error"]
    assert headers["Retry-After"] == "10"
    assert channel.handled == ["s0", "s1"]  # the refused message never reached Rasa


def test_a_red_flag_beyond_the_limits_still_gets_the_emergency_answer(monkeypatch):
    channel = Channel(monkeypatch, Clock())
    for i in range(2):
        channel.post(f"s{i}")
    assert channel.post("s2")[0] == 429
    status, body, _ = channel.post("s3", "han puster ikke")
    assert status == 200 and "113" in body[0]["text"]
    assert any((r.get("custom") or {}).get("triage") == "emergency" for r in body)
    assert "s3" not in channel.handled  # answered by the channel itself, at once


def test_a_spoofed_forwarded_header_from_an_untrusted_peer_gives_no_fresh_allowance(monkeypatch):
    channel = Channel(monkeypatch, Clock())
    statuses = [
        channel.post(f"s{i}", headers=[("X-Forwarded-For", f"198.51.100.{i}")])[0] for i in range(5)
    ]
    assert statuses == [200, 200, 429, 429, 429]


def test_clients_behind_the_trusted_proxy_are_told_apart_by_its_header(monkeypatch):
    channel = Channel(monkeypatch, Clock())
    statuses = [
        channel.post(f"s{i}", peer="127.0.0.1", headers=[("X-Forwarded-For", f"198.51.100.{i}")])[0]
        for i in range(5)
    ]
    assert statuses == [200] * 5  # five users behind nginx, one conversation each
    # while one of them, rotating sender ids, is held
    more = [
        channel.post(f"t{i}", peer="127.0.0.1", headers=[("X-Forwarded-For", "198.51.100.0")])[0]
        for i in range(3)
    ]
    assert more == [200, 429, 429]


def test_at_the_ceiling_a_new_conversation_gets_a_clear_answer_and_a_red_flag_113(monkeypatch):
    monkeypatch.setattr(rest, "ConversationCeiling", _ceiling_of(maximum=2))
    channel = Channel(monkeypatch, Clock(), new_burst=100)
    store = FakeStore(stored=2)
    status, body, _ = channel.post("new", store=store)
    assert status == 200 and body[0]["text"] == rest.REPLY_FULL and "113" in body[0]["text"]
    status, body, _ = channel.post("new-in-danger", "han puster ikke", store=store)
    assert status == 200 and "113" in body[0]["text"]
    assert channel.handled == []  # neither started a conversation in Rasa


def _ceiling_of(maximum):
    def make(count, exists):
        ceiling = ConversationCeiling(count, exists, maximum=maximum)
        ceiling.stored = maximum  # as the first count would find it (FakeStore(stored=2))
        ceiling._counted_at = ceiling.clock()
        return ceiling

    return make


def test_limit_hits_are_logged_once_a_minute_with_counts_and_without_who(caplog):
    clock = Clock()
    log = rest.LimitLog(clock=clock)
    with caplog.at_level(logging.WARNING, logger="veivis.channels.rest"):
        for _ in range(500):
            log.hit(NEW_CONVERSATIONS)
        log.hit("client_rate")
        assert caplog.records == []  # not a line per refused request
        clock.now += 60
        log.hit(NEW_CONVERSATIONS)
    assert [r.getMessage() for r in caplog.records] == [
        "Rate limits hit in the last 60 s: client_rate 1, new_conversations 501"
    ]
