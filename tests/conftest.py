"""Shared fixtures: the trained model (in-process) and the running servers."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from bench.processes import free_port
from veivis import rasa_patches

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "veivis.tar.gz"
ARTIFACTS = ROOT / "test-artifacts"


def _require_model() -> Path:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    return MODEL


class Parser:
    """The trained NLU pipeline, guard included, as Rasa runs it."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent

        rasa_patches.in_process_logs()  # as in the server: no user text in any log line
        self.loop = asyncio.new_event_loop()
        self.agent = Agent.load(str(model))

    def parse(self, text: str) -> Dict[str, Any]:
        return self.loop.run_until_complete(self.agent.parse_message(text))

    def intent(self, text: str) -> str:
        return self.parse(text)["intent"]["name"]


@pytest.fixture(scope="session")
def parser() -> Parser:
    return Parser(_require_model())


def wait_until(what: str, condition, timeout: float, every: float = 0.05) -> None:
    """Poll `condition` until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting until {what}")
        time.sleep(every)


class Chat:
    """A REST client for one conversation."""

    def __init__(self, webhook: str, sender: str) -> None:
        self.webhook, self.sender = webhook, sender

    def send(self, message: str) -> List[Dict[str, Any]]:
        return post_json(self.webhook, {"sender": self.sender, "message": message})[1]


def client_source(key: str) -> str:
    """A loopback address of its own (never 127.0.0.1) for each test conversation.

    Linux routes all of 127.0.0.0/8 to lo, so a test can send from many addresses; the
    per-client limits (veivis/channels/rate_limit.py) see them as different clients, as
    the different users they stand for would be. A test about one client sends from one."""
    h = hashlib.sha256(key.encode("utf-8")).digest()
    return f"127.{1 + h[0] % 254}.{h[1]}.{1 + h[2] % 254}"


def post(
    url: str,
    body: bytes,
    content_type: str = "application/json",
    source: Optional[str] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Any, Dict[str, str]]:
    """(status, JSON body, headers) of a POST, from the loopback address `source`."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=60, source_address=(source, 0) if source else None
    )
    try:
        connection.request(
            "POST", parts.path or "/", body, {"Content-Type": content_type, **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    finally:
        connection.close()


def post_raw(url: str, body: bytes, content_type: str = "application/json"):
    return post(url, body, content_type)[:2]


def post_json(url: str, payload: Any, source: Optional[str] = None):
    """(status, JSON body); by default from the sender's own address (client_source)."""
    if source is None and isinstance(payload, dict) and isinstance(payload.get("sender"), str):
        source = client_source(payload["sender"])
    return post(url, json.dumps(payload).encode("utf-8"), source=source)[:2]


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def triage_of(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [
        r["custom"]
        for r in replies
        if isinstance(r.get("custom"), dict) and "triage" in r["custom"]
    ]


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    from veivis.serve import running_servers

    _require_model()
    tmp = tmp_path_factory.mktemp("servers")
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("rasa.log", "actions.log"):  # this session's logs only (restarts append)
        (ARTIFACTS / name).unlink(missing_ok=True)
    # Another site that embeds the chat (tests/browser/test_embed.py): allowed by CORS.
    host_origin = f"http://127.0.0.1:{free_port()}"
    with running_servers(
        rasa_port=free_port(),
        action_port=free_port(),
        tracker_db=tmp / "tracker.db",
        log_dir=ARTIFACTS,
        allowed_origins=[host_origin],
    ) as running:
        running.tracker_db = tmp / "tracker.db"
        running.host_origin = host_origin
        yield running
