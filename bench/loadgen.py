"""Async load generator over Rasa's REST channel (POST /webhooks/rest/webhook).

Each virtual user plays conversations back to back, each with a new, unique sender id,
until the level's time is up (a conversation cut off by the deadline is left unfinished,
as a user who walks away). One request at a time per user: a user sends its next
message only after the reply to the previous one, like a person in the chat.

Every conversation is sent from a loopback address of its own (Linux routes all of
127.0.0.0/8 to lo), as the person it stands for has: Veivis limits new conversations per
client address (veivis/channels/rate_limit.py), and this load is many people, not one
client. A hostile client is bench/hostile.py.

Latency is measured on the client, from sending the request to having read the whole
JSON reply. Throughput counts answered messages (no error) per second of wall time.
Errors: non-200, unreadable JSON, an empty reply, Veivis' «could not answer» reply (its
channel's stand-in for an empty turn), exceptions and timeouts. Content checks that fail
(no «113» in an emergency answer, no or the wrong triage outcome) are counted as «wrong».
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp

from bench.conversations import Conversation, check_reply, is_payload


@dataclass
class Sample:
    latency_ms: float
    payload: bool
    error: Optional[str]  # None, "http_<status>", "empty", "no_answer", "exception:<Type>", …
    where: str = ""  # conversation#turn, to find which turn fails
    at_s: float = 0.0  # when the reply came, seconds from the start of the level


@dataclass
class LevelResult:
    users: int
    elapsed_s: float
    samples: List[Sample] = field(default_factory=list)
    conversations: int = 0

    def summary(self) -> Dict[str, object]:
        failed = [s for s in self.samples if s.error and s.error not in WRONG]
        ok = [s for s in self.samples if not s.error or s.error in WRONG]
        answered = [s.latency_ms for s in self.samples if not (s.error or "").startswith("exc")]
        errors = Counter(s.error for s in failed)
        wrong = Counter(s.error for s in self.samples if s.error in WRONG)
        where = Counter(f"{s.where}:{s.error}" for s in self.samples if s.error)
        text = [s.latency_ms for s in ok if not s.payload]
        payload = [s.latency_ms for s in ok if s.payload]
        return {
            "users": self.users,
            "elapsed_s": round(self.elapsed_s, 2),
            "messages": len(self.samples),
            "conversations": self.conversations,
            "ok": len(ok),
            "msgs_per_s": round(len(ok) / self.elapsed_s, 2) if self.elapsed_s else 0.0,
            "p50_ms": percentile(answered, 50),
            "p95_ms": percentile(answered, 95),
            "p99_ms": percentile(answered, 99),
            "mean_ms": round(sum(answered) / len(answered), 1) if answered else None,
            "p50_text_ms": percentile(text, 50),
            "p50_payload_ms": percentile(payload, 50),
            "text_share": round(len(text) / len(ok), 3) if ok else None,
            "errors": len(failed),
            "error_kinds": dict(errors),
            "wrong": sum(wrong.values()),
            "wrong_kinds": dict(wrong),
            "error_turns": dict(where.most_common(20)),
        }


# Answered, but not with what the conversation expects (content checks): reported apart
# from errors (no answer at all).
WRONG = {"no_113", "no_triage", "wrong_triage"}


def percentile(values: Sequence[float], p: float) -> Optional[float]:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 1)


SenderFor = Callable[[int, int], str]


def unique_senders(prefix: str) -> SenderFor:
    return lambda user, n: f"{prefix}-u{user}-c{n}-{uuid.uuid4().hex[:10]}"


def conversation_source(user: int, n: int) -> str:
    """The loopback address of user `user`'s n-th conversation: 127.1–100.x.y, never
    127.0.0.1 nor bench/hostile.py's address."""
    return f"127.{1 + user % 100}.{(n // 250) % 256}.{1 + n % 250}"


def sender_source(sender: str) -> str:
    """A loopback address of its own for a conversation known by its sender id (127.101–
    200.x.y: not one of conversation_source's, nor bench/hostile.py's)."""
    h = hashlib.sha256(sender.encode("utf-8")).digest()
    return f"127.{101 + h[0] % 99}.{h[1]}.{1 + h[2] % 254}"


def session_from(source: str, **kwargs) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=0, local_addr=(source, 0))
    return aiohttp.ClientSession(connector=connector, **kwargs)


async def _send(session, webhook, sender, message, expect, timeout) -> Sample:
    started = time.perf_counter()
    payload = is_payload(message)
    try:
        async with session.post(
            webhook,
            json={"sender": sender, "message": message},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as r:
            body = await r.read()
            latency = (time.perf_counter() - started) * 1000
            if r.status != 200:
                return Sample(latency, payload, f"http_{r.status}")
            try:
                replies = json.loads(body or b"null")
            except ValueError:
                return Sample(latency, payload, "bad_json")
            return Sample(latency, payload, check_reply(replies, expect))
    except Exception as e:  # timeouts, refused connections, resets
        return Sample(
            (time.perf_counter() - started) * 1000, payload, f"exception:{type(e).__name__}"
        )


async def run_level_async(
    webhook: str,
    conversations: Sequence[Conversation],
    users: int,
    duration_s: float,
    sender_for: SenderFor,
    timeout_s: float = 120.0,
    turns_override: Optional[Sequence] = None,
) -> LevelResult:
    """`users` virtual users for `duration_s` seconds; see the module docstring."""
    result = LevelResult(users=users, elapsed_s=0.0)
    start = time.monotonic()
    deadline = start + duration_s

    async def user(i: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            name, turns = conversations[(i + n) % len(conversations)]
            sender = sender_for(i, n)
            async with session_from(conversation_source(i, n)) as session:
                n += 1
                for k, (message, expect) in enumerate(turns_override or turns):
                    if time.monotonic() >= deadline:
                        return
                    sample = await _send(session, webhook, sender, message, expect, timeout_s)
                    sample.where = f"{name}#{k}" if not turns_override else f"override#{k}"
                    sample.at_s = time.monotonic() - start
                    result.samples.append(sample)
            result.conversations += 1

    await asyncio.gather(*(user(i) for i in range(users)))
    result.elapsed_s = time.monotonic() - start
    return result


def run_level(*args, **kwargs) -> LevelResult:
    return asyncio.run(run_level_async(*args, **kwargs))


def warm_up(webhook: str, conversations: Sequence[Conversation], prefix: str) -> int:
    """Play every conversation once (not measured): the first calls build TF graphs etc."""

    async def play() -> int:
        errors = 0
        for k, (_, turns) in enumerate(conversations):
            sender = f"{prefix}-warmup-{k}-{uuid.uuid4().hex[:8]}"
            async with session_from(conversation_source(99, 1000 + k)) as session:
                for message, expect in turns:
                    s = await _send(session, webhook, sender, message, expect, 300)
                    errors += s.error is not None
        return errors

    return asyncio.run(play())
