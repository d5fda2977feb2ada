"""Veivis and the stock bot started for a benchmark, with their startup times and memory.

Veivis is started with veivis.serve's start_actions/start_rasa (as `make run` does), the
stock bot with bench.stock_bot's; both are waited for with veivis.serve's wait_for, which
here also times them: process start → REST health route, → first reply, → action server.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager, List, Optional, Union

from bench import stock_bot
from bench.memory import MemorySampler, mb
from bench.processes import free_port
from bench.results import Memory, Startup
from bench.training import MODEL
from veivis.serve import Server, server_env, start_actions, start_rasa, wait_for, wait_until_up

AnyServer = Union[Server, stock_bot.StockServer]
STARTUP_TIMEOUT_S = 600
POLL_S = 0.25


@dataclass
class Running:
    name: str
    rasa: AnyServer
    actions: AnyServer
    webhook: str
    startup: Startup
    rasa_mem: MemorySampler
    actions_mem: MemorySampler
    tracker_db: Optional[Path] = None

    def memory(self) -> Memory:
        return Memory(
            rasa_peak_rss_mb=mb(self.rasa_mem.peak_kb),
            rasa_vmhwm_mb=self.rasa_mem.hwm_mb(),
            actions_peak_rss_mb=mb(self.actions_mem.peak_kb),
            actions_vmhwm_mb=self.actions_mem.hwm_mb(),
        )


def replies(webhook: str, sender: str, message: str) -> bool:
    """The REST channel answers the message with at least one reply."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(webhook, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status == 200 and bool(json.loads(r.read() or b"null"))
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return False


def wait_startup(
    rasa: AnyServer, actions: AnyServer, webhook: str, started: float, probe: str
) -> Startup:
    """Seconds from process start until the REST health route answers, until the first
    message gets a reply (what a user sees), and until the action server answers."""
    deadline = started + STARTUP_TIMEOUT_S

    def left() -> float:
        return deadline - time.monotonic()

    wait_until_up(rasa, left(), every=POLL_S)  # type: ignore[arg-type]
    health = time.monotonic() - started
    wait_for(
        rasa.name,
        lambda: replies(webhook, f"startup-probe-{int(time.time() * 1000)}", probe),
        rasa.process,
        left(),
        every=POLL_S,
    )
    first_reply = time.monotonic() - started
    wait_until_up(actions, left(), every=POLL_S)  # type: ignore[arg-type]
    return Startup(round(health, 1), round(first_reply, 1), round(time.monotonic() - started, 1))


StartBoth = Callable[[int, int, List[AnyServer]], None]


@contextmanager
def _running(name: str, probe: str, tracker_db: Optional[Path], start: StartBoth):
    """start(rasa_port, action_port, servers) appends the action server, then Rasa; both
    are sampled for memory, timed until they answer, and stopped in the end."""
    rasa_port, action_port = free_port(), free_port()
    servers: List[AnyServer] = []
    samplers: List[MemorySampler] = []
    try:
        started = time.monotonic()
        start(rasa_port, action_port, servers)
        actions, rasa = servers
        samplers = [MemorySampler(rasa.process.pid), MemorySampler(actions.process.pid)]
        for s in samplers:
            s.start()
        webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        startup = wait_startup(rasa, actions, webhook, started, probe)
        yield Running(name, rasa, actions, webhook, startup, *samplers, tracker_db)
    finally:
        for s in samplers:
            s.stop()
        for server in reversed(servers):
            server.stop()


def veivis_servers(tracker_db: Path, log_dir: Path, tag: str) -> ContextManager[Running]:
    """Veivis as `make run` starts it, on free ports, with its tracker store in tracker_db."""

    def start(rasa_port: int, action_port: int, servers: List[AnyServer]) -> None:
        env = server_env(action_port, tracker_db)
        servers.append(start_actions(action_port, env, log_dir / f"veivis-{tag}-actions.log"))
        servers.append(start_rasa(rasa_port, MODEL, env, log_dir / f"veivis-{tag}-rasa.log"))

    return _running("Veivis", "hei", tracker_db, start)


def stock_servers(bot: stock_bot.StockBot, log_dir: Path, cache: Path) -> ContextManager[Running]:
    """The stock bot's action server and Rasa, on free ports."""

    def start(rasa_port: int, action_port: int, servers: List[AnyServer]) -> None:
        env = stock_bot.bench_env(cache)
        servers.append(
            stock_bot.start_actions(bot, action_port, env, log_dir / "stock-actions.log")
        )
        servers.append(stock_bot.start_rasa(bot, rasa_port, env, log_dir / "stock-rasa.log"))

    return _running("stock", "hi", None, start)
