"""Rasa's REST channel (same URL and JSON), hardened for a public chat widget.

POST /webhooks/rest/webhook {"sender": "...", "message": "..."}
  → [{"recipient_id": ..., "text"|"buttons"|"custom": ...}, ...]
DELETE /webhooks/rest/conversation/<sender>
  → 200 {"deleted": true} | 404 {"deleted": false, "error": ...} (nothing under that id)

What it adds to rasa.core.channels.rest.RestInput, and why:
- malformed JSON or a missing sender gets a 400 with a JSON error, not a stack trace;
- a sender or a client (its address, client_address.py) over its rate limit, or a client
  starting too many conversations, gets a 429 with Retry-After, after a short pause
  (rate_limit.py); at the ceiling on stored conversations a new one gets a clear answer
  instead (ceiling.py). A red flag still gets the emergency answer;
- empty and over-long messages get a friendly Norwegian reply without reaching the
  model; an over-long message that contains a red flag still gets the emergency reply;
- phone numbers, national ID numbers, e-mail addresses and names that a cue announces
  («jeg heter Kari», «broren min Per») are masked before Rasa sees the text, so they are
  never stored (veivis.privacy);
- the chat widget is served at / on the same origin (widget_routes.py);
- client metadata is dropped (it would be stored with the conversation): get_metadata,
  Rasa's hook for it, gives none;
- it refuses to start without Veivis' patches to Rasa (plain `rasa run`, not
  veivis.rasa_cli): from_credentials, see veivis/rasa_internals.py;
- «Slett samtalen» deletes the conversation's rows from the tracker store (every session)
  and the tracker cached in memory, under the conversation's lock so a turn still running
  cannot write it back (veivis.tracker_store.delete_conversation);
- danger is assessed first; a danger message gets Rasa's answer if it comes within
  DANGER_DEADLINE_S, else the same answer from here at once (last_resort.py), so a stuck
  turn, a frozen dependency or an error never makes an emergency wait;
- any other turn that fails, is silent or outlives TURN_DEADLINE_S gets a clear message
  (veivis/timeouts.py); errors are logged without the user's text.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from typing_extensions import TypeGuard

from veivis import limits, rasa_internals
from veivis.channels.ceiling import ConversationCeiling
from veivis.channels.client_address import client_address
from veivis.channels.last_resort import emergency_replies, warm_up
from veivis.channels.rate_limit import Refusal, RefusalPause, RequestLimits
from veivis.channels.widget_routes import WidgetBlueprint
from veivis.danger import EMERGENCY, URGENT, Assessment, assess
from veivis.danger.replies import (
    EMERGENCY_INTENT,
    SUICIDE_INTENT,
    URGENT_INTENT,
    danger_intent,
    urgent_kind,
)
from veivis.privacy import mask_personal_data
from veivis.timeouts import DANGER_DEADLINE_S, TURN_DEADLINE_S
from veivis.tracker_store import conversation_exists, count_conversations, delete_conversation
from veivis.understanding.buttons import parse_payload

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128

REPLY_EMPTY = (
    "Jeg fikk en tom melding. Skriv gjerne hva du lurer på, eller trykk på en av knappene."
)
REPLY_TOO_LONG = (
    f"Meldingen din er for lang for meg (over {MAX_MESSAGE_CHARS} tegn). "
    "Kan du skrive det kortere? Er noen i fare nå, ring 113."
)
REPLY_TIMED_OUT = (
    "Jeg fikk ikke svart deg i tide akkurat nå. Prøv igjen om litt. Er noen i fare nå, ring 113."
)
REPLY_NO_ANSWER = (
    "Beklager, jeg klarte ikke å svare ordentlig akkurat nå. Prøv igjen om litt. "
    "Er noen i fare nå, ring 113."
)
ERROR_TOO_MANY = (
    "For mange meldinger på kort tid. Vent litt og prøv igjen. Er noen i fare, ring 113."
)
REPLY_FULL = (
    "Veivis tar ikke imot nye samtaler akkurat nå. Prøv igjen senere. Er noen i fare nå, ring 113."
)
ERROR_BAD_JSON = 'Forespørselen må være JSON: {"sender": "...", "message": "..."}.'
ERROR_BAD_SENDER = "Feltet «sender» mangler eller er ugyldig."
ERROR_BAD_MESSAGE = "Feltet «message» mangler eller er ikke tekst."
ERROR_UNKNOWN_CONVERSATION = "Fant ingen lagret samtale med denne ID-en. Ingenting er slettet."
ERROR_NOT_DELETED = "Samtalen kunne ikke slettes akkurat nå. Prøv igjen om litt."
DELETED = "deleted"  # the key of the delete answer the widget reads


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def too_many(refusal: Refusal) -> HTTPResponse:
    """The 429: a JSON error the widget shows as it is, and when to try again."""
    return response.json(
        {"error": ERROR_TOO_MANY, "limit": refusal.limit, "retry_after_s": refusal.retry_after_s},
        status=429,
        headers={"Retry-After": str(refusal.retry_after_s)},
    )


class LimitLog:
    """One log line a minute with how often each limit was hit: that a limit was hit, not
    who hit it (no address, no sender), and no line per refused request under a flood."""

    def __init__(self, every_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.every_s, self.clock = every_s, clock
        self.counts: Dict[str, int] = {}
        self._since = clock()

    def hit(self, limit: str) -> None:
        self.counts[limit] = self.counts.get(limit, 0) + 1
        if self.clock() - self._since >= self.every_s:
            hits = ", ".join(f"{name} {n}" for name, n in sorted(self.counts.items()))
            logger.warning(
                "Rate limits hit in the last %.0f s: %s", self.clock() - self._since, hits
            )
            self.counts, self._since = {}, self.clock()


def _text(sender: str, text: str) -> Dict[str, Any]:
    return {"recipient_id": sender, "text": text}


def _reply(sender: str, text: str) -> HTTPResponse:
    return response.json([_text(sender, text)])


async def assess_off_loop(text: str) -> Assessment:
    """assess(text); a message too long for the model is read in a thread, because the
    detector takes about a second for 100 KB and the event loop serves everyone.

    A button payload is not free text: «/inform{"symptom": "serious_withdrawal"}» is an
    answer in the self-check, and «/emergency» is danger by the click itself."""
    click = parse_payload(text)
    if click is not None:
        return _PAYLOAD_LEVELS.get(click.intent, Assessment())
    if len(text) <= MAX_MESSAGE_CHARS:
        return assess(text)
    return await asyncio.get_running_loop().run_in_executor(None, assess, text)


_PAYLOAD_LEVELS = {
    EMERGENCY_INTENT: Assessment(EMERGENCY, False, ("payload",)),
    SUICIDE_INTENT: Assessment(EMERGENCY, True, ("payload",)),
    URGENT_INTENT: Assessment(URGENT, False, ("payload",)),
}


def danger_replies(assessment: Assessment, sender: str) -> Optional[List[Dict[str, Any]]]:
    """The emergency or urgent answer the rules would give, or None if there is no danger."""
    intent = danger_intent(assessment)
    return emergency_replies(intent, sender, urgent_kind(assessment)) if intent else None


def prepare_text(text: str, intent: Optional[str]) -> Optional[str]:
    """The text Rasa should see, or None when the message is too long to process.

    A message over the cap is not read by the model, but a red flag anywhere in it
    (`intent`, from the danger assessment) still gets the emergency answer, as the
    intent payload the rules respond to.
    """
    if len(text) <= MAX_MESSAGE_CHARS:
        return mask_personal_data(text)
    return "/" + intent if intent else None


class VeivisRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> VeivisRestInput:
        # Rasa makes each channel of credentials.yml here, before its server starts.
        rasa_internals.require_patches()
        return cls()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        return None  # what a client sends beside the message would be stored with it

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        warm_up()
        request_limits, limit_log, pause = RequestLimits(), LimitLog(), RefusalPause()
        ceilings: List[ConversationCeiling] = []  # made on the first message: needs the store

        def ceiling(request: Request) -> ConversationCeiling:
            if not ceilings:
                store = request.app.ctx.agent.tracker_store
                ceilings.append(
                    ConversationCeiling(
                        lambda: count_conversations(store),
                        lambda sender: conversation_exists(store, sender),
                    )
                )
            return ceilings[0]

        # WidgetBlueprint also serves the chat page at / (veivis/channels/widget_routes.py)
        webhook = WidgetBlueprint("veivis_rest", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = _json_body(request)
            if not isinstance(body, dict):
                return _error(400, ERROR_BAD_JSON)
            sender, text = body.get("sender"), body.get("message")
            if not _valid_sender(sender):
                return _error(400, ERROR_BAD_SENDER)
            if not isinstance(text, str):
                return _error(400, ERROR_BAD_MESSAGE)
            if not text.strip():
                return _reply(sender, REPLY_EMPTY)
            # Danger is assessed first, before anything that can be slow or fail.
            assessment = await assess_off_loop(text)
            danger = danger_replies(assessment, sender)
            client = client_address(
                request.ip, request.headers.getall("x-forwarded-for", []), limits.TRUSTED_PROXIES
            )
            new = request_limits.is_new(sender)
            refused = request_limits.check(client, sender)
            if refused is not None:
                limit_log.hit(refused.limit)
                if danger:  # never rate-limit danger
                    return response.json(danger)
                await pause.wait(refused)
                return too_many(refused)
            if new and await ceiling(request).refuses(sender):
                request_limits.known.forget(sender)
                # the emergency answer, without starting a conversation to store
                return response.json(danger) if danger else _reply(sender, REPLY_FULL)
            prepared = prepare_text(text, danger_intent(assessment))
            if prepared is None:
                return _reply(sender, REPLY_TOO_LONG)
            deadline = TURN_DEADLINE_S
            if danger:
                # A turn of this conversation still running holds its lock: Rasa cannot
                # answer before it ends, so do not wait for it at all.
                deadline = 0.0 if _turns_running.get(sender) else DANGER_DEADLINE_S
            metadata = self.get_metadata(request)
            turn = await _handle(on_new_message, sender, prepared, self.name(), deadline, metadata)
            if turn.messages and turn.finished:
                return response.json(turn.messages)
            if danger:
                # Rasa failed or is slow (a stuck turn holds the conversation's lock, a
                # dependency is frozen): the same answer the rules give, at once. The
                # message is still handled and stored, in order, when Rasa gets to it.
                return response.json(danger)
            if turn.timed_out:
                return response.json([*turn.messages, _text(sender, REPLY_TIMED_OUT)])
            return response.json(turn.messages or [_text(sender, REPLY_NO_ANSWER)])

        @webhook.route("/conversation/<sender>", methods=["DELETE"])
        async def forget(request: Request, sender: str) -> HTTPResponse:
            if not _valid_sender(sender):
                return response.json({DELETED: False, "error": ERROR_BAD_SENDER}, status=400)
            agent = request.app.ctx.agent
            try:
                async with agent.lock_store.lock(sender):
                    n = await delete_conversation(agent.tracker_store, sender)
            except Exception as error:  # the database is down or locked: say so, keep serving
                logger.error("Deleting a conversation failed: %s", type(error).__name__)
                return response.json({DELETED: False, "error": ERROR_NOT_DELETED}, status=503)
            if not n:
                return response.json(
                    {DELETED: False, "error": ERROR_UNKNOWN_CONVERSATION}, status=404
                )
            return response.json({DELETED: True})

        return webhook


def _valid_sender(sender: Any) -> TypeGuard[str]:
    return isinstance(sender, str) and bool(sender.strip()) and len(sender) <= MAX_SENDER_CHARS


def _json_body(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # sanic raises on malformed JSON and invalid UTF-8
        return None


@dataclass
class Turn:
    messages: List[Dict[str, Any]]
    finished: bool  # Rasa handled the message without an error
    timed_out: bool  # still running after the deadline; it goes on in the background


# Turns that outlived their deadline: kept referenced until they end (asyncio keeps only
# weak references to tasks).
_late_turns: Set[asyncio.Task[Any]] = set()
# How many turns of each conversation this process is handling or waiting to handle.
_turns_running: Dict[str, int] = {}


def _turn_started(sender: str) -> None:
    _turns_running[sender] = _turns_running.get(sender, 0) + 1


def _turn_ended(sender: str) -> None:
    left = _turns_running.get(sender, 1) - 1
    if left:
        _turns_running[sender] = left
    else:
        _turns_running.pop(sender, None)


def _late_turn_done(task: asyncio.Task[Any]) -> None:
    _late_turns.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("A late turn failed: %s", type(task.exception()).__name__)


async def _handle(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    sender: str,
    text: str,
    channel: str,
    deadline: float,
    metadata: Optional[Dict[str, Any]] = None,
) -> Turn:
    """Hand the message to Rasa and wait at most `deadline` seconds for its answer.

    A turn that takes longer is not cancelled — cancelling could drop the message half
    stored — it finishes in the background, within the bounded waits of veivis.timeouts."""
    collector = CollectingOutputChannel()
    message = UserMessage(text, collector, sender, input_channel=channel, metadata=metadata)
    task = asyncio.ensure_future(on_new_message(message))
    _turn_started(sender)
    task.add_done_callback(lambda _: _turn_ended(sender))
    done, _ = await asyncio.wait({task}, timeout=deadline)
    if not done:
        _late_turns.add(task)
        task.add_done_callback(_late_turn_done)
        logger.warning("A turn took longer than %.1f s; answering without it", deadline)
        return Turn(list(collector.messages), finished=False, timed_out=True)
    error = task.exception()
    if error is not None:  # keep serving; never log the user's text
        logger.error("Message handling failed: %s", type(error).__name__)
        return Turn(collector.messages, finished=False, timed_out=False)
    return Turn(collector.messages, finished=True, timed_out=False)
