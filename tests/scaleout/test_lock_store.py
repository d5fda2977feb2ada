"""veivis.lock_store.AtomicRedisLockStore against a real Redis (Debian's redis-server).

Several store objects with their own connections stand in for several Rasa instances.
Run by scripts/scaleout-test.sh (installs redis-server, sets VEIVIS_SCALEOUT=1).
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("VEIVIS_SCALEOUT") != "1":
    pytest.skip(
        "needs redis-server: run scripts/scaleout-test.sh (sets VEIVIS_SCALEOUT=1)",
        allow_module_level=True,
    )

import asyncio
import shutil
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bench.processes import free_port
from veivis.lock_store import KEY_PREFIX, AtomicRedisLockStore


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1",
         "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port, socket_timeout=2)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert server.poll() is None and time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)  # polling for the port to open
    yield dict(host="127.0.0.1", port=port, db=1, pid=server.pid)
    server.send_signal(signal.SIGCONT)
    server.terminate()
    server.wait(10)


def new_store(redis_url) -> AtomicRedisLockStore:
    """A store with its own connection, like one Rasa instance, made as Rasa makes it."""
    config = EndpointConfig(
        url=redis_url["host"],
        type="veivis.lock_store.AtomicRedisLockStore",
        port=redis_url["port"],
        db=redis_url["db"],
        **(
            {"socket_timeout": redis_url["socket_timeout"]} if "socket_timeout" in redis_url else {}
        ),
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    return store


def test_tickets_issued_at_once_by_many_instances_are_unique_and_all_kept(redis_url):
    stores = [new_store(redis_url) for _ in range(4)]
    conversation = f"c-{uuid.uuid4()}"
    barrier = threading.Barrier(40)

    def issue(i: int) -> int:
        barrier.wait()
        return stores[i % 4].issue_ticket(conversation, 30)

    with ThreadPoolExecutor(max_workers=40) as pool:
        numbers = list(pool.map(issue, range(40)))
    assert sorted(numbers) == list(range(1, 41))
    lock = stores[0].get_lock(conversation)
    assert [t.number for t in lock.tickets] == list(range(1, 41))
    assert lock.now_serving == 1


def test_one_holder_at_a_time_across_instances_and_every_turn_runs(redis_url):
    conversation = f"c-{uuid.uuid4()}"
    inside, overlaps, done = [0], [], []
    guard = threading.Lock()

    def instance(i: int) -> None:
        store = new_store(redis_url)

        async def turns() -> None:
            for turn in range(10):
                async with store.lock(conversation, 30, wait_time_in_seconds=0.005):
                    with guard:
                        inside[0] += 1
                        if inside[0] > 1:
                            overlaps.append((i, turn))
                    await asyncio.sleep(0.002)  # the turn's work; others must wait
                    with guard:
                        inside[0] -= 1
                        done.append((i, turn))

        asyncio.run(turns())

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(instance, range(4)))
    assert overlaps == []
    assert len(done) == 40
    assert (
        redis.Redis(host=redis_url["host"], port=redis_url["port"], db=redis_url["db"]).exists(
            KEY_PREFIX + conversation
        )
        == 0
    )  # cleaned up


def test_clean_up_never_deletes_a_queue_with_a_ticket_in_it(redis_url):
    a, b = new_store(redis_url), new_store(redis_url)
    conversation = f"c-{uuid.uuid4()}"
    first = a.issue_ticket(conversation, 30)
    second = b.issue_ticket(conversation, 30)
    a.finish_serving(conversation, first)
    a.delete_lock(conversation)  # what Rasa's cleanup() does after a turn
    lock = b.get_lock(conversation)
    assert lock is not None and not lock.is_locked(second)  # b's turn now, not lost


def test_a_ticket_of_a_dead_instance_expires(redis_url):
    dead, alive = new_store(redis_url), new_store(redis_url)
    conversation = f"c-{uuid.uuid4()}"
    dead.issue_ticket(conversation, 0.3)  # never returned

    async def turn() -> float:
        started = time.monotonic()
        async with alive.lock(conversation, 30, wait_time_in_seconds=0.05):
            return time.monotonic() - started

    waited = asyncio.run(turn())
    assert 0.2 < waited < 10


def test_redis_down_is_a_lock_error_not_a_hang(redis_url):
    store = new_store(dict(redis_url, port=free_port()))  # nothing listens there
    with pytest.raises(LockError):
        store.issue_ticket("c", 30)


def test_a_frozen_redis_neither_blocks_the_event_loop_nor_loses_the_message(redis_url):
    """SIGSTOP: Redis accepts the connection and never answers. The turn still runs (no
    lock, logged), within the socket timeout, while the event loop keeps serving."""
    store = new_store(dict(redis_url, socket_timeout=0.3))
    conversation = f"c-{uuid.uuid4()}"
    served, ticks = [], []

    async def turn_and_others() -> None:
        async def others() -> None:
            while not served:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        other = asyncio.ensure_future(others())
        async with store.lock(conversation, 30, wait_time_in_seconds=0.05) as lock:
            served.append(lock)
        await other

    os.kill(redis_url["pid"], signal.SIGSTOP)
    try:
        started = time.monotonic()
        asyncio.run(turn_and_others())
        took = time.monotonic() - started
    finally:
        os.kill(redis_url["pid"], signal.SIGCONT)
    assert served == [None]  # handled, without a ticket
    assert took < 5  # Rasa's client would wait 10 s per call
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert ticks and max(gaps, default=0) < 0.25  # the loop never stalled for a Redis call

    # Redis answers again (and runs the requests it had been sent): the late ticket
    # request issued nothing, so the conversation is not left waiting for it to expire
    client = redis.Redis(host=redis_url["host"], port=redis_url["port"], db=redis_url["db"])
    assert client.ping() and client.zcard(KEY_PREFIX + conversation) == 0

    async def turn() -> Any:
        async with store.lock(conversation, 30, wait_time_in_seconds=0.05) as lock:
            return lock

    assert asyncio.run(turn()) is not None
