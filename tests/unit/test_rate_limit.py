"""The per-sender token bucket (veivis/channels/rate_limit.py)."""

import asyncio

import pytest

from veivis.channels.rate_limit import (
    CLIENT_RATE,
    NEW_CONVERSATIONS,
    RateLimiter,
    Refusal,
    RefusalPause,
)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_burst_is_allowed_up_to_the_limit_then_refused():
    limiter = RateLimiter(burst=5, per_second=1, clock=Clock())
    assert [limiter.allow("a") for _ in range(7)] == [True] * 5 + [False] * 2


def test_tokens_come_back_with_time():
    clock = Clock()
    limiter = RateLimiter(burst=2, per_second=1, clock=clock)
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    clock.now += 1.0
    assert limiter.allow("a") and not limiter.allow("a")


def test_one_sender_does_not_use_up_another_senders_messages():
    limiter = RateLimiter(burst=3, per_second=0.1, clock=Clock())
    for _ in range(100):
        limiter.allow("flood")
    assert limiter.allow("someone-else")


# ---------------------------------------------------------------- per client (issue 18)

from veivis.channels.rate_limit import (  # noqa: E402
    SENDER_RATE,
    RequestLimits,
    refusal,
)


@pytest.mark.parametrize(
    "waits, expected",
    [
        ({SENDER_RATE: 0, CLIENT_RATE: 0, NEW_CONVERSATIONS: 0}, None),
        ({SENDER_RATE: 0.2, CLIENT_RATE: 0, NEW_CONVERSATIONS: 0}, Refusal(SENDER_RATE, 1)),
        ({SENDER_RATE: 0, CLIENT_RATE: 1.5, NEW_CONVERSATIONS: 0}, Refusal(CLIENT_RATE, 2)),
        ({SENDER_RATE: 0.5, CLIENT_RATE: 0, NEW_CONVERSATIONS: 3.0}, Refusal(NEW_CONVERSATIONS, 3)),
        # the longest wait is the one to report: before it, the message is refused anyway
        ({SENDER_RATE: 4.1, CLIENT_RATE: 0.3, NEW_CONVERSATIONS: 2.0}, Refusal(SENDER_RATE, 5)),
    ],
)
def test_refusal_is_the_longest_wait_rounded_up(waits, expected):
    assert refusal(waits) == expected


def limits(clock, **kw):
    settings = dict(sender_burst=5, sender_per_second=1, client_burst=10, client_per_second=2,
                    new_burst=3, new_per_minute=6)  # fmt: skip
    settings.update(kw)
    return RequestLimits(clock=clock, **settings)


def test_a_client_rotating_sender_ids_is_held_by_the_new_conversation_cap():
    clock = Clock()
    rl = limits(clock)
    results = [rl.check("203.0.113.7", f"s{i}") for i in range(5)]
    assert results[:3] == [None, None, None]
    assert results[3] == Refusal(NEW_CONVERSATIONS, 10)  # 6 a minute: one every 10 s
    clock.now += 10
    assert rl.check("203.0.113.7", "s-next") is None  # one more after 10 s
    assert rl.check("203.0.113.7", "s-next-2") is not None


def test_the_new_conversation_cap_does_not_hold_back_a_known_conversation():
    rl = limits(Clock())
    for i in range(3):
        assert rl.check("c", f"s{i}") is None
    assert rl.check("c", "s-new") is not None
    assert rl.check("c", "s0") is None  # an ongoing conversation of the same client goes on


def test_a_client_is_held_by_its_message_rate_over_all_its_conversations():
    clock = Clock()
    rl = limits(clock, new_burst=100)
    senders = [f"s{i}" for i in range(4)]
    admitted = [rl.check("c", senders[i % 4]) is None for i in range(12)]
    assert admitted == [True] * 10 + [False] * 2  # client burst 10; each sender sent ≤ 3
    assert rl.check("c", "s0") == Refusal(CLIENT_RATE, 1)
    clock.now += 0.5  # 2 a second
    assert rl.check("c", "s0") is None


def test_one_client_at_its_limits_does_not_hold_back_another():
    rl = limits(Clock())
    for i in range(100):
        rl.check("hostile", f"h{i}")
    assert rl.check("hostile", "h-more") is not None
    assert all(rl.check("ordinary", f"o{i}") is None for i in range(3))


def test_a_refused_message_takes_no_tokens_from_the_other_buckets():
    clock = Clock()
    rl = limits(clock, client_burst=6, new_burst=2)
    assert rl.check("c", "a") is None and rl.check("c", "b") is None
    for i in range(10):  # all refused by the new-conversation cap …
        assert rl.check("c", f"new{i}").limit == NEW_CONVERSATIONS
    # … and took nothing from the client's 6 messages: 4 are left
    assert [rl.check("c", "a") is None for _ in range(5)] == [True] * 4 + [False]


def test_the_sender_limit_still_holds_one_sender():
    rl = limits(Clock(), client_burst=100)
    results = [rl.check("c", "same") for _ in range(7)]
    assert results[:5] == [None] * 5 and results[5].limit == SENDER_RATE


def test_a_forgotten_sender_counts_as_new_again():
    rl = limits(Clock())
    assert rl.is_new("s") and rl.check("c", "s") is None and not rl.is_new("s")
    rl.known.forget("s")
    assert rl.is_new("s")


# ---------------------------------------------------------------- the pause before a 429


@pytest.mark.parametrize(
    "pause_s, capacity, waiting, retry_after_s, expected",
    [
        (1.0, 200, 0, 1, 1.0),  # the default: one second
        (1.0, 200, 0, 5, 1.0),  # never longer than the pause …
        (3.0, 200, 0, 1, 1.0),  # … nor than Retry-After
        (1.0, 200, 199, 1, 1.0),  # the last place
        (1.0, 200, 200, 1, 0.0),  # full: sent at once
    ],
)
def test_how_long_a_refusal_waits(pause_s, capacity, waiting, retry_after_s, expected):
    pause = RefusalPause(pause_s, capacity)
    pause.waiting = waiting
    assert pause.pause_for(Refusal(CLIENT_RATE, retry_after_s)) == expected


def test_refusals_beyond_the_capacity_are_sent_without_waiting():
    async def main():
        release = asyncio.Event()
        slept = []

        async def sleep(seconds):  # stands in for the pause: waits until released
            slept.append(seconds)
            await release.wait()

        pause = RefusalPause(pause_s=0.2, capacity=2, sleep=sleep)
        refused = Refusal(NEW_CONVERSATIONS, 1)
        waits = [asyncio.create_task(pause.wait(refused)) for _ in range(2)]
        await asyncio.sleep(0)  # the two take their places
        waiting_then = pause.waiting
        await pause.wait(refused)  # the third returns without sleeping
        release.set()
        await asyncio.gather(*waits)
        return waiting_then, slept, pause.waiting

    waiting_then, slept, waiting_after = asyncio.run(main())
    assert waiting_then == 2
    assert slept == [0.2, 0.2]  # only the two within the capacity paused
    assert waiting_after == 0  # every place is given back
