"""Emergency reply latency while the action server is frozen (SIGSTOP): issue 12's line.

Each virtual user, in a new conversation each round: answers the self-check up to its
last question, sends the last answer — its outcome needs the action server, so that turn
waits for the frozen process while holding the conversation's lock — and 0.1 s later
(so the stuck turn has the lock) sends «han puster ikke» in the same conversation. The
emergency's latency is measured on the client, from sending to the whole reply read.

    python -m bench.frozen_actions --webhook URL --actions-pid PID [--users 1,10]

bench.run calls measure() on the servers it started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
import uuid
from typing import Dict, List, Sequence

import aiohttp

from bench.loadgen import percentile

SELF_CHECK = (
    "/start_selfcheck",
    '/inform{"substance": "alkohol"}',
    '/inform{"frequency": "rarely"}',
    '/inform{"duration": "weeks"}',
    '/inform{"symptom": "none", "timing": "none"}',
)
LAST_ANSWER = "/deny"
EMERGENCY = "han puster ikke"
LOCK_HEAD_START_S = 0.1


async def _post(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list:
    async with session.post(url, json={"sender": sender, "message": text}) as r:
        return await r.json()


async def _user(url: str, deadline: float, latencies: List[float], answered: List[bool]) -> None:
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while time.monotonic() < deadline:
            sender = f"bench-frozen-{uuid.uuid4().hex[:12]}"
            for message in SELF_CHECK:
                await _post(session, url, sender, message)
            stuck = asyncio.ensure_future(_post(session, url, sender, LAST_ANSWER))
            await asyncio.sleep(LOCK_HEAD_START_S)
            started = time.monotonic()
            replies = await _post(session, url, sender, EMERGENCY)
            latencies.append((time.monotonic() - started) * 1000)
            answered.append(bool(replies) and "113" in (replies[0].get("text") or ""))
            await stuck


async def _level(url: str, users: int, seconds: float) -> Dict[str, object]:
    latencies: List[float] = []
    answered: List[bool] = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_user(url, deadline, latencies, answered) for _ in range(users)))
    return {
        "users": users,
        "emergencies": len(latencies),
        "with_113": sum(answered),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": round(max(latencies), 1),
    }


def measure(webhook: str, actions_pid: int, users: Sequence[int], seconds: float) -> List[dict]:
    """Freeze the action server, measure each level, and let it run again."""
    os.kill(actions_pid, signal.SIGSTOP)
    try:
        return [asyncio.run(_level(webhook, n, seconds)) for n in users]
    finally:
        os.kill(actions_pid, signal.SIGCONT)


def line(level: Dict[str, object]) -> str:
    return (
        f"{level['users']:>3} users, action server frozen: emergency reply p50 "
        f"{level['p50_ms']} ms, p99 {level['p99_ms']} ms, max {level['max_ms']} ms "
        f"({level['with_113']}/{level['emergencies']} with 113)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--webhook", default="http://127.0.0.1:5005/webhooks/rest/webhook")
    ap.add_argument("--actions-pid", type=int, required=True)
    ap.add_argument("--users", default="1,10")
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    levels = measure(
        args.webhook, args.actions_pid, [int(u) for u in args.users.split(",")], args.seconds
    )
    for level in levels:
        print(line(level))
    print(json.dumps(levels))


if __name__ == "__main__":
    main()
