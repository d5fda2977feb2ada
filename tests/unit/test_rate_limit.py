"""The per-sender token bucket (veivis/channels/rate_limit.py)."""

from veivis.channels.rate_limit import RateLimiter


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
