"""Shared fixtures: the trained model (in-process) and the running servers."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chat:
    """A REST client for one conversation."""

    def __init__(self, webhook: str, sender: str) -> None:
        self.webhook, self.sender = webhook, sender

    def send(self, message: str) -> List[Dict[str, Any]]:
        return post_json(self.webhook, {"sender": self.sender, "message": message})[1]


def post_raw(url: str, body: bytes, content_type: str = "application/json"):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def post_json(url: str, payload: Any):
    return post_raw(url, json.dumps(payload).encode("utf-8"))


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
